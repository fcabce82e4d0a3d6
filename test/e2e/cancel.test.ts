import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelWhen, CLEANUP_LIMIT_MS } from "../support/cancel.js";
import { startCpuHogs } from "../support/cpu-hogs.js";
import { alive } from "../support/processes.js";
import { createWorld, type World } from "../support/e2e-world.js";

/**
 * Cancellation end to end: the built action gets SIGINT as a runner sends it, at a chosen
 * moment of the run. One production history for the file: v1.0.0 is live and stays live.
 */
describe("cancellation end to end", () => {
  let world: World;
  let anchor: string;
  let hogs: ReturnType<typeof startCpuHogs>;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    world = await createWorld();
    anchor = await world.releaseFirst();
    // SHIPLINE_CPU_HOGS=2: both cores busy meanwhile, as on a loaded runner.
    hogs = startCpuHogs();
  }, 90_000);
  afterAll(async () => {
    hogs.stop();
    // eslint-disable-next-line no-console
    console.info(`cancellation: SIGINT to exit, ms: ${JSON.stringify(timings)}`);
    await world.stop();
  });

  it("stops wrangler during the staging deploy: its processes end, no production write, exit 1", async () => {
    await world.writeWorker({ label: "v1.1.0" });
    const writes = world.writes("production");
    const cancel = cancelWhen(/\$ wrangler deploy --env staging/, { delayMs: 400 });
    const run = await world.run({}, { ref: "refs/tags/v1.1.0", sha: "2".repeat(40), onStdout: cancel.onStdout });
    timings["staging-deploy"] = Date.now() - cancel.sentAt;
    expect(
      cancel.children.some((c) => /wrangler/.test(c.command)),
      JSON.stringify(cancel.children),
    ).toBe(true);
    expect(run.exitCode).toBe(1);
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.stdout).toContain("SIGINT received: cancelling");
    await sleep(200);
    expect(cancel.children.filter((c) => alive(c.pid))).toEqual([]);
    expect(world.writes("production")).toBe(writes);
    expect(await world.live("production")).toEqual([anchor]);
    expect(world.github.deploymentState(world.github.state.deployments.at(-1)?.id ?? 0)).toBe("failure");
    expect(world.github.state.refs.has("refs/tags/v1.1.0")).toBe(false);
  });

  /** Cancels a run whose smoke command is `command`, and checks every child process ended. */
  async function cancelSmoke(command: string, marker: RegExp) {
    const writes = world.writes("production");
    const cancel = cancelWhen(marker, { delayMs: 300 });
    const run = await world.run({ "smoke-command": command }, { ref: "refs/tags/v1.1.0", sha: "2".repeat(40), onStdout: cancel.onStdout });
    const ms = Date.now() - cancel.sentAt;
    expect(
      cancel.children.some((c) => /sleep 30/.test(c.command)),
      JSON.stringify(cancel.children),
    ).toBe(true);
    expect(run.exitCode).toBe(1);
    expect(run.outputs["result"], run.stdout).toBe("failed");
    // The command line itself is logged (`$ … && echo smoke-finished`): look for the output line.
    expect(run.stdout.split("\n")).not.toContain("smoke-finished");
    await sleep(200);
    expect(cancel.children.filter((c) => alive(c.pid))).toEqual([]);
    expect(world.writes("production")).toBe(writes);
    expect(ms).toBeLessThan(CLEANUP_LIMIT_MS);
    return ms;
  }

  // The smoke command runs in its own process group: a cancel stops the shell and its children.
  it("stops the smoke command and the smoke gate: no production write, exit 1", async () => {
    timings["smoke"] = await cancelSmoke("sleep 30", /\$ sleep 30/);
  });

  it("stops every process of a compound smoke command", async () => {
    timings["smoke, compound"] = await cancelSmoke("echo smoke-started && sleep 30 && echo smoke-finished", /smoke-started/);
  });

  it("closes the approval issue with a 'cancelled' comment during the approval wait", async () => {
    const writes = world.writes("production");
    const issues = world.github.state.issues.length;
    const cancel = cancelWhen(/Waiting for approval until/);
    const run = await world.run(
      { approval: "issue", approvers: "alice" },
      { ref: "refs/tags/v1.1.0", sha: "2".repeat(40), onStdout: cancel.onStdout },
    );
    timings["approval"] = Date.now() - cancel.sentAt;
    expect(run.exitCode).toBe(1);
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.outputs["approval-status"]).toBe("cancelled");
    const issue = world.github.state.issues[issues];
    expect(issue?.state).toBe("closed");
    expect(issue?.comments.at(-1)?.body).toMatch(/cancelled/i);
    expect(world.writes("production")).toBe(writes);
    expect(timings["approval"]).toBeLessThan(CLEANUP_LIMIT_MS);
  });

  it("puts production back on the anchor before exiting when cancelled in the health gate", async () => {
    await world.writeWorker({ label: "v1.2.0" });
    const records = world.github.state.deployments.length;
    const cancel = cancelWhen(/::group::Health gate on production/, { delayMs: 500 });
    const run = await world.run(
      { "health-interval": "2s", "health-count": "5" },
      { ref: "refs/tags/v1.2.0", sha: "3".repeat(40), onStdout: cancel.onStdout },
    );
    const exitedAt = Date.now();
    timings["health"] = exitedAt - cancel.sentAt;
    expect(run.signal).toBeNull();
    expect(run.exitCode).toBe(1);
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.outputs["rollback-version-id"]).toBe(anchor);
    expect(run.outputs["production-version-id"]).not.toBe(anchor);
    // Restored and read back before the exit, and nothing touches production afterwards.
    expect(await world.live("production")).toEqual([anchor]);
    const writes = world.writes("production");
    const lastWrite = world.sandbox.writesTo("sample-worker-production").at(-1)?.at ?? 0;
    expect(lastWrite).toBeLessThan(exitedAt);
    expect(lastWrite).toBeGreaterThan(cancel.sentAt);
    await sleep(1_500);
    expect(world.writes("production")).toBe(writes);
    // Deployment records: staging passed, production marked failure (rolled back).
    const added = world.github.state.deployments.slice(records);
    expect(added.map((d) => `${d.environment}:${world.github.deploymentState(d.id)}`)).toEqual(["staging:success", "production:failure"]);
    expect(added[1]?.statuses.at(-1)?.description).toMatch(/rolled back.*cancelled/);
    expect(world.github.state.refs.has("refs/tags/v1.2.0")).toBe(false);
    expect(timings["health"]).toBeLessThan(CLEANUP_LIMIT_MS);
  });

  it("finishes the cleanup whole when a second SIGINT arrives in the middle of it", async () => {
    await world.writeWorker({ label: "v1.3.0" });
    const records = world.github.state.deployments.length;
    const cancel = cancelWhen(/::group::Health gate on production/, {
      delayMs: 500,
      again: /\$ wrangler rollback|POST \/accounts\/\S+\/deployments/,
    });
    const run = await world.run(
      { "health-interval": "2s", "health-count": "5" },
      { ref: "refs/tags/v1.3.0", sha: "4".repeat(40), onStdout: cancel.onStdout },
    );
    timings["health, second SIGINT"] = Date.now() - cancel.sentAt;
    expect(run.stdout).toContain("SIGINT received again: cleanup is already running");
    expect(run.signal).toBeNull();
    expect(run.exitCode).toBe(1);
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(await world.live("production")).toEqual([anchor]);
    // Every output, the summary and the records were written: nothing was cut in half.
    expect(Object.keys(run.outputs)).toContain("health-report");
    expect(run.summary).toContain("Rolled back");
    const added = world.github.state.deployments.slice(records);
    expect(added.map((d) => world.github.deploymentState(d.id))).toEqual(["success", "failure"]);
    expect(timings["health, second SIGINT"]).toBeLessThan(CLEANUP_LIMIT_MS);
  });
});
