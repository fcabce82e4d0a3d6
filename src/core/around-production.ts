/**
 * What a release does around its deploys besides the deploys themselves: the check that each
 * target Worker already has the secrets it needs (`required-secrets`), and the user's
 * commands before production (`before-production`, e.g. D1 migrations) and after a healthy
 * release (`after-release`).
 */
import { errorMessage } from "./errors.js";
import type { DeployTarget } from "./ports.js";
import type { Outcome, RunScope } from "./run-scope.js";
import type { ReleaseVersion, RunResult } from "./types.js";

/** The environments a release run deploys to, in order. */
function targetsOf(s: RunScope): DeployTarget[] {
  const staging = { environment: s.config.staging.environment };
  const production = { environment: s.config.production.environment };
  if (s.config.stages === "staging") return [staging];
  if (s.config.stages === "production") return [production];
  return [staging, production];
}

/**
 * Checks, before anything is deployed, that every Worker the run deploys to has each
 * `required-secrets` name already, or gets it from `secrets` with this release. Resolves with
 * the outcome that stops the run (naming what is missing and where), if any.
 */
export async function requiredSecretsFlow(s: RunScope): Promise<Outcome | undefined> {
  const required = s.config.requiredSecrets ?? [];
  if (required.length === 0) return undefined;
  const uploaded = new Set(s.config.secrets ?? []);
  const needed = required.filter((name) => !uploaded.has(name));
  const targets = targetsOf(s);
  const verdict = await checkTargets(s, required, needed, targets).catch((error: unknown) => error as Error);
  if (verdict instanceof Error) {
    return { result: "failed", message: `Could not check required secrets, so nothing was deployed: ${errorMessage(verdict)}` };
  }
  if (verdict.problems.length === 0) return undefined;
  return {
    result: "failed",
    message: `Required secrets are missing, so nothing was deployed and production was not touched: ${verdict.problems.join("; ")}.`,
  };
}

function checkTargets(s: RunScope, required: readonly string[], needed: readonly string[], targets: readonly DeployTarget[]) {
  return s.rec.stage("preflight", "Check required secrets", async () => {
    if (needed.length === 0) {
      return { status: "passed" as const, detail: `${required.join(", ")}: uploaded with this release`, problems: [] as string[] };
    }
    const list = s.deps.deployer.secretNames?.bind(s.deps.deployer);
    if (!list) throw new Error(`required-secrets is set, but the ${s.deps.deployer.name} deployer cannot list a Worker's secrets`);
    const listings = await Promise.all(targets.map(async (target) => ({ target, listing: await list(target, s.signal) })));
    const problems: string[] = [];
    for (const { target, listing } of listings) {
      const have = new Set(listing.names ?? []);
      const missing = needed.filter((name) => !have.has(name));
      if (missing.length === 0) continue;
      const exists = listing.names === null ? ", which does not exist yet," : "";
      problems.push(
        `${listing.where}${exists} lacks ${missing.join(", ")} (set ${missing.length === 1 ? "it" : "each"} with \`wrangler secret put <NAME> --env ${target.environment}\`, or list ${missing.length === 1 ? "it" : "them"} in \`secrets\` to upload with the release)`,
      );
    }
    return problems.length > 0
      ? { status: "failed" as const, detail: problems.join("; "), problems }
      : {
          status: "passed" as const,
          detail: `${needed.join(", ")} present on ${targets.map((t) => t.environment).join(" and ")}`,
          problems,
        };
  });
}

/** The SHIPLINE_* variables of a command around production. */
function shiplineEnv(s: RunScope, release: ReleaseVersion): Record<string, string> {
  return {
    ...(s.context.wranglerEnv ?? s.context.env),
    SHIPLINE_URL: s.facts.productionUrl ?? s.config.production.url ?? "",
    SHIPLINE_VERSION: release.version,
    // The tag the run created (the final tag of a promoted prerelease), once it has; the release's tag before.
    SHIPLINE_TAG: s.facts.releaseTag ?? release.tag,
    SHIPLINE_ENVIRONMENT: s.config.production.environment,
    SHIPLINE_VERSION_ID: s.facts.productionVersionId ?? "",
    SHIPLINE_STAGING_VERSION_ID: s.facts.stagingVersionId ?? "",
  };
}

