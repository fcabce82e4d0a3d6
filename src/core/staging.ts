import { mainVersion, soleVersion } from "./allocation.js";
import { runLoggedGate, watchLoggedGate } from "./gate-log.js";
import { ApprovalInterrupt, type Approval, type DeployOutcome, type DeployTarget } from "./ports.js";
import { describeDeployError, startRecord, updateRecord } from "./records.js";
import type { Outcome, RunScope } from "./run-scope.js";
import type { ApprovalRecord, GateReport, ReleaseVersion } from "./types.js";

/** Staging deploy and smoke gate. Resolves with the outcome that stops the run, if any. */
export async function stagingFlow(s: RunScope, release: ReleaseVersion): Promise<Outcome | undefined> {
  const target: DeployTarget = { environment: s.config.staging.environment };
  const record = await startRecord(s, target.environment, release, false);
  let deployed: DeployOutcome;
  try {
    deployed = await s.rec.stage("staging-deploy", `Deploy ${release.tag} to ${target.environment}`, () =>
      s.deps.deployer.deploy(target, { release, message: `git:${release.sha}` }, s.signal),
    );
  } catch (error) {
    await updateRecord(s, record, "failure", { description: "staging deploy failed" });
    return { result: "failed", message: `Staging deploy failed: ${describeDeployError(error)}` };
  }
  s.learn({ stagingVersionId: deployed.versionId, stagingUrl: s.config.staging.url ?? deployed.url });
  const at = s.facts.stagingUrl ? ` at ${s.facts.stagingUrl}` : "";
  s.deps.logger.info(`${target.environment} serves ${release.tag}: version ${deployed.versionId}${at}.`);
  if (!s.facts.stagingUrl) {
    await updateRecord(s, record, "failure", { description: "no staging URL" });
    return {
      result: "failed",
      message: `wrangler reported no URL for ${target.environment} (no workers.dev route); set staging-url so the smoke gate knows what to probe.`,
    };
  }
  const smoke = await smokeStage(s, release, s.facts.stagingUrl);
  await updateRecord(s, record, smoke ? "failure" : "success", {
    environmentUrl: s.facts.stagingUrl,
    description: smoke ? "smoke gate failed" : `${release.tag} passed the smoke gate`,
  });
  return smoke;
}

/** The smoke command (with the SHIPLINE_* variables), then the smoke checks. */
async function smokeStage(s: RunScope, release: ReleaseVersion, baseUrl: string): Promise<Outcome | undefined> {
  const environment = s.config.staging.environment;
  const verdict = await s.rec.stage("smoke", `Smoke gate on ${environment}`, async () => {
    const failed = await runSmokeCommand(s, release, baseUrl);
    if (failed) return { status: "failed" as const, detail: failed, why: `Smoke gate failed: ${failed}` };
    const report = s.rec.gate(
      await runLoggedGate({
        gate: "smoke",
        environment,
        baseUrl,
        versionId: s.facts.stagingVersionId,
        settings: s.config.staging.smoke,
        probe: s.deps.probe,
        clock: s.deps.clock,
        signal: s.signal,
        logger: s.deps.logger,
        onMeasurement: (m) => s.rec.measurement("smoke", m),
      }),
    );
    if (report.outcome === "passed") return { status: "passed" as const, why: undefined };
    const reason = report.outcome === "cancelled" ? "cancelled" : (report.reason ?? "failed");
    return { status: "failed" as const, detail: reason, why: `Smoke gate failed on ${environment}: ${reason}` };
  });
  if (!verdict.why) return undefined;
  return { result: "failed", message: `${verdict.why.replace(/\.$/, "")}. Production was not touched.` };
}

/** Runs `smoke-command` when there is one; resolves with why it failed, if it did. */
async function runSmokeCommand(s: RunScope, release: ReleaseVersion, baseUrl: string): Promise<string | undefined> {
  const command = s.config.staging.smokeCommand;
  if (!command) return undefined;
  if (!s.deps.commands) throw new Error("smoke-command is set but no command runner was provided");
  s.deps.logger.info(`$ ${command}`);
  const env = {
    ...s.context.env,
    SHIPLINE_URL: baseUrl,
    SHIPLINE_VERSION: release.version,
    SHIPLINE_ENVIRONMENT: s.config.staging.environment,
    SHIPLINE_VERSION_ID: s.facts.stagingVersionId ?? "",
  };
  const ran = await s.deps.commands.run(command, { cwd: s.config.workingDirectory, env, signal: s.signal });
  if (ran.exitCode === 0) return undefined;
  return `smoke-command exited with ${ran.exitCode}: ${ran.output.trimEnd().split("\n").slice(-5).join("\n")}`;
}

