import { describeAllocation, foreignSince, isForeign, mainVersion, sameAllocation, soleVersion } from "./allocation.js";
import { DeployError, errorMessage, isAbort } from "./errors.js";
import { runGate } from "./gate.js";
import type { Outcome, PipelineDeps, RunContext, RunFacts } from "./pipeline.js";
import { describeDeployError, startRecord, updateRecord } from "./pipeline.js";
import type { DeployTarget } from "./ports.js";
import type { RunRecorder } from "./run-state.js";
import type { Allocation, DeploymentInfo, GateReport, LiveState, PipelineConfig, ReleaseVersion } from "./types.js";

const DEFAULT_CLEANUP_BUDGET_MS = 6_000;
/**
 * A cancelled run's read-back may run this much past the cleanup budget: a rollback that
 * finished late is better confirmed than reported unknown (the runner kills at 10 s).
 */
const READ_BACK_GRACE_MS = 1_500;

/** Why production needs to be put back. */
interface RestoreCause {
  readonly why: string;
  /** Cancelled runs restore within the cleanup budget and skip the verification gate. */
  readonly cancelled: boolean;
}

/**
 * The production half of a release: anchor → deploy → health gate → tags, or restore the
 * anchor when production is not proven healthy.
 */
export class ProductionRun {
  private readonly target: DeployTarget;
  private anchor: LiveState | null = null;
  private record: string | undefined;
  private readonly ours: string[] = [];

  constructor(
    private readonly config: PipelineConfig,
    private readonly deps: PipelineDeps,
    private readonly context: RunContext,
    private readonly signal: AbortSignal,
    private readonly rec: RunRecorder,
    private readonly facts: RunFacts,
    private readonly release: ReleaseVersion,
  ) {
    this.target = { environment: config.production.environment };
  }

  async run(): Promise<Outcome> {
    // The record first, so that the anchor is read right before the deploy: the shorter that
    // window, the less room for someone else's deploy to slip in between.
    this.record = await startRecord(this.deps, this.rec, this.target.environment, this.release, true);
    const anchored = await this.takeAnchor();
    if (anchored) {
      await updateRecord(this.deps, this.record, "failure", { description: "could not read production; not touched" });
      return anchored;
    }
    const problem =
      this.config.production.strategy === "gradual" ? await this.gradual() : await this.direct();
    if (problem) return this.handleUnproven(problem);
    await updateRecord(this.deps, this.record, "success", {
      environmentUrl: this.facts.productionUrl,
      description: `${this.release.tag} is healthy`,
    });
    return this.publish();
  }

  /** Records what production serves before it is touched. */
  private async takeAnchor(): Promise<Outcome | undefined> {
    try {
      await this.rec.stage("anchor", `Record what ${this.target.environment} serves`, async () => {
        this.anchor = await this.deps.deployer.status(this.target, this.signal);
        this.facts.anchor = this.anchor;
        this.facts.previousVersionId = mainVersion(this.anchor?.allocation);
        const detail = this.anchor ? describeAllocation(this.anchor.allocation) : "first deploy: nothing to roll back to";
        this.deps.logger.info(`Rollback anchor: ${detail}`);
        return { status: "passed" as const, detail };
      });
      return undefined;
    } catch (error) {
      return {
        result: "failed",
        message: `Could not read what ${this.target.environment} serves, so production was not touched: ${describeDeployError(error)}`,
      };
    }
  }

  /** `wrangler deploy` at 100%, then the health gate. Returns why production is unproven, if it is. */
  private async direct(): Promise<RestoreCause | undefined> {
    this.facts.productionUrl = this.config.production.url;
    const deployed = await this.deployStage("production-deploy", `Deploy ${this.release.tag} to ${this.target.environment}`, async () => {
      const outcome = await this.deps.deployer.deploy(this.target, { release: this.release, message: `git:${this.release.sha}` }, this.signal);
      this.noteOurs(outcome.versionId);
      this.facts.productionUrl = this.config.production.url ?? outcome.url;
    });
    if (deployed && !(await this.wentLiveAnyway(deployed))) return deployed;
    return this.healthGate("health", {});
  }

