import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../support/e2e-world.js";

const SCRIPT = "sample-worker-production";

/**
 * Canary analysis on real traffic, end to end: the built action, real wrangler, the sandbox's
 * GraphQL Analytics answered from the traffic it served. Users are played by a small traffic
 * generator on `/api/items` (the health path is never in it). Windows are test-sized: 2 s of
 * traffic, analytics 300 ms late, and up to 15 s more of waiting for 80 requests per version:
 * a busy machine serves fewer in 2 s, and 30 was too few to tell 6 errors in 34 from chance.
 */
describe("traffic analysis of gradual steps, end to end", () => {
  let world: World;
  let anchor: string;
  let users: { stop(): Promise<void> };

  beforeAll(async () => {
    world = await createWorld({ analyticsDelayMs: 300 });
    anchor = await world.releaseFirst();
    await mkdir(join(world.workspace, ".github"), { recursive: true });
    await writeFile(
      join(world.workspace, ".github", "shipline.yml"),
      [
        "production:",
        "  analysis:",
        "    window: 2s",
        "    ingestion-delay: 300ms",
        "    min-requests: 80",
        "    max-wait: 15s",
        // Sandbox wall times are milliseconds of a busy CI machine: latency is judged, with room for its noise.
        "    latency-margin: 2s",
        "",
      ].join("\n"),
    );
    users = playUsers(world.sandbox.workerUrl(SCRIPT));
  }, 90_000);
  afterAll(async () => {
    await users?.stop();
    await rm(join(world.workspace, ".github"), { recursive: true, force: true });
    await world.stop();
  });

  // Production only (staging is proven elsewhere): each run is a few wrangler calls shorter.
  const gradual = { strategy: "gradual", "rollout-steps": "50,100", stages: "production" };

  it("catches a version whose health is fine but which fails a fifth of /api/items, at the first step, and rolls back", async () => {
    await world.writeWorker({ label: "v1.1.0", itemsFailShare: 0.2 });
    const run = await world.run(gradual, { ref: "refs/tags/v1.1.0", sha: "2".repeat(40) });
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(await world.live("production")).toEqual([anchor]);
    expect(run.summary).toMatch(/Traffic analysis at 50% failed: more errors than the baseline beyond chance/);
    // The summary shows both versions' figures and the test; the health report has the raw ones.
    expect(run.summary).toMatch(/Traffic analysis/);
    expect(run.summary).toMatch(/one-sided Fisher p = /);
    const report = JSON.parse(await import("node:fs/promises").then((fs) => fs.readFile(run.outputs["health-report"]!, "utf8"))) as {
      analyses: Array<{ outcome: string; candidate: { requests: number; errors: number }; baseline: { requests: number; errors: number } }>;
    };
    const step = report.analyses[0]!;
    expect(step.outcome).toBe("failed");
    expect(step.candidate.errors).toBeGreaterThan(0);
    expect(step.baseline.errors).toBe(0);
    expect(step.baseline.requests).toBeGreaterThanOrEqual(80);
  });

  it("passes a healthy canary under the same traffic, and releases it", async () => {
    await world.writeWorker({ label: "v1.2.0" });
    const run = await world.run(gradual, { ref: "refs/tags/v1.2.0", sha: "3".repeat(40) });
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.summary).toMatch(/not worse beyond chance/);
  });

  it("an analytics outage (GraphQL 503) is no verdict: with no-verdict: fail (the default) the step fails and rolls back", async () => {
    const before = await world.live("production");
    await world.writeWorker({ label: "v1.3.0" });
    world.sandbox.faults.add({ method: "POST", path: "/graphql", status: 503 });
    // The outage outlasts any wait: judged after 2 s more, not the 15 s the traffic tests allow.
    const config = join(world.workspace, ".github", "shipline.yml");
    const text = await readFile(config, "utf8");
    expect(text).toContain("max-wait: 15s");
    await writeFile(config, text.replace("max-wait: 15s", "max-wait: 2s"));
    try {
      const run = await world.run(gradual, { ref: "refs/tags/v1.3.0", sha: "4".repeat(40) });
      expect(run.outputs["result"], run.stdout).toBe("rolled-back");
      expect(run.summary).toMatch(/no verdict after waiting .*the analytics could not be read .*no-verdict is fail/);
      expect(await world.live("production")).toEqual(before);
    } finally {
      world.sandbox.faults.clear();
    }
  });
});

/** Three users, one request after another each, on /api/items, until stopped. */
function playUsers(url: string): { stop(): Promise<void> } {
  let running = true;
  const user = async () => {
    while (running) {
      await fetch(`${url}/api/items`)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const all = Promise.all([user(), user(), user()]);
  return {
    stop: async () => {
      running = false;
      await all;
    },
  };
}
