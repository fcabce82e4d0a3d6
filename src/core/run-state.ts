import type { Clock, Logger } from "./ports.js";
import type { RunFacts } from "./run-scope.js";
import type { GateReport, Measurement, StageName, StageRecord } from "./types.js";

/** Progress events, for the CLI's progress lines and the benchmark. */
export type PipelineEvent =
  | { readonly type: "stage-start"; readonly stage: StageName; readonly label: string; readonly at: number }
  | {
      readonly type: "stage-end";
      readonly stage: StageName;
      readonly label: string;
      readonly at: number;
      readonly status: StageRecord["status"];
      readonly detail?: string;
    }
  | { readonly type: "measurement"; readonly gate: string; readonly measurement: Measurement }
  | { readonly type: "gate-decided"; readonly gate: string; readonly outcome: GateReport["outcome"]; readonly at: number }
  /** What the run has found so far (versions, URLs, the anchor): all of it, each time. */
  | { readonly type: "facts"; readonly facts: Readonly<RunFacts> };

/** Outcome a stage body reports when it did not simply pass. */
export interface StageVerdict {
  readonly status: "passed" | "failed" | "skipped" | "cancelled";
  readonly detail?: string;
}

/**
 * The record of one run as it happens: stages with timings, gate reports and warnings.
 * The engine writes to it; the entry points read the finished lists.
 */
export class RunRecorder {
  readonly stages: StageRecord[] = [];
  readonly gates: GateReport[] = [];
  readonly warnings: string[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onEvent: (event: PipelineEvent) => void = () => {},
  ) {}

  /**
   * Runs one stage in its own log group and records it. A body that returns a verdict
   * (an object with a stage `status`) sets the stage's status; anything else means passed.
   * A throw records the stage as failed and propagates.
   */
  async stage<T>(stage: StageName, label: string, body: () => Promise<T>): Promise<T> {
    const startedAt = this.clock.now();
    this.onEvent({ type: "stage-start", stage, label, at: startedAt });
    let verdict: StageVerdict = { status: "failed" };
    try {
      const result = await this.logger.group(label, body);
      verdict = isVerdict(result) ? result : { status: "passed" };
      return result;
    } catch (error) {
      verdict = { status: "failed", detail: error instanceof Error ? error.message : String(error) };
      throw error;
    } finally {
      const endedAt = this.clock.now();
      this.stages.push({ stage, label, startedAt, endedAt, status: verdict.status, detail: verdict.detail });
      this.onEvent({ type: "stage-end", stage, label, at: endedAt, status: verdict.status, detail: verdict.detail });
    }
  }

  /** Records a stage that ran outside `stage()` (concurrently, without a log group of its own). */
  record(stage: StageName, label: string, status: StageRecord["status"], startedAt: number, detail?: string): void {
    const endedAt = this.clock.now();
    this.stages.push({ stage, label, startedAt, endedAt, status, detail });
    this.onEvent({ type: "stage-end", stage, label, at: endedAt, status, detail });
  }

  /** Records a stage that did not run. */
  skip(stage: StageName, label: string, detail: string): void {
    const at = this.clock.now();
    this.stages.push({ stage, label, startedAt: at, endedAt: at, status: "skipped", detail });
  }

  gate(report: GateReport): GateReport {
    this.gates.push(report);
    this.onEvent({ type: "gate-decided", gate: report.gate, outcome: report.outcome, at: report.endedAt });
    return report;
  }

  measurement(gate: string, measurement: Measurement): void {
    this.onEvent({ type: "measurement", gate, measurement });
  }

  warn(message: string): void {
    this.warnings.push(message);
    this.logger.warn(message);
  }
}

const VERDICT_STATUSES = new Set(["passed", "failed", "skipped", "cancelled"]);

function isVerdict(value: unknown): value is StageVerdict {
  return typeof value === "object" && value !== null && VERDICT_STATUSES.has((value as { status?: unknown }).status as string);
}
