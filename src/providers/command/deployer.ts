/**
 * The second `Deployer`: the user's own commands (`deployer: { kind: command }`), for hosts
 * that are not Cloudflare Workers (a blue-green host, Docker Compose, Render's API). Each
 * command runs in the working directory, without a shell unless asked, in a process group of
 * its own (a timeout or a cancellation stops the whole group, as for wrangler), with the
 * step's environment minus `INPUT_*`, plus:
 *
 * - `SHIPLINE_ENVIRONMENT`: the environment, e.g. `production`;
 * - `SHIPLINE_VERSION`, `SHIPLINE_TAG`, `SHIPLINE_SHA`, `SHIPLINE_MESSAGE` (deploy, upload);
 * - `SHIPLINE_TARGET_VERSION` (restore): the version id to serve at 100%;
 * - `SHIPLINE_ALLOCATION` (restore, shift): the shares to serve, as JSON
 *   `[{"versionId":"…","percentage":90}, …]`;
 * - `SHIPLINE_URGENT=1` (restore of a cancelled run: be quick).
 *
 * Each prints one JSON document on stdout (see contract.ts); a write that exits 0 but then
 * reports something other than what was asked is an error, never a success.
 */
import { performance } from "node:perf_hooks";
import { CancelledError, DeployError } from "../../core/errors.js";
import type { DeployOutcome, DeployRequest, Deployer, DeployTarget, Logger, RestoreOptions, UploadOutcome } from "../../core/ports.js";
import { describeAllocation, sameAllocation, soleVersion } from "../../core/allocation.js";
import type { Allocation, DeploymentInfo, LiveState, Millis, VersionInfo } from "../../core/types.js";
import { normaliseVersionId } from "../../core/version-id.js";
import { startChild, type ChildResult } from "../system/process-tree.js";
import type { SpawnEvent } from "../wrangler/runner.js";
import type { CommandLine } from "./command-line.js";
import {
  deploymentsOf,
  liveStateOf,
  parseStatusDocument,
  parseVersionDocument,
  quote,
  versionsOf,
  type StatusDocument,
} from "./contract.js";

/** The commands a host provides; `upload` and `shift` together make `gradual` possible. */
export interface HostCommands {
  readonly deploy: CommandLine;
  readonly status: CommandLine;
  readonly restore: CommandLine;
  readonly upload?: CommandLine;
  readonly shift?: CommandLine;
  /** Prints a status document whose `versions` (and `deployments`) list what can be restored; default: `status`. */
  readonly versions?: CommandLine;
}

export type CommandRole = keyof HostCommands;

export interface CommandDeployerOptions {
  readonly commands: HostCommands;
  readonly workingDirectory: string;
  /** The step's environment (usually `process.env`); `INPUT_*` never reaches a command. */
  readonly env: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** Per command. @default 600000 */
  readonly timeoutMs?: Millis;
  /** Time between SIGTERM and SIGKILL. @default KILL_GRACE_MS (process-tree.ts) */
  readonly killGraceMs?: Millis;
  readonly onSpawn?: (event: SpawnEvent) => void;
}

export const DEFAULT_COMMAND_TIMEOUT_MS: Millis = 10 * 60_000;

const STDERR_TAIL_LINES = 15;

/** Deploys, reads and restores through the user's commands. */
export class CommandDeployer implements Deployer {
  readonly name = "command";
  readonly #options: CommandDeployerOptions;
  /** Headers an upload reported for reaching its version alone, by normalised version id. */
  readonly #pins = new Map<string, Record<string, string>>();

  constructor(options: CommandDeployerOptions) {
    this.#options = options;
  }

  async deploy(target: DeployTarget, request: DeployRequest, signal: AbortSignal): Promise<DeployOutcome> {
    const { stdout, source } = await this.#run("deploy", target, releaseEnv(request), signal);
    const doc = parseVersionDocument(stdout, source);
    return {
      versionId: doc.versionId,
      ...(doc.url ? { url: doc.url } : {}),
      ...(doc.deploymentId ? { deploymentId: doc.deploymentId } : {}),
    };
  }

  async upload(target: DeployTarget, request: DeployRequest, signal: AbortSignal): Promise<UploadOutcome> {
    const { stdout, source } = await this.#run("upload", target, releaseEnv(request), signal);
    const doc = parseVersionDocument(stdout, source);
    if (doc.headers) this.#pins.set(normaliseVersionId(doc.versionId), doc.headers);
    return { versionId: doc.versionId, ...(doc.url ? { previewUrl: doc.url } : {}) };
  }

  async shift(target: DeployTarget, allocation: Allocation, message: string, signal: AbortSignal): Promise<void> {
    const env = { SHIPLINE_ALLOCATION: JSON.stringify(allocation), SHIPLINE_MESSAGE: message };
    const { stdout, source } = await this.#run("shift", target, env, signal);
    this.#expectServing(parseStatusDocument(stdout, source), allocation, source.command, target);
  }

  async restore(
    target: DeployTarget,
    allocation: Allocation,
    message: string,
    signal: AbortSignal,
    options: RestoreOptions = {},
  ): Promise<void> {
    const single = soleVersion(allocation);
    if (!single) return this.shift(target, allocation, message, signal);
    const env = {
      SHIPLINE_TARGET_VERSION: single,
      SHIPLINE_ALLOCATION: JSON.stringify(allocation),
      SHIPLINE_MESSAGE: message,
      ...(options.urgent ? { SHIPLINE_URGENT: "1" } : {}),
    };
    const { stdout, source } = await this.#run("restore", target, env, signal);
    this.#expectServing(parseStatusDocument(stdout, source), allocation, source.command, target);
  }

