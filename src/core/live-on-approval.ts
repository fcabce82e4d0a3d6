/**
 * Approval → live in one call (`gradual` with a waiting approval): the production version is
 * uploaded while the approval waits. A `versions upload` serves no traffic, so nothing about
 * production changes until the approval lands; then the first traffic shift is the one
 * production write left. The anchor is still read after the approval, right before that shift
 * (production.ts), never during the wait.
 *
 * The decision of what to do with the upload once the wait ends is pure (`afterWait`); the
 * flow below carries it out.
 */
import { errorMessage } from "./errors.js";
import type { DeployTarget } from "./ports.js";
import type { Outcome, RunScope } from "./run-scope.js";
import { baselineVersion, stepAllocation, stepMessage } from "./production.js";
import { approvalFlow } from "./staging.js";
import type { PipelineConfig, ReleaseVersion } from "./types.js";

/** Where the upload begun during the wait stands. */
export type WaitUpload =
  | { readonly state: "uploaded"; readonly versionId: string }
  | { readonly state: "failed"; readonly why: string; readonly versionId?: string }
  | { readonly state: "in-flight" };

/** What to do with the upload when the wait ends. */
export type AfterWait =
  /** Approved and uploaded: production changes with one shift of this version. */
  | { readonly kind: "shift"; readonly versionId: string }
  /** Approved, but the upload failed: the production flow uploads once more, then shifts. */
  | { readonly kind: "upload-again"; readonly why: string }
  /** Approved while the upload is still running: wait for it, then decide again. */
  | { readonly kind: "await-upload" }
  /** Not approved, upload done: the version stays unused (it never served traffic). */
  | { readonly kind: "unused"; readonly versionId: string }
  /** Not approved, upload still running: stop it (it would serve no traffic anyway). */
  | { readonly kind: "stop-upload" }
  /** Not approved, upload failed: nothing was uploaded that needs a word. */
  | { readonly kind: "nothing"; readonly versionId?: string };

/** Whether a run uploads its production version during the approval wait. */
export function uploadsDuringApproval(config: PipelineConfig): boolean {
  const waits = config.approval.mode === "issue" || config.approval.mode === "prompt";
  return config.stages === "all" && config.production.strategy === "gradual" && waits;
}

/** The pure rule: how the wait ended (approved or not) and where the upload stands → what to do. */
export function afterWait(approved: boolean, upload: WaitUpload): AfterWait {
  if (upload.state === "in-flight") return approved ? { kind: "await-upload" } : { kind: "stop-upload" };
  if (upload.state === "uploaded")
    return approved ? { kind: "shift", versionId: upload.versionId } : { kind: "unused", versionId: upload.versionId };
  if (approved) return { kind: "upload-again", why: upload.why };
  return upload.versionId ? { kind: "unused", versionId: upload.versionId } : { kind: "nothing" };
}

/** How the approval (with the upload beside it) ended: the outcome that stops the run, or the version to shift to. */
export interface ApprovalThenLive {
  readonly stop?: Outcome;
  /** The production version uploaded during the wait, ready for one shift. */
  readonly uploaded?: string;
  /**
   * Ends the hint given to the deployer (`anticipateShift`): call once the production flow is
   * over, whatever happened. A shift that was made has already used it; otherwise the waiting
   * process is stopped, having sent nothing.
   */
  readonly dropHint?: () => void;
}

/**
 * The approval, with `gradual`'s upload made during its wait when the run has one. Never moves
 * production: on approval it hands the uploaded version on; otherwise the version stays unused
 * and the outcome says so. Resolves only once the upload has settled (no wrangler outlives it).
 */
export async function approvalThenLive(s: RunScope, release: ReleaseVersion): Promise<ApprovalThenLive> {
  if (!uploadsDuringApproval(s.config) || !s.deps.approval) {
    const stop = await approvalFlow(s, release);
    return stop ? { stop } : {};
  }
  const hint = new AbortController();
  const upload = new UploadDuringWait(s, release, hint.signal);
  let stop: Outcome | undefined;
  try {
    stop = await approvalFlow(s, release, true);
  } catch (error) {
    hint.abort();
    upload.stop();
    await upload.settled;
    throw error;
  }
  if (stop) hint.abort();
  let next = afterWait(stop === undefined, upload.current);
  const stopped = next.kind === "stop-upload";
  if (stopped) upload.stop();
  if (next.kind === "await-upload" || stopped) next = afterWait(stop === undefined, await upload.settled);
  return stop ? { stop: withUnused(s, stop, next, stopped) } : { ...approved(s, next), dropHint: () => hint.abort() };
}

