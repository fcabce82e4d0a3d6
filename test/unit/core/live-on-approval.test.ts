import { describe, expect, it } from "vitest";
import { afterWait, uploadsDuringApproval, type WaitUpload } from "../../../src/core/live-on-approval.js";
import type { PipelineDeps } from "../../../src/core/pipeline.js";
import { runPipeline } from "../../../src/core/pipeline.js";
import type { Approval, ApprovalRequest, Deployer, DeployRequest, DeployTarget, UploadOutcome } from "../../../src/core/ports.js";
import type { ApprovalRecord } from "../../../src/core/types.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const URLS = { staging: { url: "https://staging.example.test" }, production: { url: "https://production.example.test" } };
const GRADUAL = testConfig({
  ...URLS,
  production: { ...URLS.production, strategy: "gradual", steps: [10, 100] },
  approval: { mode: "issue", approvers: ["alice"] },
});

/** A fake deployer whose production upload can be held until the test lets it go (or the signal ends it). */
class HeldUploadDeployer extends FakeDeployer {
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  /** Held production uploads begun (a held one that is stopped never reaches the platform's records). */
  uploadsStarted = 0;
  /** Set once a held upload has finished or given up after its signal aborted (its process would have exited). */
  uploadSettled = false;

  holdUpload(): () => void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
    return () => this.#open?.();
  }

  override async upload(target: DeployTarget, request: DeployRequest, signal?: AbortSignal): Promise<UploadOutcome> {
    const gate = this.#gate;
    if (gate && target.environment === "production") {
      this.uploadsStarted++;
      try {
        await new Promise<void>((resolve, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
          void gate.then(resolve);
        });
      } finally {
        this.uploadSettled = true;
      }
    }
    return super.upload(target, request);
  }
}

function setup() {
  const deployer = new HeldUploadDeployer();
  deployer.seed("production", "prod-old");
  const clock = new VirtualClock();
  const logger = memoryLogger();
  const deps: PipelineDeps = { deployer, probe: deployer.probe(), clock, logger };
  return { deployer, clock, logger, deps };
}

/** An approval that decides when the test says so, noting which deployer calls had happened by then. */
function scriptedApproval(
  deployer: FakeDeployer,
  decide: (signal: AbortSignal) => Promise<ApprovalRecord>,
): Approval & { requests: ApprovalRequest[]; callsAtDecision: string[] } {
  const requests: ApprovalRequest[] = [];
  const approval = {
    mode: "scripted",
    requests,
    callsAtDecision: [] as string[],
    async request(req: ApprovalRequest, signal: AbortSignal) {
      requests.push(req);
      const record = await decide(signal);
      approval.callsAtDecision = productionCalls(deployer);
      return record;
    },
  };
  return approval;
}

const productionCalls = (deployer: FakeDeployer) =>
  deployer.calls.filter((c) => c.environment === "production" && c.method !== "versions").map((c) => c.method);

