// @vitest-environment jsdom
/**
 * The job summary of every outcome, rendered from a real run of the engine, read the way a
 * person reads it at 3 a.m., and its Mermaid chart compiled by Mermaid itself: the grammar
 * (`mermaid.parse`) and the gantt's own task compilation (its dates, widths and markers), so
 * a broken chart fails here rather than on GitHub.
 */
import mermaid from "mermaid";
import { beforeAll, describe, expect, it } from "vitest";
import { formatMs, renderSummary, timeline } from "../../../src/core/report.js";
import type { PipelineResult } from "../../../src/core/types.js";
import { OLD, OLDER, OUTCOMES, type OutcomeName } from "./outcomes.js";

interface GanttTask {
  readonly task: string;
  readonly crit?: boolean;
  readonly startTime: Date;
  readonly endTime: Date;
}

interface Gantt {
  readonly tasks: GanttTask[];
  readonly axisFormat: string;
  readonly tickInterval: string | undefined;
  readonly title: string;
}

/** Mermaid's own reading of the summary's chart. */
async function gantt(summary: string): Promise<Gantt> {
  const block = /```mermaid\n([\s\S]*?)```/.exec(summary)?.[1];
  if (block === undefined) throw new Error("no mermaid block in the summary");
  await mermaid.parse(block);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(block);
  const db = diagram.db as unknown as {
    getTasks(): GanttTask[];
    getAxisFormat(): string;
    getTickInterval(): string | undefined;
    getDiagramTitle(): string;
  };
  return { tasks: db.getTasks(), axisFormat: db.getAxisFormat(), tickInterval: db.getTickInterval(), title: db.getDiagramTitle() };
}

const results = new Map<OutcomeName, PipelineResult>();
const summaries = new Map<OutcomeName, string>();

beforeAll(async () => {
  mermaid.initialize({ startOnLoad: false });
  for (const [name, make] of Object.entries(OUTCOMES) as Array<[OutcomeName, () => Promise<PipelineResult>]>) {
    const result = await make();
    results.set(name, result);
    summaries.set(name, renderSummary(result, { runUrl: "https://github.com/acme/worker/actions/runs/1" }));
  }
});

