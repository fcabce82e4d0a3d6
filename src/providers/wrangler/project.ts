/**
 * The Worker project's wrangler config, read the way wrangler 4 reads it (checked in wrangler
 * 4.86's `findWranglerConfig` and `normalizeAndValidateConfig`):
 *
 * - Which file: `wrangler.json`, then `wrangler.jsonc`, then `wrangler.toml`, each looked for
 *   from the folder up to the file-system root before the next name is tried. So a
 *   `wrangler.json` in a parent folder beats a `wrangler.toml` in the folder itself.
 * - `.json` and `.jsonc` are both parsed as JSONC (comments and trailing commas allowed),
 *   `.toml` as TOML; a UTF-8 byte-order mark is dropped.
 * - The Worker for `--env X` (wrangler environments, the default `legacy_env = true`):
 *   `env.X.name` when set, else `<name>-X`. `--env ""` is the top level (`name`). An `--env X`
 *   the config does not define is an error when the config has an `env` table at all, and
 *   only a warning (top-level settings, Worker `<name>-X`) when it has none.
 * - `account_id` for `--env X`: the environment's, else the top level's; an empty string
 *   counts as absent.
 *
 * Reads are synchronous: configs are small, and callers (probe headers) need names at once.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import { parse as parseToml, TomlError } from "smol-toml";

/** The names wrangler looks for, in the order it tries them. */
export const WRANGLER_CONFIG_FILES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] as const;

export type WranglerConfigFormat = "json" | "jsonc" | "toml";

/** What shipline reads from one `env.<name>` section. */
export interface WranglerEnvironment {
  readonly name?: string;
  readonly accountId?: string;
  readonly complianceRegion?: string;
}

/** What shipline reads from a wrangler config. */
export interface WranglerProject {
  /** Absolute path of the config file wrangler reads. */
  readonly configPath: string;
  readonly format: WranglerConfigFormat;
  /** Top-level `name`. */
  readonly name?: string;
  /** Top-level `account_id` (an empty string counts as absent). */
  readonly accountId?: string;
  /** Top-level `compliance_region` (`public` or `fedramp_high`). */
  readonly complianceRegion?: string;
  /** `legacy_env` (default `true`): `false` selects the deprecated service environments. */
  readonly legacyEnv: boolean;
  /** Whether the config has an `env` table at all (even an empty one). */
  readonly hasEnvTable: boolean;
  /** The `env.<name>` sections, by name. */
  readonly environments: Readonly<Record<string, WranglerEnvironment>>;
  /** Whether a custom build (`build.command`, top level or in any environment) runs with every deploy. */
  readonly customBuild: boolean;
}

/** A config file that exists but cannot be parsed. */
export class WranglerConfigError extends Error {
  constructor(
    readonly configPath: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "WranglerConfigError";
  }
}

/** The config file wrangler reads when run in `dir` (no `--config`), or `undefined` when there is none. */
export function findWranglerConfig(dir: string): string | undefined {
  for (const file of WRANGLER_CONFIG_FILES) {
    for (let current = resolve(dir); ; current = dirname(current)) {
      const candidate = join(current, file);
      if (isFile(candidate)) return candidate;
      if (dirname(current) === current) break;
    }
  }
  return undefined;
}

/** The config files in `dir` itself, in wrangler's order. */
export function configFilesIn(dir: string): string[] {
  return WRANGLER_CONFIG_FILES.map((file) => join(resolve(dir), file)).filter(isFile);
}

/**
 * Reads the config wrangler would read when run in `dir`; `undefined` when there is none.
 * Throws `WranglerConfigError` when the file does not parse.
 */
export function readWranglerProject(dir: string): WranglerProject | undefined {
  const configPath = findWranglerConfig(dir);
  if (!configPath) return undefined;
  let text: string;
  try {
    text = readFileSync(configPath, "utf8");
  } catch (error) {
    throw new WranglerConfigError(configPath, `Cannot read ${configPath}: ${(error as Error).message}`, { cause: error });
  }
  return parseWranglerProject(text, configPath);
}

