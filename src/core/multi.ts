/**
 * A release of several Workers (config key `workers`, SPEC section 7), orchestrated over the
 * same per-Worker steps a single-Worker release takes: every staging deploy and smoke gate,
 * one approval, every production anchor before the first production write, then each
 * production deploy with its health gate, in order. When one is not proven healthy (a failed
 * gate, a failed deploy, a cancel), it recovers by the recovery rule, and every Worker already
 * deployed is restored after it, in reverse order, by the same restore executor: read back
 * and proven healthy again (read back only, after a cancel).
 */
import { afterProductionFlow, beforeProductionFlow, requiredSecretsFlow } from "./around-production.js";
import { errorMessage } from "./errors.js";
import { checkProductionReadable, prepareApproval, preflightChecks, resolveRelease } from "./pipeline.js";
import type { Clock, DeploymentRecorder, Logger } from "./ports.js";
import { productionSteps, type ProductionRun } from "./production.js";
import { RunRecorder } from "./run-state.js";
import { runScoped, type Outcome, type PipelineDeps, type RunContext, type RunFacts, type RunScope } from "./run-scope.js";
import { approvalFlow, stagingFlow } from "./staging.js";
import type {
  GateReport,
  Measurement,
  PipelineConfig,
  PipelineResult,
  ReleaseVersion,
  RunResult,
  StageName,
  StageRecord,
  WorkerResult,
} from "./types.js";

/** One Worker of the release: its settings and the providers that are its own. */
export interface WorkerUnit {
  readonly name: string;
  readonly config: PipelineConfig;
  /** Its deployer (over its own folder and wrangler config) and, when it has its own, its command runner. */
  readonly deps: Pick<PipelineDeps, "deployer"> & Partial<Pick<PipelineDeps, "commands">>;
  /** How a message names its folder (a manual command runs there); default: the config's. */
  readonly directory?: string;
}

/**
 * Runs one release of several Workers. `workers[0]` is the primary: its facts fill the
 * single-Worker fields of the result; every Worker's are in `result.workers`. `deps` holds
 * what they share (probes, clock, approval, records, tags); each Worker brings its deployer.
 */
export async function runMultiPipeline(
  workers: readonly WorkerUnit[],
  deps: PipelineDeps,
  signal: AbortSignal,
  context: RunContext = {},
): Promise<PipelineResult> {
  return runForWorkers(workers, deps, signal, context, releaseFlow);
}

/**
 * Runs `flow` over several Workers in one run scope: the primary's (`workers[0]`) config and
 * deployer make the scope; each Worker gets a state of its own, reported in `result.workers`.
 */
export async function runForWorkers(
  workers: readonly WorkerUnit[],
  deps: PipelineDeps,
  signal: AbortSignal,
  context: RunContext,
  flow: (top: RunScope, states: readonly WorkerState[]) => Promise<Outcome>,
): Promise<PipelineResult> {
  const first = workers[0];
  if (!first) throw new Error("a run of several Workers needs at least one Worker");
  const states: WorkerState[] = [];
  const result = await runScoped(first.config, { ...deps, deployer: first.deps.deployer }, signal, context, (top) => {
    states.push(...workers.map((unit, index) => workerState(top, unit, index === 0)));
    return flow(top, states);
  });
  return { ...result, workers: states.map(workerResult) };
}

export interface WorkerState {
  readonly unit: WorkerUnit;
  readonly scope: RunScope;
  /** This Worker's own end, once known. */
  outcome?: Outcome;
}

function workerState(top: RunScope, unit: WorkerUnit, primary: boolean): WorkerState {
  const facts: RunFacts = { approval: top.facts.approval };
  const scope: RunScope = {
    config: unit.config,
    deps: {
      ...top.deps,
      deployer: unit.deps.deployer,
      ...(unit.deps.commands ? { commands: unit.deps.commands } : {}),
      ...(top.deps.recorder ? { recorder: namedRecorder(top.deps.recorder, unit.name) } : {}),
    },
    context: top.context,
    signal: top.signal,
    rec: new WorkerRecorder(top.rec, unit.name, top.deps.clock, top.deps.logger),
    facts,
    learn(found) {
      Object.assign(facts, found);
      // The primary's facts are the run's own (the single-Worker outputs, the cancel's last word).
      if (primary) top.learn(found);
    },
  };
  return { unit, scope };
}

