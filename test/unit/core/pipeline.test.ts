import { describe, expect, it } from "vitest";
import type { PipelineDeps } from "../../../src/core/pipeline.js";
import { runPipeline } from "../../../src/core/pipeline.js";
import type { Approval, ApprovalRequest, DeployRequest, DeployTarget } from "../../../src/core/ports.js";
import { ApprovalInterrupt } from "../../../src/core/ports.js";
import type { ApprovalRecord, PipelineConfig } from "../../../src/core/types.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const URLS = { staging: { url: "https://staging.example.test" }, production: { url: "https://production.example.test" } };

function setup(config: PipelineConfig = testConfig(URLS)) {
  const deployer = new FakeDeployer();
  const clock = new VirtualClock();
  const logger = memoryLogger();
  const deps: PipelineDeps = { deployer, probe: deployer.probe(), clock, logger };
  return { deployer, clock, logger, deps, config };
}

async function run(s: ReturnType<typeof setup>, deps: Partial<PipelineDeps> = {}, signal = new AbortController().signal) {
  return runPipeline(s.config, { ...s.deps, ...deps }, signal);
}

describe("runPipeline: release", () => {
  it("ships a healthy release through every stage in order", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    const result = await run(s);
    expect(result.result).toBe("released");
    expect(result.stages.map((st) => `${st.stage}:${st.status}`)).toEqual([
      "resolve:passed",
      "staging-deploy:passed",
      "smoke:passed",
      "approval:skipped",
      "anchor:passed",
      "production-deploy:passed",
      "health:passed",
    ]);
    expect(result.previousVersionId).toBe("prod-old");
    expect(result.productionVersionId).toBe(s.deployer.live("production")?.allocation[0]?.versionId);
    expect(result.releaseTag).toBe("v1.2.0");
    expect(result.gates.map((g) => `${g.gate}:${g.outcome}:${g.stats.count}`)).toEqual(["smoke:passed:2", "health:passed:3"]);
    expect(result.approval.status).toBe("skipped");
  });

  it("rolls a broken production version back to the anchor, reads it back and proves it healthy", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.nextHealthy.set("production", false);
    const result = await run(s);
    expect(result.result).toBe("rolled-back");
    expect(result.rollbackVersionId).toBe("prod-old");
    expect(s.deployer.live("production")?.allocation).toEqual([{ versionId: "prod-old", percentage: 100 }]);
    const rollback = s.deployer.calls.find((c) => c.method === "restore");
    expect(rollback?.args).toEqual({ allocation: [{ versionId: "prod-old", percentage: 100 }], urgent: false });
    expect(result.gates.map((g) => `${g.gate}:${g.outcome}`)).toEqual(["smoke:passed", "health:failed", "rollback-health:passed"]);
    expect(result.gates[1]?.reason).toMatch(/500/);
    expect(result.message).toMatch(/rolled back to prod-old@100%/);
  });

  it("fails the health gate at the first failed measurement (failure-limit 0), not after count", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.nextHealthy.set("production", false);
    const result = await run(s);
    expect(result.gates[1]?.measurements).toHaveLength(1);
  });

  it("stops a broken staging release before production with no production write at all", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.nextHealthy.set("staging", false);
    const result = await run(s);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/Smoke gate failed on staging/);
    expect(s.deployer.writes("production")).toEqual([]);
  });

  it("reports a staging deploy failure in the tool's words and stops", async () => {
    const s = setup();
    s.deployer.faults.push({ method: "deploy", environment: "staging" });
    const result = await run(s);
    expect(result.result).toBe("failed");
    expect(result.message).toContain("injected fault");
    expect(s.deployer.writes("production")).toEqual([]);
  });

  it("re-reads production when the deploy failed after going live, and rolls back", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.nextHealthy.set("production", false);
    s.deployer.faults.push({ method: "deploy", environment: "production", afterChange: true });
    const result = await run(s);
    expect(result.result).toBe("rolled-back");
    expect(s.deployer.live("production")?.allocation[0]?.versionId).toBe("prod-old");
    expect(s.deployer.writes("production")).toEqual(["deploy", "restore"]);
  });

  it("does not roll back when the failed deploy changed nothing", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.faults.push({ method: "deploy", environment: "production" });
    const result = await run(s);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/still serves prod-old@100%/);
    expect(s.deployer.writes("production")).toEqual(["deploy"]);
  });

  it("reads production at the start: a failure that will not pass stops the run before production", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.faults.push({ method: "deployments", environment: "production", transient: false });
    const result = await run(s);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/Could not read what production serves, so production was not touched: fake deployments failed/);
    expect(s.deployer.writes("production")).toEqual([]);
  });

  it("reads production at the start: a passing failure (a 502) is left to the anchor's read, and the release goes on", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.faults.push({ method: "deployments", environment: "production", transient: true });
    const result = await run(s);
    expect(result.result).toBe("released");
  });

  it("stops before production when the anchor cannot be read", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.faults.push({ method: "status", environment: "production" });
    const result = await run(s);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/production was not touched/);
    expect(s.deployer.writes("production")).toEqual([]);
  });

  it("treats a missing production Worker as a first deploy", async () => {
    const s = setup();
    const result = await run(s);
    expect(result.result).toBe("released");
    expect(result.anchor).toBeNull();
    expect(result.previousVersionId).toBeUndefined();
  });

  it("reports loudly when a first deploy is unhealthy: there is nothing to roll back to", async () => {
    const s = setup();
    s.deployer.nextHealthy.set("production", false);
    const result = await run(s);
    expect(result.result).toBe("rollback-failed");
    expect(result.message).toMatch(/first deploy/);
    expect(s.deployer.writes("production")).toEqual(["deploy"]);
  });

  it("only reports with rollback: off", async () => {
    const s = setup(testConfig({ ...URLS, production: { ...URLS.production, rollback: "off" } }));
    s.deployer.seed("production", "prod-old");
    s.deployer.nextHealthy.set("production", false);
    const result = await run(s);
    expect(result.result).toBe("failed");
    expect(result.manualCommand).toBe("restore production prod-old@100");
    expect(s.deployer.writes("production")).toEqual(["deploy"]);
  });

  it("restores a split anchor exactly, with a traffic shift", async () => {
    const s = setup();
    s.deployer.seed("production", "a");
    s.deployer.seed("production", "b");
    await s.deployer.shift(
      { environment: "production" },
      [
        { versionId: "a", percentage: 30 },
        { versionId: "b", percentage: 70 },
      ],
      "split",
    );
    s.deployer.nextHealthy.set("production", false);
    const result = await run(s);
    expect(result.result).toBe("rolled-back");
    expect(s.deployer.live("production")?.allocation).toEqual([
      { versionId: "a", percentage: 30 },
      { versionId: "b", percentage: 70 },
    ]);
    expect(result.previousVersionId).toBe("b");
  });

  it("does not roll back over someone else's deploy", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.nextHealthy.set("production", false);
    let reads = 0;
    s.deployer.onRead = (env) => {
      if (env === "production" && ++reads === 3) s.deployer.seed("production", "someone-else");
    };
    const result = await run(s);
    expect(result.result).toBe("rollback-failed");
    expect(result.message).toMatch(/Someone else deployed/);
    expect(s.deployer.writes("production")).toEqual(["deploy"]);
  });

  it("reports rollback-failed when the read-back does not show the anchor", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.nextHealthy.set("production", false);
    s.deployer.faults.push({ method: "restore", environment: "production" });
    const result = await run(s);
    expect(result.result).toBe("rollback-failed");
    expect(result.manualCommand).toContain("prod-old");
    expect(result.stages.find((st) => st.stage === "rollback-verify")?.status).toBe("failed");
  });

  it("reports rollback-failed when the restored version is unhealthy too", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old", { healthy: false });
    s.deployer.nextHealthy.set("production", false);
    const result = await run(s);
    expect(result.result).toBe("rollback-failed");
    expect(result.message).toMatch(/restored version failed the health gate/);
  });
});

