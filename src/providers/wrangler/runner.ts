/**
 * Runs one wrangler command as a child process and collects everything it said: exit code,
 * stdout, ANSI-stripped stderr and the entries of its ND-JSON output file. Success and
 * failure share one result shape; deciding what a failure means is the deployer's job.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Millis } from "../../core/types.js";
import { buildWranglerEnv, type BaseEnv } from "./env.js";
import type { OutputEntry } from "./output.js";
import { beforeStopAll, startChild, type RunningChild } from "../system/process-tree.js";
import { describeCommand, stripAnsi } from "./text.js";
import { startWriteGate, type WriteGate } from "./write-gate.js";

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
  /** The process was started ahead of its turn (`prestart`) and adopted by this run. */
  readonly startedAhead?: true;
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
  /** Starts `args` ahead of its turn with its requests held; `run` with the same args adopts it. */
  prestart?(args: readonly string[], options: PrestartOptions): Promise<{ readonly ended: Promise<void> } | undefined>;
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

export interface PrestartOptions {
  /** The run's cancellation: it stops the process and refuses its writes. */
  readonly signal: AbortSignal;
  readonly secrets?: Readonly<Record<string, string>>;
  /** The Cloudflare API base URL wrangler would use for this command; its writes reach it once `run` adopts the process. */
  readonly upstream: string;
  /** Milliseconds, for how long a write has been held (tests). @default performance.now */
  readonly now?: () => number;
  /** Hold its reads too: it waits at its first request, so what it reads is fresh once adopted. */
  readonly holdReads?: boolean;
  /** A request held longer is not let through; the command starts afresh instead. @default PRESTART_MAX_HOLD_MS */
  readonly maxHoldMs?: Millis;
  /**
   * While nobody adopts it, the process is replaced by a fresh one this often, before its held
   * request could time out (undici's default headers timeout is 300 s). @default never
   */
  readonly renewAfterMs?: Millis;
}

/** A command started ahead of its turn, its writes held at a gate. */
interface Prestarted {
  readonly given: readonly string[];
  readonly secrets: string;
  readonly gate: WriteGate;
  readonly child: RunningChild;
  readonly result: Promise<WranglerResult>;
  readonly maxHoldMs: Millis;
  adopted: boolean;
  /** The process has exited (on its own, or stopped). */
  ended: boolean;
}

/**
 * A write held longer than this is not let through: wrangler's request may be about to time
 * out, so the run starts the command afresh instead (nothing held has reached Cloudflare).
 */
export const PRESTART_MAX_HOLD_MS: Millis = 30_000;

/** Runs wrangler under the same Node as shipline, one fresh output file per command. */
export class WranglerProcessRunner implements WranglerRunner {
  readonly #options: WranglerProcessOptions;
  #prestarted: Prestarted | undefined;
  #renewal: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #closed = false;
  #forgetHook: (() => void) | undefined;
  #launch: readonly string[] | undefined;

  constructor(options: WranglerProcessOptions) {
    this.#options = options;
  }

  /** The `wrangler/bin/wrangler.js` this runner starts. */
  get binJs(): string {
    return this.#options.binJs;
  }

  describe(args: readonly string[]): string {
    return describeCommand("wrangler", args);
  }

