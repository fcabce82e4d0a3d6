/**
 * The one restore executor: put an allocation back, read it back, prove it healthy, and
 * write the Deployment record. The automatic rollback, the cancel path and `mode: rollback`
 * all run it; what to restore is decided elsewhere (recovery.ts, emergency.ts).
 */
import { describeAllocation, sameAllocation, soleVersion } from "./allocation.js";
import type { CleanupDeadline } from "./deadline.js";
import { runLoggedGate } from "./gate-log.js";
import type { DeployTarget } from "./ports.js";
import { isTransient, liveOf, pause, readProduction, RETRY_DELAYS_MS } from "./production-watch.js";
import { describeDeployError, startRecord, updateRecord } from "./records.js";
import type { RunScope } from "./run-scope.js";
import type { Allocation, GateReport, GateSettings, LiveState } from "./types.js";

export interface RestoreJob {
  readonly target: DeployTarget;
  readonly to: Allocation;
  /** The deployment message (see `rollbackMessage`). */
  readonly message: string;
  /** `read-back`: a cancelled run's restore is proven by reading it back, with no health gate. */
  readonly verify: "health" | "read-back";
  readonly baseUrl?: string;
  readonly health: GateSettings;
  /** Versions that may be live without being someone else's: this run's, the anchor's, the target's. */
  readonly known: (versionId: string) => boolean;
  /**
   * A second look before calling a version someone else's (e.g. by the release tag and
   * `git:<sha>` it was uploaded with: a deploy cut off before it reported its id is still ours).
   */
  readonly recognise?: (states: ReadonlyArray<LiveState>) => Promise<(versionId: string) => boolean>;
  /** The Deployment record of the restored version (with `verify: health`); looked up beside the restore. */
  readonly record?: () => Promise<{ readonly sha: string; readonly tag: string; readonly description: string }>;
}

export interface RestoreResult {
  /** Production read back as `to`. */
  readonly restored: boolean;
  /** The last read of production (`undefined` when none succeeded). */
  readonly live: LiveState | null | undefined;
  /** The health gate on the restored version, when it ran. */
  readonly gate?: GateReport;
  /** Why production is not restored (or, with a failed gate, not healthy). */
  readonly why?: string;
  /** A version nobody here deployed is live: retrying would throw someone else's work away. */
  readonly someoneElse?: boolean;
  /** Restore commands or requests issued. */
  readonly attempts: number;
}

type Scope = Pick<RunScope, "deps" | "rec" | "signal">;

/**
 * Restores `job.to`. The restore is never cut short by the run's cancellation (a half-done
 * rollback is worse than a late one): only `cleanup`, the budget after a cancel, bounds it.
 * Transient failures of the restore or of the read-back are retried, reading production
 * before each retry; once cancelled, the restore goes by the deployer's urgent path.
 */
export async function runRestore(s: Scope, job: RestoreJob, cleanup: CleanupDeadline): Promise<RestoreResult> {
  // The record of the restored version is opened beside the restore, never before it: a
  // GitHub round-trip must not delay putting production back.
  const describe = job.record && job.verify === "health" && !cleanup.cancelled ? job.record : undefined;
  let record: Promise<OpenRecord | undefined> = Promise.resolve(undefined);
  const openRecord = () => {
    if (!describe) return;
    record = describe().then(async (r) => ({
      handle: await startRecord(s, job.target.environment, r, true, { description: r.description, progress: `restoring ${r.tag}` }),
      name: r.tag,
    }));
  };
  const applied = await s.rec.stage("rollback", `Roll back ${job.target.environment} to ${describeAllocation(job.to)}`, async () => {
    const result = await applyRestore(s, job, cleanup, openRecord);
    return {
      status: result.restored ? ("passed" as const) : ("failed" as const),
      detail: result.why ?? `serves ${describeAllocation(job.to)}`,
      result,
    };
  });
  const result = applied.result;
  s.rec.record(
    "rollback-verify",
    "Read production back",
    result.restored ? "passed" : "failed",
    s.deps.clock.now(),
    `serves ${describeLive(result.live)}`,
  );
  const opened = await record;
  if (!result.restored) {
    await updateRecord(s, opened?.handle, "failure", {
      ...(job.baseUrl ? { environmentUrl: job.baseUrl } : {}),
      description: "the restore did not take effect",
    });
    return result;
  }
  if (job.verify === "read-back" || cleanup.cancelled) {
    await updateRecord(s, opened?.handle, "failure", {
      ...(job.baseUrl ? { environmentUrl: job.baseUrl } : {}),
      description: `restored ${describeAllocation(job.to)}; health not proven (cancelled)`,
    });
    return result;
  }
  return proveHealthy(s, job, result, opened);
}