/**
 * The approval between staging and production. Resolves with the outcome that stops the run, if
 * any. `liveOnApproval`: production changes at once when approved (see `ApprovalRequest`).
 */
export async function approvalFlow(s: RunScope, release: ReleaseVersion, liveOnApproval = false): Promise<Outcome | undefined> {
  const mode = s.config.approval.mode;
  if (mode === "none" || mode === "environment") {
    if (mode === "environment") {
      s.rec.warn(
        "approval: environment with stages: all does not wait: split the workflow into a staging job and a production job gated by the Environment (stages: staging / stages: production).",
      );
    }
    s.rec.skip("approval", "Approval", mode === "environment" ? "gated by the GitHub Environment of the production job" : "approval: none");
    return undefined;
  }
  const approval = s.deps.approval;
  if (!approval) throw new Error(`approval: ${mode} needs an approval provider`);
  const decision = await s.rec.stage("approval", `Approval (${approval.mode})`, async () => {
    const record = await waitWithStagingWatch(s, release, approval, liveOnApproval);
    s.learn({ approval: record });
    const status = record.status === "approved" ? "passed" : record.status === "cancelled" ? "cancelled" : "failed";
    return { status: status as "passed" | "failed" | "cancelled", detail: record.status, record };
  });
  const record = decision.record;
  if (record.status === "approved") return undefined;
  if (record.status === "cancelled")
    return { result: "failed", message: "The run was cancelled during the approval wait; production was not touched." };
  // The reason already says who decided ("Denied by @alice"): it is the sentence, not a suffix to "Approval denied".
  const why = record.reason ? record.reason.charAt(0).toUpperCase() + record.reason.slice(1) : `Approval ${record.status}`;
  return { result: "rejected", message: `${why}. ${release.tag} was not released; production was not touched.` };
}

/**
 * Waits for the approval while the staging checks keep running; a staging failure during
 * the wait interrupts the approval, which closes its request as denied.
 */
async function waitWithStagingWatch(
  s: RunScope,
  release: ReleaseVersion,
  approval: Approval,
  liveOnApproval: boolean,
): Promise<ApprovalRecord> {
  const interrupt = new AbortController();
  const stopWatch = new AbortController();
  const onCancel = () => interrupt.abort(new ApprovalInterrupt("cancelled", "the run was cancelled"));
  if (s.signal.aborted) onCancel();
  s.signal.addEventListener("abort", onCancel, { once: true });
  const watch = watchStaging(s, stopWatch.signal).then((report) => {
    if (report.outcome === "failed") {
      interrupt.abort(
        new ApprovalInterrupt("staging-failed", `staging failed during the approval wait: ${report.reason ?? "gate failed"}`),
      );
    }
    return report;
  });
  try {
    const smoke = s.rec.gates.find((g) => g.gate === "smoke");
    const production = await productionNow(s);
    const { facts, context } = s;
    return await approval.request(
      {
        release,
        stagingUrl: facts.stagingUrl,
        stagingVersionId: facts.stagingVersionId,
        smoke,
        runUrl: context.runUrl,
        actor: context.actor,
        ...(production ? { production } : {}),
        ...(liveOnApproval ? { liveOnApproval } : {}),
      },
      interrupt.signal,
    );
  } finally {
    s.signal.removeEventListener("abort", onCancel);
    stopWatch.abort();
    const report = await watch;
    if (report.measurements.length > 0) s.rec.gate(report);
  }
}

/**
 * What production served when the run started, with its release tag (one versions read, best
 * effort: the approval request is worth more than the tag, so a failure only leaves it out).
 */
async function productionNow(s: RunScope): Promise<{ versionId: string; tag?: string } | undefined> {
  const versionId = soleVersion(s.facts.productionAtStart?.allocation) ?? mainVersion(s.facts.productionAtStart?.allocation);
  if (!versionId) return undefined;
  try {
    const versions = await s.deps.deployer.versions({ environment: s.config.production.environment }, s.signal);
    const tag = versions.find((v) => v.versionId === versionId)?.tag;
    return tag ? { versionId, tag } : { versionId };
  } catch {
    return { versionId };
  }
}

function watchStaging(s: RunScope, signal: AbortSignal): Promise<GateReport> {
  return watchLoggedGate({
    gate: "staging-watch",
    environment: s.config.staging.environment,
    baseUrl: s.facts.stagingUrl ?? "",
    versionId: s.facts.stagingVersionId,
    settings: s.config.staging.smoke,
    probe: s.deps.probe,
    clock: s.deps.clock,
    signal,
    logger: s.deps.logger,
  });
}
