import { describeAllocation } from "./allocation.js";
import { analysisPreflight } from "./analysis-step.js";
import { afterProductionFlow, beforeProductionFlow, requiredSecretsFlow } from "./around-production.js";
import { ConfigError, errorMessage } from "./errors.js";
import { isTransient } from "./production-watch.js";
import { describeDeployError } from "./records.js";
import { productionFlow } from "./production.js";
import { runScoped, type Outcome, type PipelineDeps, type RunContext, type RunScope } from "./run-scope.js";
import { approvalThenLive } from "./live-on-approval.js";
import { stagingFlow } from "./staging.js";
import type { PipelineConfig, PipelineResult, ReleaseVersion } from "./types.js";
import { resolveVersion } from "./version.js";

export type { Outcome, PipelineDeps, RunContext, RunFacts, RunScope } from "./run-scope.js";

/**
 * Runs one release (or the `stages` part of it): resolve → staging → smoke → approval →
 * anchor → production → health → tags, or rollback when production gets worse.
 * Never throws for an expected failure: the result says what happened.
 */
export function runPipeline(
  config: PipelineConfig,
  deps: PipelineDeps,
  signal: AbortSignal,
  context: RunContext = {},
): Promise<PipelineResult> {
  return runScoped(config, deps, signal, context, async (s) => {
    try {
      return await releaseFlow(s);
    } finally {
      // An approval that handed its decision on before closing its request (approval → live) finishes here.
      await deps.approval?.settled?.();
    }
  });
}

async function releaseFlow(s: RunScope): Promise<Outcome> {
  const release = await s.rec
    .stage("resolve", "Resolve version", async () => {
      const resolved = await resolveRelease(s);
      s.learn({ release: resolved });
      s.deps.logger.info(`Releasing ${resolved.tag} (${resolved.version}) from ${resolved.source} at ${resolved.sha}`);
      await prepareApproval(s);
      return resolved;
    })
    .catch((error: unknown) => (error instanceof Error ? error : new Error(errorMessage(error))));
  if (release instanceof Error) return { result: "failed", message: release.message };
  // Before anything is deployed: every target Worker has the secrets it must have.
  const secrets = await requiredSecretsFlow(s);
  if (secrets) return secrets;
  // Production is read at once, beside everything else: it proves the credentials and account
  // reach Cloudflare long before production is touched (the anchor is read again right before).
  const reachable = s.config.stages === "staging" ? Promise.resolve(undefined) : checkProductionReadable(s);
  // Permissions (Deployment records, tags) and tag conflicts are known before anything is
  // deployed: a token that cannot write them stops the run with nothing deployed. The checks run
  // beside production's read, so the first deploy waits one GitHub round trip at most.
  const preflight = preflightChecks(s, release).then(async (blocked) => blocked ?? (await reachable));
  const blocked = await preflight;
  if (blocked) return blocked;

  let uploaded: string | undefined;
  let dropHint: (() => void) | undefined;
  if (s.config.stages === "production") {
    s.rec.skip("staging-deploy", "Staging", "passed in an earlier job (stages: production)");
  } else {
    const staging = await stagingFlow(s, release);
    if (staging) return staging;
    if (s.config.stages === "staging") {
      return { result: "released", message: `${release.tag} passed staging; production runs in a later job with stages: production.` };
    }
    // With `gradual`, the production version is uploaded during the wait (it serves no traffic).
    const approval = await approvalThenLive(s, release);
    if (approval.stop) return approval.stop;
    uploaded = approval.uploaded;
    dropHint = approval.dropHint;
  }
  try {
    const before = await beforeProductionFlow(s, release);
    if (before) return before;
    return afterProductionFlow(s, release, await productionFlow(s, release, uploaded));
  } finally {
    dropHint?.();
  }
}

/**
 * Reads production's deployments once. A failure that will not pass (credentials, account,
 * permissions) stops the run before production; a passing one is left to the anchor's read.
 */
export async function checkProductionReadable(s: RunScope): Promise<Outcome | undefined> {
  const target = { environment: s.config.production.environment };
  try {
    const history = await s.deps.deployer.deployments(target, s.signal);
    const live = history[0];
    s.learn({ productionAtStart: live ?? null });
    s.deps.logger.info(`${target.environment} serves ${live ? describeAllocation(live.allocation) : "nothing yet (first deploy)"}.`);
    return undefined;
  } catch (error) {
    if (isTransient(error) || s.signal.aborted) return undefined;
    return {
      result: "failed",
      message: `Could not read what ${target.environment} serves, so production was not touched: ${describeDeployError(error)}`,
    };
  }
}

export async function resolveRelease(s: RunScope): Promise<ReleaseVersion> {
  const { explicit, ref, bump, tagPrefix, sha } = s.config.version;
  const needsTags = !explicit && !ref?.startsWith("refs/tags/") && bump !== undefined;
  const existingTags = needsTags && s.deps.publisher ? await s.deps.publisher.listTags(s.signal) : undefined;
  return resolveVersion({ explicit, ref, bump, tagPrefix, sha, existingTags });
}

/** Checks that the approval can work (e.g. its teams can be read), before anything is deployed. */
export async function prepareApproval(s: RunScope): Promise<void> {
  const { config, deps } = s;
  const needsApproval = config.stages === "all" && (config.approval.mode === "issue" || config.approval.mode === "prompt");
  if (!needsApproval) return;
  if (!deps.approval) throw new ConfigError("approval", `approval: ${config.approval.mode} needs an approval provider.`);
  await deps.approval.prepare?.(s.signal);
}

/**
 * What must hold before production is touched: Deployment records can be written, and the
 * release's tags are free or already right. Resolves with the outcome that stops the run.
 */
export async function preflightChecks(s: RunScope, release: ReleaseVersion): Promise<Outcome | undefined> {
  const startedAt = s.deps.clock.now();
  try {
    await Promise.all([
      s.deps.recorder?.prepare?.(s.signal),
      s.config.stages !== "staging" ? s.deps.publisher?.prepare?.(s.signal, release) : undefined,
      analysisPreflight(s),
    ]);
    return undefined;
  } catch (error) {
    const detail = errorMessage(error);
    s.rec.record("preflight", "Check permissions and tags", "failed", startedAt, detail);
    return { result: "failed", message: `${detail} Nothing was deployed: production was not touched.` };
  }
}