describe("runPipeline: gradual", () => {
  const gradual = testConfig({ ...URLS, production: { ...URLS.production, strategy: "gradual", steps: [10, 50, 100] } });

  it("shifts traffic step by step with a pinned health gate at each step", async () => {
    const s = setup(gradual);
    s.deployer.seed("production", "prod-old");
    const result = await run(s);
    expect(result.result).toBe("released");
    expect(result.gates.map((g) => g.gate)).toEqual(["smoke", "health@10%", "health@50%", "health"]);
    const shifts = s.deployer.calls.filter((c) => c.method === "shift").map((c) => c.args);
    expect(shifts).toHaveLength(3);
    expect(s.deployer.live("production")?.allocation).toHaveLength(1);
  });

  it("restores the anchor when a step's health gate fails", async () => {
    const s = setup(gradual);
    s.deployer.seed("production", "prod-old");
    s.deployer.nextHealthy.set("production", false);
    const result = await run(s);
    expect(result.result).toBe("rolled-back");
    expect(result.gates.map((g) => `${g.gate}:${g.outcome}`)).toEqual(["smoke:passed", "health@10%:failed", "rollback-health:passed"]);
    expect(s.deployer.live("production")?.allocation).toEqual([{ versionId: "prod-old", percentage: 100 }]);
  });
});

