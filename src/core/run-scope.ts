import type { StepAnalysis } from "./analysis-step.js";
import { errorMessage } from "./errors.js";
import type {
  Approval,
  Clock,
  CommandRunner,
  DeploymentRecorder,
  Deployer,
  HttpProbe,
  Logger,
  Publisher,
  TrafficAnalytics,
} from "./ports.js";
import { RunRecorder, type PipelineEvent } from "./run-state.js";
import type {
  ApprovalRecord,
  LiveState,
  ManualCommandPurpose,
  PipelineConfig,
  PipelineResult,
  ReleaseVersion,
  RunResult,
} from "./types.js";

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
  /** Reads per-version traffic; required when `production.analysis` is set. */
  readonly analytics?: TrafficAnalytics;
  readonly onEvent?: (event: PipelineEvent) => void;
}

/** How long cleanup after a cancellation may take by default: the runner kills the process tree 10 s after SIGINT. */
export const DEFAULT_CLEANUP_BUDGET_MS = 4_500;

/** The cleanup budget of a run. */
export function cleanupBudget(context: RunContext): number {
  return context.cleanupBudgetMs ?? DEFAULT_CLEANUP_BUDGET_MS;
}

/** Facts about the run that are not configuration. */
export interface RunContext {
  readonly runUrl?: string;
  readonly actor?: string;
  /** Base environment of the smoke command (the step's environment). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Base environment of the commands around production (`before-production`, `after-release`):
   * the one wrangler runs with, credentials included. Absent: `env`.
   */
  readonly wranglerEnv?: Readonly<Record<string, string>>;
  /** How long cleanup after a cancellation may take, in ms. The runner kills the process tree 10 s after SIGINT. */
  readonly cleanupBudgetMs?: number;
}

/** How a run ended, before it is turned into a `PipelineResult`. */
export interface Outcome {
  readonly result: RunResult;
  readonly message: string;
  readonly manualCommand?: string;
  readonly manualCommandPurpose?: ManualCommandPurpose;
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
  /** A write that changes what production serves has started (a deploy, a traffic shift). */
  productionTouched?: boolean;
  stagingUrl?: string;
  productionUrl?: string;
  approval: ApprovalRecord;
  /** What production served when the run started (its first read), for the approval request; `null`: nothing yet. */
  productionAtStart?: LiveState | null;
  /** Release tags of version ids the run deals with (rollback targets, what it rolled away from). */
  versionTags?: Record<string, string>;
  /** The traffic analysis of each `gradual` step so far. */
  analyses?: StepAnalysis[];
}

/** Everything one run's stages share: what it was asked, what it may use, what it has found. */
export interface RunScope {
  readonly config: PipelineConfig;
  readonly deps: PipelineDeps;
  readonly context: RunContext;
  readonly signal: AbortSignal;
  readonly rec: RunRecorder;
  /** What the run has found so far: read it here, write it only through `learn`. */
  readonly facts: Readonly<RunFacts>;
  /** Records facts (and reports them as a `facts` event, so an entry point always knows them). */
  learn(facts: Partial<RunFacts>): void;
}

/**
 * Runs one flow (a release, an emergency rollback) in a fresh scope and turns what it
 * collected into the result. An unexpected throw becomes `result: failed` with its message.
 */
export async function runScoped(
  config: PipelineConfig,
  deps: PipelineDeps,
  signal: AbortSignal,
  context: RunContext,
  flow: (scope: RunScope) => Promise<Outcome>,
): Promise<PipelineResult> {
  const rec = new RunRecorder(deps.clock, deps.logger, deps.onEvent);
  const facts: RunFacts = { approval: { status: "skipped", approvedBy: [] } };
  const learn = (found: Partial<RunFacts>) => {
    Object.assign(facts, found);
    deps.onEvent?.({ type: "facts", facts: { ...facts } });
  };
  const scope: RunScope = { config, deps, context, signal, rec, facts, learn };
  const startedAt = deps.clock.now();
  let outcome: Outcome;
  try {
    outcome = await flow(scope);
  } catch (error) {
    outcome = { result: "failed", message: errorMessage(error) };
  }
  return {
    ...scope.facts,
    mode: config.mode,
    result: outcome.result,
    message: outcome.message,
    manualCommand: outcome.manualCommand,
    ...(outcome.manualCommandPurpose ? { manualCommandPurpose: outcome.manualCommandPurpose } : {}),
    ...(signal.aborted ? { cancelled: true } : {}),
    stages: rec.stages,
    gates: rec.gates,
    warnings: rec.warnings,
    startedAt,
    endedAt: deps.clock.now(),
  };
}
