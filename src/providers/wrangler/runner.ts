/**
 * Runs one wrangler command as a child process and collects everything it said: exit code,
 * stdout, ANSI-stripped stderr and the entries of its ND-JSON output file. Success and
 * failure share one result shape; deciding what a failure means is the deployer's job.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Millis } from "../../core/types.js";
import { buildWranglerEnv, type BaseEnv } from "./env.js";
import { parseOutputFile, type OutputEntry } from "./output.js";
import { startChild } from "../system/process-tree.js";
import { describeCommand, stripAnsi } from "./text.js";

/** Everything one wrangler command produced. */
export interface WranglerResult {
  readonly args: readonly string[];
  /** `undefined` when the process was killed by a signal or could not start. */
  readonly exitCode: number | undefined;
  /** The signal that ended the process, if one did. */
  readonly signal?: string;
  /** stdout with ANSI colour codes removed (valid JSON never holds a raw escape byte). */
  readonly stdout: string;
  /** stderr with ANSI colour codes removed. */
  readonly stderr: string;
  readonly entries: readonly OutputEntry[];
  readonly durationMs: Millis;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /**
   * Worker secrets for this command: written as JSON to a file only this user can read, in the
   * command's own temporary folder (removed when it ends), and passed as `--secrets-file
   * <path>` (wrangler 4.74+ on `deploy` and `versions upload`). Values never reach argv.
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Overrides the runner's default timeout for this command. */
  readonly timeoutMs?: Millis;
}

/** Runs wrangler commands; the deployer depends on this, tests inject fakes. */
export interface WranglerRunner {
  run(args: readonly string[], options?: RunOptions): Promise<WranglerResult>;
  /** The printed command line, e.g. `wrangler deploy --env staging`. */
  describe(args: readonly string[]): string;
}

/** Reported the moment a wrangler process has been spawned. */
export interface SpawnEvent {
  readonly args: readonly string[];
  readonly pid: number | undefined;
  /** Epoch milliseconds. */
  readonly at: number;
}

export interface WranglerProcessOptions {
  /** Path to `wrangler/bin/wrangler.js`. */
  readonly binJs: string;
  readonly cwd: string;
  /** The step's environment; see `buildWranglerEnv` for what is added. */
  readonly env: BaseEnv;
  readonly apiToken?: string | undefined;
  readonly accountId?: string | undefined;
  /** Default per-command timeout. @default 600000 (10 minutes) */
  readonly timeoutMs?: Millis;
  /** Time between SIGTERM and SIGKILL. @default KILL_GRACE_MS (process-tree.ts) */
  readonly killGraceMs?: Millis;
  readonly onSpawn?: (event: SpawnEvent) => void;
  /** Node binary that runs wrangler. @default process.execPath */
  readonly nodePath?: string;
  /** Where per-command output-file directories are created. @default os.tmpdir() */
  readonly tempRoot?: string;
}

export const DEFAULT_WRANGLER_TIMEOUT_MS = 10 * 60_000;

/** Runs wrangler under the same Node as shipline, one fresh output file per command. */
export class WranglerProcessRunner implements WranglerRunner {
  readonly #options: WranglerProcessOptions;

  constructor(options: WranglerProcessOptions) {
    this.#options = options;
  }

  describe(args: readonly string[]): string {
    return describeCommand("wrangler", args);
  }

  async run(args: readonly string[], options: RunOptions = {}): Promise<WranglerResult> {
    if (options.signal?.aborted) return notStarted(args, { cancelled: true });
    const dir = await mkdtemp(join(this.#options.tempRoot ?? tmpdir(), "shipline-wrangler-"));
    try {
      return await this.#runIn(dir, args, options);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async #runIn(dir: string, given: readonly string[], options: RunOptions): Promise<WranglerResult> {
    const outputFile = join(dir, "output.ndjson");
    const args = options.secrets ? [...given, ...(await writeSecretsFile(dir, options.secrets))] : given;
    const started = performance.now();
    const env = buildWranglerEnv({
      base: this.#options.env,
      apiToken: this.#options.apiToken,
      accountId: this.#options.accountId,
      outputFile,
    });
    const child = startChild(this.#options.nodePath ?? process.execPath, [this.#options.binJs, ...args], {
      cwd: this.#options.cwd,
      env,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_WRANGLER_TIMEOUT_MS,
      graceMs: this.#options.killGraceMs,
    });
    if (child.pid !== undefined) this.#options.onSpawn?.({ args, pid: child.pid, at: Date.now() });
    const result = await child.result;
    return {
      args,
      exitCode: result.exitCode,
      ...(result.signal ? { signal: result.signal } : {}),
      // Normally plain on a non-TTY, but failure hints ("If you think this is a bug") are coloured.
      stdout: stripAnsi(result.stdout),
      // When Node itself could not start (bad nodePath, cwd missing) there is no stderr: say why.
      stderr: stripAnsi(result.stderr) || (result.startError?.message ?? ""),
      entries: parseOutputFile(await readIfExists(outputFile)),
      durationMs: Math.round(performance.now() - started),
      timedOut: result.timedOut,
      cancelled: result.cancelled,
    };
  }
}

/** Writes `secrets` as a JSON file readable by this user only; returns the wrangler flag naming it. */
async function writeSecretsFile(dir: string, secrets: Readonly<Record<string, string>>): Promise<string[]> {
  const path = join(dir, "secrets.json");
  await writeFile(path, JSON.stringify(secrets), { mode: 0o600, flag: "wx" });
  return [SECRETS_FILE_FLAG, path];
}

/** The wrangler flag that uploads secrets with a version, from a JSON file. */
export const SECRETS_FILE_FLAG = "--secrets-file";

async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}

function notStarted(args: readonly string[], flags: { cancelled: boolean }): WranglerResult {
  return {
    args,
    exitCode: undefined,
    stdout: "",
    stderr: "",
    entries: [],
    durationMs: 0,
    timedOut: false,
    cancelled: flags.cancelled,
  };
}
