/**
 * The built-in `Deployer`: Cloudflare Workers through the wrangler CLI. Results come from
 * wrangler's output file and `--json` output; stdout text is only a fallback.
 */
import { DeployError } from "../../core/errors.js";
import type {
  DeployOutcome,
  DeployRequest,
  Deployer,
  DeployTarget,
  Logger,
  RestoreOptions,
  UploadOutcome,
} from "../../core/ports.js";
import type { Allocation, DeploymentInfo, LiveState, Millis, VersionInfo } from "../../core/types.js";
import { parseDeploymentsJson, parseStatusJson, parseVersionsJson } from "./api-json.js";
import {
  allocationProblem,
  deployArgs,
  deploymentsArgs,
  manualCommand,
  manualRestoreArgs,
  rollbackArgs,
  shiftArgs,
  statusArgs,
  uploadArgs,
  versionsArgs,
} from "./commands.js";
import type { BaseEnv } from "./env.js";
import { failureError, hasNoDeployments, isWorkerMissing, reportedVersionId, succeeded } from "./failure.js";
import type { LocatedWrangler } from "./locate.js";
import { findEntry } from "./output.js";
import { WranglerProcessRunner, type SpawnEvent, type WranglerResult, type WranglerRunner } from "./runner.js";

/** A deployer over a runner you built (tests inject fakes here). */
export interface WranglerDeployerRunnerOptions {
  readonly runner: WranglerRunner;
  readonly logger: Logger;
}

/** A deployer that spawns a located wrangler itself. */
export interface WranglerDeployerProcessOptions {
  /** A located wrangler (spawned as a process), or a runner. */
  readonly wrangler: LocatedWrangler | WranglerRunner;
  readonly workingDirectory: string;
  /** The step's environment (usually `process.env`). */
  readonly env: BaseEnv;
  readonly apiToken?: string | undefined;
  readonly accountId?: string | undefined;
  readonly logger: Logger;
  /** Per-command timeout. @default 600000 */
  readonly timeoutMs?: Millis;
  readonly onSpawn?: (event: SpawnEvent) => void;
}

export type WranglerDeployerOptions = WranglerDeployerRunnerOptions | WranglerDeployerProcessOptions;

// The URL line after "Deployed <name> triggers": two spaces, then the URL.
const TARGET_URL_LINE = /^ {2}(https:\/\/\S+)$/m;

/** Deploys, inspects and rolls back a Worker with wrangler. */
export class WranglerDeployer implements Deployer {
  readonly name = "wrangler";
  readonly #runner: WranglerRunner;
  readonly #logger: Logger;

  constructor(options: WranglerDeployerOptions) {
    this.#runner = "runner" in options ? options.runner : runnerFor(options);
    this.#logger = options.logger;
  }

  async deploy(target: DeployTarget, request: DeployRequest, signal: AbortSignal): Promise<DeployOutcome> {
    const result = await this.#runOrThrow(deployArgs(target.environment, request.release.tag, request.message), signal);
    const entry = findEntry(result.entries, "deploy");
    const versionId = reportedVersionId(result);
    if (!versionId) throw this.#missing(result, "reported no version id");
    const url = entry?.targets?.[0] ?? TARGET_URL_LINE.exec(result.stdout)?.[1];
    return { versionId, ...(url ? { url } : {}) };
  }

  async upload(target: DeployTarget, request: DeployRequest, signal: AbortSignal): Promise<UploadOutcome> {
    const result = await this.#runOrThrow(uploadArgs(target.environment, request.release.tag, request.message), signal);
    const versionId = reportedVersionId(result);
    if (!versionId) throw this.#missing(result, "reported no version id");
    const previewUrl = findEntry(result.entries, "version-upload")?.preview_url ?? undefined;
    return { versionId, ...(previewUrl ? { previewUrl } : {}) };
  }

  async shift(target: DeployTarget, allocation: Allocation, message: string, signal: AbortSignal): Promise<void> {
    const args = shiftArgs(target.environment, allocation, message);
    const problem = allocationProblem(allocation);
    if (problem) {
      throw new DeployError(`refusing to run ${this.#runner.describe(args)}: ${problem}`, {
        command: this.#runner.describe(args),
        detail: problem,
      });
    }
    const result = await this.#runOrThrow(args, signal);
    // Guards the trap where a prompt is answered by nothing: exit 0, nothing deployed.
    if (!findEntry(result.entries, "version-deploy")) throw this.#missing(result, "reported no deployment");
  }

