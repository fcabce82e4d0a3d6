/**
 * The demo's closing report: each run's timeline (stage, result, start offset, duration), where
 * the tags and the summary are, and how long it all took.
 */
import { formatMs } from "../core/report.js";
import type { StageRecord } from "../core/types.js";
import type { DemoReport } from "./demo.js";

const MARK: Record<StageRecord["status"], string> = { passed: "✔", failed: "✖", skipped: "⏭", cancelled: "■" };

/** Lines of the closing report. */
export function demoTimeline(report: DemoReport): string[] {
  const lines = ["Timeline"];
  for (const run of report.runs) {
    const verdict = run.result.result === run.expected ? "as expected" : `expected ${run.expected}`;
    lines.push("", `  ${run.tag}: ${run.result.result} in ${formatMs(run.durationMs)} (${verdict})`);
    for (const stage of run.result.stages) {
      if (stage.status === "skipped") continue;
      const offset = `+${formatMs(stage.startedAt - run.result.startedAt)}`.padStart(9);
      const duration = formatMs(stage.endedAt - stage.startedAt).padStart(7);
      lines.push(`    ${offset} ${duration}  ${MARK[stage.status]} ${stage.label}`);
    }
  }
  lines.push("");
  if (report.projectDir) lines.push(`Sample Worker repository: ${report.projectDir} (tags: ${report.tags.join(", ") || "none"})`);
  if (report.summaryPath) lines.push(`Summary (the Markdown written on GitHub): ${report.summaryPath}`);
  if (report.serveNewVersionMs !== undefined) {
    lines.push(
      `Sandbox served each new version ${formatMs(report.serveNewVersionMs)} after its deploy ended (median of ${report.serveSamples.length} deploys).`,
    );
  }
  const outcome = report.ok ? "✔ Demo passed" : "✖ Demo did not go as expected";
  lines.push(`${outcome}: ${report.runs.map((run) => `${run.tag} ${run.result.result}`).join(", ")}; total ${formatMs(report.totalMs)}.`);
  return lines;
}

/** What `shipline demo --json` prints. */
export function demoJson(report: DemoReport): object {
  return {
    ok: report.ok,
    totalMs: report.totalMs,
    serveNewVersionMs: report.serveNewVersionMs,
    serveSamples: report.serveSamples,
    projectDir: report.projectDir,
    tags: report.tags,
    summaryPath: report.summaryPath,
    runs: report.runs.map((run) => ({
      tag: run.tag,
      expected: run.expected,
      result: run.result.result,
      durationMs: run.durationMs,
      message: run.result.message,
      productionVersionId: run.result.productionVersionId,
      rollbackVersionId: run.result.rollbackVersionId,
      stages: run.result.stages.map((s) => ({ stage: s.stage, label: s.label, status: s.status, ms: s.endedAt - s.startedAt })),
    })),
  };
}
