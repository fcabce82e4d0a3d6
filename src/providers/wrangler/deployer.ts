/**
 * The built-in `Deployer`: Cloudflare Workers through the wrangler CLI. Writes (deploy, upload,
 * traffic shifts, rollbacks) run wrangler and read its output file (stdout text is only a
 * fallback); reads of what a Worker serves are one Cloudflare API request each, with the
 * Worker, account and credentials wrangler would use (`WranglerTargets`), so that reading
 * production never starts a process. A cancelled run's restore (`urgent`) is the one API
 * request `wrangler rollback` / `versions deploy` would send.
 */
import { DeployError } from "../../core/errors.js";
import type {
  DeployOutcome,
  DeployRequest,
  Deployer,
  DeployTarget,
  Logger,
  RestoreOptions,
  SecretListing,
  UploadOutcome,
} from "../../core/ports.js";
import type { Allocation, DeploymentInfo, LiveState, Millis, VersionInfo } from "../../core/types.js";
import type { FetchLike } from "../cloudflare/api.js";
import { allocationProblem, deployArgs, manualCommand, manualRestoreArgs, rollbackArgs, shiftArgs, uploadArgs } from "./commands.js";
import type { BaseEnv } from "./env.js";
import { failureError, reportedVersionId, succeeded } from "./failure.js";
import type { LocatedWrangler } from "./locate.js";
import { findEntry } from "./output.js";
import { SECRETS_FILE_FLAG, WranglerProcessRunner, type SpawnEvent, type WranglerResult, type WranglerRunner } from "./runner.js";
import { WranglerTargets } from "./targets.js";

/** The request header that pins a request to one version of a Worker's current deployment. */
export const VERSION_OVERRIDES_HEADER = "Cloudflare-Workers-Version-Overrides";

/** What every version this deployer uploads carries besides the code (inputs `secrets` and `vars`). */
export interface UploadContents {
  /** Secret values by name: sent with `--secrets-file`, never on the command line. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Vars by name: sent with `--var`. */
  readonly vars?: Readonly<Record<string, string>>;
}

/** A deployer over a runner you built (tests inject fakes here). */
export interface WranglerDeployerRunnerOptions {
  readonly runner: WranglerRunner;
  /** Worker names, account and API client for reads and urgent restores. */
  readonly targets: WranglerTargets;
  readonly logger: Logger;
  readonly contents?: UploadContents;
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
  readonly contents?: UploadContents;
  /** Per-command timeout. @default 600000 */
  readonly timeoutMs?: Millis;
  readonly onSpawn?: (event: SpawnEvent) => void;
  /** Per Cloudflare API request (reads, urgent restore). @default 10000 */
  readonly apiTimeoutMs?: Millis;
  /** Replaces the API transport (tests). @default fetch, through a proxy when one is configured */
  readonly fetch?: FetchLike;
}

export type WranglerDeployerOptions = WranglerDeployerRunnerOptions | WranglerDeployerProcessOptions;

// The URL line after "Deployed <name> triggers": two spaces, then the URL.
const TARGET_URL_LINE = /^ {2}(https:\/\/\S+)$/m;

/** An anticipated shift's process is replaced this often while it waits (undici's headers timeout is 300 s). */
const ANTICIPATED_RENEW_MS: Millis = 4 * 60_000;
/** Held longer than this, it is not adopted (the renewal should have replaced it first). */
const ANTICIPATED_MAX_HOLD_MS: Millis = 4.5 * 60_000;

/** Deploys, inspects and rolls back a Worker with wrangler. */
export class WranglerDeployer implements Deployer {
  readonly name = "wrangler";
  readonly #runner: WranglerRunner;
  readonly #targets: WranglerTargets;
  readonly #logger: Logger;
  readonly #secrets: Readonly<Record<string, string>> | undefined;
  readonly #vars: Readonly<Record<string, string>>;