/** Lets the engine's pending promises (the upload beside the wait) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("afterWait: what happens to the upload made during the approval wait", () => {
  const uploaded: WaitUpload = { state: "uploaded", versionId: "v-new" };
  const failed: WaitUpload = { state: "failed", why: "HTTP 502" };
  const failedWithId: WaitUpload = { state: "failed", why: "exit 1", versionId: "v-half" };
  const inFlight: WaitUpload = { state: "in-flight" };
  it.each([
    [true, uploaded, { kind: "shift", versionId: "v-new" }],
    [true, failed, { kind: "upload-again", why: "HTTP 502" }],
    [true, inFlight, { kind: "await-upload" }],
    [false, uploaded, { kind: "unused", versionId: "v-new" }],
    [false, failedWithId, { kind: "unused", versionId: "v-half" }],
    [false, failed, { kind: "nothing" }],
    [false, inFlight, { kind: "stop-upload" }],
  ])("approved %s, upload %j → %j", (approved, upload, expected) => {
    expect(afterWait(approved, upload)).toEqual(expected);
  });

  it("applies to gradual with a waiting approval in a run that has both stages only", () => {
    expect(uploadsDuringApproval(GRADUAL)).toBe(true);
    expect(uploadsDuringApproval({ ...GRADUAL, production: { ...GRADUAL.production, strategy: "direct" } })).toBe(false);
    expect(uploadsDuringApproval({ ...GRADUAL, approval: { ...GRADUAL.approval, mode: "none" } })).toBe(false);
    expect(uploadsDuringApproval({ ...GRADUAL, approval: { ...GRADUAL.approval, mode: "environment" } })).toBe(false);
    expect(uploadsDuringApproval({ ...GRADUAL, approval: { ...GRADUAL.approval, mode: "prompt" } })).toBe(true);
    expect(uploadsDuringApproval({ ...GRADUAL, stages: "production" })).toBe(false);
  });
});

describe("runPipeline: gradual with an approval uploads during the wait", () => {
  it("uploads while the approval waits, reads the anchor only after the approval, then goes live with one shift", async () => {
    const s = setup();
    const approval = scriptedApproval(s.deployer, async () => {
      await settle();
      return { status: "approved", approvedBy: ["alice"] };
    });
    const result = await runPipeline(GRADUAL, { ...s.deps, approval }, new AbortController().signal);
    expect(result.result, result.message).toBe("released");
    expect(approval.requests[0]?.liveOnApproval).toBe(true);
    // During the wait: the upload, and nothing that moves production; the start-of-run read came before.
    expect(approval.callsAtDecision.filter((m) => m !== "deployments")).toEqual(["upload"]);
    // After it: the anchor (fresh), then the first traffic shift; no second upload.
    const after = productionCalls(s.deployer).slice(approval.callsAtDecision.length);
    expect(after.slice(0, 2)).toEqual(["status", "shift"]);
    expect(s.deployer.writes("production")).toEqual(["upload", "shift", "shift"]);
    const uploadedId = s.deployer.calls.find((c) => c.method === "shift")?.args as Array<{ versionId: string }>;
    expect(uploadedId[0]?.versionId).toBe(result.productionVersionId);
    expect(s.deployer.live("production")?.allocation).toEqual([{ versionId: result.productionVersionId, percentage: 100 }]);
    expect(result.anchor?.allocation).toEqual([{ versionId: "prod-old", percentage: 100 }]);
    expect(result.stages.filter((st) => st.stage === "production-deploy").map((st) => st.label)).toEqual([
      "Upload v1.2.0 to production during the approval wait",
      `Route ${result.productionVersionId}@10% + prod-old@90%`,
      `Route ${result.productionVersionId}@100%`,
    ]);
  });

  it("tells the deployer, once the upload is done, which first shift the approval will let through: the one that follows", async () => {
    const s = setup();
    const anticipated: Array<{ environment: string; allocation: unknown; message: string }> = [];
    const deployer: Deployer = s.deployer;
    deployer.anticipateShift = async (target, allocation, message) => {
      // A hint only: by then the approval is still awaited and nothing moved production.
      expect(s.deployer.writes("production")).toEqual(["upload"]);
      anticipated.push({ environment: target.environment, allocation, message });
    };
    const approval = scriptedApproval(s.deployer, async () => {
      await settle();
      return { status: "approved", approvedBy: ["alice"] };
    });
    const result = await runPipeline(GRADUAL, { ...s.deps, approval }, new AbortController().signal);
    expect(result.result, result.message).toBe("released");
    const firstShift = s.deployer.calls.find((c) => c.method === "shift");
    expect(anticipated).toEqual([{ environment: "production", allocation: firstShift?.args, message: "shipline v1.2.0 at 10%" }]);
    expect(anticipated[0]?.allocation).toEqual([
      { versionId: result.productionVersionId, percentage: 10 },
      { versionId: "prod-old", percentage: 90 },
    ]);
  });

  it("waits, before the run ends, for the approval to finish closing its request after the production deploy", async () => {
    const s = setup();
    let callsWhenClosing: string[] = [];
    let closed = false;
    const approval = {
      ...scriptedApproval(s.deployer, async () => ({ status: "approved", approvedBy: ["alice"] })),
      async settled() {
        callsWhenClosing = productionCalls(s.deployer);
        await settle();
        closed = true;
      },
    };
    const result = await runPipeline(GRADUAL, { ...s.deps, approval }, new AbortController().signal);
    expect(result.result, result.message).toBe("released");
    expect(callsWhenClosing).toContain("shift");
    expect(closed).toBe(true);
  });

  it("does not ask for the faster poll when nothing is uploaded during the wait (direct)", async () => {
    const s = setup();
    const approval = scriptedApproval(s.deployer, async () => ({ status: "approved", approvedBy: ["alice"] }));
    const direct = { ...GRADUAL, production: { ...GRADUAL.production, strategy: "direct" as const } };
    const result = await runPipeline(direct, { ...s.deps, approval }, new AbortController().signal);
    expect(result.result, result.message).toBe("released");
    expect(approval.requests[0]?.liveOnApproval).toBeUndefined();
    expect(s.deployer.writes("production")).toEqual(["deploy"]);
  });

  it("a denial leaves the uploaded version unused, production untouched, and says so", async () => {
    const s = setup();
    const approval = scriptedApproval(s.deployer, async () => {
      await settle();
      return { status: "denied", approvedBy: [], reason: "Denied by @bob" };
    });
    const result = await runPipeline(GRADUAL, { ...s.deps, approval }, new AbortController().signal);
    expect(result.result).toBe("rejected");
    expect(s.deployer.writes("production")).toEqual(["upload"]);
    expect(s.deployer.live("production")?.allocation).toEqual([{ versionId: "prod-old", percentage: 100 }]);
    expect(result.productionTouched).toBeFalsy();
    expect(result.message).toMatch(
      /^Denied by @bob\. v1\.2\.0 was not released; production was not touched\. Version \S+, uploaded to production during the wait, was never deployed: it serves no traffic and stays unused\.$/,
    );
  });

  it("a timeout with the upload still running stops the upload and waits for it to end", async () => {
    const s = setup();
    s.deployer.holdUpload();
    const approval = scriptedApproval(s.deployer, async () => ({ status: "timed-out", approvedBy: [], reason: "No decision" }));
    const result = await runPipeline(GRADUAL, { ...s.deps, approval }, new AbortController().signal);
    expect(result.result).toBe("rejected");
    expect(s.deployer.uploadsStarted).toBe(1);
    expect(s.deployer.uploadSettled).toBe(true);
    expect(s.deployer.writes("production")).toEqual([]);
    expect(result.message).toMatch(/The upload to production begun during the wait was stopped before it finished; it serves no traffic\./);
    expect(result.stages.find((st) => st.label.includes("during the approval wait"))?.status).toBe("cancelled");
  });

  it("approved while the upload still runs: waits for that upload and shifts to it, without uploading again", async () => {
    const s = setup();
    const release = s.deployer.holdUpload();
    const approval = scriptedApproval(s.deployer, async () => {
      setTimeout(release, 5);
      return { status: "approved", approvedBy: ["alice"] };
    });
    const result = await runPipeline(GRADUAL, { ...s.deps, approval }, new AbortController().signal);
    expect(result.result, result.message).toBe("released");
    expect(s.deployer.writes("production")).toEqual(["upload", "shift", "shift"]);
  });

  it("approved, then cancelled while the upload is finishing: the upload ends, nothing is written to production", async () => {
    const s = setup();
    s.deployer.holdUpload();
    const controller = new AbortController();
    const approval = scriptedApproval(s.deployer, async () => {
      setTimeout(() => controller.abort(new Error("SIGINT")), 5);
      return { status: "approved", approvedBy: ["alice"] };
    });
    const result = await runPipeline(GRADUAL, { ...s.deps, approval }, controller.signal);
    expect(result.result).toBe("failed");
    expect(s.deployer.uploadSettled).toBe(true);
    expect(s.deployer.writes("production")).toEqual([]);
    expect(s.deployer.live("production")?.allocation).toEqual([{ versionId: "prod-old", percentage: 100 }]);
    expect(result.warnings.join("\n")).not.toMatch(/tried once more/);
  });

  it("an upload that failed during the wait is tried once more after the approval (and production changes only then)", async () => {
    const s = setup();
    s.deployer.faults.push({ method: "upload", environment: "production" });
    const approval = scriptedApproval(s.deployer, async () => {
      await settle();
      return { status: "approved", approvedBy: ["alice"] };
    });
    const result = await runPipeline(GRADUAL, { ...s.deps, approval }, new AbortController().signal);
    expect(result.result, result.message).toBe("released");
    expect(s.deployer.writes("production")).toEqual(["upload", "upload", "shift", "shift"]);
    expect(result.warnings.join("\n")).toMatch(/The upload during the approval wait failed \(fake upload failed\); it is tried once more/);
  });

  it("a cancel during the wait with the upload in flight ends the upload before the run returns; production untouched", async () => {
    const s = setup();
    s.deployer.holdUpload();
    const controller = new AbortController();
    const approval = scriptedApproval(
      s.deployer,
      (signal) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => resolve({ status: "cancelled", approvedBy: [] }));
          setTimeout(() => controller.abort(new Error("SIGINT")), 5);
        }),
    );
    const result = await runPipeline(GRADUAL, { ...s.deps, approval }, controller.signal);
    expect(result.result).toBe("failed");
    expect(result.approval.status).toBe("cancelled");
    expect(s.deployer.uploadsStarted).toBe(1);
    expect(s.deployer.uploadSettled).toBe(true);
    expect(s.deployer.writes("production")).toEqual([]);
    expect(s.deployer.live("production")?.allocation).toEqual([{ versionId: "prod-old", percentage: 100 }]);
    expect(result.message).toMatch(/cancelled during the approval wait; production was not touched/);
  });
});
