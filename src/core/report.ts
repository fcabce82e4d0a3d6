import { analysisReport, analysisSection } from "./analysis-report.js";
import { describeAllocation } from "./allocation.js";
import { workersSection } from "./report-workers.js";
import type { GateReport, GateSettings, ManualCommandPurpose, Mode, PipelineResult, RunResult, StageRecord } from "./types.js";

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
    workers: result.workers ? JSON.stringify(result.workers) : "",
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

/** Where the health report's JSON Schema is published (`schema/health-report.schema.json`). */
export const HEALTH_REPORT_SCHEMA_ID = "https://raw.githubusercontent.com/shipline/shipline/main/schema/health-report.schema.json";

/**
 * The health-report file: every measurement of every gate, with each gate's rules, so a tool
 * can judge the measurements again. Latencies are rounded to 0.1 ms; header values of checks
 * are left out (they may hold tokens), only their names are kept.
 */
export function healthReport(result: PipelineResult): object {
  return {
    $schema: HEALTH_REPORT_SCHEMA_ID,
    schema: "shipline/health-report@1",
    result: result.result,
    ...(result.release ? { version: result.release.version } : {}),
    startedAt: new Date(result.startedAt).toISOString(),
    endedAt: new Date(result.endedAt).toISOString(),
    gates: result.gates.map(({ settings, stats, measurements, ...gate }) => ({
      ...gate,
      startedAt: new Date(gate.startedAt).toISOString(),
      endedAt: new Date(gate.endedAt).toISOString(),
      ...(settings ? { settings: reportSettings(settings) } : {}),
      stats: { ...stats, ...roundedLatency("p50Ms", stats.p50Ms), ...roundedLatency("p95Ms", stats.p95Ms) },
      measurements: measurements.map((m) => ({
        ...m,
        at: new Date(m.at).toISOString(),
        checks: m.checks.map((c) => ({ ...c, ...roundedLatency("latencyMs", c.latencyMs) })),
      })),
    })),
    ...analysisReport(result.analyses),
  };
}

function roundedLatency<K extends string>(key: K, ms: number | undefined): Partial<Record<K, number>> {
  return ms === undefined ? {} : ({ [key]: Math.round(ms * 10) / 10 } as Record<K, number>);
}

