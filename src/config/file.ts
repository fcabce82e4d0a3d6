/**
 * Reading the config file: YAML text → validated `ConfigFile`, with errors that name the line
 * (syntax) or the key path (schema), and `${{ env.NAME }}` expansion in header values.
 */
import { closest } from "../core/closest.js";
import { parseDocument } from "yaml";
import type * as z from "zod";
import { ConfigError } from "../core/errors.js";
import { acceptedKeysAt, configFileSchema, type ConfigFile } from "./schema.js";
import { fromConfig, invalid, throwCollected } from "./values.js";

/** Where the config file is looked for when input `config` is not set. */
export const DEFAULT_CONFIG_PATH = ".github/shipline.yml";

/** Parses and validates config-file text; `path` is only used in messages. */
export function parseConfigFile(text: string, path: string): ConfigFile {
  const doc = parseDocument(text, { uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const at = problem.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : "";
    // The library appends " at line L, column C:" and a code excerpt; the position is kept above.
    const reason = problem.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").split("\n")[0];
    throw new ConfigError("config", `Config file \`${path}\` is not valid YAML${where}: ${reason}.`);
  }
  const data: unknown = doc.toJS() ?? {};
  const result = configFileSchema.safeParse(data);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => issueErrors(issue, data, path));
  throwCollected(errors);
  throw new Error("unreachable: a failed parse has issues");
}

/** `production.health.checks[0].path` */
export function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), "");
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const seg of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[seg];
  }
  return node;
}

function issueErrors(issue: z.core.$ZodIssue, data: unknown, file: string): ConfigError[] {
  if (issue.code === "unrecognized_keys") {
    const accepted = acceptedKeysAt(issue.path);
    return issue.keys.map((key) => unknownKey(issue.path, key, accepted, file));
  }
  const key = keyPath(issue.path);
  if (key === "") return [new ConfigError("config", `Config file \`${file}\` must be a mapping of settings; ${issue.message}.`)];
  return [invalid(fromConfig(key), valueAt(data, issue.path), issue.message.replace(/^expected /, ""))];
}

function unknownKey(parent: readonly PropertyKey[], key: string, accepted: string[], file: string): ConfigError {
  const where = parent.length === 0 ? `Config file \`${file}\`` : `Config key \`${keyPath(parent)}\``;
  const guess = closest(key, accepted);
  const hint = guess ? ` (did you mean \`${guess}\`?)` : "";
  return new ConfigError(
    keyPath([...parent, key]),
    `${where} has the unknown key \`${key}\`${hint}: accepted keys are ${accepted.map((k) => `\`${k}\``).join(", ")}.`,
  );
}

const EXPRESSION = /\$\{\{(.*?)\}\}/g;
const ENV_REF = /^\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/**
 * Expands `${{ env.NAME }}` in a header value from `env`. Returns the value and the secrets
 * to mask (each substituted value and the whole result). A missing or empty variable is an
 * error: a probe sent with an empty token would fail for a reason that is hard to see.
 */
export function expandEnv(value: string, key: string, env: Record<string, string | undefined>): { value: string; secrets: string[] } {
  const secrets: string[] = [];
  const expanded = value.replace(EXPRESSION, (_whole, inner: string) => {
    const name = ENV_REF.exec(inner)?.[1];
    if (name === undefined) {
      throw new ConfigError(
        key,
        `Config key \`${key}\` has the expression "\${{${inner}}}": only \${{ env.NAME }} is expanded in the config file (set the variable in the step's \`env:\`).`,
      );
    }
    const replacement = env[name];
    if (replacement === undefined || replacement === "") {
      throw new ConfigError(
        key,
        `Config key \`${key}\` references the environment variable ${name}, which is not set or empty: set ${name} in the step's \`env:\`.`,
      );
    }
    secrets.push(replacement);
    return replacement;
  });
  if (secrets.length > 0) secrets.push(expanded);
  return { value: expanded, secrets };
}

/**
 * Finds the config file: input `config`, else `.github/shipline.yml`. `readText` returns the
 * file's text, or `undefined` when it does not exist (resolveConfig then decides if that is an error).
 */
export function loadConfigSource(
  inputs: Readonly<Record<string, string>>,
  readText: (path: string) => string | undefined,
): { configPath: string; configText?: string } {
  const configPath = inputs["config"] ?? DEFAULT_CONFIG_PATH;
  const configText = readText(configPath);
  return configText === undefined ? { configPath } : { configPath, configText };
}