  /**
   * wrangler can exit 1 after the new version went live (a later step such as the workers.dev
   * trigger failed). When production reads back as this release's version at 100%, the deploy
   * did happen: the health gate decides, as for any deploy.
   */
  private async wentLiveAnyway(cause: RestoreCause): Promise<boolean> {
    if (cause.cancelled) return false;
    const live = await this.readLive(this.signal);
    if (!live.ok || !live.state) return false;
    if (isForeign(live.state, this.anchor, this.ours)) await this.claimOurs([live.state], this.signal);
    const serving = soleVersion(live.state.allocation);
    if (!serving || !this.ours.includes(serving)) return false;
    this.facts.productionVersionId = serving;
    this.rec.warn(`The production deploy reported a failure, but ${serving} of this release is live at 100%: the health gate decides. (${cause.why})`);
    return true;
  }

  /** `versions upload`, then each rollout step with its own health gate. */
  private async gradual(): Promise<RestoreCause | undefined> {
    let newId = "";
    const uploaded = await this.deployStage("production-deploy", `Upload ${this.release.tag} to ${this.target.environment}`, async () => {
      const up = await this.deps.deployer.upload(this.target, { release: this.release, message: `git:${this.release.sha}` }, this.signal);
      newId = up.versionId;
      this.noteOurs(newId);
      this.facts.productionUrl = this.config.production.url;
    });
    if (uploaded) return uploaded;
    const old = soleVersion(this.anchor?.allocation) ?? mainVersion(this.anchor?.allocation);
    for (const step of this.config.production.steps) {
      const allocation: Allocation =
        step >= 100 || !old ? [{ versionId: newId, percentage: 100 }] : [{ versionId: newId, percentage: step }, { versionId: old, percentage: 100 - step }];
      const shifted = await this.deployStage("production-deploy", `Route ${describeAllocation(allocation)}`, () =>
        this.deps.deployer.shift(this.target, allocation, `shipline ${this.release.tag} at ${step}%`, this.signal),
      );
      if (shifted) return shifted;
      const pinned = step < 100 && old ? (this.deps.deployer.pinHeaders?.(this.target, newId) ?? {}) : {};
      const unhealthy = await this.healthGate(step >= 100 ? "health" : `health@${step}%`, pinned);
      if (unhealthy) return unhealthy;
    }
    return undefined;
  }

  /**
   * Runs a step that writes to production. A failure does not prove nothing changed
   * (wrangler can exit 1 after the version went live), so production is read back.
   */
  private async deployStage(stage: "production-deploy", label: string, body: () => Promise<void>): Promise<RestoreCause | undefined> {
    try {
      await this.rec.stage(stage, label, body);
      return undefined;
    } catch (error) {
      if (error instanceof DeployError && error.versionId) this.noteOurs(error.versionId);
      if (isAbort(error) || this.signal.aborted) return { why: "the run was cancelled during the production deploy", cancelled: true };
      return { why: `production deploy failed: ${describeDeployError(error)}`, cancelled: false };
    }
  }

  private async healthGate(gate: string, headers: Record<string, string>): Promise<RestoreCause | undefined> {
    const baseUrl = this.facts.productionUrl;
    if (!baseUrl) {
      return { why: `no production URL: wrangler reported none; set production-url so the health gate knows what to probe`, cancelled: false };
    }
    const report = await this.rec.stage("health", `Health gate on ${this.target.environment} (${gate})`, async () => {
      const result = this.rec.gate(await this.runHealth(gate, baseUrl, headers, this.signal, this.facts.productionVersionId));
      return { status: result.outcome === "passed" ? ("passed" as const) : ("failed" as const), detail: result.reason, report: result };
    });
    if (report.report.outcome === "passed") return undefined;
    if (report.report.outcome === "cancelled") return { why: "the run was cancelled during the health gate", cancelled: true };
    return { why: `health gate failed: ${report.report.reason ?? "unhealthy"}`, cancelled: false };
  }

