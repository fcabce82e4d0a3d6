import type { AnalysisSettings } from "./analysis.js";
import type { StepAnalysis } from "./analysis-step.js";
/**
 * Domain types shared by the engine, the providers and the entry points.
 * Pure data: nothing here touches a process, the network or the environment.
 */

/** Milliseconds. Every duration in shipline's own types is in ms (`timeoutMs`, `intervalMs`). */
export type Millis = number;

/** The stages of one run, in the order they can happen. */
export const STAGES = [
  "resolve",
  "preflight",
  "staging-deploy",
  "smoke",
  "approval",
  "before-production",
  "anchor",
  "production-deploy",
  "health",
  "rollback",
  "rollback-verify",
  "release",
  "after-release",
] as const;
export type StageName = (typeof STAGES)[number];

/** SPEC section 3 `result`. */
export type RunResult = "released" | "rolled-back" | "rollback-failed" | "rejected" | "failed" | "planned";

/** SPEC section 3 `approval-status`. */
export type ApprovalStatus = "approved" | "denied" | "timed-out" | "cancelled" | "skipped";

export type Mode = "release" | "rollback" | "plan";
export type StagesSelection = "all" | "staging" | "production";
export type ApprovalMode = "none" | "environment" | "issue" | "prompt";
export type Strategy = "direct" | "gradual";
export type RollbackPolicy = "auto" | "off";
export type BumpKind = "major" | "minor" | "patch" | "prerelease";

/** One share of traffic: a Worker version at a percentage (0-100). */
export interface TrafficShare {
  readonly versionId: string;
  readonly percentage: number;
}

/** What a deployment serves: one version at 100%, or a split of up to two. */
export type Allocation = readonly TrafficShare[];

/** What an environment serves right now, as read back from the platform. */
export interface LiveState {
  /** Platform id of the current deployment, when the platform has one. */
  readonly deploymentId?: string;
  readonly allocation: Allocation;
  /** When the current deployment was created (ISO 8601), if known. */
  readonly createdOn?: string;
}

/** An earlier deployment of an environment (newest first when listed). */
export interface DeploymentInfo extends LiveState {
  readonly message?: string;
}

/** A Worker version known to the platform. */
export interface VersionInfo {
  readonly versionId: string;
  /** The release tag the version was uploaded with (`--tag`), if any. */
  readonly tag?: string;
  readonly message?: string;
  readonly createdOn?: string;
}

/** Accepted HTTP statuses, e.g. `200-299` or `200,204`. `text` is how the user wrote it. */
export interface StatusMatcher {
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  readonly text: string;
}

/** One HTTP check of a gate. */
export interface CheckSpec {
  /** Label used in reports, e.g. `GET /api/health`. */
  readonly name: string;
  /** Path appended to the gate's base URL (keeping the base URL's own path)... */
  readonly path?: string;
  /** ...or a full URL instead. */
  readonly url?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly expect: {
    readonly status: StatusMatcher;
    /** The response body, parsed as JSON, must contain this (subset match). */
    readonly json?: unknown;
    /** The response body must contain this text. */
    readonly body?: string;
  };
}

/** The rules of one gate (SPEC section 5, Gates). */
export interface GateSettings {
  readonly intervalMs: Millis;
  readonly count: number;
  readonly failureLimit: number;
  readonly consecutiveErrorLimit: number;
  readonly timeoutMs: Millis;
  readonly maxLatencyMs?: Millis;
  readonly checks: readonly CheckSpec[];
  /**
   * Response header (lower case) through which the Worker names the version that answered
   * (input `version-header`). Absent: answers are not attributed to a version (the check is off).
   */
  readonly versionHeader?: string;
  /**
   * Re-probes of a check whose request was not a quick success (an error, an unmet expectation,
   * or an answer slower than `maxLatencyMs`), made right away within the measurement and
   * within `timeoutMs` of its start; the check is successful when one succeeds. Absent: 0.
   */
  readonly confirm?: number;
  /** Bytes of a response body read; a longer body is cut there, and a reason judged on it says so. */
  readonly maxBodyBytes?: number;
}

/** The release the run ships: resolved from `version`, the tag ref, or `bump`. */
export interface ReleaseVersion {
  /** Semver without prefix: `1.3.0-rc.1`. */
  readonly version: string;
  /** Tag of the deployed version: `v1.3.0-rc.1`. */
  readonly tag: string;
  /** Tag that gets the GitHub Release: `v1.3.0` when a prerelease is promoted, else `tag`. */
  readonly finalTag: string;
  readonly prerelease: boolean;
  /** Where the version came from. */
  readonly source: "input" | "ref" | "bump";
  /** Commit being released. */
  readonly sha: string;
}