  constructor(options: WranglerDeployerOptions) {
    this.#runner = "runner" in options ? options.runner : runnerFor(options);
    this.#targets = "targets" in options ? options.targets : targetsFor(options);
    this.#logger = options.logger;
    const secrets = options.contents?.secrets;
    this.#secrets = secrets && Object.keys(secrets).length > 0 ? { ...secrets } : undefined;
    this.#vars = { ...options.contents?.vars };
  }

  async deploy(target: DeployTarget, request: DeployRequest, signal: AbortSignal): Promise<DeployOutcome> {
    const args = deployArgs(target.environment, request.release.tag, request.message, this.#vars);
    const result = await this.#runOrThrow(args, signal, this.#secrets);
    if (result.startedAhead) this.#logger.info(`${this.#runner.describe(args)} was started ahead and held; it went on at once.`);
    const entry = findEntry(result.entries, "deploy");
    const versionId = reportedVersionId(result);
    if (!versionId) throw this.#missing(result, "reported no version id");
    const url = entry?.targets?.[0] ?? TARGET_URL_LINE.exec(result.stdout)?.[1];
    return { versionId, ...(url ? { url } : {}) };
  }

  async upload(target: DeployTarget, request: DeployRequest, signal: AbortSignal): Promise<UploadOutcome> {
    const args = uploadArgs(target.environment, request.release.tag, request.message, this.#vars);
    const result = await this.#runOrThrow(args, signal, this.#secrets);
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
    if (result.startedAhead) this.#logger.info(`${this.#runner.describe(args)} was started ahead and held; it went on at once.`);
  }

  /**
   * Starts `wrangler versions deploy` for `allocation` now, every request it makes held at a
   * local gate until `shift` is called with the same allocation and message: then it goes on
   * at once, without wrangler's start-up in between. Renewed every few minutes while it waits
   * (a held request would time out). Nothing reaches Cloudflare before `shift`.
   */
  async anticipateShift(target: DeployTarget, allocation: Allocation, message: string, signal: AbortSignal): Promise<void> {
    if (!this.#runner.prestart || allocationProblem(allocation)) return;
    const base = this.#targets.apiBase(target.environment);
    if (base.proxied) return;
    await this.#runner.prestart(shiftArgs(target.environment, allocation, message), {
      signal,
      upstream: base.url,
      holdReads: true,
      maxHoldMs: ANTICIPATED_MAX_HOLD_MS,
      renewAfterMs: ANTICIPATED_RENEW_MS,
    });
  }

  async restore(
    target: DeployTarget,
    allocation: Allocation,
    message: string,
    signal: AbortSignal,
    options: RestoreOptions = {},
  ): Promise<void> {
    if (options.urgent) return this.#restoreDirect(target, allocation, message, signal);
    const single = allocation.length === 1 && allocation[0]?.percentage === 100 ? allocation[0].versionId : undefined;
    if (!single) return this.shift(target, allocation, message, signal);
    // rollback writes no output entry; exit 0 is all there is. Callers read status back.
    await this.#runOrThrow(rollbackArgs(target.environment, single, message), signal);
  }

  /** `Cloudflare-Workers-Version-Overrides: <worker>="<version id>"` for the environment's Worker. */
  pinHeaders(target: DeployTarget, versionId: string): Record<string, string> {
    const script = this.#targets.scriptName(target.environment);
    return { [VERSION_OVERRIDES_HEADER]: `${script}=${JSON.stringify(versionId)}` };
  }

  async status(target: DeployTarget, signal: AbortSignal): Promise<LiveState | null> {
    const [current] = await this.deployments(target, signal);
    if (!current) return null;
    const { message: _message, ...live } = current;
    return live;
  }

  /** Earlier deployments, newest first: one `GET …/deployments`, the request `wrangler deployments list` makes. */
  async deployments(target: DeployTarget, signal: AbortSignal): Promise<DeploymentInfo[]> {
    // The action's read at start, when it is the first read of this environment and still fresh.
    const early = this.#targets.takeEarlyRead(target.environment);
    if (early) return early;
    const { worker, api } = await this.#targets.resolve(target.environment, signal);
    this.#logger.debug(api.describe("GET", `/accounts/${worker.accountId}/workers/scripts/${worker.script}/deployments`));
    return api.deployments(worker, signal);
  }

  /** Known versions with their release tags, newest first: the request `wrangler versions list` makes. */
  async versions(target: DeployTarget, signal: AbortSignal): Promise<VersionInfo[]> {
    const { worker, api } = await this.#targets.resolve(target.environment, signal);
    this.#logger.debug(api.describe("GET", `/accounts/${worker.accountId}/workers/scripts/${worker.script}/versions`));
    return api.versions(worker, signal);
  }

  /** The Worker's secret names: one `GET …/secrets`, the request `wrangler secret list` makes. */
  async secretNames(target: DeployTarget, signal: AbortSignal): Promise<SecretListing> {
    const { worker, api } = await this.#targets.resolve(target.environment, signal);
    this.#logger.debug(api.describe("GET", `/accounts/${worker.accountId}/workers/scripts/${worker.script}/secrets`));
    return { where: `the Worker ${worker.script} (--env ${target.environment})`, names: await api.secretNames(worker, signal) };
  }

  manualRestoreCommand(target: DeployTarget, allocation: Allocation, message: string): string {
    return manualCommand(manualRestoreArgs(target.environment, allocation, message));
  }

  async #run(args: readonly string[], signal: AbortSignal, secrets?: Readonly<Record<string, string>>): Promise<WranglerResult> {
    const command = this.#runner.describe(args);
    // Names only: the values go into a file wrangler reads, never into argv or the log.
    const carried = secrets ? ` ${SECRETS_FILE_FLAG} <file with ${Object.keys(secrets).join(", ")}>` : "";
    this.#logger.info(`$ ${command}${carried}`);
    const result = await this.#runner.run(args, { signal, ...(secrets ? { secrets } : {}) });
    // wrangler's own words, folded: inside the stage's group when there is one (groups do not nest), else a group of their own.
    await this.#logger.group(`wrangler output (exit ${String(result.exitCode)} in ${(result.durationMs / 1000).toFixed(1)}s)`, async () => {
      if (result.stdout.trim()) this.#logger.info(result.stdout.trimEnd());
      // On success stderr holds wrangler's warnings (proxy, tags not applied): worth showing.
      if (result.stderr.trim() && succeeded(result)) this.#logger.info(result.stderr.trimEnd());
    });
    this.#logger.debug(`${command}: exit ${String(result.exitCode)} in ${result.durationMs} ms`);
    return result;
  }

  async #runOrThrow(args: readonly string[], signal: AbortSignal, secrets?: Readonly<Record<string, string>>): Promise<WranglerResult> {
    const result = await this.#run(args, signal, secrets);
    if (!succeeded(result)) throw failureError(this.#runner.describe(args), result);
    return result;
  }

  /** One `POST …/deployments`, what `wrangler rollback` / `versions deploy` send, without starting wrangler. */
  async #restoreDirect(target: DeployTarget, allocation: Allocation, message: string, signal: AbortSignal): Promise<void> {
    const problem = allocationProblem(allocation);
    if (problem) throw new DeployError(`refusing to restore ${target.environment}: ${problem}`, { command: "restore", detail: problem });
    const { worker, api } = await this.#targets.resolve(target.environment, signal);
    const shares = allocation.map((share) => `${share.versionId}@${share.percentage}`).join(" ");
    this.#logger.info(
      `${api.describe("POST", `/accounts/${worker.accountId}/workers/scripts/${worker.script}/deployments`)} (${shares}: the request wrangler would send)`,
    );
    await api.deploy(worker, allocation, message, signal);
  }

  #missing(result: WranglerResult, what: string): DeployError {
    return failureError(this.#runner.describe(result.args), result, `exited 0 but ${what}`) as DeployError;
  }
}

function targetsFor(options: WranglerDeployerProcessOptions): WranglerTargets {
  return new WranglerTargets({
    workingDirectory: options.workingDirectory,
    env: options.env,
    apiToken: options.apiToken,
    accountId: options.accountId,
    logger: options.logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.apiTimeoutMs === undefined ? {} : { requestTimeoutMs: options.apiTimeoutMs }),
  });
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
