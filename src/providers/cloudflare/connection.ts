/**
 * Where and as whom wrangler would talk to the Cloudflare API, worked out from the same
 * environment the wrangler child process gets (wrangler 4.86, wrangler.md section 1):
 *
 * - The environment: the step's, with empty CLOUDFLARE_API_BASE_URL / _API_TOKEN / _ACCOUNT_ID
 *   dropped and the inputs' token and account on top (`buildWranglerEnv`), over the project's
 *   `.env`, `.env.local`, `.env.<env>`, `.env.<env>.local` (wrangler loads these for every
 *   command; a variable already set wins). `${VAR}` expansion inside `.env` values is not done.
 * - Base URL: CLOUDFLARE_API_BASE_URL (deprecated CF_API_BASE_URL), else
 *   `https://api{.fed}{.staging}.cloudflare.com/client/v4` with `.fed` for the compliance region
 *   `fedramp_high` (CLOUDFLARE_COMPLIANCE_REGION, else the config's `compliance_region`) and
 *   `.staging` for WRANGLER_API_ENVIRONMENT=staging.
 * - Credentials: CLOUDFLARE_API_KEY + CLOUDFLARE_EMAIL when both are set (they win, as in
 *   wrangler), else CLOUDFLARE_API_TOKEN (CF_* aliases when the CLOUDFLARE_* name is absent),
 *   else the OAuth token of `wrangler login` while it has not expired (wrangler would refresh
 *   an expired one; shipline does not).
 * - Proxies: with HTTPS_PROXY / HTTP_PROXY (or lower case) set, requests go through undici's
 *   `EnvHttpProxyAgent`, NO_PROXY defaulting to `localhost,127.0.0.1,::1`, as wrangler does.
 *   Without one, requests go through `node:http(s)` (node-transport.ts: the first one goes out
 *   before Node's `fetch` would have loaded).
 * - WRANGLER_TRACE_ID becomes a `Cf-Trace-Id` header.
 */
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { parse as parseToml } from "smol-toml";
import { nodeHttpRequest } from "../http/node-transport.js";
import { buildWranglerEnv, type BaseEnv } from "../wrangler/env.js";
import type { CloudflareAuth, FetchLike } from "./api.js";

export interface ConnectionOptions {
  /** The step's environment (usually `process.env`). */
  readonly env: BaseEnv;
  /** The `cloudflare-api-token` input; beats CLOUDFLARE_API_TOKEN. */
  readonly apiToken?: string | undefined;
  /** The `cloudflare-account-id` input; beats CLOUDFLARE_ACCOUNT_ID. */
  readonly accountId?: string | undefined;
  /** The folder wrangler runs in: its `.env` files count. */
  readonly workingDirectory: string;
  /** The wrangler `--env`: picks `.env.<env>` files. */
  readonly environment: string;
  /** The config's `compliance_region` for that environment. */
  readonly complianceRegion?: string | undefined;
  /** Replaces the transport (tests); proxies are then the injected function's business. */
  readonly fetch?: FetchLike;
  /** Epoch ms, for the OAuth token's expiry. @default Date.now */
  readonly now?: () => number;
}

