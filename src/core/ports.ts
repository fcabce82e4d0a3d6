/**
 * Ports: every side effect the engine needs, as an interface. Providers implement them
 * (wrangler, HTTP, GitHub, system); tests pass fakes. The engine imports nothing else.
 */
import type { VersionTraffic } from "./analysis.js";
import type { Allocation, ApprovalRecord, DeploymentInfo, GateReport, LiveState, Millis, ReleaseVersion, VersionInfo } from "./types.js";

/** Time, injected so that tests that wait take milliseconds. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when the signal aborts first. */
  sleep(ms: Millis, signal?: AbortSignal): Promise<void>;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a collapsible group (not nested: the action's log cannot nest groups). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Which environment a deployer call targets. */
export interface DeployTarget {
  /** Environment name (wrangler `--env`), e.g. `staging`. */
  readonly environment: string;
}

/** What an upload carries so that a release can later be mapped to its version. */
export interface DeployRequest {
  readonly release: ReleaseVersion;
  /** Version message, e.g. `git:<sha>`. */
  readonly message: string;
}

export interface DeployOutcome {
  readonly versionId: string;
  /** URL the platform reports for the environment, if any. */
  readonly url?: string;
  readonly deploymentId?: string;
}

export interface UploadOutcome {
  readonly versionId: string;
  readonly previewUrl?: string;
}

export interface RestoreOptions {
  /** The run was cancelled: restore by the fastest path that makes the same change. */
  readonly urgent?: boolean;
}

/**
 * A deployment target platform. Wrangler is the built-in one; the engine assumes nothing
 * wrangler-specific. Methods throw `DeployError` (see errors.ts) on failure.
 */
export interface Deployer {
  readonly name: string;
  /** Deploy the working tree to an environment at 100% traffic. */
  deploy(target: DeployTarget, request: DeployRequest, signal: AbortSignal): Promise<DeployOutcome>;
  /** Upload a version without giving it traffic (for `gradual`). */
  upload(target: DeployTarget, request: DeployRequest, signal: AbortSignal): Promise<UploadOutcome>;
  /** Route traffic by an explicit allocation (`gradual` steps, restoring a split anchor). */
  shift(target: DeployTarget, allocation: Allocation, message: string, signal: AbortSignal): Promise<void>;
  /**
   * Put an earlier allocation back: one version at 100% (`wrangler rollback`) or a split
   * (`wrangler versions deploy`). With `urgent` (a cancelled run restoring within its
   * deadline) the deployer makes the same change with one direct platform request instead of
   * starting a tool, when it can.
   */
  restore(target: DeployTarget, allocation: Allocation, message: string, signal: AbortSignal, options?: RestoreOptions): Promise<void>;
  /**
   * A hint: the next write to this environment will probably be `shift(target, allocation,
   * message)` (the approval that allows it is still awaited). The deployer may get ready for it,
   * but nothing may reach the platform before `shift` is called; a shift with other arguments,
   * or none, must leave no trace.
   */
  anticipateShift?(target: DeployTarget, allocation: Allocation, message: string, signal: AbortSignal): Promise<void>;
  /** What the environment serves now; `null` when it does not exist yet (first deploy). */
  status(target: DeployTarget, signal: AbortSignal): Promise<LiveState | null>;
  /** Earlier deployments, newest first. */
  deployments(target: DeployTarget, signal: AbortSignal): Promise<DeploymentInfo[]>;
  /** Known versions, with their release tags. */
  versions(target: DeployTarget, signal: AbortSignal): Promise<VersionInfo[]>;
  /** The command a human runs to put `allocation` back by hand (for a `rollback-failed` report). */
  manualRestoreCommand(target: DeployTarget, allocation: Allocation, message: string): string;
  /**
   * The secret names the environment's Worker has now (names only, never values), and how to
   * name that Worker in a message; `names: null` when the Worker does not exist yet. Needed
   * when `required-secrets` is set.
   */
  secretNames?(target: DeployTarget, signal: AbortSignal): Promise<SecretListing>;
  /**
   * Request headers that pin a probe to one version of a split deployment (Cloudflare:
   * `Cloudflare-Workers-Version-Overrides`), so a gradual step's gate measures the new version.
   */
  pinHeaders(target: DeployTarget, versionId: string): Record<string, string>;
}

/** The secrets a Worker has (see `Deployer.secretNames`). */
export interface SecretListing {
  /** The Worker, as a message names it: `my-worker-production`. */
  readonly where: string;
  /** Secret names; `null` when the Worker does not exist yet. */
  readonly names: readonly string[] | null;
}

/** One HTTP request a gate sends. */
export interface ProbeRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: Millis;
  /** Bytes of body to read at most; the probe's own limit when absent. */
  readonly maxBodyBytes?: number;
}

export type ProbeResponse =
  | {
      readonly kind: "response";
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      readonly latencyMs: Millis;
      /** Set when the body was longer than the limit: `body` holds only the first this many bytes. */
      readonly bodyCutAt?: number;
    }
  | {
      /** Timeout, refused connection, DNS: the request got no HTTP answer. */
      readonly kind: "error";
      readonly error: string;
      readonly latencyMs: Millis;
    };

