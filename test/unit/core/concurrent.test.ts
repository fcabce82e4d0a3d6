import { describe, expect, it } from "vitest";
import { foreignSince } from "../../../src/core/recovery.js";
import type { PipelineDeps } from "../../../src/core/pipeline.js";
import { runPipeline } from "../../../src/core/pipeline.js";
import type { DeploymentRecorder } from "../../../src/core/ports.js";
import type { PipelineConfig } from "../../../src/core/types.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const URLS = { staging: { url: "https://staging.example.test" }, production: { url: "https://production.example.test" } };

/** A deployer on which someone else deploys `their` to production right before `method` runs. */
function withForeignDeploy(deployer: FakeDeployer, method: "deploy" | "shift", their: { versionId: string; healthy?: boolean }) {
  const original = deployer[method].bind(deployer) as (...args: never[]) => Promise<unknown>;
  let done = false;
  (deployer as unknown as Record<string, unknown>)[method] = async (...args: never[]) => {
    if (!done && ((args as unknown[])[0] as { environment: string }).environment === "production") {
      done = true;
      deployer.seed("production", their.versionId, { healthy: their.healthy ?? true });
    }
    return original(...args);
  };
}

function setup(config: PipelineConfig = testConfig(URLS)) {
  const deployer = new FakeDeployer();
  deployer.seed("production", "prod-old");
  const states: string[] = [];
  const recorder: DeploymentRecorder = {
    start: async (environment) => environment,
    update: async (handle, state, info) => void states.push(`${handle}:${state}:${info.description ?? ""}`),
  };
  const deps: PipelineDeps = { deployer, probe: deployer.probe(), clock: new VirtualClock(), logger: memoryLogger(), recorder };
  return { deployer, deps, config, states };
}

describe("foreignSince", () => {
  const anchor = { deploymentId: "d1", allocation: [{ versionId: "old", percentage: 100 }] };
  const known = (id: string) => id === "new" || id === "old";
  const at = (deploymentId: string, versionId: string) => ({ deploymentId, allocation: [{ versionId, percentage: 100 }] });

  it("finds a deployment of someone else's version made after the anchor, even when ours replaced it", () => {
    expect(foreignSince([at("d3", "new"), at("d2", "theirs"), anchor], anchor, known)).toEqual(at("d2", "theirs"));
  });

  it("ignores our own deployments, re-deploys of the anchor, and anything before the anchor", () => {
    expect(foreignSince([at("d4", "old"), at("d3", "new"), anchor, at("d0", "ancient")], anchor, known)).toBeUndefined();
  });

  it("cannot tell when the anchor's deployment is not in the history", () => {
    expect(foreignSince([at("d3", "new"), at("d2", "theirs")], anchor, known)).toBeUndefined();
    expect(foreignSince([at("d3", "theirs")], { allocation: anchor.allocation }, known)).toBeUndefined();
  });
});

describe("someone else deploys between the rollback anchor and this run's deploy", () => {
  it("does not roll back over their work when this release is unhealthy: stops and reports", async () => {
    const s = setup();
    s.deployer.nextHealthy.set("production", false);
    withForeignDeploy(s.deployer, "deploy", { versionId: "theirs" });
    const result = await runPipeline(s.config, s.deps, new AbortController().signal);
    expect(result.result).toBe("rollback-failed");
    expect(result.message).toMatch(/Someone else deployed theirs@100%.*between the rollback anchor and this run's deploy/);
    expect(result.message).toMatch(/did not roll back over their work/);
    // Production keeps this run's version: no rollback write, and the manual command restores theirs.
    expect(s.deployer.writes("production")).toEqual(["deploy"]);
    expect(result.manualCommand).toContain("theirs");
    expect(result.manualCommand).not.toContain("prod-old");
    expect(s.states.at(-1)).toBe("production:failure:someone else deployed; not rolled back");
  });

  it("does not roll back over their work when cancelled during the health gate either", async () => {
    const s = setup();
    withForeignDeploy(s.deployer, "deploy", { versionId: "theirs" });
    const controller = new AbortController();
    const deps: PipelineDeps = {
      ...s.deps,
      onEvent: (e) => e.type === "measurement" && e.gate === "health" && controller.abort(new Error("SIGINT")),
    };
    const result = await runPipeline(s.config, deps, controller.signal);
    expect(result.result).toBe("rollback-failed");
    expect(result.message).toMatch(/Someone else deployed/);
    expect(s.deployer.writes("production")).toEqual(["deploy"]);
  });

  it("notices it between gradual steps too", async () => {
    const s = setup(testConfig({ ...URLS, production: { ...URLS.production, strategy: "gradual", steps: [10, 50, 100] } }));
    s.deployer.nextHealthy.set("production", false);
    withForeignDeploy(s.deployer, "shift", { versionId: "theirs" });
    const result = await runPipeline(s.config, s.deps, new AbortController().signal);
    expect(result.result).toBe("rollback-failed");
    expect(result.message).toMatch(/Someone else deployed theirs@100%/);
    expect(s.deployer.writes("production")).toEqual(["upload", "shift"]);
  });

  it("still rolls back its own failed deploy that reported no version id (recognised by the release tag)", async () => {
    const s = setup();
    s.deployer.nextHealthy.set("production", false);
    s.deployer.faults.push({ method: "deploy", environment: "production", afterChange: true, hideVersionId: true });
    const result = await runPipeline(s.config, s.deps, new AbortController().signal);
    expect(result.result).toBe("rolled-back");
    expect(s.deployer.live("production")?.allocation[0]?.versionId).toBe("prod-old");
  });

  it("creates the Deployment record before reading the anchor, and marks it when the anchor cannot be read", async () => {
    const s = setup();
    s.deployer.faults.push({ method: "status", environment: "production" });
    const result = await runPipeline(s.config, s.deps, new AbortController().signal);
    expect(result.result).toBe("failed");
    expect(s.deployer.writes("production")).toEqual([]);
    expect(s.states.filter((st) => st.startsWith("production:"))).toEqual([
      "production:in_progress:deploying v1.2.0",
      "production:failure:could not read production; not touched",
    ]);
  });
});
