/**
 * `mode: rollback` of several Workers (config key `workers`): the emergency rollback of
 * emergency.ts, once per Worker. Every Worker's target is chosen first, by the single-Worker
 * rule (`rollback-target` as a release tag, or each Worker's previous stable deployment,
 * skipping versions shipline rolled back from); one that cannot be resolved stops the run with
 * nothing changed. Then each Worker is restored in reverse deploy order through the same
 * restore executor (read back, health gate, Deployment record). A failed restore does not stop
 * the others: every Worker is tried and reported, and the run is `rollback-failed` if any failed.
 */
import { errorMessage } from "./errors.js";
import { CANCELLED_BEFORE_ROLLBACK, resolveRollback, restoreRollback, rollbackInputs, type Rollback } from "./emergency.js";
import { manualCommands, runForWorkers, stop, type WorkerState, type WorkerUnit } from "./multi.js";
import { describeDeployError } from "./records.js";
import { checkSeveralWorkersTarget } from "./rollback-target.js";
import type { Outcome, PipelineDeps, RunContext, RunScope } from "./run-scope.js";
import type { PipelineResult, RunResult } from "./types.js";

/**
 * Rolls every Worker back, the last in deploy order first. `workers[0]` is the primary: its
 * facts fill the single-Worker fields of the result; every Worker's are in `result.workers`.
 */
export async function runMultiRollback(
  workers: readonly WorkerUnit[],
  deps: PipelineDeps,
  signal: AbortSignal,
  context: RunContext = {},
): Promise<PipelineResult> {
  return runForWorkers(workers, deps, signal, context, rollbackFlow);
}

async function rollbackFlow(top: RunScope, workers: readonly WorkerState[]): Promise<Outcome> {
  try {
    checkSeveralWorkersTarget(top.config.emergency?.target, workers.length);
  } catch (error) {
    return { result: "failed", message: errorMessage(error) };
  }
  // What each Worker needs, before any read.
  const inputs: Array<{ reason: string; baseUrl: string }> = [];
  for (const [index, w] of workers.entries()) {
    if (!w.scope.config.production.url) {
      const message = `Config key \`workers[${index}].production.url\` is required for mode: rollback: the restored version must pass the health gate, and a rollback reports no URL.`;
      return untouched(workers, stop(w, { result: "failed", message }));
    }
    const checked = rollbackInputs(w.scope.config);
    if ("result" in checked) return untouched(workers, stop(w, checked));
    inputs.push(checked);
  }
  // Every target before the first write: a tag one Worker lacks stops the run with nothing changed.
  const chosen: Rollback[] = [];
  for (const [index, w] of workers.entries()) {
    w.scope.learn({ productionUrl: inputs[index]!.baseUrl });
    try {
      chosen.push(await resolveRollback(w.scope, inputs[index]!, { alreadyServed: "nothing-to-do" }));
    } catch (error) {
      if (top.signal.aborted) return untouched(workers, { result: "failed", message: CANCELLED_BEFORE_ROLLBACK });
      return untouched(workers, stop(w, { result: "failed", message: `Rollback refused, nothing changed: ${describeDeployError(error)}` }));
    }
  }
  if (top.signal.aborted) return untouched(workers, { result: "failed", message: CANCELLED_BEFORE_ROLLBACK });
  // The summary names every Worker's versions by their release tags.
  top.learn({ versionTags: Object.assign({}, ...workers.map((w) => w.scope.facts.versionTags ?? {})) as Record<string, string> });
  if (chosen.every((r) => r.served)) {
    for (const [index, w] of workers.entries()) w.outcome = nothingToDo(chosen[index]!);
    return {
      result: "failed",
      message: `Rollback refused, nothing changed: every Worker already serves its rollback target. ${said(workers)}`,
    };
  }

  // The last deployed first; each Worker is tried, whatever happened to the one before.
  for (let index = workers.length - 1; index >= 0; index--) {
    const w = workers[index]!;
    const rollback = chosen[index]!;
    if (rollback.served) {
      w.scope.learn({ productionVersionId: rollback.chosen.versionId });
      w.outcome = nothingToDo(rollback);
    } else if (top.signal.aborted) {
      // A cancel lets the restore under way finish; no further Worker is changed.
      w.outcome = { result: "failed", message: "Not rolled back: the run was cancelled before its turn; production not changed." };
    } else {
      top.deps.logger.info(`Rolling back ${w.unit.name} (${index + 1} of ${workers.length}, the last deployed first).`);
      w.scope.learn({ productionTouched: true });
      w.outcome = await restoreRollback(w.scope, rollback);
    }
  }
  return combine(workers);
}

function nothingToDo(r: Rollback): Outcome {
  const name = r.chosen.tag ? `${r.chosen.tag} (${r.chosen.versionId})` : r.chosen.versionId;
  return { result: "rolled-back", message: `Nothing to do: production already serves ${name} (${r.chosen.how}) at 100%.` };
}

/** The run stopped before any write: every Worker without an outcome of its own says so. */
function untouched(workers: readonly WorkerState[], outcome: Outcome): Outcome {
  for (const w of workers) w.outcome ??= { result: "failed", message: "Not rolled back: the run stopped before any rollback." };
  return outcome;
}

/** The run's end from each Worker's: any restore that failed is the run's, then a cancel, else rolled back. */
function combine(workers: readonly WorkerState[]): Outcome {
  const results = workers.map((w) => w.outcome!.result);
  const result: RunResult = results.includes("rollback-failed")
    ? "rollback-failed"
    : results.every((r) => r === "rolled-back")
      ? "rolled-back"
      : "failed";
  const lead =
    result === "rolled-back"
      ? `Every Worker serves its rollback target (rolled back the last deployed first, each restore read back and proven healthy).`
      : result === "rollback-failed"
        ? `Not every Worker is rolled back and healthy (each was tried, the last deployed first): see each Worker below.`
        : `Not every Worker was rolled back (cancelled): see each Worker below.`;
  return { result, message: `${lead} ${said(workers)}`, ...manualCommands(workers) };
}

/** Each Worker's own end, in the order they were rolled back. */
function said(workers: readonly WorkerState[]): string {
  return [...workers]
    .reverse()
    .map((w) => `${w.unit.name}: ${w.outcome!.message}`)
    .join(" ");
}