  private runHealth(gate: string, baseUrl: string, headers: Record<string, string>, signal: AbortSignal, versionId?: string): Promise<GateReport> {
    return runGate({
      gate,
      environment: this.target.environment,
      baseUrl,
      versionId,
      settings: this.config.production.health,
      probe: this.deps.probe,
      clock: this.deps.clock,
      signal,
      logger: this.deps.logger,
      headers,
      onMeasurement: (m) => this.rec.measurement(gate, m),
    });
  }

  private noteOurs(versionId: string): void {
    this.ours.push(versionId);
    this.facts.productionVersionId = versionId;
  }

  /** Production may serve an unproven version: put the anchor back, or say loudly why not. */
  private async handleUnproven(cause: RestoreCause): Promise<Outcome> {
    this.rec.warn(`Production is not proven healthy: ${cause.why}`);
    const budget = this.context.cleanupBudgetMs ?? DEFAULT_CLEANUP_BUDGET_MS;
    const deadline = Date.now() + budget;
    const signal = cause.cancelled ? AbortSignal.timeout(budget) : new AbortController().signal;
    const readBack = () => (cause.cancelled ? AbortSignal.timeout(Math.max(0, deadline - Date.now()) + READ_BACK_GRACE_MS) : signal);
    // In parallel: a cancelled run has seconds, and the history is needed only to restore.
    const [live, history] = await Promise.all([this.readLive(signal), this.readHistory(signal)]);
    if (live.ok && this.unchanged(live.state)) {
      await updateRecord(this.deps, this.record, "failure", { description: "deploy failed; production unchanged" });
      const serving = live.state ? describeAllocation(live.state.allocation) : "nothing";
      return { result: "failed", message: `${capitalise(cause.why)}. Production was not changed: it still serves ${serving}.` };
    }
    if (this.config.production.rollback === "off" && !cause.cancelled) {
      await updateRecord(this.deps, this.record, "failure", { description: "unhealthy; rollback: off" });
      return {
        result: "failed",
        message: `${capitalise(cause.why)}. rollback: off, so production was left as it is: ${live.ok && live.state ? describeAllocation(live.state.allocation) : "unknown"}.`,
        manualCommand: this.manualCommand(),
      };
    }
    return this.restore(cause, live.ok ? live.state : undefined, history, { signal, readBack });
  }

  /** Restores the anchor, reads it back, and proves it healthy. */
  private async restore(
    cause: RestoreCause,
    live: LiveState | null | undefined,
    history: DeploymentInfo[] | undefined,
    { signal, readBack: readBackSignal }: { signal: AbortSignal; readBack: () => AbortSignal },
  ): Promise<Outcome> {
    const anchor = this.anchor;
    if (!anchor) {
      await updateRecord(this.deps, this.record, "failure", { description: "unhealthy first deploy" });
      return {
        result: "rollback-failed",
        message: `${capitalise(cause.why)}. This was the first deploy of ${this.target.environment}: there is no earlier version to roll back to, and production serves the unproven ${this.facts.productionVersionId ?? "version"}.`,
        manualCommand: `npx wrangler deployments status --env ${this.target.environment}`,
      };
    }
    const theirs = await this.someoneElses(live, history, anchor, signal);
    if (theirs) return this.leaveTheirs(cause, theirs, live, anchor);
    const message = `shipline rollback: ${this.release.tag} ${cause.why}`;
    const attempted = await this.rollbackStage(anchor.allocation, message, signal);
    const readBack = await this.verifyStage(anchor.allocation, readBackSignal());
    if (!readBack.ok) {
      await updateRecord(this.deps, this.record, "failure", { description: "rollback failed" });
      const late = !attempted && cause.cancelled && signal.aborted;
      const why = late ? `the rollback command succeeded, but the cleanup ran out of time before production could be read back: check it (${readBack.why})` : (attempted ?? readBack.why);
      return { result: "rollback-failed", message: `${capitalise(cause.why)}. Rollback did not restore production: ${why}`, manualCommand: this.manualCommand() };
    }
    this.facts.rollbackVersionId = mainVersion(anchor.allocation);
    await updateRecord(this.deps, this.record, "failure", { description: `rolled back: ${cause.why}`.slice(0, 140) });
    if (cause.cancelled) {
      return { result: "rolled-back", message: `Cancelled: production was restored to ${describeAllocation(anchor.allocation)} and read back (no health gate: cancelled runs must exit within seconds).` };
    }
    return this.proveRestored(cause, anchor.allocation);
  }

