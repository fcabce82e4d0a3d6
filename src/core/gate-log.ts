/**
 * What the gates print. A gate's measurements are progress, not alarms: they go to the log at
 * info level, and a failed gate is one warning (one annotation per gate, not one per failed
 * measurement: GitHub shows only ten per step). A watch that runs for hours prints only when
 * its state changes, and a line every few minutes that it is still watching.
 */
import { runGate, watchGate, type GateOptions, type WatchOptions } from "./gate.js";
import type { Clock, Logger } from "./ports.js";
import { formatMs } from "./report.js";
import type { GateReport, Millis } from "./types.js";

/** How often a long watch says it is still watching. */
export const WATCH_HEARTBEAT_MS: Millis = 5 * 60_000;

/** Runs a gate; its measurements print at info, and a failure once as a warning. The report carries the gate's settings. */
export async function runLoggedGate(options: GateOptions): Promise<GateReport> {
  const logger = options.logger;
  const report = {
    ...(await runGate({ ...options, ...(logger ? { logger: measurementsAtInfo(logger) } : {}) })),
    settings: options.settings,
  };
  if (logger && report.outcome === "failed") logger.warn(gateFailure(report));
  return report;
}

/** Runs a watch that prints changes of state and a periodic "still watching" line, and a failure once as a warning. */
export async function watchLoggedGate(options: WatchOptions, heartbeatMs: Millis = WATCH_HEARTBEAT_MS): Promise<GateReport> {
  const logger = options.logger;
  if (!logger) return { ...(await watchGate(options)), settings: options.settings };
  const watch = watchLog(logger, options.clock, options.gate, heartbeatMs);
  const report = { ...(await watchGate({ ...options, logger: watch.logger })), settings: options.settings };
  if (report.outcome === "failed") logger.warn(gateFailure(report));
  else logger.info(watch.summary(report));
  return report;
}

/** `health gate failed on production: GET /health …`: the one line a failed gate warns with. */
export function gateFailure(report: GateReport): string {
  return `${report.gate} gate failed on ${report.environment}: ${report.reason ?? "failed"}`;
}

/** A logger for a gate's measurement lines: failed and error measurements as info, not as warnings. */
function measurementsAtInfo(logger: Logger): Logger {
  return { ...logger, warn: (message) => logger.info(message) };
}

/**
 * A logger for a watch's measurement lines (the gate prints successful ones at info, others at
 * warn): the first line, then only a line whose state (healthy or not) differs from the one
 * before, and every `heartbeatMs` a count of what was measured since the last line.
 */
function watchLog(logger: Logger, clock: Clock, gate: string, heartbeatMs: Millis) {
  let state: "healthy" | "unhealthy" | undefined;
  let measured = 0;
  let quiet = 0;
  const startedAt = clock.now();
  let lastLineAt = startedAt;
  const line = (next: "healthy" | "unhealthy", message: string) => {
    measured++;
    const now = clock.now();
    if (next !== state) {
      const change = state === undefined ? "" : next === "healthy" ? "recovered: " : "no longer healthy: ";
      logger.info(`${change}${message}`);
      state = next;
      quiet = 0;
      lastLineAt = now;
      return;
    }
    quiet++;
    if (now - lastLineAt >= heartbeatMs) {
      logger.info(
        `${gate}: still watching, ${quiet} more measurement${quiet === 1 ? "" : "s"} ${state}, ${formatMs(now - startedAt)} in; last: ${message}`,
      );
      quiet = 0;
      lastLineAt = now;
    }
  };
  return {
    logger: { ...logger, info: (message: string) => line("healthy", message), warn: (message: string) => line("unhealthy", message) },
    summary: (report: GateReport) =>
      `${gate}: stopped after ${measured} measurement${measured === 1 ? "" : "s"} over ${formatMs(report.endedAt - report.startedAt)} ` +
      `(${report.stats.failed} failed, ${report.stats.errors} errors).`,
  };
}
