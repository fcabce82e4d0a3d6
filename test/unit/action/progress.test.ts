import { describe, expect, it } from "vitest";
import { RunProgress, cutOffCommand, trackingRecorder } from "../../../src/action/progress.js";
import type { DeploymentRecorder } from "../../../src/core/ports.js";
import type { RunFacts } from "../../../src/core/run-scope.js";

describe("RunProgress.cutOff (the hard deadline's result)", () => {
  it("is rollback-failed, with the manual command, when production was touched and not read back as restored", () => {
    const progress = new RunProgress();
    progress.observe({
      type: "facts",
      facts: {
        approval: { status: "skipped", approvedBy: [] },
        previousVersionId: "old",
        productionVersionId: "new",
        productionTouched: true,
      },
    });
    progress.observe({ type: "stage-start", stage: "health", label: "Health gate", at: 10 });
    const result = progress.cutOff("release", 0, 20, "wrangler rollback old");
    expect(result.result).toBe("rollback-failed");
    expect(result.manualCommand).toBe("wrangler rollback old");
    expect(result.message).toMatch(/may serve an unproven version \(this run's new\); before this run it served old/);
    expect(result.message).toContain("did not finish before the runner's deadline");
    expect(result.stages.at(-1)).toMatchObject({ stage: "health", status: "cancelled" });
    // Nothing was being restored: the command puts back what served before, production was left as it is.
    expect(result.manualCommandPurpose).toBe("restore-anchor");
  });

  it("says the rollback may not have taken effect, not that production was left as it is, when a restore was cut off", () => {
    const progress = new RunProgress();
    progress.observe({ type: "facts", facts: { approval: { status: "skipped", approvedBy: [] }, productionTouched: true } });
    progress.observe({ type: "stage-start", stage: "rollback", label: "Roll back", at: 1 });
    const result = progress.cutOff("release", 0, 2, "wrangler rollback old");
    expect(result).toMatchObject({
      result: "rollback-failed",
      manualCommand: "wrangler rollback old",
      manualCommandPurpose: "retry-rollback",
    });
  });

  it("names whose deadline it was when told (the CLI has no runner)", () => {
    const progress = new RunProgress();
    progress.observe({ type: "stage-start", stage: "anchor", label: "Record what production serves", at: 1 });
    const result = progress.cutOff("release", 0, 2, undefined, "the CLI's hard deadline (6 s after the signal)");
    expect(result.message).toBe(
      "Cancelled, and the cleanup did not finish before the CLI's hard deadline (6 s after the signal); production was not touched.",
    );
    expect(result.message).not.toContain("runner");
  });

  it("is failed when only a gradual upload ran (no traffic moved) or the restore was read back", () => {
    const upload = new RunProgress();
    upload.observe({ type: "stage-start", stage: "production-deploy", label: "Upload v1.2.0", at: 1 });
    expect(upload.cutOff("release", 0, 2).result).toBe("failed");
    const restored = new RunProgress();
    restored.observe({ type: "facts", facts: { approval: { status: "skipped", approvedBy: [] }, productionTouched: true } });
    restored.observe({ type: "stage-start", stage: "rollback", label: "Roll back", at: 1 });
    restored.observe({ type: "stage-end", stage: "rollback", label: "Roll back", at: 2, status: "passed" });
    restored.observe({ type: "stage-end", stage: "rollback-verify", label: "Read production back", at: 3, status: "passed" });
    const result = restored.cutOff("release", 0, 4, "wrangler rollback old");
    expect(result.result).toBe("failed");
    expect(result.manualCommand).toBeUndefined();
    expect(result.message).toMatch(/restored and read back/);
  });
});

describe("trackingRecorder", () => {
  function inner(failing: Set<string>) {
    const sent: string[] = [];
    const recorder: DeploymentRecorder = {
      start: async (environment) => environment,
      update: async (handle, state, info) => {
        if (failing.has(`${handle}:${state}`)) throw new Error("502");
        sent.push(`${handle}:${state}:${info.environmentUrl ?? ""}`);
      },
    };
    return { recorder, sent };
  }

  it("marks the records still open at the deadline, with their environment's URL", async () => {
    const { recorder, sent } = inner(new Set());
    const tracked = trackingRecorder(recorder);
    await tracked.start("staging", { ref: "a", description: "", production: false });
    await tracked.update("staging", "success", {});
    await tracked.start("production", { ref: "a", description: "", production: true });
    await tracked.update("production", "in_progress", {});
    await tracked.markOpen("cut off", (environment) => `https://${environment}.example`);
    expect(sent).toEqual(["staging:success:", "production:in_progress:", "production:failure:https://production.example"]);
  });

  it("sends a final status again when the first one did not land", async () => {
    const failing = new Set(["production:failure"]);
    const { recorder, sent } = inner(failing);
    const tracked = trackingRecorder(recorder);
    await tracked.start("production", { ref: "a", description: "", production: true });
    await expect(tracked.update("production", "failure", {})).rejects.toThrow("502");
    failing.clear();
    await tracked.markOpen("cut off", () => undefined);
    expect(sent).toEqual(["production:failure:"]);
  });
});

describe("cutOffCommand (what a human runs after a cut-off)", () => {
  const deployer = {
    manualRestoreCommand: (
      _t: { environment: string },
      allocation: ReadonlyArray<{ versionId: string; percentage: number }>,
      message: string,
    ) => `rollback ${allocation.map((a) => `${a.versionId}@${a.percentage}`).join(",")} "${message}"`,
  };
  const facts: RunFacts = {
    approval: { status: "skipped", approvedBy: [] },
    anchor: { allocation: [{ versionId: "bad", percentage: 100 }] },
    productionVersionId: "good",
  };

  it("puts a release's anchor back", () => {
    expect(cutOffCommand("release", facts, deployer, "production", false)).toBe('rollback bad@100 "restore after a cancelled run"');
  });

  it("finishes an emergency rollback to its target, never back to the version rolled away from", () => {
    expect(cutOffCommand("rollback", facts, deployer, "production", false)).toBe(
      'rollback good@100 "emergency rollback, finished by hand"',
    );
    // No target known yet (cut off before the restore began): nothing was changed, nothing to run.
    expect(cutOffCommand("rollback", { approval: facts.approval, anchor: facts.anchor! }, deployer, "production", false)).toBeUndefined();
    // Several Workers: one command cannot cover them.
    expect(cutOffCommand("rollback", facts, deployer, "production", true)).toBeUndefined();
  });
});