/** The configuration one run works from, after inputs and the config file are merged and validated. */
export interface PipelineConfig {
  readonly mode: Mode;
  readonly stages: StagesSelection;
  readonly workingDirectory: string;
  readonly version: {
    /** `version` input, as given (`v1.2.3`, `1.2.3`). */
    readonly explicit?: string;
    /** `GITHUB_REF`, e.g. `refs/tags/v1.2.3`. */
    readonly ref?: string;
    readonly bump?: BumpKind;
    readonly tagPrefix: string;
    readonly sha: string;
  };
  readonly staging: {
    readonly environment: string;
    readonly url?: string;
    readonly smokeCommand?: string;
    readonly smoke: GateSettings;
  };
  readonly production: {
    readonly environment: string;
    readonly url?: string;
    readonly strategy: Strategy;
    /** Percentages for `gradual`, ending at 100. */
    readonly steps: readonly number[];
    readonly health: GateSettings;
    readonly rollback: RollbackPolicy;
    /**
     * Shell command run after approval, before the anchor is read and production deployed
     * (input `before-production`, e.g. D1 migrations). Failing stops the run, production untouched.
     */
    readonly beforeCommand?: string;
    /** Traffic analysis of each `gradual` step below 100% (`production.analysis`); off when absent. */
    readonly analysis?: AnalysisSettings;
  };
  readonly approval: {
    readonly mode: ApprovalMode;
    readonly approvers: readonly string[];
    readonly minimum: number;
    readonly timeoutMs: Millis;
    readonly allowSelfApproval: boolean;
  };
  readonly release: {
    readonly promotePrerelease: boolean;
    readonly floatingTags: boolean;
    readonly createRelease: boolean;
    /** Shell command run after a healthy release is tagged (input `after-release`). */
    readonly afterCommand?: string;
  };
  /**
   * Names of the Worker secrets uploaded with every version this run deploys (input `secrets`).
   * Names only: the values stay with the deployer, which was built with them.
   */
  readonly secrets?: readonly string[];
  /** Vars passed to every version this run deploys (input `vars`). */
  readonly vars?: Readonly<Record<string, string>>;
  /** Secret names each target Worker must already have (or get from `secrets`) before it is deployed. */
  readonly requiredSecrets?: readonly string[];
  /** `mode: rollback`. */
  readonly emergency?: {
    readonly target?: string;
    readonly reason: string;
  };
}

/** One request of a check: the first, or a confirming re-probe (`GateSettings.confirm`). */
export interface ProbeAttempt {
  readonly outcome: MeasurementOutcome;
  readonly status?: number;
  readonly latencyMs?: Millis;
  /** For `failed`: what was expected and what came back. For `error`: what went wrong. */
  readonly reason?: string;
  /** The version the answer named in the gate's `versionHeader`, normalised (see `normaliseVersionId`). */
  readonly versionId?: string;
}

/**
 * Outcome of one HTTP check in one measurement. Its own fields are those of the request that
 * decided it: a successful one if any was, else the first failed one, else the last error.
 */
export interface CheckResult extends ProbeAttempt {
  readonly check: string;
  readonly url: string;
  /** Every request of the check in this measurement, in order, when it made more than one. */
  readonly attempts?: readonly ProbeAttempt[];
}

export type MeasurementOutcome = "successful" | "failed" | "error";

/** One measurement: every check probed once, with its confirming re-probes. */
export interface Measurement {
  readonly index: number;
  /** Epoch ms from the injected clock. */
  readonly at: number;
  readonly outcome: MeasurementOutcome;
  readonly checks: readonly CheckResult[];
}

export interface GateStats {
  /** Measurements that count (`successful` + `failed`). */
  readonly count: number;
  readonly successful: number;
  readonly failed: number;
  readonly errors: number;
  readonly requests: number;
  readonly p50Ms?: Millis;
  readonly p95Ms?: Millis;
}

/**
 * Which versions answered a gate's probes (SPEC section 5, Which version answered): counts of
 * HTTP answers, present on a report when the gate had a `versionHeader`. Errors without an
 * answer (timeouts, refused connections) are in none of the counts.
 */
export interface GateVersions {
  /** The response header read, lower case. */
  readonly header: string;
  /** The version the gate judged, normalised; absent when the gate was not told one. */
  readonly expected?: string;
  /** Answers that named the expected version: proven to measure it. */
  readonly proven: number;
  /** Answers that named another version: counted as errors, never as successes. */
  readonly otherVersion: number;
  /** Answers without the header: counted as usual, but not proven to come from the expected version. */
  readonly unnamed: number;
  /** Answers per version id they named (normalised), the expected one included. */
  readonly answeredBy: Readonly<Record<string, number>>;
}

