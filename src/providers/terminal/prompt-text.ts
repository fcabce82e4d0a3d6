/**
 * What the terminal prompt prints: the facts an approver decides on (the same ones the
 * approval issue shows), and the question. Pure text, so tests can check it exactly.
 */
import type { ApprovalRequest } from "../../core/ports.js";
import { formatDuration } from "../../core/parse.js";
import type { GateReport, Millis } from "../../core/types.js";

/** The lines printed before the question. */
export function approvalSummary(request: ApprovalRequest, timeoutMs: Millis): string[] {
  const { release } = request;
  const rows: Array<[string, string | undefined]> = [
    ["Version", `${release.version} (tag ${release.tag}${release.prerelease ? ", prerelease" : ""})`],
    ["Commit", release.sha],
    ["Staging", stagingLine(request)],
    ["Smoke", request.smoke ? smokeLine(request.smoke) : undefined],
    ["Run", request.runUrl],
    ["Started by", request.actor],
    ["Timeout", `no answer within ${formatDuration(timeoutMs)} rejects the release`],
  ];
  const lines = [`Approval needed: deploy ${release.tag} to production.`];
  for (const [label, value] of rows) if (value) lines.push(`  ${`${label}:`.padEnd(12)}${value}`);
  return lines;
}

/** The question, without a newline: the answer is typed on the same line. */
export function approvalQuestion(request: ApprovalRequest): string {
  return `Deploy ${request.release.tag} to production? [y/N] `;
}

/** Whether an answer approves: `y`, `yes` or `approve`, in any case; everything else denies. */
export function isApproval(answer: string): boolean {
  return /^(y|yes|approve)$/i.test(answer.trim());
}

function stagingLine(request: ApprovalRequest): string | undefined {
  const version = request.stagingVersionId ? `Worker version ${request.stagingVersionId}` : undefined;
  if (request.stagingUrl && version) return `${request.stagingUrl} (${version})`;
  return request.stagingUrl ?? version;
}

/** `passed: 10/10 successful, 0 errors (p50 12ms, p95 30ms)`. */
export function smokeLine(report: GateReport): string {
  const { stats } = report;
  const latency = [
    stats.p50Ms !== undefined ? `p50 ${formatDuration(stats.p50Ms)}` : undefined,
    stats.p95Ms !== undefined ? `p95 ${formatDuration(stats.p95Ms)}` : undefined,
  ].filter((part) => part !== undefined);
  const counts = `${stats.successful}/${stats.count} successful, ${stats.errors} error${stats.errors === 1 ? "" : "s"}`;
  const reason = report.reason ? ` — ${report.reason}` : "";
  return `${report.outcome}: ${counts}${latency.length > 0 ? ` (${latency.join(", ")})` : ""}${reason}`;
}
