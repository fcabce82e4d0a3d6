import { describeAllocation, soleVersion } from "./allocation.js";
import { sameVersionId } from "./version-id.js";
import { CleanupDeadline } from "./deadline.js";
import { ConfigError, errorMessage } from "./errors.js";
import type { DeployTarget } from "./ports.js";
import { describeDeployError } from "./records.js";
import { retrying } from "./production-watch.js";
import { isVersionId } from "./rollback-target.js";
import { candidatesAdvice, restoreCandidates, rollbackMessage, rolledBackFrom } from "./recovery.js";
import { runRestore, type RestoreResult } from "./restore.js";
import { cleanupBudget, runScoped, type Outcome, type PipelineDeps, type RunContext, type RunScope } from "./run-scope.js";
import type { DeploymentInfo, LiveState, PipelineConfig, PipelineResult, VersionInfo } from "./types.js";

/** A cancel that came before any write of an emergency rollback. */
export const CANCELLED_BEFORE_ROLLBACK = "Cancelled before the rollback: nothing changed.";

/** The version to roll back to, and how it was chosen. */
export interface RollbackTarget {
  readonly versionId: string;
  readonly tag?: string;
  readonly how: string;
}

/**
 * Picks the emergency rollback target: a version id, a release tag (through the versions'
 * tag annotation), or the newest earlier deployment that served one version at 100%.
 * Throws a `ConfigError` (nothing changed) when the target is unknown or already live.
 */
export function chooseTarget(args: {
  requested?: string;
  tagPrefix: string;
  live: LiveState;
  deployments: readonly DeploymentInfo[];
  versions: readonly VersionInfo[];
}): RollbackTarget {
  const current = soleVersion(args.live.allocation);
  const chosen = args.requested ? byRequest(args.requested, args.tagPrefix, args.versions) : previousStable(args.live, args.deployments);
  const tag = chosen.tag ?? args.versions.find((v) => sameVersionId(v.versionId, chosen.versionId))?.tag;
  const target = tag ? { ...chosen, tag } : chosen;
  if (sameVersionId(current, target.versionId)) throw new AlreadyServed(target);
  return target;
}

/** The target is what production already serves: refused for one Worker, "nothing to do" for one of several. */
export class AlreadyServed extends ConfigError {
  readonly target: RollbackTarget;
  constructor(target: RollbackTarget) {
    super(
      "rollback-target",
      `Production already serves ${target.versionId}${target.tag ? ` (${target.tag})` : ""} at 100%: nothing to roll back.`,
    );
    this.target = target;
  }
}

function byRequest(requested: string, prefix: string, versions: readonly VersionInfo[]): RollbackTarget {
  if (isVersionId(requested)) {
    const found = versions.find((v) => sameVersionId(v.versionId, requested));
    if (!found) {
      throw new ConfigError(
        "rollback-target",
        `Input \`rollback-target\` has the value "${requested}": no such Worker version among the ${versions.length} most recent versions of production.`,
      );
    }
    return { versionId: found.versionId, tag: found.tag, how: "version id" };
  }
  const candidates = new Set([requested, requested.startsWith(prefix) ? requested : `${prefix}${requested}`]);
  const tagged = versions.filter((v) => v.tag && candidates.has(v.tag)).sort(byCreatedDesc);
  const found = tagged[0];
  if (!found) {
    throw new ConfigError(
      "rollback-target",
      `Input \`rollback-target\` has the value "${requested}": it is neither a Worker version id nor a release tag ` +
        `any production version was uploaded with (expected a version id such as 4b8b2f8a-… or a tag such as ${prefix}1.2.3).`,
    );
  }
  return { versionId: found.versionId, tag: found.tag, how: `release tag ${found.tag}` };
}

/**
 * The newest earlier deployment that served one version at 100%, other than what is live,
 * skipping versions shipline rolled back from (a release that failed its gate, or a cancelled
 * one): restoring those would bring the failure back.
 */
function previousStable(live: LiveState, deployments: readonly DeploymentInfo[]): RollbackTarget {
  // The whole history: the live deployment's own message may name the version it rolled back from.
  const current = live.allocation.map((share) => share.versionId);
  const [found] = restoreCandidates(deployments, current);
  if (found) return { versionId: found.versionId, how: `previous stable deployment${found.servedFrom ? ` of ${found.servedFrom}` : ""}` };
  const skipped = rolledBackFrom(deployments).size;
  const why = skipped ? ` other than the ${skipped} version(s) shipline rolled back from` : "";
  throw new ConfigError(
    "rollback-target",
    `There is no earlier production deployment that served one version at 100%${why}: give \`rollback-target\` (a version id or a release tag).`,
  );
}