export interface HttpProbe {
  probe(request: ProbeRequest, signal: AbortSignal): Promise<ProbeResponse>;
}

/** Runs the user's smoke command (a shell command line). */
export interface CommandRunner {
  run(
    command: string,
    options: { cwd: string; env: Readonly<Record<string, string>>; signal: AbortSignal; timeoutMs?: Millis },
  ): Promise<{ exitCode: number; output: string }>;
}

/** What approvers are asked to approve. */
export interface ApprovalRequest {
  readonly release: ReleaseVersion;
  readonly stagingUrl?: string;
  readonly stagingVersionId?: string;
  /** The smoke gate's report, for the approval issue's body. */
  readonly smoke?: GateReport;
  readonly runUrl?: string;
  readonly actor?: string;
  /** What production serves now (read at the start of the run), with its release tag when known: what the approval replaces. */
  readonly production?: { readonly versionId: string; readonly tag?: string };
  /**
   * Production changes the moment the approval lands (the release is uploaded during the wait
   * and goes live with its first traffic shift): notice a decision within seconds, not tens of them.
   */
  readonly liveOnApproval?: boolean;
}

/**
 * Why an approval wait was interrupted. The engine aborts the approval's signal with one of
 * these as `reason`, so the approval can close its issue with the right words.
 */
export class ApprovalInterrupt extends Error {
  constructor(
    readonly kind: "staging-failed" | "cancelled",
    message: string,
  ) {
    super(message);
    this.name = "ApprovalInterrupt";
  }
}

/**
 * Manual approval (issue comments, terminal prompt, or none). `request` resolves with the
 * decision; on `signal` abort it resolves (not rejects) with `denied` for a staging failure
 * or `cancelled` for a cancellation, after closing whatever it opened.
 */
export interface Approval {
  readonly mode: string;
  /** Fails fast (before any deploy) when the approval cannot work, e.g. a team slug that cannot be read. */
  prepare?(signal: AbortSignal): Promise<void>;
  request(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalRecord>;
  /**
   * Resolves once what the approval still does after resolving `request` has finished (never
   * rejects). With `liveOnApproval`, an approval may resolve as soon as it is approved and close
   * its request (the comment and close) after, so that no GitHub write sits between the
   * approval and the production deploy. The engine awaits it before the run ends.
   */
  settled?(): Promise<void>;
}

/** GitHub Deployment records (or nothing, outside GitHub). Failures here are warnings, never stop a deploy. */
export interface DeploymentRecorder {
  /** Fails before anything is deployed when records cannot be written (a missing permission). */
  prepare?(signal: AbortSignal): Promise<void>;
  /** Create a record for an environment; returns a handle for status updates. */
  start(environment: string, info: { ref: string; description: string; production: boolean }): Promise<string | undefined>;
  update(
    handle: string,
    state: "in_progress" | "success" | "failure" | "inactive",
    info: { environmentUrl?: string; description?: string },
  ): Promise<void>;
}

export interface PublishRequest {
  readonly release: ReleaseVersion;
  readonly productionVersionId: string;
  readonly productionUrl?: string;
  readonly promotePrerelease: boolean;
  readonly floatingTags: boolean;
  readonly createRelease: boolean;
}

export interface PublishResult {
  /** The final tag (gets the GitHub Release). */
  readonly releaseTag: string;
  readonly releaseUrl?: string;
  /** What was created, moved, or found already right. */
  readonly actions: readonly string[];
}

/** Tags and releases (GitHub API, or local git). */
export interface Publisher {
  /**
   * Runs before anything is deployed: checks permissions, and that the tags this release
   * will create are free or already right (a tag on another commit fails here, not after
   * production changed).
   */
  prepare?(signal: AbortSignal, release?: ReleaseVersion): Promise<void>;
  /** Every tag name of the repository (all pages). Used by `bump`. */
  listTags(signal: AbortSignal): Promise<string[]>;
  publish(request: PublishRequest, signal: AbortSignal): Promise<PublishResult>;
  /**
   * Starts the reads `publish` needs (the tags, the release) while the health gate runs, so
   * that publishing once the gate has passed is only the writes. Reads only: nothing is
   * created or moved before `publish`, and a later `publish` of another request reads afresh.
   */
  prefetch?(request: PublishRequest, signal: AbortSignal): void;
  /** Adds a note to the release of `tag` (emergency rollback away from it). */
  noteRollback?(tag: string, note: string, signal: AbortSignal): Promise<void>;
}

/** Per-version traffic as the platform's analytics counted it (Cloudflare: GraphQL Analytics). */
export interface TrafficAnalytics {
  /** Fails before anything is deployed when the analytics cannot be read (a token without the permission). */
  prepare?(target: DeployTarget, signal: AbortSignal): Promise<void>;
  /** Each version's requests, errors and wall-time quantiles from `from` to `until` (epoch ms). */
  read(target: DeployTarget, window: { readonly from: number; readonly until: number }, signal: AbortSignal): Promise<VersionTraffic[]>;
}
