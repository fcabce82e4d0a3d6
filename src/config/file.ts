/**
 * Finding the config file, key paths for messages, and `${{ env.NAME }}` expansion in header
 * values. Parsing the file (YAML and its schema) is in parse-file.ts, loaded only when a
 * config file exists.
 */
import { ConfigError } from "../core/errors.js";

/** Where the config file is looked for when input `config` is not set. */
export const DEFAULT_CONFIG_PATH = ".github/shipline.yml";

/** `production.health.checks[0].path` */
export function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), "");
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