  async restore(target: DeployTarget, allocation: Allocation, message: string, signal: AbortSignal, _options: RestoreOptions = {}): Promise<void> {
    const single = allocation.length === 1 && allocation[0]?.percentage === 100 ? allocation[0].versionId : undefined;
    if (!single) return this.shift(target, allocation, message, signal);
    // rollback writes no output entry; exit 0 is all there is. Callers read status back.
    await this.#runOrThrow(rollbackArgs(target.environment, single, message), signal);
  }

  pinHeaders(_target: DeployTarget, _versionId: string): Record<string, string> {
    return {};
  }

  async status(target: DeployTarget, signal: AbortSignal): Promise<LiveState | null> {
    const result = await this.#run(statusArgs(target.environment), signal);
    if (succeeded(result)) return this.#parse(result, parseStatusJson);
    if (!result.cancelled && !result.timedOut && (isWorkerMissing(result) || hasNoDeployments(result))) {
      return null;
    }
    throw failureError(this.#runner.describe(result.args), result);
  }

  async deployments(target: DeployTarget, signal: AbortSignal): Promise<DeploymentInfo[]> {
    const result = await this.#run(deploymentsArgs(target.environment), signal);
    if (succeeded(result)) return this.#parse(result, parseDeploymentsJson);
    if (!result.cancelled && !result.timedOut && (isWorkerMissing(result) || hasNoDeployments(result))) return [];
    throw failureError(this.#runner.describe(result.args), result);
  }

  /** Known versions with their release tags, newest first. */
  async versions(target: DeployTarget, signal: AbortSignal): Promise<VersionInfo[]> {
    const result = await this.#run(versionsArgs(target.environment), signal);
    if (succeeded(result)) return this.#parse(result, parseVersionsJson);
    if (!result.cancelled && !result.timedOut && isWorkerMissing(result)) return [];
    throw failureError(this.#runner.describe(result.args), result);
  }

  manualRestoreCommand(target: DeployTarget, allocation: Allocation, message: string): string {
    return manualCommand(manualRestoreArgs(target.environment, allocation, message));
  }

  async #run(args: readonly string[], signal: AbortSignal): Promise<WranglerResult> {
    const command = this.#runner.describe(args);
    this.#logger.info(`$ ${command}`);
    const result = await this.#runner.run(args, { signal });
    this.#logger.debug(`${command}: exit ${String(result.exitCode)} in ${result.durationMs} ms`);
    if (result.stdout.trim()) this.#logger.debug(result.stdout.trimEnd());
    // On success stderr holds wrangler's warnings (proxy, tags not applied): worth showing.
    if (result.stderr.trim() && succeeded(result)) this.#logger.info(result.stderr.trimEnd());
    return result;
  }

  async #runOrThrow(args: readonly string[], signal: AbortSignal): Promise<WranglerResult> {
    const result = await this.#run(args, signal);
    if (!succeeded(result)) throw failureError(this.#runner.describe(args), result);
    return result;
  }

  #parse<T>(result: WranglerResult, parse: (stdout: string) => T): T {
    try {
      return parse(result.stdout);
    } catch (error) {
      throw new DeployError(`${this.#runner.describe(result.args)} printed output shipline cannot read`, {
        command: this.#runner.describe(result.args),
        exitCode: 0,
        // WRANGLER_LOG=debug in the environment writes traces into --json stdout.
        detail: `${String(error)}\nstdout starts with: ${result.stdout.slice(0, 300)}`,
        cause: error,
      });
    }
  }

  #missing(result: WranglerResult, what: string): DeployError {
    return failureError(this.#runner.describe(result.args), result, `exited 0 but ${what}`) as DeployError;
  }
}

function runnerFor(options: WranglerDeployerProcessOptions): WranglerRunner {
  const { wrangler } = options;
  if ("run" in wrangler) return wrangler;
  return new WranglerProcessRunner({
    binJs: wrangler.binJs,
    cwd: options.workingDirectory,
    env: options.env,
    apiToken: options.apiToken,
    accountId: options.accountId,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
  });
}
