/**
 * The production half of a release: anchor → deploy (or gradual steps) → health gate →
 * tags. When production is not proven healthy, the recovery rule (recovery.ts) says what to
 * do and the restore executor (restore.ts) does it.
 */
import { describeAllocation, mainVersion, sameAllocation, soleVersion } from "./allocation.js";
import { CleanupDeadline } from "./deadline.js";
import { CancelledError, DeployError, errorMessage, isAbort } from "./errors.js";
import { runLoggedGate } from "./gate-log.js";
import type { DeployTarget, PublishRequest } from "./ports.js";
import { liveOf, ProductionWatch, readAnchor, readProduction, type ProductionReading } from "./production-watch.js";
import { describeDeployError, startRecord, updateRecord } from "./records.js";
import {
  decideRecovery,
  oursBy,
  candidatesAdvice,
  servesOther,
  sinceAnchor,
  rollbackMessage,
  unrecognised,
  type RecoveryAction,
  type RecoveryCause,
} from "./recovery.js";
import { judgeStep } from "./analysis-step.js";
import { runRestore, type RestoreResult } from "./restore.js";
import { cleanupBudget, type Outcome, type RunFacts, type RunScope } from "./run-scope.js";
import type { Allocation, GateReport, LiveState, ReleaseVersion } from "./types.js";

/** How often the production watch re-reads production during a health gate, at least. */
const MIN_WATCH_REFRESH_MS = 2_000;

/** Production is not proven to serve this release healthily. */
export interface Unproven {
  readonly cause: RecoveryCause;
  readonly why: string;
  /** What production was last seen serving (none: not read, e.g. right after a cancel). */
  readonly reading?: ProductionReading;
}

/** Runs the production half of a release; `uploaded`: the `gradual` version uploaded during the approval wait. */
export function productionFlow(s: RunScope, release: ReleaseVersion, uploaded?: string): Promise<Outcome> {
  return new ProductionRun(s, release, uploaded, true).run();
}

/** The production half's steps one at a time, for a release of several Workers (multi.ts). */
export function productionSteps(s: RunScope, release: ReleaseVersion, prefetchesPublish = false): ProductionRun {
  return new ProductionRun(s, release, undefined, prefetchesPublish);
}

export class ProductionRun {
  readonly #s: RunScope;
  readonly #release: ReleaseVersion;
  readonly #target: DeployTarget;
  readonly #uploads: { ids: string[]; readonly tag: string; readonly message: string };
  readonly #cleanup: CleanupDeadline;
  #anchor: LiveState | null = null;
  #record: Promise<string | undefined> = Promise.resolve(undefined);
  #url: string | undefined;
  /** A write that changes what production serves has started (an upload alone does not). */
  #touched = false;
  /** The version uploaded during the approval wait: `gradual` goes live without uploading again. */
  readonly #uploaded: string | undefined;

  /**
   * Whether the tags' and the release's reads start during this run's health gate: the gate
   * right before the release is tagged (the only one of a single Worker, the last of several).
   */
  readonly #prefetchesPublish: boolean;

  constructor(s: RunScope, release: ReleaseVersion, uploaded: string | undefined, prefetchesPublish: boolean) {
    this.#s = s;
    this.#prefetchesPublish = prefetchesPublish;
    this.#uploaded = uploaded;
    this.#release = release;
    this.#target = { environment: s.config.production.environment };
    this.#uploads = { ids: [], tag: release.tag, message: `git:${release.sha}` };
    this.#cleanup = new CleanupDeadline(s.deps.clock, s.signal, cleanupBudget(s.context));
    this.#url = s.config.production.url;
  }

