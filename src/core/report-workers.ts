/** The job summary's Workers table: one row per Worker of a several-Worker release. */
import type { PipelineResult, RunResult, WorkerResult } from "./types.js";

const RESULT_ICON: Record<RunResult, string> = {
  released: "✅",
  "rolled-back": "↩️",
  "rollback-failed": "🚨",
  rejected: "⛔",
  failed: "❌",
  planned: "📝",
};

/** One row per Worker, in deploy order: its end, its versions and URLs. Empty for a single-Worker run. */
export function workersSection(result: PipelineResult): string {
  const workers = result.workers;
  if (!workers || workers.length === 0) return "";
  const named = (id: string | undefined) => {
    if (!id) return "";
    const tag = result.versionTags?.[id];
    return tag ? `${tag} (${id})` : id;
  };
  const rows = workers.map((w) => [
    w.name,
    `${RESULT_ICON[w.result]} ${outcomeOf(w)}`,
    w.stagingVersionId ?? "",
    named(w.productionVersionId),
    named(w.previousVersionId),
    named(w.rollbackVersionId),
    w.productionUrl ?? w.stagingUrl ?? "",
  ]);
  return [
    "### Workers",
    "",
    result.mode === "rollback"
      ? "In deploy order; the emergency rollback restored them the last deployed first."
      : "In deploy order; a failure restores the Workers deployed before it, the last deployed first.",
    "",
    "| Worker | Result | Staging version | Production version | Previous production | Rolled back to | URL |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((cells) => `| ${cells.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** `failed` for a Worker never deployed to production says so, not that it broke. */
function outcomeOf(w: WorkerResult): string {
  if (w.result === "failed" && !w.productionTouched && /^Not deployed to production/.test(w.message)) return "not deployed";
  if (w.result === "rolled-back" && !w.productionTouched && /^Nothing to do/.test(w.message)) return "nothing to do";
  return w.result;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
