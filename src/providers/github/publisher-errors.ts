/**
 * How the publisher explains GitHub's refusals: a missing `contents: write`, a tag ruleset,
 * the workflow-file trap of creating a release. Every message says what to change.
 */
import { GitHubError, ShiplineError } from "../../core/errors.js";

export const PERMISSION_HINT =
  "The token needs contents: write to create tags and releases. Add `permissions: { contents: write }` " +
  "to the workflow job (an explicit permissions block sets every permission it omits to none), " +
  "or pass a release-token (PAT or GitHub App token) that can write the repository's contents.";

export const WORKFLOW_TRAP_HINT =
  "GitHub answers 404 to creating a release when the released commit adds or changes files under " +
  ".github/workflows/ compared to the default branch: that needs the workflows permission, which " +
  "GITHUB_TOKEN cannot have. Merge the workflow change to the default branch first, or pass a " +
  "release-token (a PAT with the workflow scope, or a GitHub App token with workflows: write).";

/** Turns an Octokit error into a `GitHubError` that says what to do. */
export function translate(error: unknown, what: string): unknown {
  if (error instanceof ShiplineError || (error instanceof Error && error.name === "AbortError")) return error;
  const status = statusOf(error);
  if (status === undefined) return error;
  if (status === 403 && isPermissionDenied(error)) {
    return new GitHubError(`Could not ${what}: GitHub answered 403 "${messageOf(error)}". ${PERMISSION_HINT}`, { status, cause: error });
  }
  if (status === 422 && /rule|GH013/i.test(JSON.stringify(bodyOf(error)) + messageOf(error))) {
    return new GitHubError(
      `Could not ${what}: a repository ruleset blocks it ("${messageOf(error)}"). GITHUB_TOKEN cannot bypass tag rulesets; ` +
        "pass a release-token from a GitHub App or user the ruleset allows.",
      { status, cause: error },
    );
  }
  return new GitHubError(`Could not ${what}: GitHub answered ${status} "${messageOf(error)}".`, { status, cause: error });
}

export function isPermissionDenied(error: unknown): boolean {
  return /not accessible|permission|must have (push|write|admin) access/i.test(messageOf(error));
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

export function bodyOf(error: unknown): unknown {
  return (error as { response?: { data?: unknown } } | null)?.response?.data;
}

/** GitHub's own message (without Octokit's documentation link). */
export function messageOf(error: unknown): string {
  const data = bodyOf(error) as { message?: unknown } | undefined;
  if (typeof data?.message === "string") return data.message;
  return error instanceof Error ? error.message : String(error);
}