export interface Connection {
  /** The variables wrangler would see (no `INPUT_*`). */
  readonly env: Readonly<Record<string, string>>;
  readonly baseUrl: string;
  readonly auth: CloudflareAuth | undefined;
  /** Why there are no credentials, when there are none. */
  readonly missingAuthHint?: string;
  readonly fetch: FetchLike;
  /** The proxy requests go through to reach `baseUrl`, if any (for logs; no credentials in it). */
  readonly proxy?: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const DEFAULT_API_BASE_URL = "https://api.cloudflare.com/client/v4";
const DEFAULT_NO_PROXY = "localhost,127.0.0.1,::1";

/** Works out base URL, credentials and transport for one wrangler environment. */
export function connectionFor(options: ConnectionOptions): Connection {
  const env = wranglerVisibleEnv(options);
  const credentials = credentialsFrom(env, options.now ?? Date.now);
  const transport = options.fetch ? { fetch: options.fetch } : transportFor(env);
  const traceId = env["WRANGLER_TRACE_ID"];
  return {
    env,
    baseUrl: apiBaseUrl(env, options.complianceRegion),
    auth: credentials.auth,
    ...(credentials.hint ? { missingAuthHint: credentials.hint } : {}),
    ...transport,
    headers: traceId ? { "Cf-Trace-Id": traceId } : {},
  };
}

/** The environment of a wrangler child for `--env <environment>`, with the project's `.env` files under it. */
export function wranglerVisibleEnv(
  options: Pick<ConnectionOptions, "env" | "apiToken" | "accountId" | "workingDirectory" | "environment">,
): Record<string, string> {
  const child = buildWranglerEnv({ base: options.env, apiToken: options.apiToken, accountId: options.accountId, outputFile: "" });
  return { ...dotenvFiles(options.workingDirectory, options.environment), ...child };
}

/** A variable as wrangler reads it: the name when present at all (even empty), else its deprecated alias. */
export function wranglerVariable(env: Readonly<Record<string, string | undefined>>, name: string, deprecated?: string): string | undefined {
  if (name in env) return env[name];
  return deprecated && deprecated in env ? env[deprecated] : undefined;
}

/** The API base wrangler uses (no trailing slash is added or removed: wrangler concatenates). */
export function apiBaseUrl(env: Readonly<Record<string, string | undefined>>, configRegion?: string): string {
  const explicit = wranglerVariable(env, "CLOUDFLARE_API_BASE_URL", "CF_API_BASE_URL");
  if (explicit) return explicit;
  const region = env["CLOUDFLARE_COMPLIANCE_REGION"] || configRegion;
  const fed = region === "fedramp_high" ? ".fed" : "";
  const staging = env["WRANGLER_API_ENVIRONMENT"] === "staging" ? ".staging" : "";
  return `https://api${fed}${staging}.cloudflare.com/client/v4`;
}

/** wrangler's order: global key + email, then API token, then the `wrangler login` OAuth token. */
export function credentialsFrom(
  env: Readonly<Record<string, string | undefined>>,
  now: () => number = Date.now,
): { auth: CloudflareAuth | undefined; hint?: string } {
  const key = wranglerVariable(env, "CLOUDFLARE_API_KEY", "CF_API_KEY");
  const email = wranglerVariable(env, "CLOUDFLARE_EMAIL", "CF_EMAIL");
  if (key && email) return { auth: { kind: "key", key, email } };
  const token = wranglerVariable(env, "CLOUDFLARE_API_TOKEN", "CF_API_TOKEN");
  if (token) return { auth: { kind: "token", token } };
  return oauthToken(env, now);
}

/** `fetch` through undici's EnvHttpProxyAgent when a proxy variable is set, as wrangler installs it. */
function transportFor(env: Readonly<Record<string, string>>): { fetch: FetchLike; proxy?: string } {
  const httpsProxy = env["https_proxy"] ?? env["HTTPS_PROXY"];
  const httpProxy = env["http_proxy"] ?? env["HTTP_PROXY"];
  if (!(env["https_proxy"] || env["HTTPS_PROXY"] || env["http_proxy"] || env["HTTP_PROXY"])) {
    return { fetch: nodeHttpRequest };
  }
  // undici is loaded only when a proxy is set: most runs never need it, and the first read of
  // production goes out before the rest of the action has loaded.
  let proxiedFetch: Promise<FetchLike> | undefined;
  const load = async (): Promise<FetchLike> => {
    const { EnvHttpProxyAgent, fetch: undiciFetch } = await import("undici");
    // Explicit values ("" for unset) so that undici does not fall back to process.env.
    const dispatcher = new EnvHttpProxyAgent({
      httpProxy: httpProxy ?? "",
      httpsProxy: httpsProxy ?? "",
      noProxy: env["no_proxy"] || env["NO_PROXY"] || DEFAULT_NO_PROXY,
    });
    // undici's own fetch with its own dispatcher: Node's bundled fetch may be another undici.
    return async (url, init) => await undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
  };
  const proxied: FetchLike = async (url, init) => (await (proxiedFetch ??= load()))(url, init);
  return { fetch: proxied, proxy: redactUrl(httpsProxy || httpProxy || "") };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "(a proxy)";
  }
}

/** `.env`, `.env.local`, `.env.<env>`, `.env.<env>.local` of the folder; later files win. */
function dotenvFiles(dir: string, environment: string): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const name of [".env", ".env.local", `.env.${environment}`, `.env.${environment}.local`]) {
    const text = readIfFile(join(dir, name));
    if (text !== undefined) Object.assign(merged, parseDotenv(text));
  }
  return merged;
}

/** The OAuth token `wrangler login` stored, while it is valid. */
function oauthToken(
  env: Readonly<Record<string, string | undefined>>,
  now: () => number,
): { auth: CloudflareAuth | undefined; hint?: string } {
  const file = join(globalWranglerDir(env), "config", env["WRANGLER_API_ENVIRONMENT"] === "staging" ? "staging.toml" : "default.toml");
  const text = readIfFile(file);
  if (text === undefined) return { auth: undefined };
  try {
    const config = parseToml(text) as { oauth_token?: unknown; expiration_time?: unknown };
    if (typeof config.oauth_token !== "string" || config.oauth_token === "") return { auth: undefined };
    const expires = typeof config.expiration_time === "string" ? Date.parse(config.expiration_time) : Number.NaN;
    if (Number.isFinite(expires) && expires > now()) return { auth: { kind: "token", token: config.oauth_token } };
    return { auth: undefined, hint: "the `wrangler login` token has expired: run `npx wrangler whoami` to refresh it" };
  } catch {
    return { auth: undefined };
  }
}

/** wrangler's global folder: `~/.wrangler` when it exists, else `.wrangler` in the XDG config folder. */
function globalWranglerDir(env: Readonly<Record<string, string | undefined>>): string {
  const home = env["HOME"] || env["USERPROFILE"] || homedir();
  const legacy = join(home, ".wrangler");
  if (isDirectory(legacy)) return legacy;
  return join(env["XDG_CONFIG_HOME"] || platformConfigHome(env, home), ".wrangler");
}

/** Where xdg-app-paths (wrangler's helper) puts config without XDG_CONFIG_HOME. */
function platformConfigHome(env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (process.platform === "win32") return env["APPDATA"] || join(home, "AppData", "Roaming");
  if (process.platform === "darwin") return join(home, "Library", "Preferences");
  return join(home, ".config");
}

function readIfFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