  async status(target: DeployTarget, signal: AbortSignal): Promise<LiveState | null> {
    return liveStateOf(await this.#status("status", target, signal));
  }

  async deployments(target: DeployTarget, signal: AbortSignal): Promise<DeploymentInfo[]> {
    return deploymentsOf(await this.#status("status", target, signal));
  }

  async versions(target: DeployTarget, signal: AbortSignal): Promise<VersionInfo[]> {
    return versionsOf(await this.#status(this.#options.commands.versions ? "versions" : "status", target, signal));
  }

  manualRestoreCommand(target: DeployTarget, allocation: Allocation, message: string): string {
    const single = soleVersion(allocation);
    const command = single ? this.#options.commands.restore : (this.#options.commands.shift ?? this.#options.commands.restore);
    const vars = [
      `SHIPLINE_ENVIRONMENT=${shellWord(target.environment)}`,
      ...(single ? [`SHIPLINE_TARGET_VERSION=${shellWord(single)}`] : []),
      `SHIPLINE_ALLOCATION=${shellWord(JSON.stringify(allocation))}`,
      `SHIPLINE_MESSAGE=${shellWord(message)}`,
    ];
    return `cd ${shellWord(this.#options.workingDirectory)} && ${vars.join(" ")} ${command.text}`;
  }

  /** The headers the upload of `versionId` reported, if any (none: the gate measures whatever answers). */
  pinHeaders(_target: DeployTarget, versionId: string): Record<string, string> {
    return { ...this.#pins.get(normaliseVersionId(versionId)) };
  }

  async #status(role: "status" | "versions", target: DeployTarget, signal: AbortSignal): Promise<StatusDocument> {
    const { stdout, source } = await this.#run(role, target, {}, signal);
    return parseStatusDocument(stdout, source);
  }

  #expectServing(doc: StatusDocument, allocation: Allocation, command: string, target: DeployTarget): void {
    if (sameAllocation(doc.allocation, allocation)) return;
    const detail = `asked for ${describeAllocation(allocation)}, it reports ${describeAllocation(doc.allocation)}`;
    throw new DeployError(`\`${command}\` exited 0 but ${target.environment} does not serve what was asked: ${detail}`, {
      command,
      detail,
    });
  }

  async #run(
    role: CommandRole,
    target: DeployTarget,
    extra: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<{ stdout: string; source: { command: string; role: string; environment: string } }> {
    const command = this.#options.commands[role];
    if (!command) throw new DeployError(`The command deployer has no \`${role}\` command.`, { command: role });
    const options = this.#options;
    const source = { command: command.text, role, environment: target.environment };
    options.logger.info(`$ ${command.text}  (${role}, SHIPLINE_ENVIRONMENT=${target.environment})`);
    const started = performance.now();
    const [file, ...args] = command.argv;
    const child = startChild(file, args, {
      cwd: options.workingDirectory,
      env: { ...options.env, SHIPLINE_ENVIRONMENT: target.environment, ...extra },
      shell: command.shell,
      signal,
      timeoutMs: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      graceMs: options.killGraceMs,
    });
    if (child.pid !== undefined) options.onSpawn?.({ args: command.argv, pid: child.pid, at: Date.now() });
    const result = await child.result;
    const ms = Math.round(performance.now() - started);
    await options.logger.group(
      `${role} output (exit ${String(result.exitCode ?? result.signal)} in ${(ms / 1000).toFixed(1)}s)`,
      async () => {
        if (result.stderr.trim()) options.logger.info(result.stderr.trimEnd());
        if (result.stdout.trim()) options.logger.debug(result.stdout.trimEnd());
      },
    );
    if (result.cancelled) throw new CancelledError(`\`${command.text}\` (${role}, ${target.environment}) was cancelled`);
    if (result.exitCode !== 0 || result.timedOut) throw failure(source, result, ms, options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    return { stdout: result.stdout, source };
  }
}

function releaseEnv(request: DeployRequest): Record<string, string> {
  return {
    SHIPLINE_VERSION: request.release.version,
    SHIPLINE_TAG: request.release.tag,
    SHIPLINE_SHA: request.release.sha,
    SHIPLINE_MESSAGE: request.message,
  };
}

function failure(
  source: { command: string; role: string; environment: string },
  result: ChildResult,
  ms: Millis,
  timeoutMs: Millis,
): DeployError {
  const what = `The ${source.role} command \`${source.command}\` (${source.environment})`;
  const how = result.timedOut
    ? `did not finish within ${formatSeconds(timeoutMs)} and was stopped`
    : result.startError
      ? `could not start: ${result.startError.message}`
      : result.exitCode === undefined
        ? `was killed by ${String(result.signal)}`
        : `exited with code ${result.exitCode} after ${formatSeconds(ms)}`;
  const stderr = result.stderr.trim().split(/\r?\n/).slice(-STDERR_TAIL_LINES).join("\n");
  const detail = [stderr && `stderr: ${stderr}`, result.stdout.trim() && `stdout: ${quote(result.stdout)}`].filter(Boolean).join("\n");
  return new DeployError(`${what} ${how}${detail ? `. ${detail}` : ""}`, {
    command: source.command,
    ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
    detail: detail || how,
  });
}

function formatSeconds(ms: Millis): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
