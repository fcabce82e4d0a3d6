/**
 * Runs one wrangler command as a child process and collects everything it said: exit code,
 * stdout, ANSI-stripped stderr and the entries of its ND-JSON output file. Success and
 * failure share one result shape; deciding what a failure means is the deployer's job.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { execa, type ResultPromise } from "execa";
import type { Millis } from "../../core/types.js";
import { buildWranglerEnv, type BaseEnv } from "./env.js";
import { parseOutputFile, type OutputEntry } from "./output.js";
import { killTree, USE_PROCESS_GROUP } from "../system/process-tree.js";
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
  /** Time between SIGTERM and SIGKILL. @default 3000 */
  readonly killGraceMs?: Millis;
  readonly onSpawn?: (event: SpawnEvent) => void;
  /** Node binary that runs wrangler. @default process.execPath */
  readonly nodePath?: string;
  /** Where per-command output-file directories are created. @default os.tmpdir() */
  readonly tempRoot?: string;
}

export const DEFAULT_WRANGLER_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_KILL_GRACE_MS = 3_000;

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

  async #runIn(dir: string, args: readonly string[], options: RunOptions): Promise<WranglerResult> {
    const outputFile = join(dir, "output.ndjson");
    const started = performance.now();
    const child = this.#spawn(args, outputFile);
    this.#options.onSpawn?.({ args, pid: child.pid, at: Date.now() });
    const stop = watchForStop(child, {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_WRANGLER_TIMEOUT_MS,
      graceMs: this.#options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    });
    const result = await child;
    stop.dispose();
    return {
      args,
      exitCode: typeof result.exitCode === "number" ? result.exitCode : undefined,
      ...(result.signal ? { signal: result.signal } : {}),
      // Normally plain on a non-TTY, but failure hints ("If you think this is a bug") are coloured.
      stdout: stripAnsi(String(result.stdout ?? "")),
      stderr: stripAnsi(String(result.stderr ?? "")) || spawnFailure(result),
      entries: parseOutputFile(await readIfExists(outputFile)),
      durationMs: Math.round(performance.now() - started),
      timedOut: stop.timedOut(),
      cancelled: stop.cancelled(),
    };
  }

  #spawn(args: readonly string[], outputFile: string): ResultPromise<{ reject: false }> {
    const env = buildWranglerEnv({
      base: this.#options.env,
      apiToken: this.#options.apiToken,
      accountId: this.#options.accountId,
      outputFile,
    });
    return execa(this.#options.nodePath ?? process.execPath, [this.#options.binJs, ...args], {
      cwd: this.#options.cwd,
      env,
      extendEnv: false,
      // An open stdin makes `versions deploy` without --yes hang; ignored, prompts fall back.
      stdin: "ignore",
      reject: false,
      detached: USE_PROCESS_GROUP,
      windowsHide: true,
      forceKillAfterDelay: false,
    }) as ResultPromise<{ reject: false }>;
  }
}

interface StopWatch {
  timedOut(): boolean;
  cancelled(): boolean;
  dispose(): void;
}

/** Kills `child` when the signal aborts or the timeout passes: SIGTERM, then SIGKILL after a grace. */
function watchForStop(
  child: ResultPromise,
  limits: { signal: AbortSignal | undefined; timeoutMs: Millis; graceMs: Millis },
): StopWatch {
  let timedOut = false;
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = () => {
    if (killTimer) return;
    killTree(child, "SIGTERM");
    killTimer = setTimeout(() => killTree(child, "SIGKILL"), limits.graceMs);
  };
  const onAbort = () => {
    cancelled = true;
    terminate();
  };
  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    terminate();
  }, limits.timeoutMs);
  limits.signal?.addEventListener("abort", onAbort, { once: true });
  return {
    timedOut: () => timedOut,
    cancelled: () => cancelled,
    dispose: () => {
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      limits.signal?.removeEventListener("abort", onAbort);
    },
  };
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}

// When Node itself could not start (bad nodePath, cwd missing) there is no stderr: say why.
function spawnFailure(result: {
  failed?: boolean;
  exitCode?: number | undefined;
  signal?: string | undefined;
  message?: string;
}): string {
  if (result.failed && result.exitCode === undefined && !result.signal && result.message) return result.message;
  return "";
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
