import { DeployError, errorMessage } from "./errors.js";
import type { RunScope } from "./run-scope.js";
import type { ReleaseVersion } from "./types.js";

type DeploymentState = "in_progress" | "success" | "failure" | "inactive";

/** Starts a GitHub Deployment record (`in_progress`); a failure is a warning, never a stop. */
export async function startRecord(
  s: Pick<RunScope, "deps" | "rec">,
  environment: string,
  release: Pick<ReleaseVersion, "sha" | "tag">,
  production: boolean,
  texts: { readonly description?: string; readonly progress?: string } = {},
): Promise<string | undefined> {
  if (!s.deps.recorder) return undefined;
  try {
    const handle = await s.deps.recorder.start(environment, {
      ref: release.sha,
      description: texts.description ?? `shipline ${release.tag}`,
      production,
    });
    if (handle) await s.deps.recorder.update(handle, "in_progress", { description: texts.progress ?? `deploying ${release.tag}` });
    return handle;
  } catch (error) {
    s.rec.warn(`Could not record the ${environment} deployment on GitHub: ${errorMessage(error)}`);
    return undefined;
  }
}

/** Updates a GitHub Deployment record; a failure is logged, never thrown. */
export async function updateRecord(
  s: Pick<RunScope, "deps">,
  handle: string | undefined,
  state: DeploymentState,
  info: { environmentUrl?: string; description?: string },
): Promise<void> {
  if (!s.deps.recorder || !handle) return;
  try {
    await s.deps.recorder.update(handle, state, info);
  } catch (error) {
    s.deps.logger.warn(`Could not update a GitHub Deployment record: ${errorMessage(error)}`);
  }
}

/** A deployer failure in the tool's own words. */
export function describeDeployError(error: unknown): string {
  if (error instanceof DeployError) {
    const detail = error.detail ? `\n${error.detail}` : "";
    // An API request names itself in its message; a command gets its line and exit code.
    const ran = error.message.includes(error.command)
      ? ""
      : ` (${error.command}${error.exitCode === undefined ? "" : `, exit ${error.exitCode}`})`;
    return `${error.message}${ran}${detail}`;
  }
  return errorMessage(error);
}
