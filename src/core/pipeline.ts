import { ConfigError, DeployError, errorMessage } from "./errors.js";
import { runGate, watchGate } from "./gate.js";
import { ApprovalInterrupt } from "./ports.js";
import type {
  Approval,
  Clock,
  CommandRunner,
  DeploymentRecorder,
  Deployer,
  DeployOutcome,
  DeployTarget,
  HttpProbe,
  Logger,
  Publisher,
} from "./ports.js";
import { ProductionRun } from "./production.js";
import { RunRecorder, type PipelineEvent } from "./run-state.js";
import type {
  ApprovalRecord,
  GateReport,
  GateSettings,
  PipelineConfig,
  PipelineResult,
  ReleaseVersion,
  RunResult,
} from "./types.js";
import { resolveVersion } from "./version.js";

/** Every side effect the engine uses, passed in. */
export interface PipelineDeps {
  readonly deployer: Deployer;
  readonly probe: HttpProbe;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Required for `approval: issue` / `prompt`. */
  readonly approval?: Approval;
  readonly recorder?: DeploymentRecorder;
  readonly publisher?: Publisher;
  /** Runs `smoke-command`; required when one is configured. */
  readonly commands?: CommandRunner;
  readonly onEvent?: (event: PipelineEvent) => void;
}

/** Facts about the run that are not configuration. */
export interface RunContext {
  readonly runUrl?: string;
  readonly actor?: string;
  /** Base environment of the smoke command (the step's environment). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long cleanup after a cancellation may take, in ms. The runner kills the process tree 10 s after SIGINT. */
  readonly cleanupBudgetMs?: number;
}

/** How a run ended, before it is turned into a `PipelineResult`. */
export interface Outcome {
  readonly result: RunResult;
  readonly message: string;
  readonly manualCommand?: string;
}

/** Mutable facts a run collects on the way; copied into the result at the end. */
export interface RunFacts {
  release?: ReleaseVersion;
  releaseTag?: string;
  stagingVersionId?: string;
  productionVersionId?: string;
  previousVersionId?: string;
  anchor?: PipelineResult["anchor"];
  rollbackVersionId?: string;
  stagingUrl?: string;
  productionUrl?: string;
  approval: ApprovalRecord;
}

/**
 * Runs one release (or the `stages` part of it): resolve → staging → smoke → approval →
 * anchor → production → health → tags, or rollback when production gets worse.
 * Never throws for an expected failure: the result says what happened.
 */
export async function runPipeline(
  config: PipelineConfig,
  deps: PipelineDeps,
  signal: AbortSignal,
  context: RunContext = {},
): Promise<PipelineResult> {
  const rec = new RunRecorder(deps.clock, deps.logger, deps.onEvent);
  const facts: RunFacts = { approval: { status: "skipped", approvedBy: [] } };
  const startedAt = deps.clock.now();
  let outcome: Outcome;
  try {
    outcome = await releaseFlow(config, deps, context, signal, rec, facts);
  } catch (error) {
    outcome = { result: "failed", message: errorMessage(error) };
  }
  return buildResult(config, rec, facts, outcome, startedAt, deps.clock.now());
}

/** Turns what a run collected into its result. */
export function buildResult(
  config: PipelineConfig,
  rec: RunRecorder,
  facts: RunFacts,
  outcome: Outcome,
  startedAt: number,
  endedAt: number,
): PipelineResult {
  return {
    ...facts,
    mode: config.mode,
    result: outcome.result,
    message: outcome.message,
    manualCommand: outcome.manualCommand,
    stages: rec.stages,
    gates: rec.gates,
    warnings: rec.warnings,
    startedAt,
    endedAt,
  };
}

