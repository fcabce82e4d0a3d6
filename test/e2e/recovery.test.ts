import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploySplit } from "../sandbox/direct-api.js";
import { deployTheirs, when } from "../support/e2e-triggers.js";
import { createWorld, type World } from "../support/e2e-world.js";

const SCRIPT = "sample-worker-production";
const DISPATCH = { ref: "refs/heads/main", sha: "f".repeat(40), eventName: "workflow_dispatch" };

/**
 * The recovery promise end to end, with the built action, the real wrangler and the sandbox:
 * production ends every run proven healthy or restored, and nothing unproven is tagged.
 */
describe("production is never left unproven, end to end", () => {
  let world: World;
  let anchor: string;

  /** Puts `versionId` back at 100% by hand, as an operator would between tests. */
  const reset = async (versionId: string) => {
    const { envelope } = await deploySplit(world.sandbox, SCRIPT, [[versionId, 100]]);
    expect(envelope.success).toBe(true);
  };

  beforeAll(async () => {
    world = await createWorld();
    anchor = await world.releaseFirst();
  }, 90_000);
  afterAll(async () => {
    await world.stop();
  });

  it("does not tag a release whose gate was answered by someone else's (healthy) version", async () => {
    await world.writeWorker({ label: "v1.1.0" });
    let theirs = "";
    const trigger = when(/::group::Health gate on production/, async () => (theirs = await deployTheirs(world, 200)), 200);
    const run = await world.run(
      { "health-interval": "1s", "health-count": "4" },
      { ref: "refs/tags/v1.1.0", sha: "2".repeat(40), onStdout: trigger.onStdout },
    );
    await trigger.done();
    expect(run.outputs["result"], run.stdout).toBe("rollback-failed");
    expect(run.outputs["release-tag"]).toBe("");
    expect(run.stdout).toMatch(/Someone else deployed/);
    expect(await world.live("production")).toEqual([theirs]);
    expect(world.github.state.refs.has("refs/tags/v1.1.0")).toBe(false);
    expect(world.github.state.releases.find((r) => r.tag_name === "v1.1.0")).toBeUndefined();
  });

  it("does not tag, nor roll back over them, when this release is broken and their version answers the gate", async () => {
    await reset(anchor);
    await world.writeWorker({ label: "v1.2.0", health: { production: "unhealthy" } });
    let theirs = "";
    const trigger = when(/::group::Health gate on production/, async () => (theirs = await deployTheirs(world, 200)));
    const run = await world.run(
      { "health-interval": "1s", "health-count": "4" },
      { ref: "refs/tags/v1.2.0", sha: "3".repeat(40), onStdout: trigger.onStdout },
    );
    await trigger.done();
    expect(run.outputs["result"], run.stdout).toBe("rollback-failed");
    expect(await world.live("production")).toEqual([theirs]);
    expect(world.github.state.refs.has("refs/tags/v1.2.0")).toBe(false);
  });

  it("rides out one 502 on the rollback: restored, read back, proven (rolled-back)", async () => {
    await reset(anchor);
    await world.writeWorker({ label: "v1.3.0", health: { production: "unhealthy" } });
    // Armed once the deploy is done, so that the 502 hits the rollback's own POST.
    const trigger = when(/::group::Health gate on production/, () =>
      world.sandbox.faults.add({
        method: "POST",
        path: /\/workers\/scripts\/sample-worker-production\/deployments$/,
        status: 502,
        rawBody: "<html><body>502 Bad Gateway</body></html>",
        times: 1,
      }),
    );
    const records = world.github.state.deployments.length;
    const run = await world.run({}, { ref: "refs/tags/v1.3.0", sha: "4".repeat(40), onStdout: trigger.onStdout });
    await trigger.done();
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(await world.live("production")).toEqual([anchor]);
    expect(world.sandbox.requests.some((r) => r.faulted && r.method === "POST")).toBe(true);
    // The failed release's record says so, with the production URL on every status.
    const failed = world.github.state.deployments
      .slice(records)
      .find((d) => d.environment === "production" && world.github.deploymentState(d.id) === "failure");
    expect(failed?.statuses.at(-1)?.environment_url).toBe(run.outputs["production-url"]);
  });

  it("never picks a version it rolled back from as the emergency rollback's default target", async () => {
    // Production history now: v1.0.0, theirs, ..., v1.3.0 (rolled back from), v1.0.0 again.
    const broken = world.sandbox.script(SCRIPT)?.deployments[1]?.versions[0]?.versionId;
    expect(broken).toBeTruthy();
    const run = await world.run({ mode: "rollback", "rollback-reason": "error rate after the rollback" }, DISPATCH);
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.outputs["rollback-version-id"], run.stdout).not.toBe(broken);
    expect(await world.live("production")).not.toContain(broken);
    expect(run.stdout).not.toMatch(new RegExp(`Run by hand: .*${broken}`));
  });
});