function byCreatedDesc(a: VersionInfo, b: VersionInfo): number {
  return (b.createdOn ?? "").localeCompare(a.createdOn ?? "");
}

/** `mode: rollback`: put an earlier version back on production, read it back, prove it healthy. */
export function runEmergencyRollback(
  config: PipelineConfig,
  deps: PipelineDeps,
  signal: AbortSignal,
  context: RunContext = {},
): Promise<PipelineResult> {
  return runScoped(config, deps, signal, context, emergencyFlow);
}

/** What an emergency rollback works with once its target is chosen. */
export interface Rollback {
  readonly target: DeployTarget;
  readonly chosen: RollbackTarget;
  readonly reason: string;
  readonly baseUrl: string;
  readonly live: LiveState;
  readonly history: readonly DeploymentInfo[];
  /** The release tag of the version rolled away from, for a note on its Release. */
  readonly fromTag?: string;
  /** Production already serves the target (only with `alreadyServed: "nothing-to-do"`). */
  readonly served?: boolean;
}

async function emergencyFlow(s: RunScope): Promise<Outcome> {
  const inputs = rollbackInputs(s.config);
  if ("result" in inputs) return inputs;
  s.learn({ productionUrl: inputs.baseUrl });
  let rollback: Rollback;
  try {
    rollback = await resolveRollback(s, inputs);
  } catch (error) {
    if (s.signal.aborted) return { result: "failed", message: CANCELLED_BEFORE_ROLLBACK };
    return { result: "failed", message: `Rollback refused, nothing changed: ${describeDeployError(error)}` };
  }
  if (s.signal.aborted) return { result: "failed", message: CANCELLED_BEFORE_ROLLBACK };
  return restoreRollback(s, rollback);
}

/** The inputs an emergency rollback cannot go without, or the outcome that says which is missing. */
export function rollbackInputs(config: PipelineConfig): { reason: string; baseUrl: string } | Outcome {
  const reason = config.emergency?.reason ?? "";
  const baseUrl = config.production.url;
  if (!reason) return { result: "failed", message: "Input `rollback-reason` is required for mode: rollback." };
  if (!baseUrl) {
    return {
      result: "failed",
      message:
        "Input `production-url` is required for mode: rollback: the restored version must pass the health gate, and a rollback (wrangler rollback, or a restore command) reports no URL.",
    };
  }
  return { reason, baseUrl };
}

/**
 * Reads production and chooses the target (stage `resolve`); throws, with nothing changed,
 * when it is unknown or (an `AlreadyServed`) what production serves.
 */
export async function resolveRollback(
  s: RunScope,
  inputs: { reason: string; baseUrl: string },
  options: { alreadyServed?: "refuse" | "nothing-to-do" } = {},
): Promise<Rollback> {
  const target: DeployTarget = { environment: s.config.production.environment };
  return { target, ...inputs, ...(await chooseStage(s, target, options.alreadyServed === "nothing-to-do")) };
}

/**
 * Puts the chosen version back through the one restore executor: read back, health gate,
 * Deployment record, a note on the release rolled away from.
 */
export async function restoreRollback(s: RunScope, rollback: Rollback): Promise<Outcome> {
  const { config } = s;
  const { target, reason, baseUrl } = rollback;
  s.learn({ productionVersionId: rollback.chosen.versionId });
  // Once the restore runs, a cancellation lets it finish and be read back: killing it
  // half-way would leave production unknown.
  const cleanup = new CleanupDeadline(s.deps.clock, s.signal, cleanupBudget(s.context));
  try {
    const name = rollback.chosen.tag ?? rollback.chosen.versionId;
    const to = [{ versionId: rollback.chosen.versionId, percentage: 100 }];
    const from = soleVersion(rollback.live.allocation);
    const result = await runRestore(
      s,
      {
        target,
        to,
        message: rollbackMessage(from, reason),
        verify: "health",
        baseUrl,
        health: config.production.health,
        known: (id) =>
          rollback.live.allocation.some((share) => sameVersionId(share.versionId, id)) || sameVersionId(id, rollback.chosen.versionId),
        record: async () => ({ sha: config.version.sha, tag: name, description: `emergency rollback to ${name}` }),
      },
      cleanup,
    );
    if (result.restored) {
      s.learn({ rollbackVersionId: rollback.chosen.versionId });
      await noteOnRelease(s, rollback, name, cleanup.signal);
    }
    return emergencyOutcome(s, rollback, result);
  } finally {
    cleanup.dispose();
  }
}

