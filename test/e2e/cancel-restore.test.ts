import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRun } from "../support/action-harness.js";
import { cancelWhen, CLEANUP_LIMIT_MS, type Cancel } from "../support/cancel.js";
import { startCpuHogs } from "../support/cpu-hogs.js";
import { when } from "../support/e2e-triggers.js";
import { createWorld, type World } from "../support/e2e-world.js";
import { statOf, watchTree } from "../support/processes.js";

const SCRIPT = "sample-worker-production";
const DEPLOYMENTS = /\/workers\/scripts\/sample-worker-production\/deployments$/;
/** The test's own process group: the action runs in it (the runner does not detach it either). */
const OWN_GROUP = statOf(process.pid)?.pgid ?? -1;

/**
 * Cancellation at every production stage, end to end: the built action gets the runner's
 * SIGINT, and what it did is judged from the sandbox's state after it exited. With
 * `SHIPLINE_CPU_HOGS=2` (CI; `npm run test:cancel-load` runs it ten times) two busy processes
 * load both cores meanwhile, as on a busy runner.
 */
describe("cancellation restores production, end to end", () => {
  let world: World;
  let anchor: string;
  let hogs: ReturnType<typeof startCpuHogs>;
  const timings: Record<string, { exitMs: number; restoreMs?: number }> = {};
  let release = 0;

  beforeAll(async () => {
    world = await createWorld();
    anchor = await world.releaseFirst();
    hogs = startCpuHogs();
  }, 90_000);
  afterAll(async () => {
    hogs.stop();
    console.info(`cancellation (${hogs.count} CPU hogs): SIGINT → restore request and → exit, ms: ${JSON.stringify(timings)}`);
    await world.stop();
  });

  /** Runs the next release (broken in production when asked), cancelled by `cancel`, and checks what every cancel must leave. */
  async function cancelled(
    name: string,
    cancel: Cancel,
    options: { inputs?: Record<string, string>; broken?: boolean; onStdout?: (text: string) => void } = {},
  ) {
    const tag = `v1.${++release}.0`;
    await world.writeWorker({ label: tag, ...(options.broken ? { health: { production: "unhealthy" } } : {}) });
    const records = world.github.state.deployments.length;
    let tree: ReturnType<typeof watchTree> | undefined;
    const run = await world.run(
      { "health-interval": "1s", "health-count": "6", ...options.inputs },
      {
        ref: `refs/tags/${tag}`,
        sha: String(release % 10).repeat(40),
        onStart: (child) => (tree = watchTree(child.pid ?? -1, 20)),
        onStdout: (text, child) => {
          cancel.onStdout(text, child as ChildProcess);
          options.onStdout?.(text);
        },
        timeoutMs: 120_000,
      },
    );
    const exitedAt = Date.now();
    tree?.stop();
    expect(cancel.sentAt, `never cancelled:\n${run.stdout}`).toBeGreaterThan(0);
    const restoreAt = world.sandbox.requests.find((r) => r.method === "POST" && DEPLOYMENTS.test(r.path) && r.at >= cancel.sentAt)?.at;
    timings[name] = { exitMs: exitedAt - cancel.sentAt, ...(restoreAt ? { restoreMs: restoreAt - cancel.sentAt } : {}) };
    await expectCleanExit(run, records, tree);
    expect(exitedAt - cancel.sentAt, run.stdout).toBeLessThan(CLEANUP_LIMIT_MS);
    return { run, tag, exitedAt };
  }

  /** Every cancel: exit 1 by itself, outputs and summary written, no record left running, no child alive, production on the anchor. */
  async function expectCleanExit(run: ActionRun, records: number, tree: ReturnType<typeof watchTree> | undefined) {
    expect(run.signal, run.stdout).toBeNull();
    expect(run.exitCode).toBe(1);
    expect(run.outputs["result"], run.stdout).toBeTruthy();
    expect(run.outputs["health-report"]).toBeTruthy();
    expect(run.summary).toMatch(/## shipline/);
    const states = world.github.state.deployments.slice(records).map((d) => world.github.deploymentState(d.id));
    expect(states, run.stdout).not.toContain("in_progress");
    let left = tree?.survivors([OWN_GROUP]) ?? [];
    for (let i = 0; i < 25 && left.length > 0; i++) {
      await sleep(40);
      left = tree?.survivors([OWN_GROUP]) ?? [];
    }
    expect(left, JSON.stringify(left)).toEqual([]);
    expect(await world.live("production")).toEqual([anchor]);
  }

  /** Nothing writes to production once the action has exited (an orphaned deploy would). */
  async function expectQuietAfter(exitedAt: number) {
    await sleep(1_500);
    const late = world.sandbox.writesTo(SCRIPT).filter((w) => w.at > exitedAt);
    expect(late).toEqual([]);
    expect(await world.live("production")).toEqual([anchor]);
  }

  it("during the production deploy: the deploy is stopped, the anchor restored and read back", async () => {
    const cancel = cancelWhen(/\$ wrangler deploy --env production/, { delayMs: 700 });
    const { run, exitedAt } = await cancelled("production deploy", cancel);
    expect(run.outputs["result"], run.stdout).toMatch(/^(rolled-back|failed)$/);
    expect(run.stdout).toContain("SIGINT received: cancelling");
    await expectQuietAfter(exitedAt);
  });

  it("during the health gate: restored by one direct request, read back, no tag", async () => {
    const cancel = cancelWhen(/::group::Health gate on production/, { delayMs: 300 });
    const { run, tag, exitedAt } = await cancelled("health gate", cancel);
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.outputs["rollback-version-id"]).toBe(anchor);
    expect(run.stdout).not.toMatch(/\$ wrangler rollback/);
    expect(world.github.state.refs.has(`refs/tags/${tag}`)).toBe(false);
    await expectQuietAfter(exitedAt);
  });

  it("during a gradual rollout's 10% gate: the split is undone", async () => {
    const cancel = cancelWhen(/::group::Health gate on production \(health@10(%25|%)\)/, { delayMs: 300 });
    const { run } = await cancelled("gradual 10% gate", cancel, { inputs: { strategy: "gradual", "rollout-steps": "10,100" } });
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
  });

  it("during the automatic rollback: the rollback in flight is awaited, never killed, then read back", async () => {
    // The rollback's own POST is held for 2 s by the API (a slow Cloudflare), and the cancel lands meanwhile.
    const arm = when(/::group::Health gate on production/, () =>
      world.sandbox.faults.add({ method: "POST", path: DEPLOYMENTS, status: 0, delayMs: 2_000, times: 1 }),
    );
    const cancel = cancelWhen(/\$ wrangler rollback/, { delayMs: 1_000 });
    const { run } = await cancelled("automatic rollback", cancel, { broken: true, onStdout: arm.onStdout });
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    // wrangler rollback finished on its own (exit 0), after the SIGINT.
    expect(run.stdout).toMatch(/wrangler rollback [^\n]*: exit 0 in/);
    const held = world.sandbox.requests.filter((r) => r.method === "POST" && DEPLOYMENTS.test(r.path) && r.at < cancel.sentAt).at(-1);
    expect(held?.status).toBe(200);
  });

  it("during the restored version's health gate: production stays restored, the run says health was not proven", async () => {
    const cancel = cancelWhen(/::group::Health gate on the restored production/, { delayMs: 300 });
    const { run } = await cancelled("rollback health gate", cancel, { broken: true });
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.stdout).toMatch(/health gate was cancelled/);
  });

  it("past the hard deadline: outputs, summary and Deployment statuses are still written, nothing outlives the step", async () => {
    // GitHub stops answering the cleanup's first Deployment status for 20 s: the engine cannot finish.
    let sentAt = 0;
    let held = false;
    const unhook = world.github.onRequest(async (request) => {
      if (!held && sentAt > 0 && request.method === "POST" && /\/deployments\/\d+\/statuses$/.test(request.path)) {
        held = true;
        await sleep(20_000);
      }
    });
    const cancel = cancelWhen(/::group::Health gate on production/, { delayMs: 300 });
    const watchSent = setInterval(() => (sentAt = cancel.sentAt), 5);
    try {
      const tag = `v1.${++release}.0`;
      await world.writeWorker({ label: tag });
      const records = world.github.state.deployments.length;
      let tree: ReturnType<typeof watchTree> | undefined;
      const run = await world.run(
        { "health-interval": "1s", "health-count": "6" },
        {
          ref: `refs/tags/${tag}`,
          sha: "9".repeat(40),
          onStart: (child) => (tree = watchTree(child.pid ?? -1, 20)),
          onStdout: (text, child) => cancel.onStdout(text, child as ChildProcess),
        },
      );
      const exitMs = Date.now() - cancel.sentAt;
      tree?.stop();
      timings["hard deadline"] = { exitMs };
      expect(held).toBe(true);
      expect(run.stdout).toMatch(/Cleanup did not finish in time/);
      expect(exitMs).toBeLessThan(10_000);
      expect(run.summary).toMatch(/cleanup did not finish before the runner's deadline/);
      await expectCleanExit(run, records, tree);
    } finally {
      clearInterval(watchSent);
      unhook();
    }
  }, 60_000);
});