/** Parses a config's text; the format follows the file name's extension, as in wrangler. */
export function parseWranglerProject(text: string, configPath: string): WranglerProject {
  const format: WranglerConfigFormat = configPath.endsWith(".toml") ? "toml" : configPath.endsWith(".jsonc") ? "jsonc" : "json";
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const raw = format === "toml" ? tomlObject(source, configPath) : jsoncObject(source, configPath);
  const envTable = raw["env"];
  const environments: Record<string, WranglerEnvironment> = {};
  if (isRecord(envTable)) {
    for (const [name, section] of Object.entries(envTable)) environments[name] = environmentOf(isRecord(section) ? section : {});
  }
  const top = environmentOf(raw);
  return {
    configPath,
    format,
    ...top,
    legacyEnv: raw["legacy_env"] !== false,
    hasEnvTable: envTable !== undefined && envTable !== null,
    environments,
    customBuild: [raw, ...(isRecord(envTable) ? Object.values(envTable) : [])].some(
      (section) => isRecord(section) && isRecord(section["build"]) && typeof section["build"]["command"] === "string",
    ),
  };
}

/** The environment names the config defines. */
export function environmentNames(project: WranglerProject): string[] {
  return Object.keys(project.environments);
}

/** Whether wrangler accepts `--env <environment>` with this config (see the file comment). */
export function acceptsEnvironment(project: WranglerProject, environment: string): boolean {
  return environment === "" || !project.hasEnvTable || Object.hasOwn(project.environments, environment);
}

/** The Worker name wrangler uses for `--env <environment>`; `undefined` when the config names none. */
export function workerNameFor(project: WranglerProject, environment: string): string | undefined {
  const top = project.name || undefined;
  if (environment === "" || !project.legacyEnv) return top;
  const own = Object.hasOwn(project.environments, environment) ? project.environments[environment]?.name : undefined;
  if (own !== undefined) return own || undefined;
  return top ? `${top}-${environment}` : undefined;
}

/** The `account_id` wrangler uses for `--env <environment>`: the environment's, else the top level's. */
export function accountIdFor(project: WranglerProject, environment: string): string | undefined {
  return inherited(project, environment, "accountId");
}

/** The `compliance_region` for `--env <environment>`, inherited like `account_id`. */
export function complianceRegionFor(project: WranglerProject, environment: string): string | undefined {
  return inherited(project, environment, "complianceRegion");
}

function inherited(project: WranglerProject, environment: string, key: "accountId" | "complianceRegion"): string | undefined {
  // Service environments (legacy_env = false) do not allow these per environment.
  const own = environment !== "" && project.legacyEnv ? project.environments[environment]?.[key] : undefined;
  return own ?? project[key];
}

function environmentOf(section: Record<string, unknown>): WranglerEnvironment {
  const name = typeof section["name"] === "string" ? section["name"] : undefined;
  const accountId = typeof section["account_id"] === "string" && section["account_id"] !== "" ? section["account_id"] : undefined;
  const region = typeof section["compliance_region"] === "string" ? section["compliance_region"] : undefined;
  return {
    ...(name !== undefined ? { name } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
    ...(region !== undefined ? { complianceRegion: region } : {}),
  };
}

function tomlObject(text: string, configPath: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const headline = error.message.split("\n", 1)[0] ?? error.message;
    throw new WranglerConfigError(configPath, `${configPath}:${error.line}:${error.column}: ${headline}`, { cause: error });
  }
}

function jsoncObject(text: string, configPath: string): Record<string, unknown> {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first) {
    const { line, column } = lineAndColumn(text, first.offset);
    throw new WranglerConfigError(configPath, `${configPath}:${line}:${column}: ${printParseErrorCode(first.error)}`);
  }
  if (!isRecord(value)) throw new WranglerConfigError(configPath, `${configPath}: expected a JSON object at the top level`);
  return value;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