/** Reads production and picks the target; throws (nothing changed) when it is unknown or already live. */
async function chooseStage(
  s: RunScope,
  target: DeployTarget,
  servedIsFine = false,
): Promise<{ chosen: RollbackTarget; live: LiveState; history: readonly DeploymentInfo[]; fromTag?: string; served?: boolean }> {
  const { deps, config } = s;
  return s.rec.stage("resolve", "Choose the rollback target", async () => {
    const read = <T>(fn: () => Promise<T>) => retrying(deps.clock, s.signal, fn);
    const [history, versions] = await Promise.all([
      read(() => deps.deployer.deployments(target, s.signal)),
      read(() => deps.deployer.versions(target, s.signal)),
    ]);
    const live = history[0];
    if (!live) throw new ConfigError("rollback-target", `${target.environment} has no deployment: there is nothing to roll back.`);
    const previousVersionId = soleVersion(live.allocation) ?? live.allocation[0]?.versionId;
    s.learn({ anchor: live, previousVersionId });
    let chosen: RollbackTarget;
    let served = false;
    try {
      chosen = chooseTarget({
        requested: config.emergency?.target,
        tagPrefix: config.version.tagPrefix,
        live,
        deployments: history,
        versions,
      });
    } catch (error) {
      if (!(servedIsFine && error instanceof AlreadyServed)) throw error;
      chosen = error.target;
      served = true;
    }
    const fromTag = versions.find((v) => sameVersionId(v.versionId, previousVersionId))?.tag;
    const versionTags: Record<string, string> = {};
    for (const share of live.allocation) {
      const tag = versions.find((v) => sameVersionId(v.versionId, share.versionId))?.tag;
      if (tag) versionTags[share.versionId] = tag;
    }
    if (chosen.tag) versionTags[chosen.versionId] = chosen.tag;
    s.learn({ versionTags });
    const tagged = (id: string | undefined, tag: string | undefined) => (tag ? `${tag} (${id})` : id);
    if (served) {
      deps.logger.info(`${target.environment} already serves ${tagged(chosen.versionId, chosen.tag)} at 100%: nothing to roll back.`);
      return {
        status: "skipped" as const,
        detail: `already serves ${chosen.versionId} (${chosen.how}): nothing to do`,
        chosen,
        live,
        history,
        served,
      };
    }
    deps.logger.info(
      `Rolling ${target.environment} back from ${fromTag && live.allocation.length === 1 ? tagged(previousVersionId, fromTag) : describeAllocation(live.allocation)} to ${tagged(chosen.versionId, chosen.tag)}: ${chosen.how}.`,
    );
    return {
      status: "passed" as const,
      detail: `${chosen.versionId} (${chosen.how})`,
      chosen,
      live,
      history,
      ...(fromTag ? { fromTag } : {}),
    };
  });
}

/** A note on the GitHub Release of the version rolled away from. */
async function noteOnRelease(s: RunScope, r: Rollback, name: string, signal: AbortSignal): Promise<void> {
  const publisher = s.deps.publisher;
  if (!r.fromTag || !publisher?.noteRollback) return;
  await publisher
    .noteRollback(r.fromTag, `Rolled back on production to ${name}: ${r.reason}`, signal)
    .catch((error: unknown) => s.rec.warn(`Could not note the rollback on the release ${r.fromTag}: ${errorMessage(error)}`));
}

function emergencyOutcome(s: RunScope, r: Rollback, result: RestoreResult): Outcome {
  const id = r.chosen.versionId;
  const name = r.chosen.tag ? `${r.chosen.tag} (${id})` : id;
  if (!result.restored) {
    return {
      result: "rollback-failed",
      message: `The rollback did not take effect: ${result.why ?? "unknown"}.`,
      manualCommandPurpose: "retry-rollback",
      manualCommand: s.deps.deployer.manualRestoreCommand(r.target, [{ versionId: id, percentage: 100 }], r.reason),
    };
  }
  if (!result.gate || result.gate.outcome === "cancelled") {
    return {
      result: "failed",
      message: `Cancelled: production was rolled back to ${name} and read back, but the health gate was cancelled before it passed.`,
    };
  }
  if (result.gate.outcome === "failed") {
    const advice = candidatesAdvice(r.history, [...r.live.allocation.map((share) => share.versionId), id]);
    return {
      result: "rollback-failed",
      message: `Production now serves ${name}, but it failed the health gate: ${result.why ?? "unhealthy"}. ${advice.text}`,
      manualCommandPurpose: "earlier-version",
      ...(advice.first
        ? { manualCommand: s.deps.deployer.manualRestoreCommand(r.target, [{ versionId: advice.first, percentage: 100 }], r.reason) }
        : {}),
    };
  }
  return {
    result: "rolled-back",
    message: `Production was rolled back to ${r.chosen.tag ? `${r.chosen.tag}, version ${id}` : id} (${r.chosen.how}), read back, and passed its health gate. Reason: ${r.reason}`,
  };
}