async function releaseFlow(
  config: PipelineConfig,
  deps: PipelineDeps,
  context: RunContext,
  signal: AbortSignal,
  rec: RunRecorder,
  facts: RunFacts,
): Promise<Outcome> {
  const release = await rec.stage("resolve", "Resolve version", async () => {
    facts.release = await resolveRelease(config, deps, signal);
    deps.logger.info(`Releasing ${facts.release.tag} (${facts.release.version}) from ${facts.release.source} at ${facts.release.sha}`);
    await prepareApproval(config, deps, signal);
    return facts.release;
  }).catch((error: unknown) => {
    if (error instanceof ConfigError || error instanceof Error) return error;
    throw error;
  });
  if (release instanceof Error) return { result: "failed", message: release.message };
  // Permissions and tag conflicts only have to be known before production: checking them
  // beside the staging deploy keeps GitHub round-trips from delaying the first deploy.
  const preflight = preflightChecks(config, deps, signal, rec, release);

  if (config.stages !== "production") {
    const staging = await stagingFlow(config, deps, context, signal, rec, facts, release);
    const blocked = await preflight;
    if (blocked) return blocked;
    if (staging) return staging;
    if (config.stages === "staging") {
      return {
        result: "released",
        message: `${release.tag} passed staging; production runs in a later job with stages: production.`,
      };
    }
    const approval = await approvalFlow(config, deps, context, signal, rec, facts, release);
    if (approval) return approval;
  } else {
    rec.skip("staging-deploy", "Staging", "passed in an earlier job (stages: production)");
    const blocked = await preflight;
    if (blocked) return blocked;
  }
  return new ProductionRun(config, deps, context, signal, rec, facts, release).run();
}

async function resolveRelease(config: PipelineConfig, deps: PipelineDeps, signal: AbortSignal): Promise<ReleaseVersion> {
  const { explicit, ref, bump, tagPrefix, sha } = config.version;
  const needsTags = !explicit && !(ref?.startsWith("refs/tags/")) && bump !== undefined;
  const existingTags = needsTags && deps.publisher ? await deps.publisher.listTags(signal) : undefined;
  return resolveVersion({ explicit, ref, bump, tagPrefix, sha, existingTags });
}

/** Checks that the approval can work (e.g. its teams can be read), before anything is deployed. */
async function prepareApproval(config: PipelineConfig, deps: PipelineDeps, signal: AbortSignal): Promise<void> {
  const needsApproval = config.stages === "all" && (config.approval.mode === "issue" || config.approval.mode === "prompt");
  if (!needsApproval) return;
  if (!deps.approval) throw new ConfigError("approval", `approval: ${config.approval.mode} needs an approval provider.`);
  await deps.approval.prepare?.(signal);
}

/**
 * What must hold before production is touched: Deployment records can be written, and the
 * release's tags are free or already right. Resolves with the outcome that stops the run.
 */
async function preflightChecks(config: PipelineConfig, deps: PipelineDeps, signal: AbortSignal, rec: RunRecorder, release: ReleaseVersion): Promise<Outcome | undefined> {
  const startedAt = deps.clock.now();
  try {
    await deps.recorder?.prepare?.(signal);
    if (config.stages !== "staging") await deps.publisher?.prepare?.(signal, release);
    return undefined;
  } catch (error) {
    const detail = errorMessage(error);
    rec.record("preflight", "Check permissions and tags", "failed", startedAt, detail);
    const staged = config.stages === "production" ? "" : " Staging may have been deployed;";
    return { result: "failed", message: `${detail}${staged} production was not touched.` };
  }
}