  async run(): Promise<Outcome> {
    try {
      // The record is opened first and not waited for: the anchor is read right before the
      // deploy, and a GitHub round-trip never sits between them.
      this.#record = startRecord(this.#s, this.#target.environment, this.#release, true);
      const stopped = await this.#takeAnchor();
      if (stopped) {
        await this.#mark("failure", "could not read production; not touched");
        return stopped;
      }
      const unproven = this.#s.config.production.strategy === "gradual" ? await this.#gradual() : await this.#direct();
      if (unproven) return await this.#recover(unproven);
      // The record and the tags are independent GitHub writes: side by side.
      const [, published] = await Promise.all([this.#mark("success", `${this.#release.tag} is healthy`), this.#publish()]);
      return published;
    } finally {
      this.#cleanup.dispose();
    }
  }

  /** Opens the Deployment record and records the anchor; resolves with the outcome that stops the run, if any. */
  async anchor(): Promise<Outcome | undefined> {
    this.#record = startRecord(this.#s, this.#target.environment, this.#release, true);
    const stopped = await this.#takeAnchor();
    if (stopped) await this.#mark("failure", "could not read production; not touched");
    return stopped;
  }

  /** The deploy (or the gradual steps) with the health gate; what is unproven, if anything. */
  deploy(): Promise<Unproven | undefined> {
    return this.#s.config.production.strategy === "gradual" ? this.#gradual() : this.#direct();
  }

  /** Acts on an unproven deploy of this Worker by the recovery rule. */
  recover(unproven: Unproven): Promise<Outcome> {
    return this.#recover(unproven);
  }

  /**
   * This Worker's deploy was healthy, but the release as a whole is not (a later Worker failed,
   * or the run was cancelled): the same recovery rule and restore executor put its anchor back.
   */
  async withdraw(why: string): Promise<Outcome> {
    const s = this.#s;
    if (s.signal.aborted) return this.#recover({ cause: "cancelled", why });
    const reading = await readProduction(s.deps.deployer, this.#target, s.deps.clock, s.signal);
    return this.#recover({ cause: "gate-failed", why, reading });
  }

  /** Marks the Deployment record healthy; with `publish`, also the tags and the GitHub Release. */
  async succeed(publish: boolean): Promise<Outcome> {
    const healthy = `${this.#release.tag} is live on ${this.#target.environment} and passed the health gate.`;
    const [, published] = await Promise.all([
      this.#mark("success", `${this.#release.tag} is healthy`),
      publish ? this.#publish() : Promise.resolve<Outcome>({ result: "released", message: healthy }),
    ]);
    return published;
  }

  /** The anchor was taken, but this Worker is not deployed: its Deployment record says why. */
  abandon(description: string): Promise<void> {
    return this.#mark("failure", description);
  }

  dispose(): void {
    this.#cleanup.dispose();
  }

  #learn(facts: Partial<RunFacts>): void {
    this.#s.learn(facts);
  }

  /** Records what production serves before it is touched. */
  async #takeAnchor(): Promise<Outcome | undefined> {
    const s = this.#s;
    try {
      await s.rec.stage("anchor", `Record what ${this.#target.environment} serves`, async () => {
        this.#anchor = await readAnchor(s.deps.deployer, this.#target, s.deps.clock, s.signal);
        this.#learn({ anchor: this.#anchor, previousVersionId: mainVersion(this.#anchor?.allocation) });
        const detail = this.#anchor ? describeAllocation(this.#anchor.allocation) : "first deploy: nothing to roll back to";
        s.deps.logger.info(`Rollback anchor: ${detail}`);
        return { status: "passed" as const, detail };
      });
      return undefined;
    } catch (error) {
      if (s.signal.aborted) return { result: "failed", message: "The run was cancelled before production was touched." };
      return {
        result: "failed",
        message: `Could not read what ${this.#target.environment} serves, so production was not touched: ${describeDeployError(error)}`,
      };
    }
  }

  /** `wrangler deploy` at 100%, then the health gate. */
  async #direct(): Promise<Unproven | undefined> {
    const s = this.#s;
    const failed = await this.#write(`Deploy ${this.#release.tag} to ${this.#target.environment}`, true, async () => {
      const outcome = await s.deps.deployer.deploy(this.#target, { release: this.#release, message: this.#uploads.message }, s.signal);
      this.#ours(outcome.versionId);
      this.#url = s.config.production.url ?? outcome.url;
      s.deps.logger.info(
        `${this.#target.environment} serves ${this.#release.tag}: version ${outcome.versionId}${this.#url ? ` at ${this.#url}` : ""}.`,
      );
    });
    if (failed && !(await this.#wentLiveAnyway(failed))) return failed;
    // The tags' and the release's reads go on beside the gate; their writes wait for it to pass.
    const reads = this.#prefetchPublish();
    const unproven = await this.#gate("health", {}, [{ versionId: this.#s.facts.productionVersionId ?? "", percentage: 100 }]);
    // Not healthy: nothing will be published, and the reads do not keep the run waiting.
    if (unproven) reads.abort();
    return unproven;
  }

  /**
   * wrangler can exit 1 after the new version went live (a later step such as the workers.dev
   * trigger failed). When production reads back as this release's version at 100%, the deploy
   * did happen: the health gate decides, as for any deploy.
   */
  async #wentLiveAnyway(failed: Unproven): Promise<boolean> {
    if (failed.cause !== "deploy-failed") return false;
    const live = liveOf(failed.reading);
    const ours = await this.#known([live]);
    const serving = soleVersion(live?.allocation);
    if (!serving || !ours(serving)) return false;
    this.#ours(serving);
    this.#s.rec.warn(
      `The production deploy reported a failure, but ${serving} of this release is live at 100%: the health gate decides. (${failed.why})`,
    );
    return true;
  }