function reportSettings(settings: GateSettings): object {
  return {
    intervalMs: settings.intervalMs,
    count: settings.count,
    failureLimit: settings.failureLimit,
    consecutiveErrorLimit: settings.consecutiveErrorLimit,
    timeoutMs: settings.timeoutMs,
    ...(settings.maxLatencyMs !== undefined ? { maxLatencyMs: settings.maxLatencyMs } : {}),
    ...(settings.versionHeader ? { versionHeader: settings.versionHeader } : {}),
    checks: settings.checks.map((check) => ({
      name: check.name,
      ...(check.path !== undefined ? { path: check.path } : {}),
      ...(check.url !== undefined ? { url: check.url } : {}),
      headerNames: Object.keys(check.headers),
      expect: {
        status: check.expect.status.text,
        ...(check.expect.json !== undefined ? { json: check.expect.json } : {}),
        ...(check.expect.body !== undefined ? { body: check.expect.body } : {}),
      },
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

/** The job summary (GitHub-flavoured Markdown). Each fact is said once, where it belongs. */
export function renderSummary(result: PipelineResult, links: { runUrl?: string } = {}): string {
  const reasons = result.gates.flatMap((g) => (g.outcome === "failed" && g.reason ? [g.reason] : []));
  const parts = [
    `## shipline: ${title(result)}`,
    lead(result.message, reasons),
    nextSteps(result),
    stageTable(result, reasons),
    gateSection(result),
    analysisSection(result.analyses),
    approvalSection(result),
    workersSection(result),
    versionsSection(result, links),
    warningsSection(result.warnings),
    result.plan ? `### Plan\n\n\`\`\`\n${result.plan}\n\`\`\`` : "",
    timeline(result),
  ];
  return parts.filter((p) => p.length > 0).join("\n\n") + "\n";
}

function title(result: PipelineResult): string {
  const tag = result.release ? ` ${result.release.tag}` : "";
  if (result.mode === "rollback") {
    const to = result.rollbackVersionId ?? (result.result === "rollback-failed" ? result.productionVersionId : undefined);
    // Several Workers go back to versions of their own: the Workers table names each.
    const target = result.workers ? ` of ${result.workers.map((w) => w.name).join(", ")}` : to ? ` to ${versionName(result, to)}` : "";
    if (result.result === "rolled-back") return `↩️ Emergency rollback${target}`;
    if (result.result === "rollback-failed") return `🚨 Emergency rollback${target} failed`;
    return `${result.cancelled ? "🛑 Cancelled" : "❌ Failed"}: emergency rollback${target}`;
  }
  if (result.cancelled) {
    if (result.result === "rollback-failed") return `${RESULT_TITLE["rollback-failed"]}${tag} (run cancelled)`;
    if (result.result === "rolled-back") return `🛑 Cancelled${tag}: production restored`;
    return `🛑 Cancelled${tag}`;
  }
  return `${RESULT_TITLE[result.result]}${tag}`;
}

/** The result's message, with each gate's reason left to the Gates section (it is said there, once). */
function lead(message: string, reasons: readonly string[]): string {
  let text = message;
  for (const reason of reasons) {
    text = text.includes(`: ${reason}`) ? text.replace(`: ${reason}`, " (why: see Gates)") : text.replace(reason, "see Gates");
  }
  return text.replace(/\r?\n/g, " ");
}

/** What a human should do now, and the command that does it, when there is one. */
function nextSteps(result: PipelineResult): string {
  const manual = manualSection(result);
  if (manual) return manual;
  const touched = result.productionTouched === true || result.stages.some((s) => s.stage === "production-deploy");
  const tag = result.release?.tag ?? "this release";
  const lines: string[] = [];
  switch (result.result) {
    case "rolled-back":
      if (result.mode === "rollback") return "";
      lines.push(
        `Production serves ${result.workers ? "what it served before this run on every Worker it deployed" : result.rollbackVersionId ? versionName(result, result.rollbackVersionId) : "what it served before this run"} again. ` +
          `${tag} is not released: fix it and release a new version.`,
      );
      break;
    case "rejected":
      lines.push(`To ship ${tag}, re-run the workflow and approve it before the approval times out.`);
      break;
    case "failed": {
      if (result.mode === "plan" || touched) return "";
      const smoke = result.stages.find((s) => s.stage === "smoke" && s.status === "failed");
      const staging = result.stagingVersionId && !result.workers ? ` (version ${result.stagingVersionId})` : "";
      if (smoke) {
        lines.push(
          `Production was not touched. Staging now serves ${tag}${staging}, which failed its smoke gate. ` +
            "Fix the release and push a new tag: re-running this job deploys the same commit again.",
        );
      } else if (result.stages.length === 0 && !result.cancelled) {
        lines.push("Nothing was deployed. Fix the input named above and run again.");
      } else {
        lines.push("Production was not touched.");
      }
      break;
    }
    default:
      return "";
  }
  // The message may have said it already.
  const said = /production was not touched/i.test(result.message);
  const text = lines.map((l) => (said ? l.replace(/^Production was not touched\.\s*/, "") : l)).filter((l) => l.length > 0);
  return text.length === 0 ? "" : ["### What to do next", "", ...text].join("\n");
}

function manualSection(result: PipelineResult): string {
  const purpose = result.manualCommandPurpose ?? (result.manualCommand ? "restore-anchor" : undefined);
  if (purpose === undefined) return "";
  const heading = result.result === "rollback-failed" ? "### 🚨 Production needs a human" : "### What to do next";
  const command = result.manualCommand ? `\n\n\`\`\`sh\n${result.manualCommand}\n\`\`\`` : "";
  const restored = result.rollbackVersionId ? versionName(result, result.rollbackVersionId) : "the restored version";
  const text: Record<ManualCommandPurpose, string> = {
    "retry-rollback": result.manualCommand
      ? "The rollback did not take effect (or was cut off before it was confirmed), so production may still serve the version that failed. Run the rollback by hand, then check what production serves:"
      : "The rollback did not take effect, so production may still serve the version that failed.",
    "earlier-version": result.manualCommand
      ? `The rollback took effect: production serves ${restored} again. But that version failed its health gate too, so rolling back to it again changes nothing. ` +
        "To serve the newest earlier version not known to be bad, run (or fix forward with a new release):"
      : `The rollback took effect: production serves ${restored} again. But that version failed its health gate too, and no earlier version is known to be good: ` +
        "fix forward with a new release, or pick a version from `wrangler deployments list`.",
    "restore-anchor": "Production was left as it is. To put back what it served before this run, run:",
    "restore-theirs":
      "Someone else deployed while this run was going on. To put back their deploy, which this run replaced, run (or decide what production should serve):",
    inspect:
      "There is no earlier version to roll back to (this was the first deploy). Fix forward with a new release; to see what production serves, run:",
  };
  return `${heading}\n\n${text[purpose]}${command}`;
}

function stageTable(result: PipelineResult, reasons: readonly string[]): string {
  const stages = result.stages;
  if (stages.length === 0) return "";
  const detail = (s: StageRecord): string => {
    const text = (s.detail ?? "").trim();
    if (text === "") return "";
    if (reasons.includes(text)) return "see Gates";
    // Said in the summary's first paragraph already.
    if (text.length > 60 && result.message.includes(text.split("\n")[0]!)) return "see above";
    return text;
  };
  const rows = stages.map(
    (s) =>
      `| ${escapeCell(s.label)} | ${STATUS_ICON[s.status]} ${s.status} | ${formatMs(s.endedAt - s.startedAt)} | ${escapeCell(detail(s))} |`,
  );
  return ["### Stages", "", "| Stage | Result | Duration | Detail |", "|---|---|---|---|", ...rows].join("\n");
}

const STATUS_ICON: Record<StageRecord["status"], string> = { passed: "✅", failed: "❌", skipped: "⏭️", cancelled: "🛑" };

/** The gates' numbers in a table; why a gate failed below it, as text that wraps (long URLs do not fit a cell). */
function gateSection(result: PipelineResult): string {
  const gates = result.gates;
  if (gates.length === 0) return "";
  const rows = gates.map((g) => {
    const s = g.stats;
    const cells = [
      g.gate,
      g.environment,
      gateOutcome(g, result),
      s.count,
      s.failed,
      s.errors,
      formatOptionalMs(s.p50Ms),
      formatOptionalMs(s.p95Ms),
    ];
    return `| ${cells.map((c) => escapeCell(String(c))).join(" | ")} |`;
  });
  const why = gates.flatMap((g) =>
    g.outcome === "failed" ? [`- ❌ **${g.gate}** on ${g.environment}: ${escapeText(g.reason ?? "failed")}`] : [],
  );
  const notes = gates.flatMap((g) => {
    const note = versionNote(g);
    return note === undefined ? [] : [`- ⚠️ ${escapeText(note)}`];
  });
  const watch = gates.some((g) => isWatchStopped(g, result))
    ? ["", "The staging watch runs while the approval is open and stops when it is decided; it did not fail."]
    : [];
  return [
    "### Gates",
    "",
    "| Gate | Environment | Outcome | Measurements | Failed | Errors | p50 | p95 |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    ...(why.length > 0 || notes.length > 0 ? ["", ...why, ...notes] : []),
    ...watch,
  ].join("\n");
}

function gateOutcome(gate: GateReport, result: PipelineResult): string {
  if (isWatchStopped(gate, result)) return "✅ watched until the decision";
  return { passed: "✅ passed", failed: "❌ failed", cancelled: "🛑 cancelled" }[gate.outcome];
}

/** The staging watch ends "cancelled" whenever the approval is decided: that is its normal end, not a cancellation. */
function isWatchStopped(gate: GateReport, result: PipelineResult): boolean {
  return gate.gate === "staging-watch" && gate.outcome === "cancelled" && !result.cancelled;
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

const DECISION_ICON: Record<PipelineResult["approval"]["status"], string> = {
  approved: "✅",
  denied: "⛔",
  "timed-out": "⌛",
  cancelled: "🛑",
  skipped: "⏭️",
};

function approvalSection(result: PipelineResult): string {
  const a = result.approval;
  if (a.status === "skipped" && !a.link) return "";
  const when = a.endedAt !== undefined ? ` at ${formatClock(a.endedAt)}` : "";
  const waited = a.startedAt !== undefined && a.endedAt !== undefined ? `, after ${formatMs(a.endedAt - a.startedAt)}` : "";
  const who = a.approvedBy.length > 0 ? ` by ${a.approvedBy.map((l) => `@${l}`).join(", ")}` : "";
  const label = { approved: "Approved", denied: "Denied", "timed-out": "Timed out", cancelled: "Cancelled", skipped: "Skipped" }[a.status];
  // A reason that already says what happened ("Denied by @alice") is the sentence; anything else follows the status.
  const said = a.reason && /^(approved|denied|no decision|no answer|timed out|cancelled)\b/i.test(a.reason);
  const decision = said
    ? `${a.reason!.replace(/\.$/, "")}${when}${waited}`
    : `${label}${who}${when}${waited}${a.reason ? `: ${a.reason}` : ""}`;
  const lines = ["### Approval", "", `- ${DECISION_ICON[a.status]} ${escapeText(decision)}`];
  if (a.link) lines.push(`- Request: ${a.link}`);
  for (const ignored of a.ignored ?? [])
    // Anyone can comment on the issue: the comment is shown literally (a code span), never as Markdown.
    lines.push(`- Ignored comment by @${ignored.author} (${ignored.why}): \`${escapeText(ignored.body.slice(0, 80)).replace(/`/g, "'")}\``);
  return lines.join("\n");
}

function versionsSection(result: PipelineResult, links: { runUrl?: string }): string {
  const named = (id: string | undefined) => (id ? versionName(result, id) : undefined);
  const rows: Array<[string, string | undefined]> = [
    ["Version", result.release?.version],
    ["Release tag", result.releaseTag],
    ["Commit", result.release?.sha],
    ["Staging version", result.stagingVersionId],
    ["Staging URL", result.stagingUrl],
    ["Production version", named(result.productionVersionId)],
    ["Production URL", result.productionUrl],
    [
      "Previous production",
      result.anchor === undefined
        ? undefined
        : result.anchor === null
          ? "none (first deploy)"
          : result.anchor.allocation.length === 1
            ? named(result.anchor.allocation[0]!.versionId)
            : describeAllocation(result.anchor.allocation),
    ],
    ["Rolled back to", named(result.rollbackVersionId)],
    ["Run", links.runUrl],
  ];
  // With several Workers, each one's versions and URLs are in the Workers table.
  const present = rows.filter(([k, v]) => v && !(result.workers && PER_WORKER_ROWS.has(k)));
  if (present.length === 0) return "";
  return ["### Versions", "", "| | |", "|---|---|", ...present.map(([k, v]) => `| ${k} | ${escapeCell(v ?? "")} |`)].join("\n");
}

const PER_WORKER_ROWS = new Set([
  "Staging version",
  "Staging URL",
  "Production version",
  "Production URL",
  "Previous production",
  "Rolled back to",
]);

/** A version id with its release tag when the run knows it: `v1.1.0 (4b8b…)`. */
function versionName(result: PipelineResult, versionId: string): string {
  const tag = result.versionTags?.[versionId];
  return tag ? `${tag} (${versionId})` : versionId;
}

function warningsSection(warnings: readonly string[]): string {
  if (warnings.length === 0) return "";
  return ["### Warnings", "", ...warnings.map((w) => `- ${w}`)].join("\n");
}

/** Axis tick steps a chart may use, smallest first (Mermaid `tickInterval` values). */
const TICKS: ReadonlyArray<readonly [string, number]> = [
  ["1second", 1_000],
  ["5second", 5_000],
  ["10second", 10_000],
  ["30second", 30_000],
  ["1minute", 60_000],
  ["5minute", 300_000],
  ["10minute", 600_000],
  ["30minute", 1_800_000],
  ["1hour", 3_600_000],
  ["2hour", 7_200_000],
  ["6hour", 21_600_000],
];

/**
 * A Mermaid `gantt` chart of the stages (times as epoch ms). The axis fits the run: seconds for
 * a short one, hours and minutes for one with a long approval, with at most about ten ticks.
 * Every bar is at least 1.5% of the run wide, so a gate that failed in milliseconds still
 * shows; failed and cancelled stages are `crit` (red) and say so in their label.
 */
export function timeline(result: PipelineResult): string {
  const stages = result.stages.filter((s) => s.status !== "skipped");
  if (stages.length === 0) return "";
  const start = Math.min(...stages.map((s) => s.startedAt));
  const end = Math.max(...stages.map((s) => s.endedAt));
  const span = Math.max(end - start, 1_000);
  const minWidth = Math.max(1, Math.round(span * 0.015));
  const tick = TICKS.find(([, ms]) => span / ms <= 10) ?? TICKS[TICKS.length - 1]!;
  const lines = [
    "### Timeline",
    "",
    "```mermaid",
    "gantt",
    `  title ${mermaidText(`shipline ${result.release?.tag ?? result.mode}`)}, started ${formatClock(start)}`,
    "  dateFormat x",
    `  axisFormat ${span < 3_600_000 ? "%H:%M:%S" : "%H:%M"}`,
    `  tickInterval ${tick[0]}`,
  ];
  stages.forEach((s, i) => {
    const bad = s.status === "failed" || s.status === "cancelled";
    const label = bad ? `${s.label} (${s.status})` : s.label;
    lines.push(`  ${mermaidText(label)} :${bad ? "crit" : "done"}, s${i}, ${s.startedAt}, ${Math.max(s.endedAt, s.startedAt + minWidth)}`);
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

/** Text for a list item: one line, and no HTML from a response body. */
function escapeText(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `2026-01-01 03:12:05 UTC`: a moment as people read it, with its time zone. */
export function formatClock(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * A duration for people to read: `850ms`, `12.3s`, `4m 05s`, `3h 02m` (a zero last part is left
 * out: `30s`, `4m`, `1h`). Rounds to what it shows, so no `1m 60s`. The one display formatter; the
 * config's own `formatDuration` (parse.ts) writes values that read back as input.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatMs(-ms)}`;
  const wholeMs = Math.round(ms);
  if (wholeMs < 1000) return `${wholeMs}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return tenths % 10 === 0 ? `${tenths / 10}s` : `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return pair(Math.floor(seconds / 60), "m", seconds % 60, "s");
  const minutes = Math.round(ms / 60_000);
  return pair(Math.floor(minutes / 60), "h", minutes % 60, "m");
}

function pair(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit} ${String(minor).padStart(2, "0")}${minorUnit}`;
}

function formatOptionalMs(ms: number | undefined): string {
  return ms === undefined ? "–" : formatMs(ms);
}
