import { describeAllocation } from "./allocation.js";
import type { GateReport, PipelineResult, RunResult, StageRecord, Mode } from "./types.js";

/** SPEC section 3: every output, as the strings the action writes. */
export function toOutputs(result: PipelineResult, healthReportPath: string): Record<string, string> {
  return {
    result: result.result,
    version: result.release?.version ?? "",
    "release-tag": result.result === "released" ? (result.releaseTag ?? "") : "",
    "staging-version-id": result.stagingVersionId ?? "",
    "production-version-id": result.productionVersionId ?? "",
    "previous-version-id": result.previousVersionId ?? "",
    "rollback-version-id": result.rollbackVersionId ?? "",
    "staging-url": result.stagingUrl ?? "",
    "production-url": result.productionUrl ?? "",
    "approval-status": result.approval.status,
    "approved-by": result.approval.approvedBy.join(","),
    "health-report": healthReportPath,
  };
}

/** The result of a run that stopped before the engine ran (bad input, a broken setup). */
export function failedBeforeStart(mode: Mode, message: string, startedAt: number, endedAt: number): PipelineResult {
  return {
    result: "failed",
    mode,
    approval: { status: "skipped", approvedBy: [] },
    stages: [],
    gates: [],
    message,
    startedAt,
    endedAt,
    warnings: [],
  };
}

/** Whether the step succeeds (SPEC: released or planned; rolled-back only in `mode: rollback`). */
export function isSuccess(result: PipelineResult): boolean {
  if (result.result === "released" || result.result === "planned") return true;
  return result.mode === "rollback" && result.result === "rolled-back";
}

/** The health-report file: every measurement of every gate. */
export function healthReport(result: PipelineResult): object {
  return {
    schema: "shipline/health-report@1",
    result: result.result,
    version: result.release?.version,
    startedAt: new Date(result.startedAt).toISOString(),
    endedAt: new Date(result.endedAt).toISOString(),
    gates: result.gates.map((gate) => ({
      ...gate,
      startedAt: new Date(gate.startedAt).toISOString(),
      endedAt: new Date(gate.endedAt).toISOString(),
      measurements: gate.measurements.map((m) => ({ ...m, at: new Date(m.at).toISOString() })),
    })),
  };
}

const RESULT_TITLE: Record<RunResult, string> = {
  released: "✅ Released",
  "rolled-back": "↩️ Rolled back",
  "rollback-failed": "🚨 Rollback failed",
  rejected: "⛔ Rejected",
  failed: "❌ Failed",
  planned: "📝 Planned",
};

/** The job summary (GitHub-flavoured Markdown). */
export function renderSummary(result: PipelineResult, links: { runUrl?: string } = {}): string {
  const parts = [
    `## shipline: ${RESULT_TITLE[result.result]}${result.release ? ` ${result.release.tag}` : ""}`,
    result.message,
    rollbackFailedSection(result),
    stageTable(result.stages),
    gateTable(result.gates),
    approvalSection(result),
    versionsSection(result, links),
    warningsSection(result.warnings),
    result.plan ? `### Plan\n\n\`\`\`\n${result.plan}\n\`\`\`` : "",
    timeline(result),
  ];
  return parts.filter((p) => p.length > 0).join("\n\n") + "\n";
}

function rollbackFailedSection(result: PipelineResult): string {
  if (!result.manualCommand) return "";
  const heading = result.result === "rollback-failed" ? "### 🚨 Production needs a human" : "### Manual restore";
  return `${heading}\n\nRun this to put back what production served before this run:\n\n\`\`\`sh\n${result.manualCommand}\n\`\`\``;
}

function stageTable(stages: readonly StageRecord[]): string {
  if (stages.length === 0) return "";
  const rows = stages.map(
    (s) =>
      `| ${escapeCell(s.label)} | ${STATUS_ICON[s.status]} ${s.status} | ${formatMs(s.endedAt - s.startedAt)} | ${escapeCell(s.detail ?? "")} |`,
  );
  return ["### Stages", "", "| Stage | Result | Duration | Detail |", "|---|---|---|---|", ...rows].join("\n");
}

const STATUS_ICON: Record<StageRecord["status"], string> = { passed: "✅", failed: "❌", skipped: "⏭️", cancelled: "🛑" };

function gateTable(gates: readonly GateReport[]): string {
  if (gates.length === 0) return "";
  const rows = gates.map((g) => {
    const s = g.stats;
    const cells = [
      g.gate,
      g.environment,
      g.outcome,
      s.count,
      s.failed,
      s.errors,
      formatOptionalMs(s.p50Ms),
      formatOptionalMs(s.p95Ms),
      g.reason ?? "",
    ];
    return `| ${cells.map((c) => escapeCell(String(c))).join(" | ")} |`;
  });
  const notes = gates.flatMap((g) => {
    const note = versionNote(g);
    return note === undefined ? [] : [`- ⚠️ ${escapeCell(note)}`];
  });
  return [
    "### Gates",
    "",
    "| Gate | Environment | Outcome | Measurements | Failed | Errors | p50 | p95 | Why |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    ...(notes.length > 0 ? ["", ...notes] : []),
  ].join("\n");
}

