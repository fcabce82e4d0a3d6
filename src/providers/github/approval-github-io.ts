/**
 * The GitHub side of the issue approval: the few REST calls it makes (as an interface an
 * Octokit from `@actions/github` satisfies), how a failed call is classified (not modified,
 * rate limited, transient, fatal), and how long to wait before trying again.
 */
import type { Clock } from "../../core/ports.js";
import type { Millis } from "../../core/types.js";

/** Response headers as Octokit gives them (lower-case names). */
export type Headers = Readonly<Record<string, string | number | undefined>>;

export interface GitHubResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly data: T;
}

/**
 * Per-request options Octokit accepts next to the endpoint parameters. The index signature
 * mirrors Octokit's `RequestParameters`, without which an Octokit would not satisfy the interface.
 */
export interface CallOptions {
  readonly headers?: Record<string, string>;
  /** `retries` is plugin-retry's per-request setting (the approval passes 0, see `callOptions`). */
  readonly request?: { readonly signal?: AbortSignal; readonly retries?: number };
  readonly [parameter: string]: unknown;
}

/**
 * Per-request options of every approval call: the abort signal, and no retries by Octokit's
 * plugin-retry. The approval retries on its own (`withRetry`, the poll loop) on the injected
 * clock, honouring `retry-after` and the abort signal; plugin-retry would add its own retries
 * underneath on real timers (up to 7 s per failed 5xx call, invisible to the clock and the
 * back-off, and up to 4x the requests: a 5-attempt write could reach GitHub 20 times).
 */
export function callOptions(signal: AbortSignal | undefined): { readonly request: { signal?: AbortSignal; retries: number } } {
  return { request: { ...(signal ? { signal } : {}), retries: 0 } };
}

interface Repo {
  readonly owner: string;
  readonly repo: string;
}

export interface IssueComment {
  readonly id: number;
  readonly user: { readonly login: string } | null;
  readonly body?: string;
  readonly created_at: string;
}

export interface CompareCommit {
  readonly sha: string;
  readonly commit: { readonly message: string };
  /** GitHub sends `{}` for a commit whose author has no account. */
  readonly author: { readonly login?: string } | null;
}

/** The REST calls the issue approval makes. `github.getOctokit(token)` satisfies it. */
export interface ApprovalClient {
  readonly rest: {
    readonly issues: {
      create(
        params: Repo & CallOptions & { title: string; body: string; assignees?: string[]; labels?: string[] },
      ): Promise<GitHubResponse<{ number: number; html_url: string; user: { login: string } | null }>>;
      createComment(params: Repo & CallOptions & { issue_number: number; body: string }): Promise<GitHubResponse<{ id: number }>>;
      update(
        params: Repo & CallOptions & { issue_number: number; state: "closed"; state_reason: "completed" | "not_planned" },
      ): Promise<GitHubResponse<unknown>>;
      listComments(
        params: Repo & CallOptions & { issue_number: number; per_page: number; page: number },
      ): Promise<GitHubResponse<IssueComment[]>>;
    };
    /** Optional: the commits between what production serves and the release (`GET /repos/{o}/{r}/compare/{basehead}`). */
    readonly repos?: {
      compareCommitsWithBasehead(
        params: Repo & CallOptions & { basehead: string; per_page?: number },
      ): Promise<GitHubResponse<{ total_commits: number; commits: CompareCommit[] }>>;
    };
    readonly teams: {
      listMembersInOrg(
        params: CallOptions & { org: string; team_slug: string; per_page: number; page: number },
      ): Promise<GitHubResponse<Array<{ login: string }>>>;
    };
  };
}

/** Requests made, for the rate-limit budget. `requests` excludes 304s, which GitHub does not count. */
export interface RequestStats {
  requests: number;
  notModified: number;
  /** Answers that were a rate limit (403/429 with limit signals). */
  rateLimited: number;
  /** Answers that were errors worth retrying (5xx, network, other 403/429). */
  transientErrors: number;
}

export type Failure =
  | { readonly kind: "not-modified" }
  | { readonly kind: "rate-limited"; readonly waitMs: Millis; readonly secondary: boolean }
  | { readonly kind: "transient"; readonly status?: number }
  | { readonly kind: "fatal"; readonly status?: number };

/** Shape of Octokit's RequestError (checked structurally so fakes need not import Octokit). */
interface HttpErrorLike {
  readonly status?: unknown;
  readonly response?: { readonly headers?: Headers };
  readonly message?: unknown;
}

