import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, GITHUB_TOKEN, createWorld, type World } from "../support/e2e-world.js";

/**
 * The built action, run as a runner runs it, driving the real wrangler against the local
 * Workers sandbox. The tests build on each other: one production history per file.
 */
describe("release end to end", () => {
  let world: World;
  let firstVersion: string;

  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => {
    await world.stop();
  });

  it("ships a first release: staging, smoke, production, health, tag and GitHub Release", async () => {
    const run = await world.run({}, { ref: "refs/tags/v1.0.0" });
    expect(run.stderr).toBe("");
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.exitCode).toBe(0);
    expect(run.outputs["version"]).toBe("1.0.0");
    expect(run.outputs["release-tag"]).toBe("v1.0.0");
    expect(run.outputs["previous-version-id"]).toBe("");
    expect(run.outputs["approval-status"]).toBe("skipped");
    firstVersion = run.outputs["production-version-id"] ?? "";
    expect(await world.live("production")).toEqual([firstVersion]);
    expect(await world.live("staging")).toEqual([run.outputs["staging-version-id"]]);

    // Every upload carries the release tag and the commit.
    const prod = world.sandbox.script("sample-worker-production");
    expect(prod?.versions.at(-1)?.annotations).toMatchObject({ "workers/tag": "v1.0.0", "workers/message": `git:${"a".repeat(40)}` });

    // The health report holds every measurement of both gates.
    const report = JSON.parse(await readFile(run.outputs["health-report"] ?? "", "utf8"));
    expect(report.gates.map((g: { gate: string; measurements: unknown[] }) => `${g.gate}:${g.measurements.length}`)).toEqual([
      "smoke:2",
      "health:3",
    ]);

    // Summary: stage table, gate statistics, timeline.
    expect(run.summary).toContain("| Stage | Result | Duration | Detail |");
    expect(run.summary).toMatch(/\| health \| production \| ✅ passed \| 3 \| 0 \| 0 \| \d+ms \| \d+ms \|/);
    expect(run.summary).toContain("```mermaid\ngantt");

    // Log groups per stage, and no secret anywhere.
    expect(run.stdout).toContain("::group::Deploy v1.0.0 to staging");
    // `::add-mask::` lines are how the runner learns what to mask; nothing else may show a secret.
    const logged = run.stdout
      .split("\n")
      .filter((line) => !line.startsWith("::add-mask::"))
      .join("\n");
    for (const text of [logged, run.summary, JSON.stringify(report), JSON.stringify(run.outputs)]) {
      expect(text).not.toContain(API_TOKEN);
      expect(text).not.toContain(GITHUB_TOKEN);
    }
    expect(run.stdout).toContain(`::add-mask::${API_TOKEN}`);

    // GitHub: the tag, the release naming the Worker version, and deployment records.
    const tag = world.github.state.refs.get("refs/tags/v1.0.0");
    expect(tag).toBeDefined();
    const release = world.github.state.releases.find((r) => r.tag_name === "v1.0.0");
    expect(release?.body).toContain(firstVersion);
    const environments = world.github.state.deployments.map((d) => `${d.environment}:${world.github.deploymentState(d.id)}`);
    expect(environments).toEqual(["staging:success", "production:success"]);
  });

  it("rolls a broken production release back to exactly the version before, and proves it healthy", async () => {
    await world.writeWorker({ label: "v1.1.0", health: { production: "unhealthy" } });
    const before = world.writes("production");
    const run = await world.run({}, { ref: "refs/tags/v1.1.0", sha: "b".repeat(40) });
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.exitCode).toBe(1);
    expect(run.outputs["previous-version-id"]).toBe(firstVersion);
    expect(run.outputs["rollback-version-id"]).toBe(firstVersion);
    expect(run.outputs["release-tag"]).toBe("");
    expect(await world.live("production")).toEqual([firstVersion]);
    // Deploy (versions + deployment) then the rollback's deployment: production was written to.
    expect(world.writes("production")).toBeGreaterThan(before);
    expect(run.summary).toMatch(/health \| production \| ❌ failed/);
    expect(run.summary).toMatch(/rollback-health \| production \| ✅ passed/);
    expect(run.stdout).toMatch(/::error::shipline: rolled-back\./);
    // A rolled-back release is not published.
    expect(world.github.state.refs.has("refs/tags/v1.1.0")).toBe(false);
  });

  it("stops a release that is broken on staging before production, with no production write at all", async () => {
    await world.writeWorker({ label: "v1.2.0", health: { staging: "unhealthy" } });
    const before = world.writes("production");
    const run = await world.run({}, { ref: "refs/tags/v1.2.0", sha: "c".repeat(40) });
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.exitCode).toBe(1);
    expect(world.writes("production")).toBe(before);
    expect(await world.live("production")).toEqual([firstVersion]);
    expect(run.summary).toMatch(/smoke \| staging \| ❌ failed/);
    expect(run.stdout).toMatch(/expected status 200-299, got 503/);
  });

  it("reads production back after wrangler exits 1 with the new version already live, and lets the health gate decide", async () => {
    await world.writeWorker({ label: "v1.3.0", health: { production: "unhealthy" } });
    // The deployment goes live, then enabling the workers.dev trigger fails (every retry): exit 1.
    // Every wrangler 4 makes this call after the deployment, whichever API it reads state from.
    world.sandbox.faults.add({ method: "POST", path: "/workers/scripts/sample-worker-production/subdomain", status: 500 });
    const run = await world.run({}, { ref: "refs/tags/v1.3.0", sha: "d".repeat(40) });
    world.sandbox.faults.clear();
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.stdout).toMatch(/reported a failure, but .* is live at 100%/);
    expect(run.outputs["production-version-id"]).not.toBe(firstVersion);
    expect(await world.live("production")).toEqual([firstVersion]);
  });
});
