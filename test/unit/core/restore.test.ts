import { describe, expect, it } from "vitest";
import { CleanupDeadline } from "../../../src/core/deadline.js";
import { CancelledError } from "../../../src/core/errors.js";
import type { DeployOutcome, DeployRequest, DeployTarget } from "../../../src/core/ports.js";
import type { PipelineEvent } from "../../../src/core/run-state.js";
import type { PipelineDeps } from "../../../src/core/pipeline.js";
import { runPipeline } from "../../../src/core/pipeline.js";
import { runRestore, type RestoreJob } from "../../../src/core/restore.js";
import { RunRecorder } from "../../../src/core/run-state.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { gate, testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const URLS = { staging: { url: "https://staging.example.test" }, production: { url: "https://production.example.test" } };
const OLD = [{ versionId: "old", percentage: 100 }];

/** Production serves `bad` (unhealthy), the anchor was `old`; a restore job puts `old` back. */
function setup() {
  const deployer = new FakeDeployer();
  const clock = new VirtualClock();
  deployer.seed("production", "old");
  deployer.seed("production", "bad", { healthy: false });
  const logger = memoryLogger();
  const cancel = new AbortController();
  const scope = { deps: { deployer, probe: deployer.probe(), clock, logger }, rec: new RunRecorder(clock, logger), signal: cancel.signal };
  const job: RestoreJob = {
    target: { environment: "production" },
    to: OLD,
    message: "shipline: rolled back bad: test",
    verify: "health",
    baseUrl: "https://production.example.test",
    health: gate(),
    known: (id) => id === "bad" || id === "old",
  };
  return { deployer, clock, cancel, scope, job, logger };
}

describe("the restore executor", () => {
  it("puts the version back, reads it back, and proves it healthy", async () => {
    const s = setup();
    const cleanup = new CleanupDeadline(s.clock, s.cancel.signal, 6_000);
    const result = await runRestore(s.scope, s.job, cleanup);
    expect(result).toMatchObject({ restored: true, attempts: 1 });
    expect(result.gate?.outcome).toBe("passed");
    expect(s.deployer.live("production")?.allocation).toEqual(OLD);
    expect(s.scope.rec.stages.map((st) => `${st.stage}:${st.status}`)).toEqual([
      "rollback:passed",
      "rollback-verify:passed",
      "health:passed",
    ]);
  });

  it("retries a transient failure (one 502) and restores", async () => {
    const s = setup();
    s.deployer.faults.push({ method: "restore", environment: "production", transient: true });
    const result = await runRestore(s.scope, s.job, new CleanupDeadline(s.clock, s.cancel.signal, 6_000));
    expect(result).toMatchObject({ restored: true, attempts: 2 });
    expect(s.deployer.writes("production").filter((w) => w === "restore")).toHaveLength(2);
    expect(s.deployer.live("production")?.allocation).toEqual(OLD);
  });

  it("does not write again when the failed try took effect after all (read before retrying)", async () => {
    const s = setup();
    s.deployer.faults.push({ method: "restore", environment: "production", transient: true, afterChange: true });
    const result = await runRestore(s.scope, s.job, new CleanupDeadline(s.clock, s.cancel.signal, 6_000));
    expect(result).toMatchObject({ restored: true, attempts: 1 });
    expect(s.deployer.writes("production").filter((w) => w === "restore")).toHaveLength(1);
  });

  it("retries a read-back that fails transiently", async () => {
    const s = setup();
    s.deployer.faults.push({ method: "deployments", environment: "production", transient: true, times: 2 });
    const result = await runRestore(s.scope, s.job, new CleanupDeadline(s.clock, s.cancel.signal, 6_000));
    expect(result.restored).toBe(true);
  });

  it("does not retry a failure that will not pass, and reports it", async () => {
    const s = setup();
    s.deployer.faults.push({ method: "restore", environment: "production", transient: false });
    const result = await runRestore(s.scope, s.job, new CleanupDeadline(s.clock, s.cancel.signal, 6_000));
    expect(result).toMatchObject({ restored: false, attempts: 1 });
    expect(result.why).toMatch(/fake restore failed/);
  });

  it("stops retrying, and never restores over it, when someone else's version is live", async () => {
    const s = setup();
    s.deployer.faults.push({ method: "restore", environment: "production", transient: true });
    s.deployer.onRead = () => {
      if (s.deployer.live("production")?.allocation[0]?.versionId === "bad") s.deployer.seed("production", "theirs");
    };
    const result = await runRestore(s.scope, s.job, new CleanupDeadline(s.clock, s.cancel.signal, 6_000));
    expect(result).toMatchObject({ restored: false, someoneElse: true });
    expect(s.deployer.live("production")?.allocation[0]?.versionId).toBe("theirs");
  });

  it("lets a restore in flight finish when the run is cancelled: awaited, never aborted, read back, no health gate", async () => {
    const s = setup();
    const release = s.deployer.hold("restore");
    const cleanup = new CleanupDeadline(s.clock, s.cancel.signal, 6_000);
    const running = runRestore(s.scope, s.job, cleanup);
    await s.clock.sleep(100);
    s.cancel.abort(new Error("SIGINT"));
    await s.clock.sleep(100);
    const [restore] = s.deployer.signals;
    expect(restore?.signal?.aborted).toBe(false);
    release();
    const result = await running;
    expect(result.restored).toBe(true);
    expect(result.gate).toBeUndefined();
    expect(s.deployer.live("production")?.allocation).toEqual(OLD);
  });

  it("uses the urgent path once cancelled, and gives up when the budget is spent (on the injected clock)", async () => {
    const s = setup();
    s.cancel.abort(new Error("SIGINT"));
    s.deployer.faults.push({ method: "restore", environment: "production", transient: true, times: 10 });
    const started = s.clock.now();
    const cleanup = new CleanupDeadline(s.clock, s.cancel.signal, 1_500);
    const result = await runRestore(s.scope, s.job, cleanup);
    expect(result.restored).toBe(false);
    expect(s.clock.now() - started).toBeLessThanOrEqual(1_500);
    const urgent = s.deployer.calls.filter((c) => c.method === "restore").map((c) => (c.args as { urgent: boolean }).urgent);
    expect(urgent.length).toBeGreaterThan(1);
    expect(urgent.every(Boolean)).toBe(true);
  });
});