/** An approval whose decision the test scripts; it records the requests and interrupts. */
function scriptedApproval(decide: (signal: AbortSignal) => Promise<ApprovalRecord>): Approval & { requests: ApprovalRequest[] } {
  const requests: ApprovalRequest[] = [];
  return { mode: "scripted", requests, request: (req, signal) => (requests.push(req), decide(signal)) };
}

describe("runPipeline: approval", () => {
  const withApproval = testConfig({ ...URLS, approval: { mode: "issue", approvers: ["alice"] } });

  it("goes on to production when approved, and passes the smoke results to the approvers", async () => {
    const s = setup(withApproval);
    const approval = scriptedApproval(async () => ({ status: "approved", approvedBy: ["alice"] }));
    const result = await run(s, { approval });
    expect(result.result).toBe("released");
    expect(result.approval.approvedBy).toEqual(["alice"]);
    expect(approval.requests[0]?.smoke?.outcome).toBe("passed");
    expect(approval.requests[0]?.stagingVersionId).toBe(result.stagingVersionId);
  });

  it("tells the approvers what production serves now, with its release tag", async () => {
    const s = setup(withApproval);
    s.deployer.seed("production", "prod-old", { tag: "v1.1.0" });
    const approval = scriptedApproval(async () => ({ status: "approved", approvedBy: ["alice"] }));
    await run(s, { approval });
    expect(approval.requests[0]?.production).toEqual({ versionId: "prod-old", tag: "v1.1.0" });
  });

  it("is rejected when denied, with production untouched", async () => {
    const s = setup(withApproval);
    const result = await run(s, { approval: scriptedApproval(async () => ({ status: "denied", approvedBy: [], reason: "bob said no" })) });
    expect(result.result).toBe("rejected");
    expect(s.deployer.writes("production")).toEqual([]);
  });

  it("interrupts the wait when staging fails during it", async () => {
    const s = setup(withApproval);
    const approval = scriptedApproval(
      (signal) =>
        new Promise((resolve) => {
          // Staging breaks once the wait has begun.
          s.deployer.healthy.set(s.deployer.live("staging")?.allocation[0]?.versionId ?? "", false);
          signal.addEventListener("abort", () => {
            const reason = signal.reason as ApprovalInterrupt;
            resolve({ status: reason.kind === "staging-failed" ? "denied" : "cancelled", approvedBy: [], reason: reason.message });
          });
        }),
    );
    const result = await run(s, { approval });
    expect(result.result).toBe("rejected");
    expect(result.approval.reason).toMatch(/staging failed during the approval wait/);
    expect(result.gates.map((g) => `${g.gate}:${g.outcome}`)).toContain("staging-watch:failed");
  });

  it("turns a cancellation during the wait into a cancelled approval", async () => {
    const s = setup(withApproval);
    const controller = new AbortController();
    const approval = scriptedApproval(
      (signal) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => resolve({ status: "cancelled", approvedBy: [] }));
          controller.abort(new Error("SIGINT"));
        }),
    );
    const result = await run(s, { approval }, controller.signal);
    expect(result.result).toBe("failed");
    expect(result.approval.status).toBe("cancelled");
    expect(s.deployer.writes("production")).toEqual([]);
  });
});

