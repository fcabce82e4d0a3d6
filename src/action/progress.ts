/**
 * What a run has done so far, kept from the engine's events, so that the action can still
 * write its outputs, summary and Deployment statuses when the cleanup after a cancel does not
 * finish before the hard deadline (the engine's own result never arrives then).
 */
import type { Deployer, DeploymentRecorder } from "../core/ports.js";
import type { RunFacts } from "../core/run-scope.js";
import type { PipelineEvent } from "../core/run-state.js";
import type { Mode, PipelineResult, StageRecord } from "../core/types.js";

/**
 * The command a human runs after a cut-off: a release's puts back what production served
 * before the run (its anchor); an emergency rollback's finishes the rollback to its chosen
 * target (the anchor there is the version rolled away from: putting it back would undo the
 * rollback). None before the target is known, and none for several Workers' rollback (one
 * command could not cover them: the message says to check each).
 */
export function cutOffCommand(
  mode: Mode,
  facts: Readonly<RunFacts>,
  deployer: Pick<Deployer, "manualRestoreCommand"> | undefined,
  environment: string,
  severalWorkers: boolean,
): string | undefined {
  if (!deployer) return undefined;
  if (mode === "rollback") {
    const target = facts.productionVersionId;
    if (severalWorkers || !target) return undefined;
    return deployer.manualRestoreCommand({ environment }, [{ versionId: target, percentage: 100 }], "emergency rollback, finished by hand");
  }
  return facts.anchor
    ? deployer.manualRestoreCommand({ environment }, facts.anchor.allocation, "restore after a cancelled run")
    : undefined;
}

export class RunProgress {
  #facts: Readonly<RunFacts> = { approval: { status: "skipped", approvedBy: [] } };
  readonly #stages: StageRecord[] = [];
  #open: { stage: StageRecord["stage"]; label: string; at: number } | undefined;

  /** Feed it every pipeline event. */
  readonly observe = (event: PipelineEvent): void => {
    if (event.type === "facts") this.#facts = event.facts;
    else if (event.type === "stage-start") this.#open = { stage: event.stage, label: event.label, at: event.at };
    else if (event.type === "stage-end") {
      this.#stages.push({
        stage: event.stage,
        label: event.label,
        status: event.status,
        startedAt: this.#open?.at ?? event.at,
        endedAt: event.at,
        ...(event.detail ? { detail: event.detail } : {}),
      });
      this.#open = undefined;
    }
  };

  /** Whether a write that changes what production serves started (the engine says so; an upload alone does not). */
  get productionTouched(): boolean {
    return this.#facts.productionTouched === true || this.#stages.some((s) => s.stage === "rollback") || this.#open?.stage === "rollback";
  }

  /**
   * The result of a run cut off at the hard deadline: `rollback-failed` when production was
   * touched and its restore was not read back, else `failed`. `deadline` names whose deadline
   * it was (the CLI has no runner).
   */
  cutOff(mode: Mode, startedAt: number, now: number, manualCommand?: string, deadline = "the runner's deadline"): PipelineResult {
    const stages = this.#open
      ? [
          ...this.#stages,
          {
            stage: this.#open.stage,
            label: this.#open.label,
            status: "cancelled" as const,
            startedAt: this.#open.at,
            endedAt: now,
            detail: "cut off at the hard deadline",
          },
        ]
      : [...this.#stages];
    const restored = this.#stages.some((s) => s.stage === "rollback-verify" && s.status === "passed");
    const touched = this.productionTouched && !restored;
    const restoring = this.#stages.some((s) => s.stage === "rollback") || this.#open?.stage === "rollback";
    const facts = this.#facts;
    const serving = facts.productionVersionId ? ` (this run's ${facts.productionVersionId})` : "";
    const message = touched
      ? `Cancelled, and the cleanup did not finish before ${deadline}: production may serve an unproven version${serving}; before this run it served ${facts.previousVersionId ?? "nothing"}. Check it and restore by hand.`
      : restored
        ? `Cancelled: production was restored and read back, but the cleanup did not finish before ${deadline}.`
        : `Cancelled, and the cleanup did not finish before ${deadline}; production was not touched.`;
    return {
      ...facts,
      mode,
      result: touched ? "rollback-failed" : "failed",
      message,
      // A restore begun and cut off may still land: the command re-runs it, it does not "leave" production.
      ...(touched && manualCommand
        ? { manualCommand, manualCommandPurpose: restoring ? ("retry-rollback" as const) : ("restore-anchor" as const) }
        : {}),
      cancelled: true,
      stages,
      gates: [],
      warnings: [],
      startedAt,
      endedAt: now,
    };
  }

  get facts(): Readonly<RunFacts> {
    return this.#facts;
  }
}

/**
 * A recorder that remembers which Deployment records are still `in_progress`, so the hard
 * deadline can mark them instead of leaving them running forever on the Environments page.
 */
export function trackingRecorder(
  inner: DeploymentRecorder,
): DeploymentRecorder & { markOpen(description: string, urlOf: (environment: string) => string | undefined): Promise<void> } {
  const open = new Map<string, string>();
  return {
    ...(inner.prepare ? { prepare: (signal: AbortSignal) => inner.prepare!(signal) } : {}),
    async start(environment, info) {
      const handle = await inner.start(environment, info);
      if (handle) open.set(handle, environment);
      return handle;
    },
    async update(handle, state, info) {
      await inner.update(handle, state, info);
      // Only once GitHub has it: a final status that did not land is sent again at the deadline.
      if (state !== "in_progress") open.delete(handle);
    },
    async markOpen(description, urlOf) {
      const pending = [...open.entries()];
      open.clear();
      await Promise.allSettled(
        pending.map(([handle, environment]) => {
          const url = urlOf(environment);
          return inner.update(handle, "failure", { description, ...(url ? { environmentUrl: url } : {}) });
        }),
      );
    },
  };
}
