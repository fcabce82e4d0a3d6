import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SECRET_VALUE } from "../../src/cli/demo.js";
import { ensureBuilt, git, shipline } from "./support.js";

/**
 * `shipline demo --json` with nothing configured: the run scripts/pack-check.sh made from the
 * packed tarball, installed in an empty folder (SHIPLINE_DEMO_RUN names the folder holding its
 * exit code, stdout and stderr; `npm test` checks the demo that way, once), else one made now
 * from the built CLI.
 */
async function demoRun(): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const made = process.env["SHIPLINE_DEMO_RUN"];
  if (!made) return shipline(["demo", "--json"], { env: {}, timeoutMs: 120_000 });
  const read = (name: string) => readFileSync(join(made, name), "utf8");
  return { exitCode: Number(read("exit").trim()), stdout: read("stdout"), stderr: read("stderr") };
}

describe("shipline demo", () => {
  const leftovers: string[] = [];
  beforeAll(() => (process.env["SHIPLINE_DEMO_RUN"] ? undefined : ensureBuilt()), 120_000);
  afterAll(async () => {
    for (const dir of leftovers) await rm(dir, { recursive: true, force: true });
  });

  it("releases a healthy v1.0.0 (tagged), rolls back a broken v1.1.0, catches v1.2.0 from traffic, writes the summary", async () => {
    const run = await demoRun();
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    leftovers.push(dirname(report.projectDir));
    expect(report.ok).toBe(true);
    expect(report.runs.map((r: { tag: string; result: string }) => `${r.tag}:${r.result}`)).toEqual([
      "v1.0.0:released",
      "v1.1.0:rolled-back",
      "v1.2.0:rolled-back",
    ]);
    // Production ends on v1.0.0's version: the rollback put back exactly what served before.
    const [first, second] = report.runs;
    expect(second.rollbackVersionId).toBe(first.productionVersionId);
    // v1.0.0 is tagged in the sample repository on its commit; v1.1.0 is not.
    expect(report.tags).toEqual(["v1.0.0"]);
    expect(git(report.projectDir, "rev-parse", "v1.0.0^{commit}")).toBe(git(report.projectDir, "rev-parse", "HEAD~2"));
    // The Markdown the action would write on GitHub, for both runs.
    const summary = readFileSync(report.summaryPath, "utf8");
    expect(summary).toContain("## shipline: ✅ Released v1.0.0");
    expect(summary).toContain("## shipline: ↩️ Rolled back v1.1.0");
    expect(summary).toMatch(/\| health \| production \| ❌ failed \|/);
    expect(summary).toMatch(/\| rollback-health \| production \| ✅ passed \|/);
    // v1.2.0: health fine, caught at 50% from users' traffic; both versions' error rates side by side.
    expect(summary).toContain("## shipline: ↩️ Rolled back v1.2.0");
    expect(summary).toMatch(/Traffic analysis at 50% failed: more errors than the baseline beyond chance/);
    expect(summary).toMatch(/\| 50% \| new `[0-9a-f-]+` \| \d+ \| \d+ \| [\d.]+ % \|/);
    expect(run.stderr).toMatch(/Traffic at 50%: new [\d.]+ % errors of \d+ requests, baseline 0 % errors of \d+ requests → failed/);
    expect(report.runs[2].rollbackVersionId).toBe(first.productionVersionId);
    // Timeline on stderr, with elapsed times.
    expect(run.stderr).toMatch(/\[\s+\d+\.\ds\] ✖ Health gate on production \(health\) \(1 measurement, p95 \d+ms\)/);
    expect(run.stderr).toContain("✔ Demo passed: v1.0.0 released, v1.1.0 rolled-back, v1.2.0 rolled-back");
    // Every deploy's version was served; the sandbox's time to serve it is measured.
    expect(report.serveSamples.length).toBeGreaterThanOrEqual(4);
    expect(report.serveNewVersionMs).toBeGreaterThanOrEqual(0);
    expect(run.stderr).not.toContain("shipline-sandbox-token");
    // The Worker's health check needs DEMO_API_KEY: v1.0.0 passing its gates proves the secret rode the version.
    for (const text of [run.stdout, run.stderr, summary]) expect(text).not.toContain(DEMO_SECRET_VALUE);
  }, 120_000);
});
