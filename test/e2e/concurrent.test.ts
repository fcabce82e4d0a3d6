import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../support/e2e-world.js";
import { deploySplit } from "../sandbox/direct-api.js";
import { deployTheirs, when } from "../support/e2e-triggers.js";

const SCRIPT = "sample-worker-production";

/**
 * Concurrent deploys end to end: someone else deploys production while a release runs.
 * shipline must not roll back over their work.
 */
describe("someone else deploys during a release, end to end", () => {
  let world: World;
  let anchor: string;

  beforeAll(async () => {
    world = await createWorld();
    anchor = await world.releaseFirst();
  }, 90_000);
  afterAll(async () => {
    await world.stop();
  });

  it("stops and reports, without rolling back, when they deployed between the anchor and our deploy", async () => {
    await world.writeWorker({ label: "v1.1.0", health: { production: "unhealthy" } });
    let theirs = "";
    // The anchor is recorded; our `wrangler deploy` is starting: they deploy now.
    const trigger = when(/::group::Deploy v1\.1\.0 to production/, async () => (theirs = await deployTheirs(world, 200)));
    const run = await world.run({}, { ref: "refs/tags/v1.1.0", sha: "2".repeat(40), onStdout: trigger.onStdout });
    await trigger.done();
    expect(run.outputs["result"], run.stdout).toBe("rollback-failed");
    expect(run.exitCode).toBe(1);
    expect(run.outputs["previous-version-id"]).toBe(anchor);
    const ours = run.outputs["production-version-id"] ?? "";
    const history = world.sandbox.script(SCRIPT)?.deployments.map((d) => d.versions.map((v) => v.versionId).join("+")) ?? [];
    // Newest first: ours replaced theirs, which came after the anchor; no rollback after ours.
    expect(history.slice(0, 3)).toEqual([ours, theirs, anchor]);
    expect(run.stdout).toMatch(
      new RegExp(`::error::shipline: rollback-failed\\..*Someone else deployed ${theirs}@100%.*did not roll back over their work`),
    );
    // The manual command restores what production served right before our deploy: theirs.
    expect(run.summary).toContain(`npx wrangler rollback ${theirs}`);
    expect(world.github.deploymentState(world.github.state.deployments.at(-1)?.id ?? 0)).toBe("failure");
    expect(world.github.state.refs.has("refs/tags/v1.1.0")).toBe(false);
  });

  it("stops and reports when they deploy during our health gate: their version stays live", async () => {
    // Production serves our unhealthy v1.1.0 now: put the anchor back by hand first.
    await world.writeWorker({ label: "v1.2.0" });
    const { envelope } = await deploySplit(world.sandbox, SCRIPT, [[anchor, 100]]);
    expect(envelope.success).toBe(true);
    let theirs = "";
    const trigger = when(/::group::Health gate on production/, async () => (theirs = await deployTheirs(world, 503)), 300);
    const run = await world.run(
      { "health-interval": "2s", "health-count": "3" },
      { ref: "refs/tags/v1.2.0", sha: "3".repeat(40), onStdout: trigger.onStdout },
    );
    await trigger.done();
    expect(run.outputs["result"], run.stdout).toBe("rollback-failed");
    // Seen by the watch before the decision (left as it is), or only by the restore's own
    // read-back (their deploy is put back): either way theirs is what production serves.
    expect(run.stdout).toMatch(/Someone else deployed .* while this run was deploying|someone else deployed .* their deploy was put back/);
    expect(await world.live("production")).toEqual([theirs]);
    expect(world.github.state.refs.has("refs/tags/v1.2.0")).toBe(false);
  });
});