async function stagingFlow(
  config: PipelineConfig,
  deps: PipelineDeps,
  context: RunContext,
  signal: AbortSignal,
  rec: RunRecorder,
  facts: RunFacts,
  release: ReleaseVersion,
): Promise<Outcome | undefined> {
  const target: DeployTarget = { environment: config.staging.environment };
  const record = await startRecord(deps, rec, target.environment, release, false);
  let deployed: DeployOutcome;
  try {
    deployed = await rec.stage("staging-deploy", `Deploy ${release.tag} to ${target.environment}`, () =>
      deps.deployer.deploy(target, { release, message: `git:${release.sha}` }, signal),
    );
  } catch (error) {
    await updateRecord(deps, record, "failure", { description: "staging deploy failed" });
    return { result: "failed", message: `Staging deploy failed: ${describeDeployError(error)}` };
  }
  facts.stagingVersionId = deployed.versionId;
  facts.stagingUrl = config.staging.url ?? deployed.url;
  if (!facts.stagingUrl) {
    await updateRecord(deps, record, "failure", { description: "no staging URL" });
    return {
      result: "failed",
      message: `wrangler reported no URL for ${target.environment} (no workers.dev route); set staging-url so the smoke gate knows what to probe.`,
    };
  }
  const smoke = await smokeStage(config, deps, context, signal, rec, facts, release);
  await updateRecord(deps, record, smoke ? "failure" : "success", {
    environmentUrl: facts.stagingUrl,
    description: smoke ? "smoke gate failed" : `${release.tag} passed the smoke gate`,
  });
  return smoke;
}

async function smokeStage(
  config: PipelineConfig,
  deps: PipelineDeps,
  context: RunContext,
  signal: AbortSignal,
  rec: RunRecorder,
  facts: RunFacts,
  release: ReleaseVersion,
): Promise<Outcome | undefined> {
  const baseUrl = facts.stagingUrl ?? "";
  const environment = config.staging.environment;
  return rec.stage("smoke", `Smoke gate on ${environment}`, async () => {
    const command = config.staging.smokeCommand;
    if (command) {
      if (!deps.commands) throw new Error("smoke-command is set but no command runner was provided");
      deps.logger.info(`$ ${command}`);
      const env = {
        ...context.env,
        SHIPLINE_URL: baseUrl,
        SHIPLINE_VERSION: release.version,
        SHIPLINE_ENVIRONMENT: environment,
        SHIPLINE_VERSION_ID: facts.stagingVersionId ?? "",
      };
      const ran = await deps.commands.run(command, { cwd: config.workingDirectory, env, signal });
      if (ran.exitCode !== 0) {
        const message = `smoke-command exited with ${ran.exitCode}: ${lastLines(ran.output, 5)}`;
        return { ...fail(message), outcome: { result: "failed", message: `Smoke gate failed: ${message}` } as Outcome };
      }
    }
    const report = rec.gate(
      await runGate({
        gate: "smoke",
        environment,
        baseUrl,
        versionId: facts.stagingVersionId,
        settings: config.staging.smoke,
        probe: deps.probe,
        clock: deps.clock,
        signal,
        logger: deps.logger,
        onMeasurement: (m) => rec.measurement("smoke", m),
      }),
    );
    if (report.outcome === "passed") return { status: "passed" as const, outcome: undefined };
    const why = report.outcome === "cancelled" ? "cancelled" : (report.reason ?? "failed");
    return { ...fail(why), outcome: { result: "failed", message: `Smoke gate failed on ${environment}: ${why}` } as Outcome };
  }).then((verdict) => verdict.outcome);
}

async function approvalFlow(
  config: PipelineConfig,
  deps: PipelineDeps,
  context: RunContext,
  signal: AbortSignal,
  rec: RunRecorder,
  facts: RunFacts,
  release: ReleaseVersion,
): Promise<Outcome | undefined> {
  const mode = config.approval.mode;
  if (mode === "none" || mode === "environment") {
    const detail =
      mode === "environment"
        ? "gated by the GitHub Environment of the production job"
        : "approval: none";
    if (mode === "environment") {
      rec.warn("approval: environment with stages: all does not wait: split the workflow into a staging job and a production job gated by the Environment (stages: staging / stages: production).");
    }
    rec.skip("approval", "Approval", detail);
    return undefined;
  }
  const approval = deps.approval;
  if (!approval) throw new Error(`approval: ${mode} needs an approval provider`);
  const decision = await rec.stage("approval", `Approval (${approval.mode})`, async () => {
    const record = await waitWithStagingWatch(config, deps, context, signal, rec, facts, release, approval);
    facts.approval = record;
    return { status: record.status === "approved" ? ("passed" as const) : ("failed" as const), detail: record.status, record };
  });
  const record = decision.record;
  if (record.status === "approved") return undefined;
  if (record.status === "cancelled") return { result: "failed", message: "The run was cancelled during the approval wait." };
  const why = record.reason ? `: ${record.reason}` : "";
  return { result: "rejected", message: `Approval ${record.status}${why}` };
}

