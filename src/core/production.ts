import { describeAllocation, isForeign, mainVersion, soleVersion } from "./allocation.js";
import { DeployError, errorMessage, isAbort } from "./errors.js";
import { describeDeployError, startRecord, updateRecord } from "./records.js";
import type { Outcome, RunScope } from "./run-scope.js";
import { ProductionContext, type RestoreCause } from "./production-context.js";
import { liveOf, ProductionWatch, type ProductionReading } from "./production-watch.js";
import { claimOurs, handleUnproven, readProduction } from "./restore.js";
import type { Allocation, ReleaseVersion } from "./types.js";

/** How often the production watch re-reads production during a health gate, at least. */
const MIN_WATCH_REFRESH_MS = 5_000;

/** A health gate that did not pass, with what the production watch had seen by then. */
interface Unproven extends RestoreCause {
  readonly reading?: ProductionReading;
}

/**
 * The production half of a release: anchor → deploy → health gate → tags, or restore the
 * anchor when production is not proven healthy (restore.ts).
 */
export class ProductionRun {
  private readonly pc: ProductionContext;

  constructor(scope: RunScope, release: ReleaseVersion) {
    this.pc = new ProductionContext(scope, release);
  }

  async run(): Promise<Outcome> {
    const pc = this.pc;
    // The record first, so that the anchor is read right before the deploy: the shorter that
    // window, the less room for someone else's deploy to slip in between.
    pc.record = await startRecord(pc, pc.target.environment, pc.release, true);
    const anchored = await this.takeAnchor();
    if (anchored) {
      await updateRecord(pc, pc.record, "failure", { description: "could not read production; not touched" });
      return anchored;
    }
    const problem = pc.config.production.strategy === "gradual" ? await this.gradual() : await this.direct();
    if (problem) return handleUnproven(pc, problem, problem.reading);
    await updateRecord(pc, pc.record, "success", { environmentUrl: pc.facts.productionUrl, description: `${pc.release.tag} is healthy` });
    return this.publish();
  }

  /** Records what production serves before it is touched. */
  private async takeAnchor(): Promise<Outcome | undefined> {
    const pc = this.pc;
    try {
      await pc.rec.stage("anchor", `Record what ${pc.target.environment} serves`, async () => {
        pc.anchor = await pc.deps.deployer.status(pc.target, pc.signal);
        pc.facts.anchor = pc.anchor;
        pc.facts.previousVersionId = mainVersion(pc.anchor?.allocation);
        const detail = pc.anchor ? describeAllocation(pc.anchor.allocation) : "first deploy: nothing to roll back to";
        pc.deps.logger.info(`Rollback anchor: ${detail}`);
        return { status: "passed" as const, detail };
      });
      return undefined;
    } catch (error) {
      return { result: "failed", message: `Could not read what ${pc.target.environment} serves, so production was not touched: ${describeDeployError(error)}` };
    }
  }

