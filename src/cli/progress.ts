/**
 * Progress lines from the engine's `PipelineEvent`s:
 * `[  12.3s] ✔ Smoke gate on staging (2 measurements, p95 14ms)`.
 */
import { gateStats } from "../core/gate.js";
import { formatMs } from "../core/report.js";
import type { PipelineEvent } from "../core/run-state.js";
import type { CheckResult, Measurement, StageRecord } from "../core/types.js";
import type { CliConsole } from "./console.js";

const STATUS_MARK: Record<StageRecord["status"], string> = { passed: "✔", failed: "✖", skipped: "⏭", cancelled: "■" };
const OUTCOME_MARK: Record<Measurement["outcome"], string> = { successful: "✔", failed: "✖", error: "!" };

/** Turns pipeline events into stamped lines on `out`. */
export function progressPrinter(out: CliConsole): (event: PipelineEvent) => void {
  const measurements = new Map<string, Measurement[]>();
  let decided: { gate: string; outcome: string } | undefined;
  // On a terminal the approval prompt rewrites the line above its question every second: a line
  // printed meanwhile would be overwritten. The staging watch's lines wait for the answer there.
  let prompting = false;
  const held: Array<{ text: string; at: number }> = [];
  return (event) => {
    switch (event.type) {
      case "stage-start":
        decided = undefined;
        prompting = event.stage === "approval" && out.live !== undefined;
        measurements.clear(); // a gate name can come back (health at each step of a gradual rollout)
        out.line(`▸ ${event.label}`, event.at);
        // The terminal prompt reads an answer on this line: no live line over it.
        if (event.stage !== "approval") out.live?.start(event.label, event.at);
        return;
      case "measurement": {
        const list = measurements.get(event.gate) ?? [];
        list.push(event.measurement);
        measurements.set(event.gate, list);
        // The staging watch runs while a prompt waits for an answer: only its failures are news.
        if (event.gate === "staging-watch" && event.measurement.outcome === "successful") return;
        const text = `    ${measurementLine(event.gate, event.measurement)}`;
        if (prompting && event.gate === "staging-watch") held.push({ text, at: event.measurement.at });
        else out.line(text, event.measurement.at);
        return;
      }
      case "gate-decided":
        decided = { gate: event.gate, outcome: event.outcome };
        return;
      case "stage-end": {
        out.live?.stop();
        prompting = false;
        for (const line of held.splice(0)) out.line(line.text, line.at);
        const seen = decided ? (measurements.get(decided.gate) ?? []) : [];
        const gate = seen.length > 0 ? gateSuffix(seen) : "";
        // A gate's reason was shown with its failing measurement; other stages say why here.
        const detail = event.detail && event.status !== "passed" && !decided ? `: ${oneLine(event.detail)}` : "";
        out.line(`${STATUS_MARK[event.status]} ${event.label}${gate}${detail}`, event.at);
        decided = undefined;
        return;
      }
    }
  };
}

/** `(3 measurements, p95 14ms)` */
export function gateSuffix(measurements: readonly Measurement[]): string {
  const stats = gateStats(measurements);
  const p95 = stats.p95Ms === undefined ? "" : `, p95 ${formatMs(stats.p95Ms)}`;
  const errors = stats.errors > 0 ? `, ${stats.errors} errors` : "";
  return ` (${stats.count} measurement${stats.count === 1 ? "" : "s"}${errors}${p95})`;
}

/** `health #2 ✖ GET /api/health 503 12ms: expected status 200-299` */
export function measurementLine(gate: string, m: Measurement): string {
  const checks = m.checks.map(checkText).join("; ");
  return `${gate} #${m.index + 1} ${OUTCOME_MARK[m.outcome]} ${checks}`;
}

function checkText(check: CheckResult): string {
  const status = check.status === undefined ? "no answer" : String(check.status);
  const latency = check.latencyMs === undefined ? "" : ` ${formatMs(check.latencyMs)}`;
  const reason = check.outcome === "successful" || !check.reason ? "" : `: ${oneLine(check.reason)}`;
  const tries = check.attempts ? ` (${check.attempts.length} tries)` : "";
  return `${check.check} ${status}${latency}${reason}${tries}`;
}

function oneLine(text: string): string {
  const first = text.split("\n")[0] ?? "";
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}
