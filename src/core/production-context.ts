import { runGate } from "./gate.js";
import type { DeployTarget } from "./ports.js";
import type { PipelineDeps, RunContext, RunFacts, RunScope } from "./run-scope.js";
import type { RunRecorder } from "./run-state.js";
import type { GateReport, LiveState, PipelineConfig, ReleaseVersion } from "./types.js";

/** Why production needs to be put back. */
export interface RestoreCause {
  readonly why: string;
  /** Cancelled runs restore within the cleanup budget and skip the verification gate. */
  readonly cancelled: boolean;
}

/** What the production half of a run shares between deploying and restoring. */
export class ProductionContext implements RunScope {
  readonly config: PipelineConfig;
  readonly deps: PipelineDeps;
  readonly context: RunContext;
  readonly signal: AbortSignal;
  readonly rec: RunRecorder;
  readonly facts: RunFacts;
  readonly target: DeployTarget;
  anchor: LiveState | null = null;
  /** GitHub Deployment record of this run's production deploy. */
  record: string | undefined;
  /** Version ids this run created on production. */
  readonly ours: string[] = [];

  constructor(
    scope: RunScope,
    readonly release: ReleaseVersion,
  ) {
    ({ config: this.config, deps: this.deps, context: this.context, signal: this.signal, rec: this.rec, facts: this.facts } = scope);
    this.target = { environment: this.config.production.environment };
  }

  /** Marks a version as this run's; the live one becomes `production-version-id`. */
  noteOurs(versionId: string, live = true): void {
    if (!this.ours.includes(versionId)) this.ours.push(versionId);
    if (live) this.facts.productionVersionId = versionId;
  }

  /** Runs the production health gate (or its re-run on a restored version). */
  runHealth(gate: string, baseUrl: string, headers: Record<string, string>, versionId?: string): Promise<GateReport> {
    return runGate({
      gate,
      environment: this.target.environment,
      baseUrl,
      versionId,
      settings: this.config.production.health,
      probe: this.deps.probe,
      clock: this.deps.clock,
      signal: this.signal,
      logger: this.deps.logger,
      headers,
      onMeasurement: (m) => this.rec.measurement(gate, m),
    });
  }

  /** The command a human runs to put the anchor back. */
  manualCommand(): string | undefined {
    if (!this.anchor) return undefined;
    return this.deps.deployer.manualRestoreCommand(this.target, this.anchor.allocation, `restore after ${this.release.tag}`);
  }
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