interface OpenRecord {
  readonly handle: string | undefined;
  /** How the record names the restored version (its release tag, or its id). */
  readonly name: string;
}

/** How long the last read-back may take once the cleanup budget is spent (the hard deadline comes later). */
const LAST_READ_GRACE_MS = 1_000;

async function applyRestore(s: Scope, job: RestoreJob, cleanup: CleanupDeadline, issued: () => void): Promise<RestoreResult> {
  const { deployer, clock, logger } = s.deps;
  const matches = (live: LiveState | null | undefined) => live != null && sameAllocation(live.allocation, job.to);
  const foreign = (live: LiveState | null | undefined) => (live ? someoneElses(job, live) : Promise.resolve(false));
  let live: LiveState | null | undefined;
  for (let attempt = 0; ; attempt++) {
    logger.info(
      `${attempt === 0 ? "Rolling" : "Trying again: rolling"} ${job.target.environment} back to ${describeAllocation(job.to)} (${deployer.name})…`,
    );
    const tried = await tryRestore(s, job, cleanup, attempt === 0 ? issued : () => undefined);
    logger.info(`Reading ${job.target.environment} back to confirm what it serves…`);
    const reading = await readProduction(deployer, job.target, clock, cleanup.lastRead(LAST_READ_GRACE_MS));
    live = liveOf(reading);
    if (matches(live)) {
      const clobbered = reading.history?.[1];
      if (clobbered && (await foreign(clobbered))) return putTheirsBack(s, job, cleanup, clobbered, attempt + 1);
      return { restored: true, live, attempts: attempt + 1 };
    }
    if (await foreign(live)) {
      return {
        restored: false,
        live,
        someoneElse: true,
        attempts: attempt + 1,
        why: `someone else's deploy is live (${describeLive(live)}): not restoring over it`,
      };
    }
    const delay = tried.final ? undefined : RETRY_DELAYS_MS[attempt];
    const why = tried.failure ?? `production serves ${describeLive(live)}, expected ${describeAllocation(job.to)}`;
    if (delay === undefined || cleanup.passed) return { restored: false, live, attempts: attempt + 1, why };
    logger.warn(`Restore try ${attempt + 1} did not take effect (${why.split("\n")[0]}); trying again in ${delay} ms.`);
    if (!(await pause(clock, Math.min(delay, cleanup.remaining()), cleanup.signal)))
      return { restored: false, live, attempts: attempt + 1, why: `${why}; the cleanup budget ran out` };
    // Re-read before trying again: the failed try may have taken effect after all.
    live = liveOf(await readProduction(deployer, job.target, clock, cleanup.lastRead(LAST_READ_GRACE_MS)));
    if (matches(live)) return { restored: true, live, attempts: attempt + 1 };
  }
}

/**
 * One try. A cancel that arrives while a tool's restore is running sends the same restore at
 * once as the deployer's urgent request (the same allocation twice is harmless), and the
 * running one is still awaited: it is stopped only when the cleanup budget is spent.
 */
async function tryRestore(
  s: Scope,
  job: RestoreJob,
  cleanup: CleanupDeadline,
  issued: () => void,
): Promise<{ failure?: string; final: boolean }> {
  const { deployer, logger } = s.deps;
  const urgent = cleanup.cancelled;
  let beside: Promise<unknown> | undefined;
  const stopWatching = urgent
    ? () => undefined
    : cleanup.onCancel(() => {
        logger.warn("Cancelled while the rollback runs: the same restore goes out now as one request; the running rollback is awaited.");
        beside = deployer.restore(job.target, job.to, job.message, cleanup.signal, { urgent: true }).catch(() => undefined);
      });
  try {
    const restoring = deployer.restore(job.target, job.to, job.message, cleanup.signal, { urgent });
    issued();
    await restoring;
    return { final: false };
  } catch (error) {
    // A failed restore does not prove nothing changed: the read-back decides.
    return { failure: describeDeployError(error), final: !isTransient(error) };
  } finally {
    stopWatching();
    await beside;
  }
}

