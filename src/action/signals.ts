import { CancelledError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";

/** The runner kills the process tree 10 s after its SIGINT; leave before that, whatever happens. */
const HARD_DEADLINE_MS = 9_000;

/**
 * Turns the runner's cancel (SIGINT, then SIGTERM) into an abort of the run. The first signal
 * starts the cleanup; later ones are logged and ignored so the cleanup is never cut in half.
 */
export function installSignalHandlers(controller: AbortController, logger: Logger): { dispose(): void } {
  let deadline: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn(`${signal} received again: cleanup is already running and will finish first.`);
      return;
    }
    logger.warn(`${signal} received: cancelling. Stopping child processes and restoring anything unproven.`);
    controller.abort(new CancelledError(`cancelled by ${signal}`));
    deadline = setTimeout(() => {
      logger.error("Cleanup did not finish in time; exiting before the runner kills the process tree.");
      process.exit(1);
    }, HARD_DEADLINE_MS);
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
