import { describeAllocation, foreignSince, isForeign, mainVersion, sameAllocation, soleVersion } from "./allocation.js";
import { errorMessage } from "./errors.js";
import { describeDeployError, startRecord, updateRecord } from "./records.js";
import { cleanupBudget, type Outcome } from "./run-scope.js";
import { capitalise, type ProductionContext, type RestoreCause } from "./production-context.js";
import { liveOf, type ProductionReading } from "./production-watch.js";
import type { Allocation, DeploymentInfo, LiveState, ReleaseVersion } from "./types.js";

/**
 * A cancelled run's read-back may run this much past the cleanup budget: a rollback that
 * finished late is better confirmed than reported unknown (the runner kills at 10 s).
 */
const READ_BACK_GRACE_MS = 1_500;

interface Signals {
  readonly signal: AbortSignal;
  readonly readBack: () => AbortSignal;
}

/**
 * Production may serve an unproven version: put the anchor back, or say loudly why not.
 * `reading` is what the production watch saw after the deploy; without one (a failed
 * deploy) production is read now.
 */
export async function handleUnproven(pc: ProductionContext, cause: RestoreCause, reading?: ProductionReading): Promise<Outcome> {
  pc.rec.warn(`Production is not proven healthy: ${cause.why}`);
  const signals = cleanupSignals(pc, cause);
  const seen = reading?.history ? reading : await readProduction(pc, signals.signal);
  const live = liveOf(seen);
  if (live !== undefined && unchanged(pc, live)) {
    await updateRecord(pc, pc.record, "failure", { description: "deploy failed; production unchanged" });
    const serving = live ? describeAllocation(live.allocation) : "nothing";
    return { result: "failed", message: `${capitalise(cause.why)}. Production was not changed: it still serves ${serving}.` };
  }
  if (pc.config.production.rollback === "off" && !cause.cancelled) {
    await updateRecord(pc, pc.record, "failure", { description: "unhealthy; rollback: off" });
    const serving = live ? describeAllocation(live.allocation) : "unknown";
    return { result: "failed", message: `${capitalise(cause.why)}. rollback: off, so production was left as it is: ${serving}.`, manualCommand: pc.manualCommand() };
  }
  return restore(pc, cause, live, seen.history, signals);
}

/** A cancelled run restores within the cleanup budget; its read-back gets a little grace. */
function cleanupSignals(pc: ProductionContext, cause: RestoreCause): Signals {
  if (!cause.cancelled) {
    const signal = new AbortController().signal;
    return { signal, readBack: () => signal };
  }
  const budget = cleanupBudget(pc.context);
  const deadline = Date.now() + budget;
  return { signal: AbortSignal.timeout(budget), readBack: () => AbortSignal.timeout(Math.max(0, deadline - Date.now()) + READ_BACK_GRACE_MS) };
}

/** Reads production's deployment history (the newest entry is what serves now). */
export async function readProduction(pc: ProductionContext, signal: AbortSignal): Promise<ProductionReading> {
  try {
    return { at: pc.deps.clock.now(), history: await pc.deps.deployer.deployments(pc.target, signal) };
  } catch (error) {
    pc.rec.warn(`Could not read production back: ${errorMessage(error)}`);
    return { at: pc.deps.clock.now(), error: errorMessage(error) };
  }
}