  /** `wrangler deploy` at 100%, then the health gate. Returns why production is unproven, if it is. */
  private async direct(): Promise<Unproven | undefined> {
    const pc = this.pc;
    pc.facts.productionUrl = pc.config.production.url;
    const deployed = await this.deployStage(`Deploy ${pc.release.tag} to ${pc.target.environment}`, async () => {
      const outcome = await pc.deps.deployer.deploy(pc.target, { release: pc.release, message: `git:${pc.release.sha}` }, pc.signal);
      pc.noteOurs(outcome.versionId);
      pc.facts.productionUrl = pc.config.production.url ?? outcome.url;
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
    const pc = this.pc;
    if (cause.cancelled) return false;
    const live = liveOf(await readProduction(pc, pc.signal));
    if (!live) return false;
    if (isForeign(live, pc.anchor, pc.ours)) await claimOurs(pc, [live], pc.signal);
    const serving = soleVersion(live.allocation);
    if (!serving || !pc.ours.includes(serving)) return false;
    pc.facts.productionVersionId = serving;
    pc.rec.warn(`The production deploy reported a failure, but ${serving} of this release is live at 100%: the health gate decides. (${cause.why})`);
    return true;
  }

  /** `versions upload`, then each rollout step with its own health gate. */
  private async gradual(): Promise<Unproven | undefined> {
    const pc = this.pc;
    let newId = "";
    const uploaded = await this.deployStage(`Upload ${pc.release.tag} to ${pc.target.environment}`, async () => {
      const up = await pc.deps.deployer.upload(pc.target, { release: pc.release, message: `git:${pc.release.sha}` }, pc.signal);
      newId = up.versionId;
      pc.noteOurs(newId);
      pc.facts.productionUrl = pc.config.production.url;
    });
    if (uploaded) return uploaded;
    const old = soleVersion(pc.anchor?.allocation) ?? mainVersion(pc.anchor?.allocation);
    for (const step of pc.config.production.steps) {
      const allocation: Allocation =
        step >= 100 || !old ? [{ versionId: newId, percentage: 100 }] : [{ versionId: newId, percentage: step }, { versionId: old, percentage: 100 - step }];
      const shifted = await this.deployStage(`Route ${describeAllocation(allocation)}`, () =>
        pc.deps.deployer.shift(pc.target, allocation, `shipline ${pc.release.tag} at ${step}%`, pc.signal),
      );
      if (shifted) return shifted;
      const pinned = step < 100 && old ? (pc.deps.deployer.pinHeaders?.(pc.target, newId) ?? {}) : {};
      const unhealthy = await this.healthGate(step >= 100 ? "health" : `health@${step}%`, pinned);
      if (unhealthy) return unhealthy;
    }
    return undefined;
  }

  /**
   * Runs a step that writes to production. A failure does not prove nothing changed
   * (wrangler can exit 1 after the version went live), so production is read back.
   */
  private async deployStage(label: string, body: () => Promise<void>): Promise<RestoreCause | undefined> {
    const pc = this.pc;
    try {
      await pc.rec.stage("production-deploy", label, body);
      return undefined;
    } catch (error) {
      if (error instanceof DeployError && error.versionId) pc.noteOurs(error.versionId);
      if (isAbort(error) || pc.signal.aborted) return { why: "the run was cancelled during the production deploy", cancelled: true };
      return { why: `production deploy failed: ${describeDeployError(error)}`, cancelled: false };
    }
  }

  /** The health gate, with production watched beside it so a failure can be acted on at once. */
  private async healthGate(gate: string, headers: Record<string, string>): Promise<Unproven | undefined> {
    const pc = this.pc;
    const baseUrl = pc.facts.productionUrl;
    if (!baseUrl) return { why: `no production URL: wrangler reported none; set production-url so the health gate knows what to probe`, cancelled: false };
    const refresh = Math.max(pc.config.production.health.intervalMs, MIN_WATCH_REFRESH_MS);
    const watch = new ProductionWatch((signal) => pc.deps.deployer.deployments(pc.target, signal), pc.deps.clock, refresh).start();
    try {
      const verdict = await pc.rec.stage("health", `Health gate on ${pc.target.environment} (${gate})`, async () => {
        const report = pc.rec.gate(await pc.runHealth(gate, baseUrl, headers, pc.facts.productionVersionId));
        return { status: report.outcome === "passed" ? ("passed" as const) : ("failed" as const), detail: report.reason, report };
      });
      const outcome = verdict.report.outcome;
      if (outcome === "passed") return this.stillOurs(watch);
      const cancelled = outcome === "cancelled";
      // A cancelled run cannot wait long for a read still in flight: it reads again if it must.
      const reading = await watch.latest(cancelled ? AbortSignal.timeout(1_500) : undefined);
      const why = cancelled ? "the run was cancelled during the health gate" : `health gate failed: ${verdict.report.reason ?? "unhealthy"}`;
      return { why, cancelled, reading };
    } finally {
      watch.stop();
    }
  }

  /**
   * A gate measures whatever production serves. When someone else's deploy went live during
   * it, the gate judged their version, not this release: nothing to tag, and a human decides.
   */
  private async stillOurs(watch: ProductionWatch): Promise<Unproven | undefined> {
    const pc = this.pc;
    const reading = await watch.latest();
    const live = liveOf(reading);
    if (!live || !isForeign(live, pc.anchor, pc.ours)) return undefined;
    return { why: `someone else's deploy went live during the health gate (${describeAllocation(live.allocation)}), so the gate measured their version, not ${pc.release.tag}`, cancelled: false, reading };
  }

  /** Tags and the GitHub Release, only after production is healthy. */
  private async publish(): Promise<Outcome> {
    const pc = this.pc;
    const publisher = pc.deps.publisher;
    const healthy = `${pc.release.tag} is live on ${pc.target.environment} and passed the health gate.`;
    if (!publisher) {
      pc.facts.releaseTag = pc.release.finalTag;
      return { result: "released", message: healthy };
    }
    const request = {
      release: pc.release,
      productionVersionId: pc.facts.productionVersionId ?? "",
      productionUrl: pc.facts.productionUrl,
      promotePrerelease: pc.config.release.promotePrerelease,
      floatingTags: pc.config.release.floatingTags,
      createRelease: pc.config.release.createRelease,
    };
    try {
      const published = await pc.rec.stage("release", "Tags and GitHub Release", async () => {
        const result = await publisher.publish(request, pc.signal);
        for (const action of result.actions) pc.deps.logger.info(action);
        return { status: "passed" as const, detail: result.actions.join("; "), result };
      });
      pc.facts.releaseTag = published.result.releaseTag;
      return { result: "released", message: healthy };
    } catch (error) {
      pc.rec.warn(`Production is healthy, but tagging or the GitHub Release failed: ${errorMessage(error)}`);
      return { result: "released", message: `${healthy} Tagging failed: ${errorMessage(error)}` };
    }
  }
}
