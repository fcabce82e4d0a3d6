/**
 * Real results of every outcome a summary must render: each one is a run of the engine against
 * the fake deployer (no hand-made `PipelineResult`), so the summary tests see what a user sees.
 */
import { runEmergencyRollback } from "../../../src/core/emergency.js";
import type { PipelineDeps } from "../../../src/core/pipeline.js";
import { runPipeline } from "../../../src/core/pipeline.js";
import type { Approval } from "../../../src/core/ports.js";
import type { ApprovalRecord, PipelineConfig, PipelineResult } from "../../../src/core/types.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const URLS = {
  staging: { url: "https://staging.example.test" },
  production: { url: "https://production.example.test" },
};
const withApproval = testConfig({ ...URLS, approval: { mode: "issue", approvers: ["alice"] } });

export const OLD = "aaaaaaaa-1111-4111-8111-000000000001";
export const OLDER = "bbbbbbbb-2222-4222-8222-000000000002";

function setup(config: PipelineConfig = testConfig(URLS)) {
  const deployer = new FakeDeployer();
  const clock = new VirtualClock();
  const logger = memoryLogger();
  const deps: PipelineDeps = { deployer, probe: deployer.probe(), clock, logger };
  return { deployer, clock, logger, deps, config };
}

/** An approval that takes `waitMs` of the virtual clock, then decides. */
function approvalAfter(clock: VirtualClock, waitMs: number, record: ApprovalRecord): Approval {
  return {
    mode: "scripted",
    request: async () => {
      const startedAt = clock.now();
      clock.advance(waitMs);
      return { ...record, link: "https://github.com/acme/worker/issues/7", startedAt, endedAt: clock.now() };
    },
  };
}

export type OutcomeName =
  | "released"
  | "released after a 3-hour approval"
  | "rolled-back"
  | "rollback-failed: rollback did not take effect"
  | "rollback-failed: restored version unhealthy too"
  | "failed at smoke"
  | "rejected"
  | "cancelled"
  | "emergency rollback";

export const OUTCOMES: Record<OutcomeName, () => Promise<PipelineResult>> = {
  released: async () => {
    const s = setup();
    s.deployer.seed("production", OLD, { tag: "v1.1.0" });
    return runPipeline(s.config, s.deps, new AbortController().signal);
  },
  "released after a 3-hour approval": async () => {
    const s = setup(withApproval);
    s.deployer.seed("production", OLD, { tag: "v1.1.0" });
    const approval = approvalAfter(s.clock, 3 * 3_600_000 + 125_000, { status: "approved", approvedBy: ["alice"] });
    return runPipeline(s.config, { ...s.deps, approval }, new AbortController().signal);
  },
  "rolled-back": async () => {
    const s = setup();
    s.deployer.seed("production", OLD, { tag: "v1.1.0" });
    s.deployer.nextHealthy.set("production", false);
    return runPipeline(s.config, s.deps, new AbortController().signal);
  },
  "rollback-failed: rollback did not take effect": async () => {
    const s = setup();
    s.deployer.seed("production", OLD, { tag: "v1.1.0" });
    s.deployer.nextHealthy.set("production", false);
    s.deployer.faults.push({ method: "restore", environment: "production" });
    return runPipeline(s.config, s.deps, new AbortController().signal);
  },
  "rollback-failed: restored version unhealthy too": async () => {
    const s = setup();
    s.deployer.seed("production", OLDER, { tag: "v1.0.0" });
    s.deployer.seed("production", OLD, { tag: "v1.1.0", healthy: false });
    s.deployer.nextHealthy.set("production", false);
    return runPipeline(s.config, s.deps, new AbortController().signal);
  },
  "failed at smoke": async () => {
    const s = setup();
    s.deployer.seed("production", OLD, { tag: "v1.1.0" });
    s.deployer.nextHealthy.set("staging", false);
    return runPipeline(s.config, s.deps, new AbortController().signal);
  },
  rejected: async () => {
    const s = setup(withApproval);
    s.deployer.seed("production", OLD, { tag: "v1.1.0" });
    const approval = approvalAfter(s.clock, 20 * 60_000, { status: "denied", approvedBy: [], reason: "Denied by @alice: not today" });
    return runPipeline(s.config, { ...s.deps, approval }, new AbortController().signal);
  },
  cancelled: async () => {
    const s = setup(withApproval);
    s.deployer.seed("production", OLD, { tag: "v1.1.0" });
    const controller = new AbortController();
    const approval: Approval = {
      mode: "scripted",
      request: (_request, signal) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => resolve({ status: "cancelled", approvedBy: [] }));
          controller.abort(new Error("SIGINT"));
        }),
    };
    return runPipeline(s.config, { ...s.deps, approval }, controller.signal);
  },
  "emergency rollback": async () => {
    const s = setup(testConfig({ mode: "rollback", production: URLS.production, emergency: { reason: "500s after v1.1.0" } }));
    s.deployer.seed("production", OLDER, { tag: "v1.0.0" });
    s.deployer.seed("production", OLD, { tag: "v1.1.0" });
    return runEmergencyRollback(s.config, s.deps, new AbortController().signal);
  },
};