/** Restores the anchor, reads it back, and proves it healthy. */
async function restore(pc: ProductionContext, cause: RestoreCause, live: LiveState | null | undefined, history: readonly DeploymentInfo[] | undefined, signals: Signals): Promise<Outcome> {
  const anchor = pc.anchor;
  if (!anchor) {
    await updateRecord(pc, pc.record, "failure", { description: "unhealthy first deploy" });
    return {
      result: "rollback-failed",
      message: `${capitalise(cause.why)}. This was the first deploy of ${pc.target.environment}: there is no earlier version to roll back to, and production serves the unproven ${pc.facts.productionVersionId ?? "version"}.`,
      manualCommand: `npx wrangler deployments status --env ${pc.target.environment}`,
    };
  }
  const theirs = await someoneElses(pc, live, history, anchor, signals.signal);
  if (theirs) return leaveTheirs(pc, cause, theirs, live, anchor);
  const attempted = await rollbackStage(pc, anchor.allocation, `shipline rollback: ${pc.release.tag} ${cause.why}`, signals.signal);
  const readBack = await verifyStage(pc, anchor.allocation, signals.readBack());
  if (!readBack.ok) {
    await updateRecord(pc, pc.record, "failure", { description: "rollback failed" });
    const late = !attempted && cause.cancelled && signals.signal.aborted;
    const why = late ? `the rollback command succeeded, but the cleanup ran out of time before production could be read back: check it (${readBack.why})` : (attempted ?? readBack.why);
    return { result: "rollback-failed", message: `${capitalise(cause.why)}. Rollback did not restore production: ${why}`, manualCommand: pc.manualCommand() };
  }
  pc.facts.rollbackVersionId = mainVersion(anchor.allocation);
  await updateRecord(pc, pc.record, "failure", { description: `rolled back: ${cause.why}`.slice(0, 140) });
  if (cause.cancelled) {
    return { result: "rolled-back", message: `Cancelled: production was restored to ${describeAllocation(anchor.allocation)} and read back (no health gate: cancelled runs must exit within seconds).` };
  }
  return proveRestored(pc, cause, anchor.allocation);
}

async function rollbackStage(pc: ProductionContext, allocation: Allocation, message: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    await pc.rec.stage("rollback", `Roll back ${pc.target.environment} to ${describeAllocation(allocation)}`, async () => {
      const single = soleVersion(allocation);
      if (single) await pc.deps.deployer.restore(pc.target, allocation, message, signal);
      else await pc.deps.deployer.shift(pc.target, allocation, message, signal);
    });
    return undefined;
  } catch (error) {
    // A failed rollback command does not prove nothing changed either: the read-back decides.
    return describeDeployError(error);
  }
}

async function verifyStage(pc: ProductionContext, allocation: Allocation, signal: AbortSignal): Promise<{ ok: boolean; why: string }> {
  try {
    return await pc.rec.stage("rollback-verify", "Read production back", async () => {
      const state = await pc.deps.deployer.status(pc.target, signal);
      const ok = state !== null && sameAllocation(state.allocation, allocation);
      const why = `production serves ${describeAllocation(state?.allocation)}, expected ${describeAllocation(allocation)}`;
      return { status: ok ? ("passed" as const) : ("failed" as const), detail: why, ok, why };
    });
  } catch (error) {
    return { ok: false, why: `could not read production back: ${describeDeployError(error)}` };
  }
}

/** The health gate again, on the restored version; a Deployment record marks it active. */
async function proveRestored(pc: ProductionContext, cause: RestoreCause, allocation: Allocation): Promise<Outcome> {
  const baseUrl = pc.facts.productionUrl ?? pc.config.production.url;
  const restored = describeAllocation(allocation);
  if (!baseUrl) return { result: "rollback-failed", message: `${capitalise(cause.why)}. Rolled back to ${restored}, but there is no production URL to prove it healthy.` };
  const verdict = await pc.rec.stage("health", `Health gate on the restored ${pc.target.environment}`, async () => {
    const report = pc.rec.gate(await pc.runHealth("rollback-health", baseUrl, {}, mainVersion(allocation)));
    return { status: report.outcome === "passed" ? ("passed" as const) : ("failed" as const), detail: report.reason, report };
  });
  const back = await restoredRelease(pc, allocation);
  const record = await startRecord(pc, pc.target.environment, back, true, {
    description: `${back.tag} restored after ${pc.release.tag} was rolled back`,
    progress: `restoring ${back.tag}`,
  });
  if (verdict.report.outcome === "passed") {
    await updateRecord(pc, record, "success", { environmentUrl: baseUrl, description: `restored ${restored} after ${pc.release.tag} was rolled back`.slice(0, 140) });
    return { result: "rolled-back", message: `${capitalise(cause.why)}. Production was rolled back to ${restored}, read back, and passed the health gate.` };
  }
  await updateRecord(pc, record, "failure", { environmentUrl: baseUrl, description: `restored ${restored} is unhealthy`.slice(0, 140) });
  return {
    result: "rollback-failed",
    message: `${capitalise(cause.why)}. Production was rolled back to ${restored}, but the restored version failed the health gate too: ${verdict.report.reason ?? "unhealthy"}.`,
    manualCommand: pc.manualCommand(),
  };
}

