import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { putRef } from "../support/github-fake/git.js";
import { createWorld, type World } from "../support/e2e-world.js";

/**
 * The run's first `wrangler deploy` starts while the action loads and checks GitHub, its
 * writes held until the run reaches its deploy. Here the GitHub tag check is held until the
 * real wrangler's first read has reached the sandbox, so wrangler is provably running and
 * reading before the run may deploy: its writes must come after the check, or never.
 */
describe("the first deploy, started early with its writes held", () => {
  let world: World;
  const staging = "sample-worker-staging";
  const readsOf = (script: string) => world.sandbox.requests.filter((r) => r.api && r.method === "GET" && r.script === script);

  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => {
    await world.stop();
  });

  /** Holds the run's tag check until wrangler has read the staging Worker; returns when it was let go. */
  function holdTagCheckUntilWranglerReads(): { releasedAt: () => number; readsBefore: () => number; writesWhileHeld: () => number } {
    let releasedAt = 0;
    let readsBefore = 0;
    let writesWhileHeld = -1;
    const earlier = readsOf(staging).length;
    const writesAtStart = world.sandbox.writesTo(staging).length;
    const stop = world.github.onRequest(async (request) => {
      if (request.method !== "GET" || !request.path.includes("/git/ref/tags/")) return;
      stop();
      const until = Date.now() + 45_000;
      while (readsOf(staging).length === earlier && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      // wrangler reads, then writes within a few hundred ms: held this long, a gate that let
      // writes through would have let them reach the sandbox by now.
      await new Promise((r) => setTimeout(r, 2_500));
      readsBefore = readsOf(staging).length;
      writesWhileHeld = world.sandbox.writesTo(staging).length - writesAtStart;
      releasedAt = Date.now();
    });
    return { releasedAt: () => releasedAt, readsBefore: () => readsBefore, writesWhileHeld: () => writesWhileHeld };
  }

  it("lets wrangler's writes through only after the run's checks have passed", async () => {
    const held = holdTagCheckUntilWranglerReads();
    const run = await world.run({}, { ref: "refs/tags/v1.0.0", sha: "a".repeat(40) });
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(held.readsBefore()).toBeGreaterThan(0);
    expect(held.writesWhileHeld()).toBe(0);
    expect(run.stdout).toMatch(/wrangler deploy --env staging .*was started ahead and held; it went on at once/);
    const writes = world.sandbox.writesTo(staging);
    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes) expect(write.at).toBeGreaterThanOrEqual(held.releasedAt());
  });

  it("refuses wrangler's held writes when a check fails: nothing is deployed", async () => {
    putRef(world.github, "refs/tags/v1.1.0", "f".repeat(40));
    const writes = world.sandbox.writesTo(staging).length;
    const production = world.writes("production");
    const reads = readsOf(staging).length;
    const held = holdTagCheckUntilWranglerReads();
    const run = await world.run({}, { ref: "refs/tags/v1.1.0", sha: "b".repeat(40) });
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.stdout).toContain("Tag v1.1.0 already exists on commit");
    // wrangler was running (it read the Worker through the gate) and wrote nothing.
    expect(held.readsBefore()).toBeGreaterThan(reads);
    expect(held.writesWhileHeld()).toBe(0);
    expect(world.sandbox.writesTo(staging).length).toBe(writes);
    expect(world.writes("production")).toBe(production);
  });
});
