/**
 * The account wrangler 4 uses (`getAccountId`, wrangler.md section 1.1), in its order:
 * 1. `account_id` in the wrangler config (the environment's, else the top level's);
 * 2. CLOUDFLARE_ACCOUNT_ID (deprecated CF_ACCOUNT_ID) when not empty;
 * 3. the account cached in `wrangler-account.json` (read only when 2 is unset or empty);
 * 4. `GET /memberships`: the one account the credentials reach (several: an error, as in
 *    non-interactive wrangler). wrangler then caches it; shipline only reads the cache.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DeployError } from "../../core/errors.js";
import type { CloudflareAccount } from "./api.js";
import { wranglerVariable } from "./connection.js";

export type AccountSource = "config" | "environment" | "cache" | "memberships";

export interface AccountLookup {
  /** `account_id` from the wrangler config for the environment. */
  readonly configAccountId?: string | undefined;
  /** The variables wrangler sees (see `wranglerVisibleEnv`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder wrangler runs in (its cache folder is found from here). */
  readonly workingDirectory: string;
  /** Lists the accounts the credentials reach (`CloudflareApi.memberships`). */
  readonly memberships: (signal: AbortSignal) => Promise<CloudflareAccount[]>;
}

/** The account id wrangler would use, and where it came from. */
export async function resolveAccountId(lookup: AccountLookup, signal: AbortSignal): Promise<{ accountId: string; source: AccountSource }> {
  if (lookup.configAccountId) return { accountId: lookup.configAccountId, source: "config" };
  const fromEnv = wranglerVariable(lookup.env, "CLOUDFLARE_ACCOUNT_ID", "CF_ACCOUNT_ID");
  if (fromEnv) return { accountId: fromEnv, source: "environment" };
  const cached = cachedAccountId(lookup.env, lookup.workingDirectory);
  if (cached) return { accountId: cached, source: "cache" };
  const accounts = await lookup.memberships(signal);
  const [only] = accounts;
  if (accounts.length === 1 && only) return { accountId: only.id, source: "memberships" };
  const command = "GET /memberships";
  if (accounts.length === 0) {
    throw new DeployError("The Cloudflare credentials reach no account: set the cloudflare-account-id input or CLOUDFLARE_ACCOUNT_ID", {
      command,
      detail: "GET /memberships listed no account",
    });
  }
  throw new DeployError(
    `The Cloudflare credentials reach ${accounts.length} accounts and none was chosen: set the cloudflare-account-id input, CLOUDFLARE_ACCOUNT_ID or account_id in the wrangler config`,
    { command, detail: `accounts: ${accounts.map((a) => a.id).join(", ")}` },
  );
}

/** The folder wrangler keeps its caches in (`getCacheFolder`). */
export function wranglerCacheFolder(env: Readonly<Record<string, string | undefined>>, workingDirectory: string): string {
  const fromEnv = env["WRANGLER_CACHE_DIR"];
  if (fromEnv) return fromEnv;
  const modules = closestDirectory(workingDirectory, "node_modules");
  const modulesCache = modules ? join(modules, ".cache", "wrangler") : undefined;
  const projectCache = join(resolve(workingDirectory), ".wrangler", "cache");
  if (modulesCache && isDirectory(modulesCache)) return modulesCache;
  if (isDirectory(projectCache)) return projectCache;
  return modulesCache ?? projectCache;
}

function cachedAccountId(env: Readonly<Record<string, string | undefined>>, workingDirectory: string): string | undefined {
  try {
    const text = readFileSync(join(wranglerCacheFolder(env, workingDirectory), "wrangler-account.json"), "utf8");
    const id = (JSON.parse(text) as { account?: { id?: unknown } }).account?.id;
    return typeof id === "string" && id !== "" ? id : undefined;
  } catch {
    return undefined;
  }
}

function closestDirectory(start: string, name: string): string | undefined {
  for (let current = resolve(start); ; current = dirname(current)) {
    if (isDirectory(join(current, name))) return join(current, name);
    if (dirname(current) === current) return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
