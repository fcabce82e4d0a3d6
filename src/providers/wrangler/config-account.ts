/**
 * A wrangler config's `account_id` silently beats `CLOUDFLARE_ACCOUNT_ID`, so a run given one
 * account can deploy to another. This reads the config's ids (top level and per environment)
 * from the file wrangler itself reads, and says so when they differ from the input.
 */
import { basename, dirname, relative, resolve } from "node:path";
import { readWranglerProject, type WranglerProject } from "./project.js";

/** The account ids a wrangler config names (top level and per environment), with the file's name. */
export async function readConfigAccountIds(workingDirectory: string): Promise<{ file: string; accountIds: string[] } | undefined> {
  let project: WranglerProject | undefined;
  try {
    project = readWranglerProject(workingDirectory);
  } catch {
    // A config that does not parse is reported by the working-directory check, not here.
    return undefined;
  }
  if (!project) return undefined;
  const ids = [project.accountId, ...Object.values(project.environments).map((env) => env.accountId)];
  const accountIds = ids.filter((id): id is string => id !== undefined && id !== "");
  return { file: displayName(workingDirectory, project.configPath), accountIds: [...new Set(accountIds)] };
}

/** A warning when the config's `account_id` differs from the `cloudflare-account-id` input; else `undefined`. */
export async function accountIdWarning(workingDirectory: string, accountId: string | undefined): Promise<string | undefined> {
  if (!accountId) return undefined;
  const config = await readConfigAccountIds(workingDirectory);
  const others = config?.accountIds.filter((id) => id !== accountId) ?? [];
  if (!config || others.length === 0) return undefined;
  return (
    `${config.file} sets account_id ${others.join(", ")}, which differs from the cloudflare-account-id input; ` +
    `wrangler uses the config's value. Remove account_id from ${config.file} or make them match.`
  );
}

/** `wrangler.toml` for a file in the folder itself, else its path relative to the folder. */
function displayName(workingDirectory: string, configPath: string): string {
  if (dirname(configPath) === resolve(workingDirectory)) return basename(configPath);
  return relative(resolve(workingDirectory), configPath);
}
