/**
 * Several Workers in one release (config key `workers`, SPEC section 7). Each entry is resolved
 * to the same settings a single-Worker run has: the top-level config file with the entry's own
 * keys laid over it, then the inputs, validated by `resolveSettings` as usual. What belongs to
 * one Worker only (its folder, its URLs, its commands around production) is refused at the top
 * level, where it would silently apply to every Worker.
 */
import { ConfigError } from "../core/errors.js";
import { checkSeveralWorkersTarget } from "../core/rollback-target.js";
import type { ConfigFile } from "./schema.js";
import { ConfigErrors, show, throwCollected } from "./values.js";
import type { ResolvedSettings } from "./resolve.js";

/** One Worker of a several-Worker release, resolved. */
export interface WorkerSettings {
  /** The entry's `name`: how logs, outputs and the summary name it. */
  readonly name: string;
  readonly settings: ResolvedSettings;
}

type Entry = NonNullable<ConfigFile["workers"]>[number];

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Inputs that name one Worker's folder, URL or command: ambiguous with several Workers. */
const PER_WORKER_INPUTS = ["working-directory", "staging-url", "production-url", "before-production", "after-release"] as const;
/** Top-level config keys that belong in a `workers` entry. */
const PER_WORKER_KEYS = ["working-directory", "staging.url", "production.url", "before-production", "after-release"] as const;

/**
 * Resolves every entry of `workers`, in order. The first Worker's settings are the run's own
 * (what the single-Worker outputs report); `resolveOne` is `resolveSettings` for one Worker.
 */
export function resolveWorkers(
  file: ConfigFile & { readonly workers: readonly Entry[] },
  inputs: Readonly<Record<string, string>>,
  resolveOne: (file: ConfigFile) => ResolvedSettings,
): ResolvedSettings & { readonly workers: readonly WorkerSettings[] } {
  const errors: ConfigError[] = [];
  for (const name of PER_WORKER_INPUTS) {
    if (inputs[name] === undefined) continue;
    errors.push(
      new ConfigError(
        name,
        `Input \`${name}\` has the value ${show(inputs[name])}, but the config file lists several Workers (\`workers\`): expected it in the entry of the Worker it belongs to (\`workers[].${name === "staging-url" ? "staging.url" : name === "production-url" ? "production.url" : name}\`), not as an input that would apply to every Worker.`,
      ),
    );
  }
  for (const key of PER_WORKER_KEYS) {
    const value = at(file, key);
    if (value === undefined) continue;
    errors.push(
      new ConfigError(
        key,
        `Config key \`${key}\` has the value ${show(value)}, but the file lists several Workers (\`workers\`): expected \`workers[].${key}\` in the entry of the Worker it belongs to.`,
      ),
    );
  }
  const seen = new Set<string>();
  file.workers.forEach((entry, index) => {
    if (!NAME.test(entry.name)) {
      errors.push(
        new ConfigError(
          `workers[${index}].name`,
          `Config key \`workers[${index}].name\` has the value ${show(entry.name)}: expected 1 to 64 letters, digits, \`.\`, \`_\` or \`-\`.`,
        ),
      );
    } else if (seen.has(entry.name)) {
      errors.push(
        new ConfigError(
          `workers[${index}].name`,
          `Config key \`workers[${index}].name\` has the value ${show(entry.name)}, the name of an earlier Worker: expected a different name for each Worker.`,
        ),
      );
    }
    seen.add(entry.name);
  });
  throwCollected(errors);

  const { workers: entries, ...shared } = file;
  const workers = entries.map((entry, index) => {
    const { name, ...own } = entry;
    const merged = overlay(shared, { "working-directory": ".", ...own }) as ConfigFile;
    try {
      return { name, settings: resolveOne(merged) };
    } catch (error) {
      throw error instanceof ConfigError ? inWorker(error, name, index) : error;
    }
  });
  const first = workers[0]!.settings;
  // An emergency rollback of several Workers takes a release tag or no target, never one Worker's version id.
  if (first.config.mode === "rollback") checkSeveralWorkersTarget(first.config.emergency?.target, workers.length);
  if (first.deployer.kind !== "wrangler") {
    throw new ConfigError(
      "deployer.kind",
      `Config key \`deployer.kind\` has the value ${show(first.deployer.kind)}, but the file lists several Workers (\`workers\`): a release of several Workers deploys each with wrangler; expected \`deployer.kind: wrangler\` (or no \`deployer\`), or a config without \`workers\`.`,
    );
  }
  return {
    ...first,
    secrets: [...new Set(workers.flatMap((w) => w.settings.secrets))],
    warnings: [...new Set(workers.flatMap((w) => w.settings.warnings))],
    workers,
  };
}

/** A Worker's configuration error, saying which Worker. */
function inWorker(error: ConfigError, name: string, index: number): ConfigError {
  const where = `Worker "${name}" (workers[${index}])`;
  if (error instanceof ConfigErrors) return new ConfigErrors(error.errors.map((e) => inWorker(e, name, index)));
  return new ConfigError(`workers[${index}].${error.key}`, `${where}: ${error.message}`, { cause: error });
}

/** `over` laid on `base`: mappings merge key by key, anything else (lists, texts) replaces. */
export function overlay(base: unknown, over: unknown): unknown {
  if (!isMapping(base) || !isMapping(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = overlay(base[key], value);
  return out;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function at(file: unknown, key: string): unknown {
  let node = file;
  for (const segment of key.split(".")) node = isMapping(node) ? node[segment] : undefined;
  return node;
}
