import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../support/e2e-world.js";
import { NEWEST_WRANGLER_LEG, type ActionRun } from "../support/action-harness.js";

const DISPATCH = { ref: "refs/heads/main", sha: "f".repeat(40), eventName: "workflow_dispatch" };

/** The first `::error::` line of a run, where the action says why it stopped. */
function errorLine(run: ActionRun): string {
  return run.stdout.split("\n").find((line) => line.startsWith("::error::")) ?? "";
}

/**
 * `mode: rollback` end to end with the built action and the real wrangler. One production
 * history for the whole file: v1.0.0 (A), then v1.1.0 (B), then emergency rollbacks.
 */
describe("emergency rollback end to end", () => {
  let world: World;
  let a: string;
  let b: string;

  const rollback = (inputs: Record<string, string>) => world.run({ mode: "rollback", ...inputs }, DISPATCH);
  /** Runs a refusal and checks that production was not written to and still serves `live`. */
  const refused = async (inputs: Record<string, string>, live: string): Promise<ActionRun> => {
    const writes = world.writes("production");
    const records = world.github.state.deployments.length;
    const run = await rollback(inputs);
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.exitCode).toBe(1);
    expect(world.writes("production")).toBe(writes);
    expect(await world.live("production")).toEqual([live]);
    expect(world.github.state.deployments.length).toBe(records);
    return run;
  };

  beforeAll(async () => {
    world = await createWorld();
    const first = await world.run({}, { ref: "refs/tags/v1.0.0", sha: "1".repeat(40) });
    expect(first.outputs["result"], first.stdout).toBe("released");
    a = first.outputs["production-version-id"] ?? "";
    await world.writeWorker({ label: "v1.1.0" });
    const second = await world.run({}, { ref: "refs/tags/v1.1.0", sha: "2".repeat(40) });
    expect(second.outputs["result"], second.stdout).toBe("released");
    b = second.outputs["production-version-id"] ?? "";
    expect(a).not.toBe(b);
  }, 120_000);
  afterAll(async () => {
    await world.stop();
  });

  it("rolls back to the previous stable version by default, exits 0, and says so on GitHub", async () => {
    expect(await world.live("production")).toEqual([b]);
    const records = world.github.state.deployments.length;
    const run = await rollback({ "rollback-reason": "error rate spiking after v1.1.0" });
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.exitCode).toBe(0);
    expect(run.outputs["rollback-version-id"]).toBe(a);
    expect(run.outputs["previous-version-id"]).toBe(b);
    expect(await world.live("production")).toEqual([a]);
    expect(run.stdout).toMatch(/::notice::shipline: rolled-back\./);
    expect(run.summary).toMatch(/rollback-health \| production \| ✅ passed/);

    // wrangler rollback carried the reason as the deployment message.
    const deployment = world.sandbox.script("sample-worker-production")?.deployments[0];
    expect(JSON.stringify(deployment?.annotations)).toContain("error rate spiking after v1.1.0");

    // One new production Deployment record, ending in success and naming the rollback.
    const added = world.github.state.deployments.slice(records);
    expect(added.map((d) => `${d.environment}:${world.github.deploymentState(d.id)}`)).toEqual(["production:success"]);
    expect(added[0]?.statuses.at(-1)?.description).toMatch(/rolled back to/);

    // The Release of the version rolled away from carries a note; the other one does not.
    const from = world.github.state.releases.find((r) => r.tag_name === "v1.1.0");
    expect(from?.body).toMatch(/Rolled back.*error rate spiking after v1\.1\.0/s);
    expect(world.github.state.releases.find((r) => r.tag_name === "v1.0.0")?.body).not.toMatch(/Rolled back/);
  });

  it("refuses a target that production already serves, and changes nothing", async () => {
    const run = await refused({ "rollback-target": a, "rollback-reason": "again" }, a);
    expect(errorLine(run)).toMatch(/Rollback refused, nothing changed/);
    expect(errorLine(run)).toMatch(/already serves/);
    expect(errorLine(run)).toContain(a);
  });

  it("refuses a release tag that maps to the live version, and changes nothing", async () => {
    const run = await refused({ "rollback-target": "v1.0.0", "rollback-reason": "again" }, a);
    expect(errorLine(run)).toMatch(/already serves .*v1\.0\.0/);
  });

  it("refuses an unknown release tag with a clear error naming the input, and changes nothing", async () => {
    const run = await refused({ "rollback-target": "v9.9.9", "rollback-reason": "typo" }, a);
    expect(errorLine(run)).toContain("`rollback-target`");
    expect(errorLine(run)).toContain('"v9.9.9"');
  });

  it("refuses an unknown version id, and changes nothing", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    const run = await refused({ "rollback-target": unknown, "rollback-reason": "typo" }, a);
    expect(errorLine(run)).toContain("`rollback-target`");
    expect(errorLine(run)).toContain(unknown);
    expect(errorLine(run)).toMatch(/no such Worker version/);
  });

  it("refuses to run without a reason, naming the input, before any Cloudflare call", async () => {
    const calls = world.apiCalls();
    const run = await refused({ "rollback-target": b }, a);
    expect(errorLine(run)).toContain("`rollback-reason`");
    expect(world.apiCalls()).toBe(calls);
  });

  it("rolls forward to a Worker version id", async () => {
    const run = await rollback({ "rollback-target": b, "rollback-reason": "v1.1.0 was fine after all" });
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.exitCode).toBe(0);
    expect(run.outputs["rollback-version-id"]).toBe(b);
    expect(run.outputs["previous-version-id"]).toBe(a);
    expect(await world.live("production")).toEqual([b]);
    // Rolled away from v1.0.0 this time: its Release gets the note.
    expect(world.github.state.releases.find((r) => r.tag_name === "v1.0.0")?.body).toMatch(/Rolled back.*v1\.1\.0 was fine after all/s);
  });

  it("rolls back to a release tag, mapped to its Worker version through the tag annotation", async () => {
    const run = await rollback({ "rollback-target": "1.0.0", "rollback-reason": "back to the last known good tag" });
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.exitCode).toBe(0);
    expect(run.outputs["rollback-version-id"]).toBe(a);
    expect(await world.live("production")).toEqual([a]);
    expect(run.stdout).toMatch(/release tag v1\.0\.0/);
    const last = world.github.state.deployments.at(-1);
    expect(last?.statuses.at(-1)?.description).toContain("v1.0.0");
  });

  // Judging the restored version is shipline's logic (its wrangler calls are the ones above): the pinned wrangler's leg proves it.
  it.skipIf(NEWEST_WRANGLER_LEG)("reports rollback-failed, exit 1, when the restored version fails the health gate", async () => {
    // A third release that is healthy now, then an emergency rollback to v1.0.0 whose health
    // endpoint is made to fail by the sandbox: read-back passes, health does not.
    await world.writeWorker({ label: "v1.2.0" });
    const third = await world.run({}, { ref: "refs/tags/v1.2.0", sha: "3".repeat(40) });
    expect(third.outputs["result"], third.stdout).toBe("released");
    const run = await world.run(
      { mode: "rollback", "rollback-target": "v1.0.0", "rollback-reason": "try v1.0.0", "health-path": "/does-not-exist" },
      DISPATCH,
    );
    expect(run.outputs["result"], run.stdout).toBe("rollback-failed");
    expect(run.exitCode).toBe(1);
    expect(await world.live("production")).toEqual([a]);
    expect(world.github.deploymentState(world.github.state.deployments.at(-1)?.id ?? 0)).toBe("failure");
  });
});