/** Runs one command around production; resolves with why it failed, if it did. */
async function runCommand(s: RunScope, input: string, command: string, release: ReleaseVersion): Promise<string | undefined> {
  if (!s.deps.commands) throw new Error(`${input} is set but no command runner was provided`);
  s.deps.logger.info(`$ ${command}`);
  try {
    const ran = await s.deps.commands.run(command, { cwd: s.config.workingDirectory, env: shiplineEnv(s, release), signal: s.signal });
    if (s.signal.aborted) return `${input} was cancelled`;
    if (ran.exitCode === 0) return undefined;
    const tail = ran.output.trimEnd().split("\n").slice(-5).join("\n");
    return `${input} exited with ${ran.exitCode}${tail ? `: ${tail}` : ""}`;
  } catch (error) {
    return `${input} could not run: ${errorMessage(error)}`;
  }
}

/** What the summary says about a command that changed something `wrangler rollback` cannot put back. */
export const ROLLBACK_DOES_NOT_UNDO =
  "`wrangler rollback` does not undo what before-production changed: a D1 migration (or any other change to bound resources) stays applied after a rollback";

/**
 * `before-production`, after approval and before the anchor is read and production deployed.
 * A failure stops the run with production untouched.
 */
export async function beforeProductionFlow(s: RunScope, release: ReleaseVersion): Promise<Outcome | undefined> {
  const command = s.config.production.beforeCommand;
  if (!command) return undefined;
  const failed = await s.rec.stage("before-production", "Before production", async () => {
    const why = await runCommand(s, "before-production", command, release);
    return why ? { status: "failed" as const, detail: why, why } : { status: "passed" as const, detail: ROLLBACK_DOES_NOT_UNDO, why };
  });
  if (!failed.why) return undefined;
  return { result: "failed", message: `${failed.why}; production was not touched.` };
}

/**
 * After the production flow: `after-release` when the release is healthy and tagged (a failure
 * is reported, the release stays released: production is healthy and tagged), and the plain
 * statement that before-production's changes stay applied whenever the release did not complete.
 */
export async function afterProductionFlow(s: RunScope, release: ReleaseVersion, outcome: Outcome): Promise<Outcome> {
  const before = s.config.production.beforeCommand;
  // Only reached when before-production ran and passed: what it changed is there to stay.
  if (before && outcome.result !== "released") s.rec.warn(stillApplied(before, outcome.result));
  const command = s.config.release.afterCommand;
  if (!command || outcome.result !== "released") return outcome;
  // `releaseTag` is learned once the tags are made (or when there is no publisher): a release whose
  // tagging failed is healthy but not tagged, and after-release is documented to follow the tags.
  if (s.facts.releaseTag === undefined) {
    s.rec.warn(`after-release was not run: production is healthy, but tagging failed, and after-release runs after a tagged release.`);
    return outcome;
  }
  const failed = await s.rec.stage("after-release", "After release", async () => {
    const why = await runCommand(s, "after-release", command, release);
    return why ? { status: "failed" as const, detail: why, why } : { status: "passed" as const, why };
  });
  if (failed.why) s.rec.warn(`${failed.why} (the release itself is healthy and tagged).`);
  return outcome;
}

/** The warning that before-production's changes outlive a release that did not complete, by what production serves now. */
function stillApplied(command: string, result: RunResult): string {
  if (result === "rolled-back") return `${ROLLBACK_DOES_NOT_UNDO} (\`${command}\`): the restored version runs against it.`;
  if (result === "rollback-failed") {
    return `${ROLLBACK_DOES_NOT_UNDO} (\`${command}\`): whatever production serves now, the restore included if it lands, runs against it.`;
  }
  return `before-production (\`${command}\`) ran and what it changed stays applied, though the release did not complete: the version production serves now runs against it.`;
}