  private async rollbackStage(allocation: Allocation, message: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      await this.rec.stage("rollback", `Roll back ${this.target.environment} to ${describeAllocation(allocation)}`, async () => {
        const single = soleVersion(allocation);
        if (single) await this.deps.deployer.rollback(this.target, single, message, signal);
        else await this.deps.deployer.shift(this.target, allocation, message, signal);
      });
      return undefined;
    } catch (error) {
      // A failed rollback command does not prove nothing changed either: the read-back decides.
      return describeDeployError(error);
    }
  }

  private async verifyStage(allocation: Allocation, signal: AbortSignal): Promise<{ ok: boolean; why: string }> {
    try {
      return await this.rec.stage("rollback-verify", "Read production back", async () => {
        const state = await this.deps.deployer.status(this.target, signal);
        const ok = state !== null && sameAllocation(state.allocation, allocation);
        const why = `production serves ${describeAllocation(state?.allocation)}, expected ${describeAllocation(allocation)}`;
        return { status: ok ? ("passed" as const) : ("failed" as const), detail: why, ok, why };
      });
    } catch (error) {
      return { ok: false, why: `could not read production back: ${describeDeployError(error)}` };
    }
  }

  private async proveRestored(cause: RestoreCause, allocation: Allocation): Promise<Outcome> {
    const baseUrl = this.facts.productionUrl ?? this.config.production.url;
    const restored = describeAllocation(allocation);
    if (!baseUrl) return { result: "rollback-failed", message: `${capitalise(cause.why)}. Rolled back to ${restored}, but there is no production URL to prove it healthy.` };
    const verdict = await this.rec.stage("health", `Health gate on the restored ${this.target.environment}`, async () => {
      const report = this.rec.gate(await this.runHealth("rollback-health", baseUrl, {}, this.signal, mainVersion(allocation)));
      return { status: report.outcome === "passed" ? ("passed" as const) : ("failed" as const), detail: report.reason, report };
    });
    const restoredRecord = await startRecord(this.deps, this.rec, this.target.environment, this.release, true);
    if (verdict.report.outcome === "passed") {
      await updateRecord(this.deps, restoredRecord, "success", { environmentUrl: baseUrl, description: `restored ${restored}`.slice(0, 140) });
      return { result: "rolled-back", message: `${capitalise(cause.why)}. Production was rolled back to ${restored}, read back, and passed the health gate.` };
    }
    await updateRecord(this.deps, restoredRecord, "failure", { environmentUrl: baseUrl, description: `restored ${restored} is unhealthy`.slice(0, 140) });
    return {
      result: "rollback-failed",
      message: `${capitalise(cause.why)}. Production was rolled back to ${restored}, but the restored version failed the health gate too: ${verdict.report.reason ?? "unhealthy"}.`,
      manualCommand: this.manualCommand(),
    };
  }

  private async readLive(signal: AbortSignal): Promise<{ ok: true; state: LiveState | null } | { ok: false }> {
    try {
      return { ok: true, state: await this.deps.deployer.status(this.target, signal) };
    } catch (error) {
      this.rec.warn(`Could not read production back after the failure: ${errorMessage(error)}`);
      return { ok: false };
    }
  }

  /** Deployments since the anchor, for `someoneElses`; undefined (with a warning) when unreadable. */
  private async readHistory(signal: AbortSignal): Promise<DeploymentInfo[] | undefined> {
    if (!this.anchor) return undefined;
    try {
      return await this.deps.deployer.deployments(this.target, signal);
    } catch (error) {
      this.rec.warn(`Could not list production's deployments to look for someone else's deploy: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /**
   * Someone else's deployment since the anchor: live now, or made between the anchor and this
   * run's own deploy (which replaced it). Rolling back to the anchor would throw it away.
   */
  private async someoneElses(live: LiveState | null | undefined, history: DeploymentInfo[] | undefined, anchor: LiveState, signal: AbortSignal): Promise<LiveState | undefined> {
    const find = () => (live && isForeign(live, anchor, this.ours) ? live : history && foreignSince(history, anchor, this.ours));
    if (!find()) return undefined;
    await this.claimOurs([live, ...(history ?? [])], signal);
    return find() || undefined;
  }

  /** Stops instead of rolling back over someone else's deploy, and says what a human should decide. */
  private async leaveTheirs(cause: RestoreCause, theirs: LiveState, live: LiveState | null | undefined, anchor: LiveState): Promise<Outcome> {
    await updateRecord(this.deps, this.record, "failure", { description: "someone else deployed; not rolled back" });
    const serving = live ? describeAllocation(live.allocation) : "unknown";
    const when = theirs === live ? "while this run was deploying" : "between the rollback anchor and this run's deploy, which replaced it";
    return {
      result: "rollback-failed",
      message: `${capitalise(cause.why)}. Someone else deployed ${describeAllocation(theirs.allocation)}${theirs.deploymentId ? ` (deployment ${theirs.deploymentId})` : ""} ${when}; production now serves ${serving}, and the anchor was ${describeAllocation(anchor.allocation)}. shipline did not roll back over their work: decide by hand what production should serve.`,
      // What production served right before this run's deploy: theirs, not the anchor.
      manualCommand: theirs === live ? this.manualCommand() : this.deps.deployer.manualRestoreCommand(this.target, theirs.allocation, `restore after ${this.release.tag}`),
    };
  }

  /**
   * A deploy can fail after going live without reporting the new version's id. A version
   * uploaded with this release's tag is ours, not someone else's: claim it before deciding.
   * `states[0]` is the live state: a claimed version there is the one production serves.
   */
  private async claimOurs(states: ReadonlyArray<LiveState | null | undefined>, signal: AbortSignal): Promise<void> {
    try {
      const versions = await this.deps.deployer.versions(this.target, signal);
      const seen = new Set(states.flatMap((state) => state?.allocation.map((s) => s.versionId) ?? []));
      const live = new Set(states[0]?.allocation.map((s) => s.versionId));
      for (const v of versions) {
        if (!seen.has(v.versionId) || v.tag !== this.release.tag || this.ours.includes(v.versionId)) continue;
        if (live.has(v.versionId)) this.noteOurs(v.versionId);
        else this.ours.push(v.versionId);
      }
    } catch (error) {
      this.rec.warn(`Could not list versions to recognise this release's own: ${errorMessage(error)}`);
    }
  }

  /** Whether production still serves exactly the anchor (nothing went live). */
  private unchanged(state: LiveState | null): boolean {
    if (!this.anchor) return state === null;
    return state !== null && sameAllocation(state.allocation, this.anchor.allocation);
  }

  private manualCommand(): string | undefined {
    if (!this.anchor) return undefined;
    return this.deps.deployer.manualRestoreCommand(this.target, this.anchor.allocation, `restore after ${this.release.tag}`);
  }

  /** Tags and the GitHub Release, only after production is healthy. */
  private async publish(): Promise<Outcome> {
    const publisher = this.deps.publisher;
    const healthy = `${this.release.tag} is live on ${this.target.environment} and passed the health gate.`;
    if (!publisher || this.config.stages === "staging") {
      this.facts.releaseTag = this.release.finalTag;
      return { result: "released", message: healthy };
    }
    try {
      const published = await this.rec.stage("release", "Tags and GitHub Release", async () => {
        const result = await publisher.publish(
          {
            release: this.release,
            productionVersionId: this.facts.productionVersionId ?? "",
            productionUrl: this.facts.productionUrl,
            promotePrerelease: this.config.release.promotePrerelease,
            floatingTags: this.config.release.floatingTags,
            createRelease: this.config.release.createRelease,
          },
          this.signal,
        );
        for (const action of result.actions) this.deps.logger.info(action);
        return { status: "passed" as const, detail: result.actions.join("; "), result };
      });
      this.facts.releaseTag = published.result.releaseTag;
      return { result: "released", message: healthy };
    } catch (error) {
      this.rec.warn(`Production is healthy, but tagging or the GitHub Release failed: ${errorMessage(error)}`);
      return { result: "released", message: `${healthy} Tagging failed: ${errorMessage(error)}` };
    }
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