/** Status of an Octokit error, if it carries one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as HttpErrorLike | null)?.status;
  return typeof status === "number" && status > 0 ? status : undefined;
}

function headersOf(error: unknown): Headers {
  return (error as HttpErrorLike | null)?.response?.headers ?? {};
}

/**
 * What a failed call means, following GitHub's rate-limit guidance: `retry-after` first, then
 * `x-ratelimit-remaining: 0` until `x-ratelimit-reset`, else a secondary limit (wait at least
 * a minute). Octokit reports network errors as status 500 without a response: transient.
 */
export function classify(error: unknown, now: number): Failure {
  const status = statusOf(error);
  if (status === 304) return { kind: "not-modified" };
  const headers = headersOf(error);
  const limitWait = rateLimitWait(headers, now);
  if (status === 403 || status === 429) {
    if (limitWait !== undefined) return { kind: "rate-limited", waitMs: limitWait, secondary: false };
    if (status === 429 || /rate limit/i.test(String((error as HttpErrorLike).message ?? ""))) {
      return { kind: "rate-limited", waitMs: SECONDARY_LIMIT_WAIT_MS, secondary: true };
    }
    // A 403 without rate-limit signs is usually a permission problem; the caller decides.
    return { kind: "transient", status };
  }
  if (status === undefined || status >= 500) return { kind: "transient", ...(status ? { status } : {}) };
  return { kind: "fatal", status };
}

/** GitHub: "wait for at least one minute before retrying" a secondary rate limit without `retry-after`. */
export const SECONDARY_LIMIT_WAIT_MS = 60_000;

/** How long the headers of a response ask us to wait, if they do. */
export function rateLimitWait(headers: Headers, now: number): Millis | undefined {
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter)) return Math.max(0, retryAfter * 1000);
  if (String(headers["x-ratelimit-remaining"]) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]) * 1000;
    // One second past the reset: the epoch-second value is rounded down.
    if (Number.isFinite(reset)) return Math.max(0, reset - now) + 1000;
    return SECONDARY_LIMIT_WAIT_MS;
  }
  return undefined;
}

/** Exponential back-off: `base * 2^attempt`, capped. */
export function backoff(base: Millis, attempt: number, cap: Millis): Millis {
  return Math.min(cap, base * 2 ** Math.min(attempt, 20));
}

/** Rate-limit header value from a response or an error, for the "remaining" budget. */
export function remainingOf(headers: Headers): number | undefined {
  const value = headers["x-ratelimit-remaining"];
  return value === undefined ? undefined : Number(value);
}

export interface RetryOptions {
  readonly clock: Clock;
  readonly stats: RequestStats;
  /** Attempts in all (first try included). */
  readonly attempts: number;
  readonly baseDelayMs: Millis;
  /** Cap of the back-off; a rate limit asking for a longer wait is not retried. */
  readonly maxDelayMs: Millis;
  /** Aborts the sleeps between attempts. */
  readonly signal?: AbortSignal;
  /** 403 without rate-limit signs: a permission error (writes) or possibly a limit (reads). */
  readonly retryPlain403: boolean;
  readonly onRetry?: (error: unknown, waitMs: Millis) => void;
}

/** Runs a write (or one-off read) with bounded retries on rate limits and transient failures. */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await call();
      options.stats.requests++;
      return result;
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const failure = record(options.stats, classify(error, options.clock.now()));
      const wait = retryWait(failure, attempt, options);
      if (wait === undefined || attempt + 1 >= options.attempts) throw error;
      options.onRetry?.(error, wait);
      await options.clock.sleep(wait, options.signal);
    }
  }
}

function retryWait(failure: Failure, attempt: number, options: RetryOptions): Millis | undefined {
  // A write that must wait longer than `maxDelayMs` (a primary limit resetting in 40 minutes)
  // fails now: blocking the release that long on a comment is worse than a warning.
  if (failure.kind === "rate-limited")
    return failure.waitMs > options.maxDelayMs ? undefined : Math.max(failure.waitMs, options.baseDelayMs);
  if (failure.kind !== "transient") return undefined;
  if (failure.status === 403 && !options.retryPlain403) return undefined;
  return backoff(options.baseDelayMs, attempt, options.maxDelayMs);
}

/** Counts one failed answer in `stats` and passes the failure on. */
export function record(stats: RequestStats, failure: Failure): Failure {
  if (failure.kind === "not-modified") {
    stats.notModified++;
    return failure;
  }
  stats.requests++;
  if (failure.kind === "rate-limited") stats.rateLimited++;
  if (failure.kind === "transient") stats.transientErrors++;
  return failure;
}

/** Whether a `link` header has a next page. */
export function hasNextPage(headers: Headers): boolean {
  return /rel="next"/.test(String(headers["link"] ?? ""));
}
