import type { StageName } from "./types.js";

/** Base of every error shipline raises on purpose. */
export class ShiplineError extends Error {
  readonly stage: StageName | undefined;
  constructor(message: string, options?: ErrorOptions & { stage?: StageName }) {
    super(message, options);
    this.name = new.target.name;
    this.stage = options?.stage;
  }
}

/**
 * Bad input or configuration: raised before anything is deployed. The message names the
 * input or config key, the value, and what is accepted.
 */
export class ConfigError extends ShiplineError {
  /** Input name (`health-interval`) or config key path (`production.health.interval`). */
  readonly key: string;
  constructor(key: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.key = key;
  }
}

/** A deployer call failed. `command` is what ran (no secrets), `detail` the tool's own error text. */
export class DeployError extends ShiplineError {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly detail: string;
  /** Set when the tool reported a version it created before failing. */
  readonly versionId: string | undefined;
  /**
   * The failure looks passing: an HTTP 5xx or 429, a dropped or refused connection, a
   * timeout. A retry may succeed; anything else (auth, unknown version) will not.
   */
  readonly transient: boolean;
  constructor(
    message: string,
    options: ErrorOptions & {
      command: string;
      exitCode?: number;
      detail?: string;
      versionId?: string;
      transient?: boolean;
      stage?: StageName;
    },
  ) {
    super(message, options);
    this.command = options.command;
    this.exitCode = options.exitCode;
    this.detail = options.detail ?? "";
    this.versionId = options.versionId;
    this.transient = options.transient ?? false;
  }
}

/** The run was cancelled (SIGINT/SIGTERM, or an aborted signal). */
export class CancelledError extends ShiplineError {
  /** Set when the stopped command had already reported a version it created. */
  readonly versionId: string | undefined;
  constructor(message: string, options?: ErrorOptions & { stage?: StageName; versionId?: string }) {
    super(message, options);
    this.versionId = options?.versionId;
  }
}

/** A GitHub API call failed in a way the run cannot go on from (permissions, conflicts). */
export class GitHubError extends ShiplineError {
  readonly status: number | undefined;
  constructor(message: string, options?: ErrorOptions & { status?: number; stage?: StageName }) {
    super(message, options);
    this.status = options?.status;
  }
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : JSON.stringify(error);
}

/** Whether `error` is an abort (a cancelled run), however it was raised. */
export function isAbort(error: unknown): boolean {
  return error instanceof CancelledError || (error instanceof Error && (error.name === "AbortError" || error.name === "ApprovalInterrupt"));
}