  /** `versions upload` (unless done during the approval wait), then each rollout step with its own health gate. */
  async #gradual(): Promise<Unproven | undefined> {
    const s = this.#s;
    let uploaded = this.#uploaded ?? "";
    if (uploaded) this.#uploads.ids.push(uploaded);
    const failed = uploaded
      ? undefined
      : await this.#write(`Upload ${this.#release.tag} to ${this.#target.environment}`, false, async () => {
          const up = await s.deps.deployer.upload(this.#target, { release: this.#release, message: this.#uploads.message }, s.signal);
          uploaded = up.versionId;
          this.#uploads.ids.push(uploaded);
          s.deps.logger.info(`Uploaded ${this.#release.tag} to ${this.#target.environment}: version ${uploaded}.`);
        });
    if (failed) return failed;
    const old = baselineVersion(this.#anchor?.allocation);
    for (const step of s.config.production.steps) {
      const allocation = stepAllocation(uploaded, old, step);
      const split = allocation.length > 1;
      const shifted = await this.#write(`Route ${describeAllocation(allocation)}`, true, async () => {
        await s.deps.deployer.shift(this.#target, allocation, stepMessage(this.#release.tag, step), s.signal);
        this.#learn({ productionVersionId: uploaded });
      });
      if (shifted) return shifted;
      const pinned = split ? s.deps.deployer.pinHeaders(this.#target, uploaded) : {};
      const shiftedAt = s.deps.clock.now();
      const unhealthy = await this.#gate(split ? `health@${step}%` : "health", pinned, allocation);
      if (unhealthy) return unhealthy;
      const worse =
        split && old !== undefined
          ? await judgeStep(s, this.#target, { step, candidate: uploaded, baseline: old, from: shiftedAt })
          : undefined;
      if (worse) return worse;
    }
    return undefined;
  }

  /**
   * A write to production. A failure does not prove nothing changed (wrangler can exit 1 after
   * the version went live), so production is read back, except after a cancel: then the
   * restore goes first and the read-back comes after it.
   */
  async #write(label: string, changesTraffic: boolean, body: () => Promise<void>): Promise<Unproven | undefined> {
    const s = this.#s;
    if (s.signal.aborted) return { cause: "cancelled", why: "the run was cancelled during the production deploy" };
    if (changesTraffic && !this.#touched) {
      this.#touched = true;
      this.#learn({ productionTouched: true });
    }
    try {
      await s.rec.stage("production-deploy", label, body);
      return undefined;
    } catch (error) {
      if ((error instanceof DeployError || error instanceof CancelledError) && error.versionId) this.#uploads.ids.push(error.versionId);
      if (isAbort(error) || s.signal.aborted) return { cause: "cancelled", why: "the run was cancelled during the production deploy" };
      const reading = await readProduction(s.deps.deployer, this.#target, s.deps.clock, s.signal);
      return { cause: "deploy-failed", why: `production deploy failed: ${describeDeployError(error)}`, reading };
    }
  }

  /** The health gate, with production watched beside it so that a failure is acted on at once. */
  async #gate(gate: string, headers: Record<string, string>, expected: Allocation): Promise<Unproven | undefined> {
    const s = this.#s;
    const baseUrl = this.#url;
    this.#learn({ productionUrl: baseUrl });
    if (!baseUrl)
      return {
        cause: "gate-failed",
        why: "no production URL: wrangler reported none; set production-url so the health gate knows what to probe",
      };
    const refresh = Math.max(s.config.production.health.intervalMs, MIN_WATCH_REFRESH_MS);
    const watch = new ProductionWatch((signal) => s.deps.deployer.deployments(this.#target, signal), s.deps.clock, refresh).start();
    let report: GateReport;
    try {
      const verdict = await s.rec.stage("health", `Health gate on ${this.#target.environment} (${gate})`, async () => {
        const done = s.rec.gate(await this.#runHealth(gate, baseUrl, headers));
        return { status: done.outcome === "passed" ? ("passed" as const) : ("failed" as const), detail: done.reason, report: done };
      });
      report = verdict.report;
    } finally {
      // A read still in flight is abandoned: the decision below never waits for it.
      watch.stop();
    }
    if (report.outcome === "cancelled")
      return { cause: "cancelled", why: "the run was cancelled during the health gate", reading: watch.current() };
    if (report.outcome === "failed")
      return { cause: "gate-failed", why: `health gate failed: ${report.reason ?? "unhealthy"}`, reading: watch.current() };
    return this.#stillOurs(expected);
  }

  #runHealth(gate: string, baseUrl: string, headers: Record<string, string>): Promise<GateReport> {
    const s = this.#s;
    return runLoggedGate({
      gate,
      environment: this.#target.environment,
      baseUrl,
      versionId: s.facts.productionVersionId,
      settings: s.config.production.health,
      probe: s.deps.probe,
      clock: s.deps.clock,
      signal: s.signal,
      logger: s.deps.logger,
      headers,
      onMeasurement: (m) => s.rec.measurement(gate, m),
    });
  }

  /**
   * A gate measures whatever production serves. After it passed, production is read once
   * more: when someone else's version is live, the gate did not judge this release, and
   * nothing is tagged.
   */
  async #stillOurs(expected: Allocation): Promise<Unproven | undefined> {
    const s = this.#s;
    const reading = await readProduction(s.deps.deployer, this.#target, s.deps.clock, s.signal);
    if (s.signal.aborted) return { cause: "cancelled", why: "the run was cancelled after the health gate", reading };
    const live = liveOf(reading);
    if (live === undefined) {
      return {
        cause: "not-judged",
        why: `production could not be read after the health gate (${reading.error ?? "unknown"}), so it is not proven to serve ${this.#release.tag}`,
        reading,
      };
    }
    if (live && sameAllocation(live.allocation, expected)) return undefined;
    // Anything else was not judged: someone else's deploy, or a rollback by hand to the anchor.
    const known = live ? await this.#known([live]) : () => false;
    const theirs = live !== null && servesOther(live, (id) => known(id) || this.#inAnchor(id));
    return {
      cause: "not-judged",
      why: `${theirs ? "someone else's deploy went live during the health gate" : "production changed during the health gate"} (it serves ${describeAllocation(live?.allocation)}, not ${describeAllocation(expected)}), so the gate did not judge ${this.#release.tag}`,
      reading,
    };
  }

  /** Production is not proven healthy: decide by the recovery rule, and act. */
  async #recover(unproven: Unproven): Promise<Outcome> {
    const s = this.#s;
    // Said once, in the log (the gate's own failure is the warning; the result's message says it in the summary).
    s.deps.logger.info(
      `${this.#release.tag} is not proven healthy on ${this.#target.environment}: ${unproven.why}. Deciding how to recover…`,
    );
    if (!this.#touched) return this.#stop(unproven, { kind: "unchanged", serving: this.#anchor }, this.#anchor);
    // Nothing is read first: the watch's last reading (if any) decides, and the restore of the
    // known anchor goes at once. A deploy someone makes meanwhile is caught after the restore.
    const reading = unproven.reading;
    const live = liveOf(reading);
    const since = reading?.history ? sinceAnchor(reading.history, this.#anchor) : [];
    const ours = unproven.cause === "cancelled" ? oursBy(this.#uploads) : await this.#known([live, ...since]);
    const action = decideRecovery({
      cause: unproven.cause,
      policy: s.config.production.rollback,
      anchor: this.#anchor,
      live,
      ...(reading?.history ? { history: reading.history } : {}),
      ours,
    });
    if (action.kind === "restore") return this.#restore(unproven, action.to, action.verify, ours);
    return this.#stop(unproven, action, live);
  }

  /** Every recovery action but a restore: production is left as it is, and the outcome says why. */
  async #stop(
    unproven: Unproven,
    action: Exclude<RecoveryAction, { kind: "restore" }>,
    live: LiveState | null | undefined,
  ): Promise<Outcome> {
    const why = capitalise(unproven.why);
    const serving = live === undefined ? "unknown" : describeAllocation(live?.allocation);
    switch (action.kind) {
      case "unchanged":
        await this.#mark("failure", "deploy failed; production unchanged");
        return {
          result: "failed",
          message: `${why}. Production was not changed: it still serves ${describeAllocation(action.serving?.allocation)}.`,
        };
      case "leave":
        await this.#mark("failure", "unhealthy; rollback: off");
        return {
          result: "failed",
          message: `${why}. rollback: off, so production was left as it is: ${serving}.`,
          ...this.#manualAnchor("restore-anchor"),
        };
      case "first-deploy":
        await this.#mark("failure", "unhealthy first deploy");
        return {
          result: "rollback-failed",
          message: `${why}. This was the first deploy of ${this.#target.environment}: there is no earlier version to roll back to, and production serves ${serving}.`,
          manualCommand: `npx wrangler deployments status --env ${this.#target.environment}`,
          manualCommandPurpose: "inspect",
        };
      case "someone-else": {
        await this.#mark("failure", "someone else deployed; not rolled back");
        const theirs = describeAllocation(action.theirs.allocation);
        const id = action.theirs.deploymentId ? ` (deployment ${action.theirs.deploymentId})` : "";
        const when =
          action.when === "live" ? "while this run was deploying" : "between the rollback anchor and this run's deploy, which replaced it";
        return {
          result: "rollback-failed",
          message:
            `${why}. Someone else deployed ${theirs}${id} ${when}; production now serves ${serving}, ` +
            `and the anchor was ${describeAllocation(this.#anchor?.allocation)}. ` +
            "shipline did not roll back over their work: decide by hand what production should serve.",
          // What production served right before this run's deploy: theirs, not the anchor.
          ...(action.when === "live"
            ? this.#manualAnchor("restore-anchor")
            : {
                manualCommand: this.#s.deps.deployer.manualRestoreCommand(
                  this.#target,
                  action.theirs.allocation,
                  `restore after ${this.#release.tag}`,
                ),
                manualCommandPurpose: "restore-theirs" as const,
              }),
        };
      }
    }
  }

  /** Restores the anchor through the one restore executor, and says how it went. */
  async #restore(unproven: Unproven, to: Allocation, verify: "health" | "read-back", ours: (id: string) => boolean): Promise<Outcome> {
    const s = this.#s;
    const from = s.facts.productionVersionId ?? this.#uploads.ids[0];
    const result = await runRestore(
      s,
      {
        target: this.#target,
        to,
        message: rollbackMessage(from, `${this.#release.tag} ${unproven.cause}`),
        verify,
        ...(this.#url ? { baseUrl: this.#url } : {}),
        health: s.config.production.health,
        known: (id) => ours(id) || to.some((share) => share.versionId === id),
        recognise: (states) => this.#known(states),
        record: async () => {
          const back = await this.#restoredRelease(to);
          return { ...back, description: `${back.tag} restored after ${this.#release.tag} was rolled back` };
        },
      },
      this.#cleanup,
    );
    return this.#restoreOutcome(unproven, to, result);
  }

  async #restoreOutcome(unproven: Unproven, to: Allocation, result: RestoreResult): Promise<Outcome> {
    const why = capitalise(unproven.why);
    const restored = describeAllocation(to);
    if (!result.restored) {
      await this.#mark("failure", "rollback failed");
      return {
        result: "rollback-failed",
        message: `${why}. The rollback did not take effect: ${result.why ?? "unknown"}`,
        ...this.#manualAnchor("retry-rollback"),
      };
    }
    this.#learn({ rollbackVersionId: mainVersion(to) });
    await this.#mark("failure", `rolled back: ${unproven.why}`);
    if (!result.gate) {
      return {
        result: "rolled-back",
        message:
          `${why}. Production was restored to ${restored} and read back` +
          `${this.#cleanup.cancelled ? " (no health gate: a cancelled run must exit within seconds)" : ""}.`,
      };
    }
    if (result.gate.outcome === "passed")
      return {
        result: "rolled-back",
        message: `${why}. Production was rolled back to ${restored}, read back, and the restored version passed its own health gate.`,
      };
    if (result.gate.outcome === "cancelled")
      return {
        result: "rolled-back",
        message: `${why}. Production was rolled back to ${restored} and read back; its health gate was cancelled before it passed.`,
      };
    return this.#restoredUnhealthy(why, to, result);
  }

  /** The restored version failed its gate too: name earlier versions not known to be bad, never a known-bad one. */
  async #restoredUnhealthy(why: string, to: Allocation, result: RestoreResult): Promise<Outcome> {
    const s = this.#s;
    const reading = await readProduction(s.deps.deployer, this.#target, s.deps.clock, s.signal);
    const advice = candidatesAdvice(reading.history ?? [], [...this.#uploads.ids, ...to.map((share) => share.versionId)]);
    const text = reading.history
      ? advice.text
      : `Production's history could not be read (${reading.error ?? "unknown"}) to name earlier versions.`;
    return {
      result: "rollback-failed",
      message:
        `${why}. Production was rolled back to ${describeAllocation(to)}, ` +
        `but the restored version failed the health gate too: ${result.why ?? "unhealthy"}. ${text}`,
      manualCommandPurpose: "earlier-version",
      ...(advice.first
        ? {
            manualCommand: s.deps.deployer.manualRestoreCommand(
              this.#target,
              [{ versionId: advice.first, percentage: 100 }],
              `restore after ${this.#release.tag}`,
            ),
          }
        : {}),
    };
  }

  /**
   * The record of the restored version points at the commit it was built from (its version
   * message `git:<sha>`), so the Environments page shows that commit as active.
   */
  async #restoredRelease(to: Allocation): Promise<Pick<ReleaseVersion, "sha" | "tag">> {
    const s = this.#s;
    const id = mainVersion(to);
    if (this.#cleanup.cancelled) return { sha: this.#release.sha, tag: id ?? this.#release.tag };
    try {
      const version = (await s.deps.deployer.versions(this.#target, s.signal)).find((v) => v.versionId === id);
      const sha = /^git:([0-9a-f]{7,40})$/i.exec(version?.message ?? "")?.[1];
      return { sha: sha ?? this.#release.sha, tag: version?.tag ?? id ?? this.#release.tag };
    } catch {
      return { sha: this.#release.sha, tag: id ?? this.#release.tag };
    }
  }

  /** Tags and the GitHub Release, only after production is healthy. */
  async #publish(): Promise<Outcome> {
    const s = this.#s;
    const publisher = s.deps.publisher;
    const healthy = `${this.#release.tag} is live on ${this.#target.environment} and passed the health gate.`;
    if (!publisher) {
      this.#learn({ releaseTag: this.#release.finalTag });
      return { result: "released", message: healthy };
    }
    const request = this.#publishRequest();
    try {
      const published = await s.rec.stage("release", "Tags and GitHub Release", async () => {
        // Each publisher prints its actions as it takes them; they are not printed again here.
        const result = await publisher.publish(request, s.signal);
        return { status: "passed" as const, detail: result.actions.join("; "), result };
      });
      this.#learn({ releaseTag: published.result.releaseTag });
      return { result: "released", message: healthy };
    } catch (error) {
      s.rec.warn(`Production is healthy, but tagging or the GitHub Release failed: ${errorMessage(error)}`);
      return { result: "released", message: `${healthy} Tagging failed: ${errorMessage(error)}` };
    }
  }

  /** Starts the publisher's reads (when this run's gate is the last before tagging); abort them when the gate fails. */
  #prefetchPublish(): AbortController {
    const reads = new AbortController();
    const publisher = this.#s.deps.publisher;
    if (!this.#prefetchesPublish || !publisher?.prefetch) return reads;
    try {
      publisher.prefetch(this.#publishRequest(), AbortSignal.any([this.#s.signal, reads.signal]));
    } catch (error) {
      // Only a head start: `publish` reads for itself.
      this.#s.deps.logger.debug(`The tags were not read ahead: ${errorMessage(error)}`);
    }
    return reads;
  }

  #publishRequest(): PublishRequest {
    const s = this.#s;
    return {
      release: this.#release,
      productionVersionId: s.facts.productionVersionId ?? "",
      ...(this.#url ? { productionUrl: this.#url } : {}),
      promotePrerelease: s.config.release.promotePrerelease,
      floatingTags: s.config.release.floatingTags,
      createRelease: s.config.release.createRelease,
    };
  }

  /** Marks a version as this run's; it becomes `production-version-id`. */
  #ours(versionId: string): void {
    if (!this.#uploads.ids.includes(versionId)) this.#uploads.ids.push(versionId);
    this.#learn({ productionVersionId: versionId });
  }

  #inAnchor(versionId: string): boolean {
    return this.#anchor?.allocation.some((share) => share.versionId === versionId) ?? false;
  }

  /**
   * Recognises this run's versions in `states`. A version neither reported to this run nor in
   * the anchor is looked up once by its annotations (tag and `git:<sha>`): a deploy that failed
   * before reporting its id is still ours.
   */
  async #known(states: ReadonlyArray<LiveState | null | undefined>): Promise<(versionId: string) => boolean> {
    const s = this.#s;
    const byId = oursBy(this.#uploads);
    if (unrecognised(states, (id) => byId(id) || this.#inAnchor(id)).length === 0) return byId;
    try {
      return oursBy(this.#uploads, await s.deps.deployer.versions(this.#target, s.signal));
    } catch (error) {
      s.rec.warn(`Could not list versions to recognise this release's own: ${errorMessage(error)}`);
      return byId;
    }
  }

  #manualAnchor(purpose: "retry-rollback" | "restore-anchor"): Pick<Outcome, "manualCommand" | "manualCommandPurpose"> {
    if (!this.#anchor) return {};
    return {
      manualCommandPurpose: purpose,
      manualCommand: this.#s.deps.deployer.manualRestoreCommand(
        this.#target,
        this.#anchor.allocation,
        `restore after ${this.#release.tag}`,
      ),
    };
  }

  /** Updates this release's production Deployment record, always with the environment URL. */
  async #mark(state: "success" | "failure", description: string): Promise<void> {
    await updateRecord(this.#s, await this.#record, state, {
      ...(this.#url ? { environmentUrl: this.#url } : {}),
      description: description.slice(0, 140),
    });
  }
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The version a gradual rollout splits against: the anchor's only one, else its main one. */
export function baselineVersion(anchor: Allocation | undefined): string | undefined {
  return soleVersion(anchor) ?? mainVersion(anchor);
}

/** The traffic split of a gradual step: the new version at `step` %, the baseline at the rest. */
export function stepAllocation(uploaded: string, baseline: string | undefined, step: number): Allocation {
  return step < 100 && baseline !== undefined
    ? [
        { versionId: uploaded, percentage: step },
        { versionId: baseline, percentage: 100 - step },
      ]
    : [{ versionId: uploaded, percentage: 100 }];
}

/** The deployment message of a gradual step. */
export function stepMessage(tag: string, step: number): string {
  return `shipline ${tag} at ${step}%`;
}
