/**
 * What `plan` found in the project, said plainly: the wrangler config wrangler would read, the
 * Worker each environment deploys as, which wrangler would run (and its version, or that one
 * would be installed), and whether the Cloudflare credentials are there. Read-only: nothing is
 * installed or run.
 */
import { relative } from "node:path";
import semver from "semver";
import { accountIdFor, workerNameFor, type WranglerProject } from "./project.js";
import type { NeededEnvironment } from "./project-check.js";
import { DEFAULT_WRANGLER_RANGE, findProjectWrangler } from "./locate.js";

export interface ProjectFactsInput {
  readonly directory: string;
  readonly project: WranglerProject;
  readonly environments: readonly NeededEnvironment[];
  /** `wrangler-version`. */
  readonly wranglerRange?: string;
  /** Whether a Cloudflare API token is given (input or environment); its value is never read here. */
  readonly hasToken: boolean;
  readonly accountId?: string;
}

/** Lines such as `Wrangler config: wrangler.toml (in /repo/worker)`. */
export async function projectFacts(input: ProjectFactsInput): Promise<string[]> {
  const { project, directory } = input;
  const lines = [`Wrangler config: ${relative(directory, project.configPath) || project.configPath} (in ${directory})`];
  for (const env of input.environments) {
    lines.push(`Environment "${env.name}" (${env.input}): deploys the Worker ${workerNameFor(project, env.name) ?? "(unnamed)"}`);
  }
  const range = input.wranglerRange || DEFAULT_WRANGLER_RANGE;
  const own = await findProjectWrangler(directory);
  if (own && semver.satisfies(own.version, range)) lines.push(`wrangler: ${own.version}, the project's own (satisfies "${range}")`);
  else {
    const why = own ? `the project's ${own.version} does not satisfy "${range}"` : "the project has none";
    lines.push(`wrangler: ${why}; wrangler@${range} would be installed outside the project on the first run`);
  }
  lines.push(
    `Cloudflare API token: ${input.hasToken ? "set" : "NOT SET (cloudflare-api-token or CLOUDFLARE_API_TOKEN): deploys would fail"}`,
  );
  const fromConfig = input.environments.map((env) => accountIdFor(project, env.name)).find((id) => id);
  const account = input.accountId
    ? "set"
    : fromConfig
      ? `from the wrangler config (${fromConfig})`
      : "not set: wrangler picks the token's only account";
  lines.push(`Cloudflare account id: ${account}`);
  return lines;
}
