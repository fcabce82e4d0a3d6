import { CancelledError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import { stopAllChildren } from "../providers/system/process-tree.js";

/** SPEC: within 7 s of the runner's SIGINT the step has cleaned up and exited (the tree is killed at 10 s). */
export const HARD_DEADLINE_MS = 6_000;
/** At the hard deadline, children get this long after SIGTERM before the exit SIGKILLs them. */
const HARD_DEADLINE_GRACE_MS = 300;
/** At the hard deadline, writing outputs, the summary and Deployment statuses gets this long. */
const HARD_DEADLINE_REPORT_MS = 400;

/**
 * Turns the runner's cancel (SIGINT, then SIGTERM) into an abort of the run. The first signal
 * starts the cleanup; later ones are logged and ignored so the cleanup is never cut in half.
 */
export function installSignalHandlers(
  controller: AbortController,
  logger: Logger,
  options: {
    readonly hardDeadlineMs?: number;
    /** What is said when the hard deadline passes: why the process exits now. @default the runner's tree kill */
    readonly exitReason?: string;
    /** Writes what the run knows (outputs, summary, Deployment statuses) when the cleanup is cut off. */
    readonly onHardDeadline?: () => Promise<unknown>;
  } = {},
): { dispose(): void } {
  let deadline: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn(`${signal} received again: cleanup is already running and will finish first.`);
      return;
    }
    logger.warn(`${signal} received: cancelling. Stopping child processes and restoring anything unproven.`);
    controller.abort(new CancelledError(`cancelled by ${signal}`));
    deadline = setTimeout(() => {
      logger.error(
        `Cleanup did not finish in time; stopping every child process and exiting ${options.exitReason ?? "before the runner kills the process tree"}.`,
      );
      // Report what is known, SIGTERM every child, a short grace, then exit: the exit hook
      // SIGKILLs whatever is still running, so no wrangler or user command outlives the step
      // (an orphaned deploy could change production).
      const report = options.onHardDeadline?.().catch(() => undefined);
      const bounded = Promise.race([report, new Promise((done) => setTimeout(done, HARD_DEADLINE_REPORT_MS).unref())]);
      const stopped = stopAllChildren({ graceMs: HARD_DEADLINE_GRACE_MS, refuseNew: true });
      void Promise.allSettled([bounded, stopped]).finally(() => process.exit(1));
    }, options.hardDeadlineMs ?? HARD_DEADLINE_MS);
    deadline.unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      if (deadline) clearTimeout(deadline);
    },
  };
}
