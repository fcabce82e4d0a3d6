/**
 * The traffic analysis in the job summary (per step: each version's requests and errors, the
 * test's result, the wall-time quantiles, and why) and in the health report (raw figures).
 */
import { percent } from "./analysis.js";
import type { StepAnalysis } from "./analysis-step.js";

/** The summary's section, empty when no step was analysed. */
export function analysisSection(analyses: readonly StepAnalysis[] | undefined): string {
  if (!analyses || analyses.length === 0) return "";
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rows = analyses.flatMap((a) => {
    const c = a.decision?.candidate;
    const b = a.decision?.baseline;
    const p = a.decision?.pValue;
    const line = (who: string, id: string, v: typeof c) =>
      `| ${a.step}% | ${who} \`${id}\` | ${v ? v.requests : "–"} | ${v ? v.errors : "–"} | ${v ? percent(v.errorRate) : "–"} | ${
        v?.latencyMs !== undefined ? `${Math.round(v.latencyMs * 10) / 10} ms` : "–"
      } |`;
    return [line("new", a.candidateVersionId, c), line("baseline", a.baselineVersionId, b)].concat(
      `| ${a.step}% | **${a.outcome}** | | | ${p === undefined ? "" : `p = ${p < 0.0001 ? p.toExponential(1) : p.toFixed(4)}`} | |`,
    );
  });
  const why = analyses.map((a) => `- ${a.step}%, ${a.outcome}: ${cell(a.why)}${a.reads > 1 ? ` (${a.reads} reads)` : ""}`);
  return [
    "### Traffic analysis",
    "",
    "| Step | Version | Requests | Errors | Error rate | Wall time (compared quantile) |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    ...why,
  ].join("\n");
}

/** The health report's `analyses`: every figure as read, the window in ISO time. */
export function analysisReport(analyses: readonly StepAnalysis[] | undefined): object {
  if (!analyses || analyses.length === 0) return {};
  return {
    analyses: analyses.map((a) => ({
      step: a.step,
      outcome: a.outcome,
      why: a.why,
      from: new Date(a.from).toISOString(),
      until: new Date(a.until).toISOString(),
      reads: a.reads,
      ...(a.error ? { error: a.error } : {}),
      ...(a.decision?.pValue !== undefined ? { pValue: a.decision.pValue } : {}),
      ...(a.decision?.candidate ? { candidate: a.decision.candidate } : { candidate: { versionId: a.candidateVersionId } }),
      ...(a.decision?.baseline ? { baseline: a.decision.baseline } : { baseline: { versionId: a.baselineVersionId } }),
    })),
  };
}
