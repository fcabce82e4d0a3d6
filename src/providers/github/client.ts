/**
 * The GitHub REST client every GitHub provider shares, and the translation of its errors
 * into shipline's own (`GitHubError`) with messages that say how to fix them.
 */
import { getOctokit } from "@actions/github";
import { retry } from "@octokit/plugin-retry";
import { GitHubError } from "../../core/errors.js";
import type { Logger } from "../../core/ports.js";

/** The Octokit instance shipline uses: REST methods, pagination, and retries of 5xx answers. */
export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  readonly token: string;
  /** REST API root, e.g. `https://api.github.com` or `GITHUB_API_URL`. Default `https://api.github.com`. */
  readonly baseUrl?: string;
  /** Replaces the HTTP transport (tests). By default @actions/github's proxy-aware fetch is kept. */
  readonly fetch?: typeof fetch;
  /**
   * The step's environment: with no proxy variable in it, requests go through Node's own
   * `fetch` rather than @actions/github's (a second undici whose first request compiles its
   * own HTTP parser: tens of milliseconds before production's first write).
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** Retries of a 5xx or network failure. Default 3. */
  readonly retries?: number;
  /** Base of the quadratic retry back-off (waits base, 4x base, 9x base). Default 500 ms. */
  readonly retryBaseMs?: number;
}

export const DEFAULT_API_URL = "https://api.github.com";

/**
 * Statuses plugin-retry must not retry. Its own list plus 429: the plugin ignores `retry-after`
 * and would retry a rate limit after one second, burning budget; callers that can wait (the
 * approval poller) back off on their injected clock using `rateLimitDelayMs` instead.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

/**
 * Creates the GitHub client. plugin-throttling is deliberately left out: it sleeps on real
 * timers (60 s and more for secondary limits) inside a request, where no injected clock or
 * abort signal reaches, and it spaces every write by a second. shipline makes few requests;
 * the one long-running caller (approval polling) handles rate limits itself.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const octokitOptions: Parameters<typeof getOctokit>[1] = {
    baseUrl: (options.baseUrl ?? DEFAULT_API_URL).replace(/\/+$/, ""),
    retry: {
      retries: options.retries ?? 3,
      retryAfterBaseValue: options.retryBaseMs ?? 500,
      doNotRetry: DO_NOT_RETRY,
    },
  };
  // Only set `request` when replacing fetch: @actions/github's defaults are merged shallowly,
  // so any `request` object here would drop its proxy-aware fetch.
  const fetch = options.fetch ?? (options.env && !proxyConfigured(options.env) ? globalThis.fetch : undefined);
  if (fetch) octokitOptions.request = { fetch };
  if (options.logger) octokitOptions.log = octokitLog(options.logger);
  return getOctokit(options.token, octokitOptions, retry);
}

/** Whether a proxy variable is set (@actions/http-client reads these, upper and lower case). */
export function proxyConfigured(env: Readonly<Record<string, string | undefined>>): boolean {
  return ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"].some((name) => Boolean(env[name]));
}

/** Routes Octokit's own log lines (deprecations, retries) to shipline's logger. */
function octokitLog(logger: Logger) {
  return {
    debug: (message: string) => logger.debug(message),
    info: (message: string) => logger.debug(message),
    warn: (message: string) => logger.warn(message),
    error: (message: string) => logger.error(message),
  };
}

/** The parts of Octokit's `RequestError` shipline reads (duck-typed: the class is a transitive dependency). */
export interface HttpErrorLike {
  readonly status: number;
  readonly message: string;
  readonly response?: { readonly headers?: Record<string, string | number | undefined>; readonly data?: unknown };
}

/** Whether `error` is an HTTP error raised by Octokit (it has a numeric `status`). */
export function isHttpError(error: unknown): error is HttpErrorLike {
  return error instanceof Error && typeof (error as { status?: unknown }).status === "number";
}

/** The HTTP status of an Octokit error, if it is one. */
export function httpStatus(error: unknown): number | undefined {
  return isHttpError(error) ? error.status : undefined;
}

/** GitHub's `message` from an error response, without Octokit's documentation-URL suffix. */
export function githubMessage(error: unknown): string {
  if (!isHttpError(error)) return error instanceof Error ? error.message : String(error);
  const data = error.response?.data;
  if (data && typeof data === "object" && typeof (data as { message?: unknown }).message === "string") {
    return (data as { message: string }).message;
  }
  return error.message;
}

/** Whether a 403 is the "token lacks a permission" answer of a GitHub App or GITHUB_TOKEN. */
export function isPermissionDenied(error: unknown): boolean {
  return httpStatus(error) === 403 && /not accessible by integration/i.test(githubMessage(error));
}

function header(error: HttpErrorLike, name: string): string | undefined {
  const value = error.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/**
 * How long to wait before trying again when `error` is a rate limit (primary or secondary,
 * 403 or 429), following GitHub's documented order: `retry-after`, then `x-ratelimit-reset`
 * when nothing remains, else at least a minute. `undefined` when it is not a rate limit.
 */
export function rateLimitDelayMs(error: unknown, nowMs: number): number | undefined {
  if (!isHttpError(error) || (error.status !== 403 && error.status !== 429)) return undefined;
  const retryAfter = Number(header(error, "retry-after"));
  if (header(error, "retry-after") !== undefined && Number.isFinite(retryAfter)) return Math.max(0, retryAfter * 1000);
  if (header(error, "x-ratelimit-remaining") === "0") {
    const reset = Number(header(error, "x-ratelimit-reset"));
    return Number.isFinite(reset) ? Math.max(1000, reset * 1000 - nowMs) : 60_000;
  }
  if (error.status === 429 || /rate limit/i.test(githubMessage(error))) return 60_000;
  return undefined;
}

export interface GitHubErrorContext {
  /** What was being done, e.g. `create the deployment record for production`. */
  readonly action: string;
  /** The `permissions:` entry that grants it, e.g. `deployments: write`. */
  readonly permission: string;
}

/** Turns any error of a GitHub call into a `GitHubError` whose message says what to fix. */
export function toGitHubError(error: unknown, context: GitHubErrorContext): GitHubError {
  if (error instanceof GitHubError) return error;
  const status = httpStatus(error);
  return new GitHubError(`Could not ${context.action}: ${explain(error, status, context.permission)}`, {
    cause: error,
    ...(status === undefined ? {} : { status }),
  });
}

function explain(error: unknown, status: number | undefined, permission: string): string {
  const message = githubMessage(error);
  if (isPermissionDenied(error)) {
    return `the token lacks \`${permission}\`; add \`permissions: { ${permission} }\` to the job (GitHub said: ${message})`;
  }
  if (rateLimitDelayMs(error, 0) !== undefined) return `GitHub rate limit reached (HTTP ${status}): ${message}`;
  if (status === 401) return `the token was refused (HTTP 401: ${message}); check \`github-token\``;
  if (status === 404) {
    return `not found (HTTP 404: ${message}); the repository or object does not exist, or the token cannot see it (it may need \`${permission}\`)`;
  }
  return status === undefined ? message : `HTTP ${status}: ${message}`;
}
