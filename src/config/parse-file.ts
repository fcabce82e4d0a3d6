/**
 * Reading the config file: YAML text → validated `ConfigFile`, with errors that name the line
 * (syntax) or the key path (schema); and `resolveConfig`, which parses the file's text and
 * resolves the settings. Apart from the rest of the configuration because YAML and zod are
 * large: the action loads them only when a config file exists.
 */
import { parseDocument } from "yaml";
import type * as z from "zod";
import { closest } from "../core/closest.js";
import { ConfigError } from "../core/errors.js";
import { DEFAULT_CONFIG_PATH, keyPath } from "./file.js";
import { resolveSettings, type ResolveArgs, type ResolvedSettings } from "./resolve.js";
import { acceptedKeysAt, configFileSchema, type ConfigFile } from "./schema.js";
import { fromConfig, invalid, throwCollected } from "./values.js";

/** Resolves and validates the whole configuration, the config file's text included; throws `ConfigError` (or `ConfigErrors`). */
export function resolveConfig(args: ResolveArgs): ResolvedSettings {
  const { configText, ...rest } = args;
  if (configText === undefined) return resolveSettings(rest);
  return resolveSettings({
    ...rest,
    configFile: parseConfigFile(configText, args.configPath ?? args.inputs["config"] ?? DEFAULT_CONFIG_PATH),
  });
}

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