/**
 * One line on which versions answered a gate, when there is something to say: answers from
 * another version than the one judged (which, how many), and answers that named no version.
 * `health@10%: 9 of 10 answers came from version b…, not a… (counted as errors); …`
 */
export function versionNote(report: GateReport): string | undefined {
  const v = report.versions;
  if (v === undefined) return undefined;
  const total = Object.values(v.answeredBy).reduce((sum, n) => sum + n, v.unnamed);
  const parts: string[] = [];
  if (v.otherVersion > 0 && v.expected !== undefined) {
    const others = Object.entries(v.answeredBy).filter(([id]) => id !== v.expected);
    const which = others.length === 1 ? `version ${others[0]![0]}` : `versions ${others.map(([id, n]) => `${id} (${n})`).join(", ")}`;
    parts.push(`${v.otherVersion} of ${total} answers came from ${which}, not ${v.expected} (counted as errors)`);
  }
  if (v.unnamed > 0) {
    const share = v.unnamed === total ? `none of its ${total} answers` : `${v.unnamed} of its ${total} answers did not`;
    const verb = v.unnamed === total ? "carried" : "carry";
    parts.push(`could not prove which version it measured: ${share} ${verb} the \`${v.header}\` header`);
  }
  return parts.length === 0 ? undefined : `${report.gate}: ${parts.join("; ")}`;
}

function approvalSection(result: PipelineResult): string {
  const a = result.approval;
  if (a.status === "skipped" && !a.link) return "";
  const lines = [`### Approval: ${a.status}`, ""];
  if (a.approvedBy.length > 0) lines.push(`- Approved by: ${a.approvedBy.map((l) => `@${l}`).join(", ")}`);
  if (a.link) lines.push(`- Request: ${a.link}`);
  if (a.startedAt !== undefined && a.endedAt !== undefined) lines.push(`- Waited: ${formatMs(a.endedAt - a.startedAt)}`);
  if (a.reason) lines.push(`- Reason: ${a.reason}`);
  for (const ignored of a.ignored ?? [])
    lines.push(`- Ignored comment by @${ignored.author} (${ignored.why}): ${escapeCell(ignored.body.slice(0, 80))}`);
  return lines.join("\n");
}

function versionsSection(result: PipelineResult, links: { runUrl?: string }): string {
  const rows: Array<[string, string | undefined]> = [
    ["Version", result.release?.version],
    ["Release tag", result.releaseTag],
    ["Commit", result.release?.sha],
    ["Staging version", result.stagingVersionId],
    ["Staging URL", result.stagingUrl],
    ["Production version", result.productionVersionId],
    ["Production URL", result.productionUrl],
    [
      "Previous production",
      result.anchor === undefined
        ? undefined
        : result.anchor === null
          ? "none (first deploy)"
          : describeAllocation(result.anchor.allocation),
    ],
    ["Rolled back to", result.rollbackVersionId],
    ["Run", links.runUrl],
  ];
  const present = rows.filter(([, v]) => v);
  if (present.length === 0) return "";
  return ["### Versions", "", "| | |", "|---|---|", ...present.map(([k, v]) => `| ${k} | ${escapeCell(v ?? "")} |`)].join("\n");
}

function warningsSection(warnings: readonly string[]): string {
  if (warnings.length === 0) return "";
  return ["### Warnings", "", ...warnings.map((w) => `- ${w}`)].join("\n");
}

/** A Mermaid `gantt` chart of the stages (times as epoch ms). */
export function timeline(result: PipelineResult): string {
  const stages = result.stages.filter((s) => s.status !== "skipped");
  if (stages.length === 0) return "";
  const lines = [
    "### Timeline",
    "",
    "```mermaid",
    "gantt",
    `  title shipline ${mermaidText(result.release?.tag ?? result.mode)}`,
    "  dateFormat x",
    "  axisFormat %M:%S",
  ];
  stages.forEach((s, i) => {
    const tag = s.status === "failed" || s.status === "cancelled" ? "crit, " : "done, ";
    // Zero-length bars disappear; give instant stages one millisecond.
    const end = Math.max(s.endedAt, s.startedAt + 1);
    lines.push(`  ${mermaidText(s.label)} :${tag}s${i}, ${s.startedAt}, ${end}`);
  });
  lines.push("```");
  return lines.join("\n");
}

function mermaidText(text: string): string {
  return text.replace(/[:;#]/g, " ").replace(/\s+/g, " ").trim();
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** `850ms`, `12.3s`, `4m 05s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, "0")}s`;
}

function formatOptionalMs(ms: number | undefined): string {
  return ms === undefined ? "–" : formatMs(ms);
}