describe("runPipeline: stages and cancellation", () => {
  it("stops after staging with stages: staging", async () => {
    const s = setup(testConfig({ ...URLS, stages: "staging" }));
    const result = await run(s);
    expect(result.result).toBe("released");
    expect(s.deployer.writes("production")).toEqual([]);
  });

  it("skips staging with stages: production", async () => {
    const s = setup(testConfig({ ...URLS, stages: "production" }));
    const result = await run(s);
    expect(result.result).toBe("released");
    expect(s.deployer.calls.filter((c) => c.environment === "staging")).toEqual([]);
  });

  it("restores production when cancelled during the health gate", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    const controller = new AbortController();
    const deps: Partial<PipelineDeps> = {
      onEvent: (event) => {
        if (event.type === "measurement" && event.gate === "health") controller.abort(new Error("SIGINT"));
      },
    };
    const result = await run(s, deps, controller.signal);
    expect(result.result).toBe("rolled-back");
    expect(result.message).toMatch(/cancelled during the health gate. Production was restored to prod-old@100% and read back/);
    expect(s.deployer.live("production")?.allocation[0]?.versionId).toBe("prod-old");
  });

  it("fails with a clear error for a version that is not semver, before any deploy", async () => {
    const s = setup(testConfig({ ...URLS, version: { explicit: "v1.2" } }));
    const result = await run(s);
    expect(result.result).toBe("failed");
    expect(result.message).toContain("v1.2");
    expect([...s.deployer.writes("staging"), ...s.deployer.writes("production")]).toEqual([]);
  });
});

describe("runPipeline: partial failures", () => {
  it("recognises its own live version by the release tag when the failed deploy reported no id", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.nextHealthy.set("production", false);
    s.deployer.faults.push({ method: "deploy", environment: "production", afterChange: true, hideVersionId: true });
    const result = await run(s);
    expect(result.result).toBe("rolled-back");
    expect(s.deployer.writes("production")).toEqual(["deploy", "restore"]);
    expect(s.deployer.live("production")?.allocation[0]?.versionId).toBe("prod-old");
  });
});

describe("runPipeline: deploy reported failure but went live", () => {
  it("lets the health gate decide when this release is live at 100% despite the failure", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    s.deployer.faults.push({ method: "deploy", environment: "production", afterChange: true, hideVersionId: true });
    const result = await run(s);
    expect(result.result).toBe("released");
    expect(result.warnings.join("\n")).toMatch(/reported a failure, but .* is live at 100%/);
    expect(s.deployer.writes("production")).toEqual(["deploy"]);
  });
});

describe("runPipeline: checks before production", () => {
  it("runs the permission and tag checks before the staging deploy (issue 11: a refused token deploys nothing)", async () => {
    const s = setup();
    const order: string[] = [];
    const publisher = {
      listTags: async () => [],
      publish: async () => ({ releaseTag: "v1.2.0", actions: [] }),
      prepare: async () => {
        order.push("prepare-start");
        await Promise.resolve();
        order.push("prepare-end");
      },
    };
    const original = s.deployer.deploy.bind(s.deployer);
    s.deployer.deploy = async (target: DeployTarget, request: DeployRequest) => {
      order.push(`deploy-${target.environment}`);
      return original(target, request);
    };
    const result = await run(s, { publisher });
    expect(result.result).toBe("released");
    expect(order.slice(0, 3)).toEqual(["prepare-start", "prepare-end", "deploy-staging"]);
  });

  it("stops before anything is deployed when a check fails", async () => {
    const s = setup();
    s.deployer.seed("production", "prod-old");
    const publisher = {
      listTags: async () => [],
      publish: async () => ({ releaseTag: "v1.2.0", actions: [] }),
      prepare: async () => {
        throw new Error("tag v1.2.0 already exists on commit 9999999, not abc1234");
      },
    };
    const result = await run(s, { publisher });
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/already exists on commit 9999999.*Nothing was deployed: production was not touched/);
    expect(s.deployer.writes("staging")).toEqual([]);
    expect(s.deployer.writes("production")).toEqual([]);
    expect(result.stages.find((st) => st.stage === "preflight")?.status).toBe("failed");
  });
});