/**
 * The record of the restored version points at the commit it was built from (its version
 * message `git:<sha>`), so the Environments page shows that commit as active, not the
 * rolled-back one.
 */
async function restoredRelease(pc: ProductionContext, allocation: Allocation): Promise<ReleaseVersion> {
  const id = mainVersion(allocation);
  try {
    const version = (await pc.deps.deployer.versions(pc.target, pc.signal)).find((v) => v.versionId === id);
    const sha = /^git:([0-9a-f]{7,40})$/i.exec(version?.message ?? "")?.[1];
    const tag = version?.tag ?? id ?? pc.release.tag;
    return { ...pc.release, tag, finalTag: tag, sha: sha ?? pc.release.sha };
  } catch {
    return pc.release;
  }
}

/**
 * Someone else's deployment since the anchor: live now, or made between the anchor and this
 * run's own deploy (which replaced it). Rolling back to the anchor would throw it away.
 */
async function someoneElses(pc: ProductionContext, live: LiveState | null | undefined, history: readonly DeploymentInfo[] | undefined, anchor: LiveState, signal: AbortSignal): Promise<LiveState | undefined> {
  const find = () => (live && isForeign(live, anchor, pc.ours) ? live : history && foreignSince(history, anchor, pc.ours));
  if (!find()) return undefined;
  await claimOurs(pc, [live, ...(history ?? [])], signal);
  return find() || undefined;
}

/** Stops instead of rolling back over someone else's deploy, and says what a human should decide. */
async function leaveTheirs(pc: ProductionContext, cause: RestoreCause, theirs: LiveState, live: LiveState | null | undefined, anchor: LiveState): Promise<Outcome> {
  await updateRecord(pc, pc.record, "failure", { description: "someone else deployed; not rolled back" });
  const serving = live ? describeAllocation(live.allocation) : "unknown";
  const when = theirs === live ? "while this run was deploying" : "between the rollback anchor and this run's deploy, which replaced it";
  return {
    result: "rollback-failed",
    message: `${capitalise(cause.why)}. Someone else deployed ${describeAllocation(theirs.allocation)}${theirs.deploymentId ? ` (deployment ${theirs.deploymentId})` : ""} ${when}; production now serves ${serving}, and the anchor was ${describeAllocation(anchor.allocation)}. shipline did not roll back over their work: decide by hand what production should serve.`,
    // What production served right before this run's deploy: theirs, not the anchor.
    manualCommand: theirs === live ? pc.manualCommand() : pc.deps.deployer.manualRestoreCommand(pc.target, theirs.allocation, `restore after ${pc.release.tag}`),
  };
}

/**
 * A deploy can fail after going live without reporting the new version's id. A version
 * uploaded with this release's tag is ours, not someone else's: claim it before deciding.
 * `states[0]` is the live state: a claimed version there is the one production serves.
 */
export async function claimOurs(pc: ProductionContext, states: ReadonlyArray<LiveState | null | undefined>, signal: AbortSignal): Promise<void> {
  try {
    const versions = await pc.deps.deployer.versions(pc.target, signal);
    const seen = new Set(states.flatMap((state) => state?.allocation.map((s) => s.versionId) ?? []));
    const live = new Set(states[0]?.allocation.map((s) => s.versionId));
    for (const v of versions) {
      if (!seen.has(v.versionId) || v.tag !== pc.release.tag || pc.ours.includes(v.versionId)) continue;
      pc.noteOurs(v.versionId, live.has(v.versionId));
    }
  } catch (error) {
    pc.rec.warn(`Could not list versions to recognise this release's own: ${errorMessage(error)}`);
  }
}

/** Whether production still serves exactly the anchor (nothing went live). */
function unchanged(pc: ProductionContext, state: LiveState | null): boolean {
  if (!pc.anchor) return state === null;
  return state !== null && sameAllocation(state.allocation, pc.anchor.allocation);
}