const summary = (name: OutcomeName) => summaries.get(name)!;
const result = (name: OutcomeName) => results.get(name)!;
const section = (text: string, heading: string) => {
  const start = text.indexOf(`### ${heading}`);
  if (start < 0) return "";
  const next = text.indexOf("\n### ", start + 4);
  return text.slice(start, next < 0 ? undefined : next);
};
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("every outcome's summary", () => {
  for (const name of Object.keys(OUTCOMES) as OutcomeName[]) {
    it(`${name}: a chart Mermaid compiles, every stage visible, failures marked`, async () => {
      const chart = await gantt(summary(name));
      const stages = result(name).stages.filter((s) => s.status !== "skipped");
      expect(chart.tasks).toHaveLength(stages.length);
      const start = Math.min(...chart.tasks.map((t) => t.startTime.getTime()));
      const end = Math.max(...chart.tasks.map((t) => t.endTime.getTime()));
      for (const [i, task] of chart.tasks.entries()) {
        expect(Number.isNaN(task.startTime.getTime())).toBe(false);
        // At least 1% of the chart wide: a gate that failed in milliseconds is still a bar.
        expect(task.endTime.getTime() - task.startTime.getTime()).toBeGreaterThanOrEqual((end - start) / 100);
        const bad = stages[i]!.status === "failed" || stages[i]!.status === "cancelled";
        expect(task.crit === true).toBe(bad);
        if (bad) expect(task.task).toContain(`(${stages[i]!.status})`);
      }
      expect(chart.title).toMatch(/started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    });

    it(`${name}: says each failure reason once`, () => {
      const text = summary(name);
      for (const gate of result(name).gates) {
        if (gate.reason && gate.outcome === "failed") {
          // Two gates may fail for the same reason: each says it once, in its own line under Gates.
          const sameReason = result(name).gates.filter((g) => g.reason === gate.reason).length;
          expect(count(text, gate.reason)).toBe(sameReason);
          expect(count(section(text, "Gates"), gate.reason)).toBe(sameReason);
        }
      }
      expect(text).not.toMatch(/\d+m 60s|\b\d{3,}m \d\ds/);
    });
  }
});

describe("the axis fits the run", () => {
  it("shows seconds for a run of seconds", async () => {
    const chart = await gantt(summary("released"));
    expect(chart.axisFormat).toBe("%H:%M:%S");
    expect(chart.tickInterval).toBe("1second");
  });

  it("shows hours and minutes for a run with a 3-hour approval, with few ticks", async () => {
    const chart = await gantt(summary("released after a 3-hour approval"));
    expect(chart.axisFormat).toBe("%H:%M");
    expect(chart.tickInterval).toBe("30minute");
    expect(summary("released after a 3-hour approval")).toContain("| Approval (scripted) | ✅ passed | 3h 02m |");
  });

  it("is not drawn when no stage ran", () => {
    expect(timeline({ ...result("released"), stages: [] })).toBe("");
  });
});

describe("rollback-failed, told apart", () => {
  it("when the rollback did not take effect: run the rollback by hand", () => {
    const text = summary("rollback-failed: rollback did not take effect");
    const human = section(text, "🚨 Production needs a human");
    expect(human).toContain("The rollback did not take effect");
    expect(human).toContain("Run the rollback by hand");
    expect(human).toContain(`restore production ${OLD}@100`);
  });

  it("when the restored version is unhealthy too: not a rollback to what already serves, but an earlier version", () => {
    const r = result("rollback-failed: restored version unhealthy too");
    const human = section(summary("rollback-failed: restored version unhealthy too"), "🚨 Production needs a human");
    expect(human).toContain(`The rollback took effect: production serves ${OLD} again`);
    expect(human).toContain("rolling back to it again changes nothing");
    expect(human).toContain(`restore production ${OLDER}@100`);
    expect(human).not.toContain(`restore production ${OLD}`);
    expect(human).not.toContain("put back what production served before");
    expect(r.manualCommandPurpose).toBe("earlier-version");
  });
});

describe("wording", () => {
  it("rolled-back: the restored version passed, after the rollback; no warning that reads as about now", () => {
    const text = summary("rolled-back");
    expect(text).toContain("the restored version passed its own health gate");
    expect(text).not.toContain("Production is not proven healthy");
    expect(section(text, "What to do next")).toContain(`Production serves ${OLD} again. v1.2.0 is not released`);
  });

  it("failed at smoke: production was not touched, and what to do next", () => {
    const text = summary("failed at smoke");
    expect(text.split("\n")[2]).toContain("Production was not touched.");
    expect(section(text, "What to do next")).toMatch(
      /Staging now serves v1\.2\.0 \(version staging-v\d+\), which failed its smoke gate\. Fix the release/,
    );
  });

  it("rejected: no 'Denied by' stutter, and the decision's time", () => {
    const text = summary("rejected");
    expect(text).not.toMatch(/denied: Denied/i);
    expect(text).toContain("Denied by @alice: not today. v1.2.0 was not released; production was not touched.");
    expect(section(text, "Approval")).toContain("- ⛔ Denied by @alice: not today at 2026-01-01 00:20:01 UTC, after 20m");
  });

  it("approved: who, when (with the time zone) and after how long", () => {
    expect(section(summary("released after a 3-hour approval"), "Approval")).toContain(
      "- ✅ Approved by @alice at 2026-01-01 03:02:06 UTC, after 3h 02m",
    );
  });

  it("cancelled: reads as cancelled, not as a failure", () => {
    const text = summary("cancelled");
    expect(text.split("\n")[0]).toBe("## shipline: 🛑 Cancelled v1.2.0");
    expect(text).not.toContain("❌ Failed");
    expect(text).toContain("| Approval (scripted) | 🛑 cancelled |");
    expect(result("cancelled").cancelled).toBe(true);
  });

  it("emergency rollback: names the release tags, not only version ids", () => {
    const text = summary("emergency rollback");
    expect(text.split("\n")[0]).toBe(`## shipline: ↩️ Emergency rollback to v1.0.0 (${OLDER})`);
    expect(text).toContain(`| Previous production | v1.1.0 (${OLD}) |`);
    expect(text).toContain(`| Rolled back to | v1.0.0 (${OLDER}) |`);
  });

  it("a staging watch stopped by the approval's decision does not read as an error", () => {
    const r = result("released");
    const watch = {
      ...r.gates[0]!,
      gate: "staging-watch",
      outcome: "cancelled" as const,
    };
    const text = renderSummary({ ...r, gates: [...r.gates, watch] });
    expect(text).toContain("| staging-watch | staging | ✅ watched until the decision |");
    expect(text).not.toContain("🛑 cancelled");
    // In a cancelled run it was cancelled.
    expect(renderSummary({ ...r, cancelled: true, gates: [watch] })).toContain("| staging-watch | staging | 🛑 cancelled |");
  });

  it("a long failure reason is not put in a table cell", () => {
    const r = result("failed at smoke");
    const long = `GET /health (https://staging.example.test/${"very-long-path-segment/".repeat(8)}health): expected status 200-299, got 500`;
    const text = renderSummary({ ...r, gates: [{ ...r.gates[0]!, reason: long }] });
    const tableLines = text.split("\n").filter((line) => line.startsWith("|"));
    expect(tableLines.some((line) => line.includes(long))).toBe(false);
    expect(text).toContain(`- ❌ **smoke** on staging: ${long}`);
  });
});

describe("formatMs: the one duration formatter", () => {
  it.each([
    [0, "0ms"],
    [999.4, "999ms"],
    [999.6, "1s"],
    [30_000, "30s"],
    [1_250, "1.3s"],
    [59_949, "59.9s"],
    [59_960, "1m"],
    [119_600, "2m"],
    [65_000, "1m 05s"],
    [3_599_400, "59m 59s"],
    [3_599_600, "1h"],
    [11_400_000, "3h 10m"],
    [10_925_000, "3h 02m"],
    [-1_500, "-1.5s"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});