async function releaseFlow(top: RunScope, workers: readonly WorkerState[]): Promise<Outcome> {
  const release = await top.rec
    .stage("resolve", "Resolve version", async () => {
      const resolved = await resolveRelease(top);
      for (const w of workers) w.scope.learn({ release: resolved });
      top.learn({ release: resolved });
      top.deps.logger.info(
        `Releasing ${resolved.tag} (${resolved.version}) from ${resolved.source} at ${resolved.sha} to ${workers.length} Workers, in this order: ${names(workers)}`,
      );
      await prepareApproval(top);
      return resolved;
    })
    .catch((error: unknown) => (error instanceof Error ? error : new Error(errorMessage(error))));
  if (release instanceof Error) return { result: "failed", message: release.message };

  for (const w of workers) {
    const stopped = await requiredSecretsFlow(w.scope);
    if (stopped) return stop(w, stopped);
  }
  const reads =
    top.config.stages === "staging"
      ? []
      : workers.map((w) => checkProductionReadable(w.scope).then((stopped) => (stopped ? stop(w, stopped) : undefined)));
  const blocked = (await preflightChecks(top, release)) ?? (await Promise.all(reads)).find((o) => o !== undefined);
  if (blocked) return blocked;

  if (top.config.stages === "production") {
    top.rec.skip("staging-deploy", "Staging", "passed in an earlier job (stages: production)");
  } else {
    for (const w of workers) {
      const stopped = await stagingFlow(w.scope, release);
      if (stopped) return stop(w, stopped);
    }
    if (top.config.stages === "staging") {
      return {
        result: "released",
        message: `${release.tag} passed staging on ${names(workers)}; production runs in a later job with stages: production.`,
      };
    }
    // One approval for the whole release (its staging watch follows the first Worker).
    const approval = await approvalFlow(workers[0]!.scope, release);
    if (approval) return approval;
  }
  for (const w of workers) {
    const stopped = await beforeProductionFlow(w.scope, release);
    if (stopped) return stop(w, stopped);
  }
  const outcome = await productionPhase(top, workers, release);
  for (const w of workers) await afterProductionFlow(w.scope, release, outcome);
  return outcome;
}

/** Anchors, then each Worker's production deploy and health gate in order; a failure restores the ones before it. */
async function productionPhase(top: RunScope, workers: readonly WorkerState[], release: ReleaseVersion): Promise<Outcome> {
  // The first Worker's run tags and releases once every Worker is healthy (see `succeed` below):
  // the reads for it start with the last Worker's gate, not minutes earlier.
  const runs = workers.map((w, index) => productionSteps(w.scope, release, index === workers.length - 1));
  try {
    // Every anchor before the first production write: a restore never waits for a read.
    for (const [index, w] of workers.entries()) {
      const stopped = await runs[index]!.anchor();
      if (stopped) {
        await abandon(workers, runs, 0, index, `${w.unit.name}'s production could not be read`);
        return stop(w, stopped);
      }
    }
    for (const [index, w] of workers.entries()) {
      const unproven = await runs[index]!.deploy();
      if (!unproven) continue;
      w.outcome = await runs[index]!.recover(unproven);
      const why = `the release is withdrawn from every Worker because ${w.unit.name} is not proven healthy (${unproven.why})`;
      // Every Worker already deployed goes back to its anchor, the last deployed first.
      for (let earlier = index - 1; earlier >= 0; earlier--) {
        top.deps.logger.info(`Restoring ${workers[earlier]!.unit.name}: ${why}.`);
        workers[earlier]!.outcome = await runs[earlier]!.withdraw(why);
      }
      await abandon(workers, runs, index + 1, workers.length, `${w.unit.name} failed first`);
      return combine(workers, release);
    }
    // All healthy: each record says so; the tags and the GitHub Release are made once.
    for (const [index, w] of workers.entries()) {
      w.outcome = await runs[index]!.succeed(index === 0);
      if (index === 0) for (const other of workers.slice(1)) other.scope.learn({ releaseTag: w.scope.facts.releaseTag });
    }
    const tagging = workers[0]!.outcome!.message.match(/ Tagging failed: .*$/s)?.[0] ?? "";
    return {
      result: "released",
      message: `${release.tag} is live on ${names(workers)}, and each passed its health gate.${tagging}`,
    };
  } finally {
    for (const run of runs) run.dispose();
  }
}

/** Workers `from`…`to` whose anchor was taken but that were never deployed: their records say why, their outcome too. */
async function abandon(
  workers: readonly WorkerState[],
  runs: readonly ProductionRun[],
  from: number,
  to: number,
  why: string,
): Promise<void> {
  for (let index = from; index < to; index++) {
    await runs[index]!.abandon(`not deployed: ${why}`);
    workers[index]!.outcome = { result: "failed", message: `Not deployed to production: ${why}.` };
  }
}

