import { describe, expect, it } from "vitest";
import type { PipelineDeps } from "../../../src/core/pipeline.js";
import { runPipeline } from "../../../src/core/pipeline.js";
import type { DeploymentRecorder } from "../../../src/core/ports.js";
import { ProductionWatch } from "../../../src/core/production-watch.js";
import type { DeployTarget } from "../../../src/core/ports.js";
import type { PipelineEvent } from "../../../src/core/run-state.js";
import type { DeploymentInfo } from "../../../src/core/types.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const URLS = { staging: { url: "https://staging.example.test" }, production: { url: "https://production.example.test" } };

describe("ProductionWatch", () => {
  it("answers with the newest finished reading, never waiting for the one in flight", async () => {
    const clock = new VirtualClock();
    let reads = 0;
    const history = (n: number): DeploymentInfo[] => [{ deploymentId: `d${n}`, allocation: [{ versionId: `v${n}`, percentage: 100 }] }];
    let release: (() => void) | undefined;
    const watch = new ProductionWatch(
      async () => {
        const n = ++reads;
        if (n === 2) await new Promise<void>((r) => (release = r));
        return history(n);
      },
      clock,
      1_000,
    );
    expect(watch.current()).toBeUndefined();
    watch.start();
    await clock.sleep(10);
    expect(watch.current()?.history?.[0]?.deploymentId).toBe("d1");
    await clock.sleep(1_500);
    // The second read is stuck; the answer is still the first, at once.
    expect(reads).toBe(2);
    expect(watch.current()?.history?.[0]?.deploymentId).toBe("d1");
    watch.stop();
    release?.();
  });

  it("keeps the last good reading when a refresh fails", async () => {
    const clock = new VirtualClock();
    let reads = 0;
    const watch = new ProductionWatch(
      async () => {
        if (++reads > 1) throw new Error("502 Bad Gateway");
        return [{ deploymentId: "d1", allocation: [{ versionId: "v1", percentage: 100 }] }];
      },
      clock,
      1_000,
    ).start();
    await clock.sleep(2_500);
    expect(reads).toBeGreaterThan(1);
    expect(watch.current()?.history?.[0]?.deploymentId).toBe("d1");
    watch.stop();
  });
});

describe("acting on a failed health gate", () => {
  function setup() {
    const deployer = new FakeDeployer();
    deployer.seed("production", "prod-old", { message: "git:1111111111111111111111111111111111111111", tag: "v1.1.0" });
    deployer.nextHealthy.set("production", false);
    const starts: Array<{ environment: string; ref: string; description: string }> = [];
    const recorder: DeploymentRecorder = {
      start: async (environment, info) => (starts.push({ environment, ...info }), `${environment}-${starts.length}`),
      update: async () => {},
    };
    const deps: PipelineDeps = { deployer, probe: deployer.probe(), clock: new VirtualClock(), logger: memoryLogger(), recorder };
    return { deployer, deps, starts };
  }

  it("rolls back without reading production first: the decision issues no read before the restore", async () => {
    const s = setup();
    let callsAtDecision = -1;
    const onEvent = (event: PipelineEvent) => {
      if (event.type === "gate-decided" && event.outcome === "failed" && callsAtDecision < 0) callsAtDecision = s.deployer.calls.length;
    };
    const result = await runPipeline(testConfig(URLS), { ...s.deps, onEvent }, new AbortController().signal);
    expect(result.result).toBe("rolled-back");
    const afterDecision = s.deployer.calls.slice(callsAtDecision).map((c) => c.method);
    expect(afterDecision[0]).toBe("restore");
  });

  it("a restore that replaced someone else's deploy made meanwhile puts theirs back and reports it", async () => {
    const s = setup();
    let struck = false;
    const onEvent = (event: PipelineEvent) => {
      // Their deploy lands right after the gate decided, before the restore.
      if (event.type === "gate-decided" && event.outcome === "failed" && !struck) {
        struck = true;
        s.deployer.seed("production", "theirs");
      }
    };
    const result = await runPipeline(testConfig(URLS), { ...s.deps, onEvent }, new AbortController().signal);
    expect(result.result).toBe("rollback-failed");
    expect(result.message).toMatch(/someone else deployed theirs@100% while the restore was starting; their deploy was put back/);
    expect(s.deployer.live("production")?.allocation).toEqual([{ versionId: "theirs", percentage: 100 }]);
  });

  it("records the restored version as active at the commit it was built from", async () => {
    const s = setup();
    await runPipeline(testConfig(URLS), s.deps, new AbortController().signal);
    const restored = s.starts.filter((st) => st.environment === "production").at(-1);
    expect(restored?.ref).toBe("1".repeat(40));
    expect(restored?.description).toContain("v1.1.0");
  });
});