function approved(s: RunScope, next: AfterWait): ApprovalThenLive {
  if (next.kind === "shift") {
    s.deps.logger.info(
      `Approved: version ${next.versionId}, uploaded during the wait, goes live with its first traffic shift (nothing left to upload).`,
    );
    return { uploaded: next.versionId };
  }
  // A cancel while the approved release's upload was finishing: the production flow stops before any write.
  if (next.kind === "upload-again" && !s.signal.aborted) {
    s.rec.warn(`The upload during the approval wait failed (${next.why}); it is tried once more now that the release is approved.`);
  }
  return {};
}

/** The stopping outcome, with a word on the version uploaded (or being uploaded) during the wait. */
function withUnused(s: RunScope, stop: Outcome, next: AfterWait, stopped: boolean): Outcome {
  const environment = s.config.production.environment;
  let note: string | undefined;
  if (next.kind === "unused") {
    note = `Version ${next.versionId}, uploaded to ${environment} during the wait, was never deployed: it serves no traffic and stays unused.`;
  } else if (stopped) {
    note = `The upload to ${environment} begun during the wait was stopped before it finished; it serves no traffic.`;
  }
  if (!note) return stop;
  s.deps.logger.info(note);
  return { ...stop, message: `${stop.message} ${note}` };
}

/**
 * Tells the deployer which shift the approval will most likely let through: the first step
 * against what production served when the run began (read before staging). After the approval
 * the anchor is read afresh; a different anchor makes a different shift, and the deployer
 * starts that one from scratch. Only a hint: nothing reaches production before the shift.
 */
function anticipateFirstStep(s: RunScope, target: DeployTarget, release: ReleaseVersion, versionId: string, signal: AbortSignal): void {
  const step = s.config.production.steps[0];
  const served = s.facts.productionAtStart;
  if (step === undefined || !served || !s.deps.deployer.anticipateShift) return;
  const allocation = stepAllocation(versionId, baselineVersion(served.allocation), step);
  s.deps.deployer.anticipateShift(target, allocation, stepMessage(release.tag, step), signal).catch((error: unknown) => {
    s.deps.logger.debug(`The first traffic shift was not started ahead: ${errorMessage(error)}`);
  });
}

/** The production upload, started when the approval wait starts; its outcome is kept, never thrown. */
class UploadDuringWait {
  readonly settled: Promise<WaitUpload>;
  #current: WaitUpload = { state: "in-flight" };
  readonly #stop = new AbortController();

  constructor(s: RunScope, release: ReleaseVersion, hint: AbortSignal) {
    const target: DeployTarget = { environment: s.config.production.environment };
    const signal = AbortSignal.any([s.signal, this.#stop.signal]);
    const startedAt = s.deps.clock.now();
    const label = `Upload ${release.tag} to ${target.environment} during the approval wait`;
    s.deps.logger.info(`Uploading ${release.tag} to ${target.environment} while the approval waits (a version upload serves no traffic).`);
    this.settled = s.deps.deployer.upload(target, { release, message: `git:${release.sha}` }, signal).then(
      (up): WaitUpload => {
        s.deps.logger.info(
          `Uploaded ${release.tag} to ${target.environment}: version ${up.versionId}; it serves no traffic until approved.`,
        );
        s.rec.record("production-deploy", label, "passed", startedAt, `version ${up.versionId}, no traffic`);
        this.#current = { state: "uploaded", versionId: up.versionId };
        anticipateFirstStep(s, target, release, up.versionId, AbortSignal.any([s.signal, hint]));
        return this.#current;
      },
      (error: unknown): WaitUpload => {
        const why = this.#stop.signal.aborted
          ? "stopped: the release was not approved"
          : s.signal.aborted
            ? "cancelled"
            : errorMessage(error);
        const versionId = (error as { versionId?: unknown } | null)?.versionId;
        s.rec.record("production-deploy", label, signal.aborted ? "cancelled" : "failed", startedAt, why);
        if (!signal.aborted) s.deps.logger.info(`The upload during the approval wait failed: ${why}`);
        return (this.#current = { state: "failed", why, ...(typeof versionId === "string" ? { versionId } : {}) });
      },
    );
  }

  get current(): WaitUpload {
    return this.#current;
  }

  /** Stops an upload still running (its wrangler is ended; `settled` resolves once it has exited). */
  stop(): void {
    this.#stop.abort(new Error("the release was not approved"));
  }
}