/** The release's end from each Worker's: any restore that failed is the run's, else any restore, else a stop. */
function combine(workers: readonly WorkerState[], release: ReleaseVersion): Outcome {
  const ends = workers.filter((w) => w.outcome !== undefined);
  const result: RunResult = ends.some((w) => w.outcome!.result === "rollback-failed")
    ? "rollback-failed"
    : ends.some((w) => w.outcome!.result === "rolled-back")
      ? "rolled-back"
      : "failed";
  const touched = ends.some((w) => w.scope.facts.productionTouched);
  const lead =
    result === "failed"
      ? `${release.tag} was not released; ${touched ? "each Worker's production is as said below." : "production was not changed."}`
      : result === "rolled-back"
        ? `${release.tag} was not released; every Worker it deployed was restored, the last deployed first.`
        : `${release.tag} was not released, and not every Worker it deployed is restored: see each Worker below.`;
  return {
    result,
    message: `${lead} ${ends.map((w) => `${w.unit.name}: ${w.outcome!.message}`).join(" ")}`,
    ...manualCommands(ends),
  };
}

/** Each Worker's command to run by hand, in its own folder, one a line; the purpose is the first one's. */
export function manualCommands(workers: readonly WorkerState[]): Pick<Outcome, "manualCommand" | "manualCommandPurpose"> {
  const manual = workers.filter((w) => w.outcome?.manualCommand);
  if (manual.length === 0) return {};
  return {
    manualCommand: manual
      .map((w) => `(cd ${w.unit.directory ?? w.scope.config.workingDirectory} && ${w.outcome!.manualCommand})`)
      .join("\n"),
    ...(manual[0]!.outcome!.manualCommandPurpose ? { manualCommandPurpose: manual[0]!.outcome!.manualCommandPurpose } : {}),
  };
}

/** A Worker's outcome that stops the release before production: said with the Worker's name. */
export function stop(w: WorkerState, outcome: Outcome): Outcome {
  w.outcome = outcome;
  return { ...outcome, message: `${w.unit.name}: ${outcome.message}` };
}

function names(workers: readonly WorkerState[]): string {
  return workers.map((w) => w.unit.name).join(", ");
}

function workerResult(w: WorkerState): WorkerResult {
  const f = w.scope.facts;
  const outcome = w.outcome ?? { result: "failed" as const, message: "Not deployed to production." };
  const entries = {
    name: w.unit.name,
    result: outcome.result,
    message: outcome.message,
    stagingVersionId: f.stagingVersionId,
    productionVersionId: f.productionVersionId,
    previousVersionId: f.previousVersionId,
    rollbackVersionId: f.rollbackVersionId,
    stagingUrl: f.stagingUrl,
    productionUrl: f.productionUrl,
    productionTouched: f.productionTouched,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as unknown as WorkerResult;
}

/**
 * A Worker's view of the run's recorder: its stages, gates and warnings go to the run's, named
 * after the Worker (`api: Deploy v1.2.0 to staging`, gate environment `api/staging`); its own
 * lists keep only its gates (the approval request shows its smoke gate).
 */
class WorkerRecorder extends RunRecorder {
  constructor(
    private readonly run: RunRecorder,
    private readonly worker: string,
    clock: Clock,
    logger: Logger,
  ) {
    super(clock, logger);
  }

  override stage<T>(stage: StageName, label: string, body: () => Promise<T>): Promise<T> {
    return this.run.stage(stage, `${this.worker}: ${label}`, body);
  }

  override record(stage: StageName, label: string, status: StageRecord["status"], startedAt: number, detail?: string): void {
    this.run.record(stage, `${this.worker}: ${label}`, status, startedAt, detail);
  }

  override skip(stage: StageName, label: string, detail: string): void {
    this.run.skip(stage, `${this.worker}: ${label}`, detail);
  }

  override gate(report: GateReport): GateReport {
    this.gates.push(report);
    this.run.gate({ ...report, environment: `${this.worker}/${report.environment}` });
    return report;
  }

  override measurement(gate: string, measurement: Measurement): void {
    this.run.measurement(gate, measurement);
  }

  override warn(message: string): void {
    this.run.warn(`${this.worker}: ${message}`);
  }
}

/** Each Worker's GitHub Deployment records in an environment of its own (`production/api`), so one never marks another's inactive. */
function namedRecorder(recorder: DeploymentRecorder, worker: string): DeploymentRecorder {
  return {
    start: (environment, info) => recorder.start(`${environment}/${worker}`, info),
    update: (handle, state, info) => recorder.update(handle, state, info),
  };
}