/** Whether `state` serves a version neither known nor recognised (by its annotations) as ours. */
async function someoneElses(job: RestoreJob, state: LiveState): Promise<boolean> {
  const unknown = (known: (id: string) => boolean) => state.allocation.some((share) => share.percentage > 0 && !known(share.versionId));
  if (!unknown(job.known)) return false;
  if (!job.recognise) return true;
  const recognised = await job.recognise([state]).catch(() => job.known);
  return unknown((id) => job.known(id) || recognised(id));
}

/**
 * Someone else deployed between the decision to restore and the restore itself (a tool such
 * as wrangler takes a second or more to start): the restore replaced their deploy. Put theirs
 * back, and report: a human decides what production should serve.
 */
async function putTheirsBack(
  s: Scope,
  job: RestoreJob,
  cleanup: CleanupDeadline,
  theirs: LiveState,
  attempts: number,
): Promise<RestoreResult> {
  const { deployer, clock, logger } = s.deps;
  const what = describeAllocation(theirs.allocation);
  logger.warn(`Someone else deployed ${what} right before this restore, which replaced it: putting theirs back.`);
  // Their work goes back even when the cleanup budget is spent: one more request, and a read.
  const signal = cleanup.lastRead(LAST_READ_GRACE_MS);
  try {
    await deployer.restore(job.target, theirs.allocation, `shipline: put back ${what} after restoring over it`.slice(0, 120), signal, {
      urgent: true,
    });
  } catch (error) {
    logger.warn(`Could not put their deploy back: ${describeDeployError(error)}`);
  }
  const live = liveOf(await readProduction(deployer, job.target, clock, signal));
  const back = live != null && sameAllocation(live.allocation, theirs.allocation);
  return {
    restored: false,
    someoneElse: true,
    live,
    attempts,
    why:
      `someone else deployed ${what} while the restore was starting; ` +
      `${back ? "their deploy was put back" : `putting their deploy back failed: production serves ${describeLive(live)}`}, ` +
      "and this release was not restored over it",
  };
}

/** The health gate on the restored version, and the Deployment record that marks it active. */
async function proveHealthy(s: Scope, job: RestoreJob, result: RestoreResult, record: OpenRecord | undefined): Promise<RestoreResult> {
  if (!job.baseUrl) {
    await updateRecord(s, record?.handle, "failure", { description: "restored; no production URL to prove it healthy" });
    return { ...result, why: "there is no production URL to prove the restored version healthy" };
  }
  const baseUrl = job.baseUrl;
  const verdict = await s.rec.stage("health", `Health gate on the restored ${job.target.environment}`, async () => {
    const report = s.rec.gate(
      await runLoggedGate({
        gate: "rollback-health",
        environment: job.target.environment,
        baseUrl,
        versionId: soleVersion(job.to),
        settings: job.health,
        probe: s.deps.probe,
        clock: s.deps.clock,
        signal: s.signal,
        logger: s.deps.logger,
        onMeasurement: (m) => s.rec.measurement("rollback-health", m),
      }),
    );
    return { status: report.outcome === "passed" ? ("passed" as const) : ("failed" as const), detail: report.reason, report };
  });
  const gate = verdict.report;
  const healthy = gate.outcome === "passed";
  const target = soleVersion(job.to) ?? describeAllocation(job.to);
  const restored = record && record.name !== target ? `${record.name} (${target})` : target;
  const description =
    gate.outcome === "passed"
      ? `rolled back to ${restored}`
      : gate.outcome === "cancelled"
        ? `rolled back to ${restored}; health not proven (cancelled)`
        : `rolled back to ${restored}; unhealthy`;
  await updateRecord(s, record?.handle, healthy ? "success" : "failure", {
    environmentUrl: baseUrl,
    description: description.slice(0, 140),
  });
  return {
    ...result,
    gate,
    ...(healthy ? {} : { why: gate.reason ?? `the health gate ${gate.outcome === "cancelled" ? "was cancelled" : "failed"}` }),
  };
}

function describeLive(live: LiveState | null | undefined): string {
  if (live === undefined) return "unknown (could not read production)";
  return live === null ? "nothing" : describeAllocation(live.allocation);
}