/** Everything one gate run measured and decided. */
export interface GateReport {
  /** `smoke`, `health`, `health@10%`, `rollback-health`, `staging-watch`. */
  readonly gate: string;
  readonly environment: string;
  readonly baseUrl: string;
  readonly versionId?: string;
  readonly outcome: "passed" | "failed" | "cancelled";
  /** Why the gate failed: which check, what was expected, what came back. */
  readonly reason?: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly measurements: readonly Measurement[];
  readonly stats: GateStats;
  /** Which versions answered; absent when the gate had no `versionHeader`. */
  readonly versions?: GateVersions;
  /** The rules the gate judged by (for the health report, so a tool can judge the measurements again). */
  readonly settings?: GateSettings;
}

/** One stage as it happened, for the summary table and the timeline. */
export interface StageRecord {
  readonly stage: StageName;
  readonly label: string;
  readonly status: "passed" | "failed" | "skipped" | "cancelled";
  readonly startedAt: number;
  readonly endedAt: number;
  readonly detail?: string;
}

export interface ApprovalRecord {
  readonly status: ApprovalStatus;
  readonly approvedBy: readonly string[];
  readonly link?: string;
  readonly reason?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** Comments that were not decisions, or decisions from people who may not decide. */
  readonly ignored?: ReadonlyArray<{ readonly author: string; readonly body: string; readonly why: string }>;
}

/**
 * Why a human would run a result's `manualCommand`:
 * - `retry-rollback`: the rollback did not take effect; the command runs it by hand.
 * - `earlier-version`: the rollback took effect but the restored version is unhealthy too; rolling back
 *   to it again changes nothing, so the command serves an earlier version not known to be bad
 *   (no command when there is none).
 * - `restore-anchor`: production was left as it is; the command puts back what it served before this run.
 * - `restore-theirs`: someone else deployed meanwhile; the command puts back their deploy, which this run replaced.
 * - `inspect`: nothing to roll back to (a first deploy); the command shows what production serves.
 */
export type ManualCommandPurpose = "retry-rollback" | "earlier-version" | "restore-anchor" | "restore-theirs" | "inspect";

/** What one run did: the engine's return value, from which the entry points write outputs and summaries. */
export interface PipelineResult {
  readonly result: RunResult;
  readonly mode: Mode;
  readonly release?: ReleaseVersion;
  readonly releaseTag?: string;
  readonly stagingVersionId?: string;
  readonly productionVersionId?: string;
  readonly previousVersionId?: string;
  /** Full anchor (split included) recorded before production was touched. */
  readonly anchor?: LiveState | null;
  readonly rollbackVersionId?: string;
  /** A write that changes what production serves started in this run. */
  readonly productionTouched?: boolean;
  readonly stagingUrl?: string;
  readonly productionUrl?: string;
  readonly approval: ApprovalRecord;
  readonly stages: readonly StageRecord[];
  readonly gates: readonly GateReport[];
  /** The traffic analysis of each `gradual` step, when `production.analysis` is set. */
  readonly analyses?: readonly StepAnalysis[];
  /** Human explanation of the result (why it failed, what was rolled back). */
  readonly message: string;
  /** For `rollback-failed`: the command a human should run. */
  readonly manualCommand?: string;
  /** What `manualCommand` would do, so a summary can say when running it helps (absent: no advice to give). */
  readonly manualCommandPurpose?: ManualCommandPurpose;
  /** The run was cancelled (SIGINT/SIGTERM, the runner's cancel), whatever it then managed to clean up. */
  readonly cancelled?: boolean;
  /** Release tags of the version ids this result names, where known (`{ "4b8b…": "v1.1.0" }`). */
  readonly versionTags?: Readonly<Record<string, string>>;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Everything printed by `mode: plan`. */
  readonly plan?: string;
  readonly warnings: readonly string[];
  /** A release of several Workers (config key `workers`): each one, in deploy order. The fields above are the first one's. */
  readonly workers?: readonly WorkerResult[];
}

/** What a release of several Workers did to one of them (output `workers`, the summary's Workers table). */
export interface WorkerResult {
  readonly name: string;
  /** This Worker's own end: `released`, `rolled-back`, `rollback-failed`, or `failed` (stopped or not deployed to production). */
  readonly result: RunResult;
  readonly message: string;
  readonly stagingVersionId?: string;
  readonly productionVersionId?: string;
  readonly previousVersionId?: string;
  readonly rollbackVersionId?: string;
  readonly stagingUrl?: string;
  readonly productionUrl?: string;
  /** A write that changes what this Worker's production serves started. */
  readonly productionTouched?: boolean;
}