describe("a release whose health gate fails", () => {
  function release() {
    const deployer = new FakeDeployer();
    deployer.seed("production", "old", { tag: "v1.1.0", message: "git:1111111" });
    deployer.nextHealthy.set("production", false);
    const deps: PipelineDeps = { deployer, probe: deployer.probe(), clock: new VirtualClock(), logger: memoryLogger() };
    return { deployer, deps };
  }

  it("rides out one 502 on the rollback: production is restored and proven (rolled-back)", async () => {
    const s = release();
    s.deployer.faults.push({ method: "restore", environment: "production", transient: true });
    const result = await runPipeline(testConfig(URLS), s.deps, new AbortController().signal);
    expect(result.result).toBe("rolled-back");
    expect(s.deployer.live("production")?.allocation).toEqual(OLD);
  });

  it("names the version it rolled back from in the deployment message", async () => {
    const s = release();
    const result = await runPipeline(testConfig(URLS), s.deps, new AbortController().signal);
    const [restoring] = await s.deployer.deployments({ environment: "production" });
    expect(restoring?.message).toBe(`shipline: rolled back ${result.productionVersionId}: v1.2.0 gate-failed`);
  });

  it("when the restored version is unhealthy too, lists earlier versions and never suggests a known-bad one", async () => {
    const s = release();
    s.deployer.seed("production", "ancient", { tag: "v1.0.0" });
    s.deployer.seed("production", "broken", { healthy: false });
    await s.deployer.restore(
      { environment: "production" },
      [{ versionId: "old", percentage: 100 }],
      "shipline: rolled back broken: v1.1.1 gate-failed",
    );
    s.deployer.healthy.set("old", false);
    const result = await runPipeline(testConfig(URLS), s.deps, new AbortController().signal);
    expect(result.result).toBe("rollback-failed");
    expect(result.message).toMatch(/Earlier versions not known to be bad, newest first: ancient/);
    expect(result.message).not.toMatch(/broken/);
    expect(result.manualCommand).toContain("ancient");
  });
});

describe("the review's cases", () => {
  function release() {
    const deployer = new FakeDeployer();
    deployer.seed("production", "old", { tag: "v1.1.0", message: "git:1111111" });
    const clock = new VirtualClock();
    const published: string[] = [];
    const publisher = {
      listTags: async () => [],
      publish: async () => (published.push("v1.2.0"), { releaseTag: "v1.2.0", actions: [] }),
    };
    const deps: PipelineDeps = { deployer, probe: deployer.probe(), clock, logger: memoryLogger(), publisher };
    return { deployer, deps, clock, published };
  }

  it("a deploy cancelled after it went live but before it reported its id is still ours: restored, never put back", async () => {
    const s = release();
    const controller = new AbortController();
    const deploy = s.deployer.deploy.bind(s.deployer);
    s.deployer.deploy = async (target: DeployTarget, request: DeployRequest): Promise<DeployOutcome> => {
      const outcome = await deploy(target, request);
      if (target.environment !== "production") return outcome;
      controller.abort(new Error("SIGINT"));
      throw new CancelledError("wrangler deploy --env production was cancelled");
    };
    const result = await runPipeline(testConfig(URLS), s.deps, controller.signal);
    expect(result.result, result.message).toBe("rolled-back");
    expect(s.deployer.live("production")?.allocation).toEqual(OLD);
    expect(result.message).not.toMatch(/put back/);
  });

  it("does not tag a release when production went back to the anchor during its gate (a rollback by hand)", async () => {
    const s = release();
    let done = false;
    const onEvent = (event: PipelineEvent) => {
      if (!done && event.type === "measurement" && event.gate === "health") {
        done = true;
        void s.deployer.restore({ environment: "production" }, OLD, "rolled back by hand");
      }
    };
    const result = await runPipeline(testConfig(URLS), { ...s.deps, onEvent }, new AbortController().signal);
    expect(result.result).not.toBe("released");
    expect(result.message).toMatch(/did not judge v1.2.0/);
    expect(s.published).toEqual([]);
  });

  it("a cancel while a slow rollback runs sends the urgent restore at once beside it, and restores", async () => {
    const s = release();
    s.deployer.nextHealthy.set("production", false);
    const controller = new AbortController();
    const restore = s.deployer.restore.bind(s.deployer);
    const urgent: boolean[] = [];
    s.deployer.restore = async (target, allocation, message, signal, options = {}) => {
      urgent.push(options.urgent === true);
      if (options.urgent) return restore(target, allocation, message, signal, options);
      // A wrangler rollback that hangs: it only ends when its signal (the cleanup budget) stops it.
      controller.abort(new Error("SIGINT"));
      await new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));
    };
    const result = await runPipeline(testConfig(URLS), s.deps, controller.signal);
    expect(urgent).toEqual([false, true]);
    expect(result.result, result.message).toBe("rolled-back");
    expect(s.deployer.live("production")?.allocation).toEqual(OLD);
  });
});