  async run(args: readonly string[], options: RunOptions = {}): Promise<WranglerResult> {
    if (options.signal?.aborted) return notStarted(args, { cancelled: true });
    clearTimeout(this.#renewal);
    this.#renewal = undefined;
    await this.#starting;
    await this.#renewing;
    const early = this.#prestarted;
    if (early && !early.adopted) {
      if (sameCommand(early, args, options.secrets) && !early.ended && early.gate.heldForMs() <= early.maxHoldMs) {
        return this.#adopt(early, options.signal);
      }
      // Nothing it wrote has reached Cloudflare: a fresh process is always safe.
      await this.#discard("the run starts its deploy afresh");
    }
    const dir = await mkdtemp(join(this.#options.tempRoot ?? tmpdir(), "shipline-wrangler-"));
    try {
      const started = await this.#start(dir, args, options);
      return await this.#collect(started);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Starts `args` now with its API requests going through a write gate (see write-gate.ts):
   * wrangler starts, bundles and reads, but nothing it writes reaches Cloudflare until `run`
   * is called with the same arguments and secrets, which adopts the process and opens the
   * gate. Until then, nothing has changed; `discardPrestarted` (or the signal) stops it.
   */
  async prestart(args: readonly string[], options: PrestartOptions): Promise<{ readonly ended: Promise<void> } | undefined> {
    if (this.#closed || (this.#prestarted && !this.#prestarted.adopted) || options.signal.aborted) return undefined;
    const starting = this.#startAhead(args, options);
    this.#starting = starting.then(noop, noop);
    const record = await starting;
    // Discarded (the run ended, a cancel) while it was being set up: it goes at once.
    if (this.#closed || options.signal.aborted) await this.#discard("the run stopped while the command was starting");
    return { ended: record.result.then(noop, noop) };
  }

  async #startAhead(args: readonly string[], options: PrestartOptions): Promise<Prestarted> {
    const gate = await startWriteGate(options.upstream, {
      ...(options.now ? { now: options.now } : {}),
      ...(options.holdReads ? { holdReads: true } : {}),
    });
    let dir: string | undefined;
    let started: Started;
    try {
      dir = await mkdtemp(join(this.#options.tempRoot ?? tmpdir(), "shipline-wrangler-"));
      const command = { signal: options.signal, ...(options.secrets ? { secrets: options.secrets } : {}) };
      started = await this.#start(dir, args, command, { CLOUDFLARE_API_BASE_URL: gate.url });
    } catch (error) {
      await gate.close();
      if (dir) await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const onAbort = () => gate.refuse("the run was cancelled before its deploy");
    options.signal.addEventListener("abort", onAbort, { once: true });
    const folder = dir;
    const result = this.#collect(started).finally(async () => {
      options.signal.removeEventListener("abort", onAbort);
      gate.refuse("the wrangler process has ended");
      await gate.close();
      await rm(folder, { recursive: true, force: true });
    });
    result.catch(() => undefined);
    const record: Prestarted = {
      given: [...args],
      secrets: secretsKey(options.secrets),
      gate,
      child: started.child,
      result,
      maxHoldMs: options.maxHoldMs ?? PRESTART_MAX_HOLD_MS,
      adopted: false,
      ended: false,
    };
    // Ended as soon as the process has: an exited command is never adopted (a fresh one is started).
    void started.child.result.finally(() => (record.ended = true)).catch(noop);
    this.#prestarted = record;
    if (options.renewAfterMs !== undefined) this.#scheduleRenewal(args, options, options.renewAfterMs);
    // Stopping every child (the end of a run, a cancel) ends the wait and the renewals too.
    this.#forgetHook ??= beforeStopAll(() => this.discardPrestarted("the run is stopping its processes"));
    return record;
  }

  /**
   * Stops a started command nobody adopted, and starts none again (no renewals, no later
   * `prestart`): its held requests are refused, its process group killed.
   */
  async discardPrestarted(reason: string): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#renewal);
    this.#renewal = undefined;
    this.#forgetHook?.();
    this.#forgetHook = undefined;
    await this.#starting;
    await this.#renewing;
    await this.#discard(reason);
  }

  /** Replaces the waiting process by a fresh one, until someone adopts or discards it. */
  #scheduleRenewal(args: readonly string[], options: PrestartOptions, afterMs: Millis): void {
    this.#renewal = setTimeout(() => {
      this.#renewal = undefined;
      const early = this.#prestarted;
      if (this.#closed || !early || early.adopted || early.ended || options.signal.aborted) return;
      this.#renewing = (async () => {
        await this.#discard("replaced by a fresh process before its request could time out");
        this.#prestarted = undefined;
        await this.prestart(args, options);
      })().catch(noop);
    }, afterMs);
    this.#renewal.unref();
  }

  async #discard(reason: string): Promise<void> {
    const early = this.#prestarted;
    if (!early || early.adopted) return;
    early.adopted = true;
    early.gate.refuse(reason);
    early.child.stop();
    await early.result.catch(() => undefined);
  }

  async #adopt(early: Prestarted, signal: AbortSignal | undefined): Promise<WranglerResult> {
    early.adopted = true;
    const onAbort = () => early.child.stop();
    signal?.addEventListener("abort", onAbort, { once: true });
    early.gate.open();
    try {
      return { ...(await early.result), startedAhead: true };
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  async #start(dir: string, given: readonly string[], options: RunOptions, extraEnv: Record<string, string> = {}): Promise<Started> {
    const outputFile = join(dir, "output.ndjson");
    const args = options.secrets ? [...given, ...(await writeSecretsFile(dir, options.secrets))] : given;
    const started = performance.now();
    const env = {
      ...buildWranglerEnv({
        base: this.#options.env,
        apiToken: this.#options.apiToken,
        accountId: this.#options.accountId,
        outputFile,
      }),
      ...extraEnv,
    };
    const child = startChild(
      this.#options.nodePath ?? process.execPath,
      [...(this.#launch ??= wranglerLaunch(this.#options.binJs)), ...args],
      {
        cwd: this.#options.cwd,
        env,
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_WRANGLER_TIMEOUT_MS,
        graceMs: this.#options.killGraceMs,
      },
    );
    if (child.pid !== undefined) this.#options.onSpawn?.({ args, pid: child.pid, at: Date.now() });
    // The output file's schema (zod) loads while the command runs: after the spawn, not before
    // it (the head start), and not after the command's exit either.
    outputModule().catch(() => undefined);
    return { args, child, started, outputFile };
  }

  async #collect({ args, child, started, outputFile }: Started): Promise<WranglerResult> {
    const result = await child.result;
    const { parseOutputFile } = await outputModule();
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

interface Started {
  readonly args: readonly string[];
  readonly child: RunningChild;
  readonly started: number;
  readonly outputFile: string;
}

function noop(): void {}

function sameCommand(early: Prestarted, args: readonly string[], secrets: Readonly<Record<string, string>> | undefined): boolean {
  return early.given.length === args.length && early.given.every((arg, i) => arg === args[i]) && early.secrets === secretsKey(secrets);
}

function secretsKey(secrets: Readonly<Record<string, string>> | undefined): string {
  return JSON.stringify(Object.entries(secrets ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Writes `secrets` as a JSON file readable by this user only; returns the wrangler flag naming it. */
async function writeSecretsFile(dir: string, secrets: Readonly<Record<string, string>>): Promise<string[]> {
  const path = join(dir, "secrets.json");
  await writeFile(path, JSON.stringify(secrets), { mode: 0o600, flag: "wx" });
  return [SECRETS_FILE_FLAG, path];
}

/** The wrangler flag that uploads secrets with a version, from a JSON file. */
export const SECRETS_FILE_FLAG = "--secrets-file";

/** The first wrangler with `--secrets-file` on `deploy` and `versions upload` (its changelog, 4.74.0). */
export const SECRETS_FILE_MIN_WRANGLER = "4.74.0";

let loadingOutput: Promise<typeof import("./output.js")> | undefined;
const outputModule = () => (loadingOutput ??= import("./output.js"));

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

/**
 * What Node is started with to run wrangler. `bin/wrangler.js` only starts a second Node with
 * its Node flags (`--no-warnings`, and `--experimental-vm-modules` up to some 4.x) and
 * `wrangler-dist/cli.js`, and relays its exit: started that way directly, each wrangler command
 * costs one Node start less (0.15–0.25 s of CPU on a 2-core runner, measured with `/usr/bin/time`
 * on `wrangler deploy --dry-run`). The flags are read from the installed wrapper itself, so a
 * wrangler that changes them is run as its wrapper would run it. Any other layout (a different
 * package, a wrapper of another shape, a test double) runs the bin as given.
 */
export function wranglerLaunch(binJs: string): readonly string[] {
  const cli = join(dirname(binJs), "..", "wrangler-dist", "cli.js");
  const standard = basename(binJs) === "wrangler.js" && basename(dirname(binJs)) === "bin";
  const flags = standard && existsSync(cli) ? wrapperFlags(binJs) : undefined;
  return flags ? [...flags, cli] : [binJs];
}

/**
 * The Node flags `bin/wrangler.js` spawns `process.execPath` with: the string literals of its
 * `spawn(process.execPath, [ … ])` before `...process.execArgv` and the bundle. Undefined when
 * the wrapper is not of that shape.
 */
function wrapperFlags(binJs: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(binJs, "utf8");
  } catch {
    return undefined;
  }
  const args = /spawn\(\s*process\.execPath,\s*\[([^\]]*)\]/.exec(text)?.[1];
  if (!args?.includes("wrangler-dist/cli.js")) return undefined;
  const cut = args.search(/\.\.\.process\.execArgv|path\.join/);
  const before = cut >= 0 ? args.slice(0, cut) : "";
  // Only string literals may stand there: a variable or a computed flag is a shape not known here.
  if (before.replace(/["'][^"']*["']/g, "").replace(/[\s,]/g, "") !== "") return undefined;
  const flags = [...before.matchAll(/["']([^"']*)["']/g)].map((m) => m[1]!);
  return flags.every((flag) => flag.startsWith("--")) ? flags : undefined;
}
