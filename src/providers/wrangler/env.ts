/**
 * The environment one wrangler process gets: the step's own environment (proxies, CLOUDFLARE_*
 * a workflow sets) plus credentials from shipline's inputs and switches that keep wrangler
 * quiet, non-interactive and machine-readable. Built fresh per command, never by mutating
 * `process.env`. The action's `INPUT_*` variables are not passed on.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childEnv } from "../system/child-env.js";

export type BaseEnv = Readonly<Record<string, string | undefined>>;

export interface WranglerEnvOptions {
  /** The step's environment (usually `process.env`). */
  readonly base: BaseEnv;
  readonly apiToken?: string | undefined;
  readonly accountId?: string | undefined;
  /** Fresh ND-JSON output file for this one command. */
  readonly outputFile: string;
}

// wrangler tests `name in process.env`, so an empty value counts as set: an empty
// CLOUDFLARE_API_BASE_URL breaks every API call ("Failed to parse URL from /accounts/...").
// These are dropped from the base environment when empty rather than passed through.
const DROP_WHEN_EMPTY = [
  "CLOUDFLARE_API_BASE_URL",
  "CF_API_BASE_URL",
  "CLOUDFLARE_API_TOKEN",
  "CF_API_TOKEN",
  "CLOUDFLARE_ACCOUNT_ID",
  "CF_ACCOUNT_ID",
] as const;

// Defaults that keep data on the machine; the workflow may still turn them on.
const DEFAULTS_UNLESS_SET: Readonly<Record<string, string>> = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
};

/**
 * The environment wrangler runs with, without a command's own output file: what the commands
 * around production (`before-production`, `after-release`) get, so that a `wrangler d1
 * migrations apply --remote` in them reaches the same account with the same credentials.
 */
export function wranglerCommandEnv(options: Omit<WranglerEnvOptions, "outputFile">): Record<string, string> {
  const env = buildWranglerEnv({ ...options, outputFile: "" });
  delete env.WRANGLER_OUTPUT_FILE_PATH;
  return env;
}

/** Builds the full environment of one wrangler process (secrets go here, never into argv). */
export function buildWranglerEnv(options: WranglerEnvOptions): Record<string, string> {
  // Without the action's INPUT_* variables: they hold every token given in `with:`.
  const env = childEnv(options.base);
  for (const name of DROP_WHEN_EMPTY) {
    if (env[name] === "") delete env[name];
  }
  for (const [name, value] of Object.entries(DEFAULTS_UNLESS_SET)) {
    if (env[name] === undefined) env[name] = value;
  }
  if (options.apiToken) env.CLOUDFLARE_API_TOKEN = options.apiToken;
  if (options.accountId) env.CLOUDFLARE_ACCOUNT_ID = options.accountId;
  // CI=true makes `rollback` and `deploy` answer their prompts; stdin is ignored as well.
  env.CI = "true";
  // One file per command: wrangler appends, so a reused path would mix commands' entries.
  env.WRANGLER_OUTPUT_FILE_PATH = options.outputFile;
  // The banner also triggers an update check against the npm registry.
  env.WRANGLER_HIDE_BANNER = "true";
  // Node 22.1+ keeps the compiled wrangler bundle on disk: every later wrangler start of the
  // run (and of later runs on the same machine) skips a third of its start-up. Older Node
  // ignores the variable; a workflow's own setting stands.
  env.NODE_COMPILE_CACHE ??= join(tmpdir(), "shipline-node-compile-cache");
  return env;
}