/**
 * Waits for the approval while the staging checks keep running; a staging failure during
 * the wait interrupts the approval, which closes its request as denied.
 */
async function waitWithStagingWatch(
  config: PipelineConfig,
  deps: PipelineDeps,
  context: RunContext,
  signal: AbortSignal,
  rec: RunRecorder,
  facts: RunFacts,
  release: ReleaseVersion,
  approval: Approval,
): Promise<ApprovalRecord> {
  const interrupt = new AbortController();
  const stopWatch = new AbortController();
  const onCancel = () => interrupt.abort(new ApprovalInterrupt("cancelled", "the run was cancelled"));
  if (signal.aborted) onCancel();
  signal.addEventListener("abort", onCancel, { once: true });
  const watch = watchStaging(config, deps, facts, stopWatch.signal).then((report) => {
    if (report.outcome === "failed") {
      interrupt.abort(new ApprovalInterrupt("staging-failed", `staging failed during the approval wait: ${report.reason ?? "gate failed"}`));
    }
    return report;
  });
  try {
    const smoke = rec.gates.find((g) => g.gate === "smoke");
    return await approval.request(
      { release, stagingUrl: facts.stagingUrl, stagingVersionId: facts.stagingVersionId, smoke, runUrl: context.runUrl, actor: context.actor },
      interrupt.signal,
    );
  } finally {
    signal.removeEventListener("abort", onCancel);
    stopWatch.abort();
    const report = await watch;
    if (report.measurements.length > 0) rec.gate(report);
  }
}

function watchStaging(config: PipelineConfig, deps: PipelineDeps, facts: RunFacts, signal: AbortSignal): Promise<GateReport> {
  const settings: GateSettings = config.staging.smoke;
  return watchGate({
    gate: "staging-watch",
    environment: config.staging.environment,
    baseUrl: facts.stagingUrl ?? "",
    versionId: facts.stagingVersionId,
    settings,
    probe: deps.probe,
    clock: deps.clock,
    signal,
    logger: deps.logger,
  });
}

/** Starts a GitHub Deployment record; a failure is a warning, never a stop. */
export async function startRecord(
  deps: PipelineDeps,
  rec: RunRecorder,
  environment: string,
  release: ReleaseVersion,
  production: boolean,
): Promise<string | undefined> {
  if (!deps.recorder) return undefined;
  try {
    const handle = await deps.recorder.start(environment, {
      ref: release.sha,
      description: `shipline ${release.tag}`,
      production,
    });
    if (handle) await deps.recorder.update(handle, "in_progress", { description: `deploying ${release.tag}` });
    return handle;
  } catch (error) {
    rec.warn(`Could not record the ${environment} deployment on GitHub: ${errorMessage(error)}`);
    return undefined;
  }
}

/** Updates a GitHub Deployment record; a failure is logged, never thrown. */
export async function updateRecord(
  deps: PipelineDeps,
  handle: string | undefined,
  state: "in_progress" | "success" | "failure" | "inactive",
  info: { environmentUrl?: string; description?: string },
): Promise<void> {
  if (!deps.recorder || !handle) return;
  try {
    await deps.recorder.update(handle, state, info);
  } catch (error) {
    deps.logger.warn(`Could not update a GitHub Deployment record: ${errorMessage(error)}`);
  }
}

/** A deployer failure in the tool's own words. */
export function describeDeployError(error: unknown): string {
  if (error instanceof DeployError) {
    const detail = error.detail ? `\n${error.detail}` : "";
    return `${error.message} (${error.command}, exit ${error.exitCode ?? "?"})${detail}`;
  }
  return errorMessage(error);
}

function fail(detail: string) {
  return { status: "failed" as const, detail };
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}
