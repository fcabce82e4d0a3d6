/**
 * The GitHub Actions run a step belongs to, read from the runner's `GITHUB_*` variables.
 * Takes the environment as a parameter so that nothing reads `process.env` at import time.
 */
import { ConfigError } from "../../core/errors.js";

export interface GitHubRunContext {
  readonly owner: string;
  readonly repo: string;
  /** Commit the workflow runs on (`GITHUB_SHA`). */
  readonly sha: string;
  /** `refs/tags/v1.2.3`, `refs/heads/main`; undefined when unset. */
  readonly ref: string | undefined;
  readonly actor: string | undefined;
  readonly runId: string | undefined;
  /** 1 for the first attempt, 2 for the first re-run, ... */
  readonly runAttempt: number;
  /** `https://github.com` or the GHES host, without trailing slash. */
  readonly serverUrl: string;
  /** REST API root, without trailing slash. */
  readonly apiUrl: string;
  /** Link to this run (this attempt when it is a re-run); undefined without a run id. */
  readonly runUrl: string | undefined;
  readonly eventName: string | undefined;
  readonly eventPath: string | undefined;
  readonly workflow: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Whether the process runs inside GitHub Actions. */
export function isGitHubActions(env: Env): boolean {
  return env["GITHUB_ACTIONS"] === "true";
}

/** Reads the run context; throws `ConfigError` when the repository or commit is missing or malformed. */
export function readGitHubContext(env: Env): GitHubRunContext {
  const { owner, repo } = parseRepository(value(env, "GITHUB_REPOSITORY"));
  const sha = value(env, "GITHUB_SHA");
  if (!sha) throw new ConfigError("GITHUB_SHA", "GITHUB_SHA is not set: shipline needs the commit being released.");
  const serverUrl = trimSlash(value(env, "GITHUB_SERVER_URL") ?? "https://github.com");
  const runId = value(env, "GITHUB_RUN_ID");
  const runAttempt = parseAttempt(value(env, "GITHUB_RUN_ATTEMPT"));
  return {
    owner,
    repo,
    sha,
    ref: value(env, "GITHUB_REF"),
    actor: value(env, "GITHUB_ACTOR"),
    runId,
    runAttempt,
    serverUrl,
    apiUrl: trimSlash(value(env, "GITHUB_API_URL") ?? "https://api.github.com"),
    runUrl: runId === undefined ? undefined : runUrlOf(serverUrl, owner, repo, runId, runAttempt),
    eventName: value(env, "GITHUB_EVENT_NAME"),
    eventPath: value(env, "GITHUB_EVENT_PATH"),
    workflow: value(env, "GITHUB_WORKFLOW"),
  };
}

/** Link to a workflow run; a re-run links its own attempt so the log shown is the right one. */
export function runUrlOf(serverUrl: string, owner: string, repo: string, runId: string, attempt: number): string {
  const base = `${trimSlash(serverUrl)}/${owner}/${repo}/actions/runs/${runId}`;
  return attempt > 1 ? `${base}/attempts/${attempt}` : base;
}

/** Empty strings count as unset: the runner and `env:` blocks produce them for missing values. */
function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function parseRepository(raw: string | undefined): { owner: string; repo: string } {
  const match = raw ? /^([^/\s]+)\/([^/\s]+)$/.exec(raw) : null;
  if (!match?.[1] || !match[2]) {
    throw new ConfigError(
      "GITHUB_REPOSITORY",
      `GITHUB_REPOSITORY is ${raw === undefined ? "not set" : `\`${raw}\``}: expected \`owner/repo\`.`,
    );
  }
  return { owner: match[1], repo: match[2] };
}

function parseAttempt(raw: string | undefined): number {
  const attempt = raw === undefined ? 1 : Number(raw);
  return Number.isInteger(attempt) && attempt >= 1 ? attempt : 1;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
