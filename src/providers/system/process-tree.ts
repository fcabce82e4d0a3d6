/**
 * The one way shipline starts and stops child processes (wrangler, npm, git, the user's
 * commands). wrangler starts esbuild (and `bin/wrangler.js`, when run, a second Node), and a shell command line
 * starts children of its own: signalling only the direct child would orphan the rest (still
 * running, still holding the output pipe, still able to change production after the job ended).
 * So every child gets its own process group (POSIX) and the whole group is signalled.
 *
 * Every group is registered while it runs. `stopAllChildren()` stops every registered group
 * (SIGTERM, then SIGKILL after one grace period), and a `process.on("exit")` hook SIGKILLs any
 * group still registered, synchronously, so even `process.exit` leaves nothing behind.
 *
 * Every child's environment loses the action's `INPUT_*` variables (they hold the tokens the
 * runner passes in `with:`), whatever the caller handed in.
 */
import { execa, type ResultPromise } from "execa";
import type { Clock } from "../../core/ports.js";
import type { Millis } from "../../core/types.js";
import { childEnv, type ChildEnv } from "./child-env.js";
import { systemClock } from "./clock.js";

/** Whether children are started in their own process group (`detached`). */
export const USE_PROCESS_GROUP = process.platform !== "win32";

/**
 * Time between SIGTERM and SIGKILL, for every child. wrangler, npm and shells exit within
 * milliseconds of a SIGTERM; two seconds let one flush its output and still leave most of the
 * 7 s cancellation budget (SPEC section 5) to the restore.
 */
export const KILL_GRACE_MS: Millis = 2_000;

/** How long `stopAllChildren` waits past the grace for SIGKILLed children to be reaped. */
const SETTLE_MS: Millis = 200;

export { childEnv, type ChildEnv };

export interface StartOptions {
  readonly cwd: string;
  /** The child's whole environment (nothing is inherited); `INPUT_*` variables are dropped. */
  readonly env: ChildEnv;
  /** Run `file` as a command line through the shell. */
  readonly shell?: boolean;
  /** Also collect stdout and stderr interleaved (`ChildResult.all`). */
  readonly all?: boolean;
  /** Called with each chunk of output (stdout and stderr) as it arrives. */
  readonly onOutput?: (text: string) => void;
  /** Stops the child (and its group) when it aborts. */
  readonly signal?: AbortSignal | undefined;
  /** Stops the child after this long. */
  readonly timeoutMs?: Millis | undefined;
  /** Time between SIGTERM and SIGKILL. @default KILL_GRACE_MS */
  readonly graceMs?: Millis | undefined;
  /** Clock of the timeout and the grace period. @default systemClock */
  readonly clock?: Clock;
}

/** How a child ended. A child that could not start has `startError` and no exit code. */
export interface ChildResult {
  /** `undefined` when the process was killed by a signal or could not start. */
  readonly exitCode: number | undefined;
  /** The signal that ended the process, if one did. */
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved (empty unless `all` was asked for). */
  readonly all: string;
  /** Stopped because `timeoutMs` passed. */
  readonly timedOut: boolean;
  /** Stopped because the signal aborted (or never started because it had already). */
  readonly cancelled: boolean;
  /** Why the process could not start (missing binary, missing cwd). */
  readonly startError?: { readonly message: string; readonly code?: string };
}

export interface RunningChild {
  /** `undefined` when the child was never started. */
  readonly pid: number | undefined;
  readonly result: Promise<ChildResult>;
  /** Stops the child's group: SIGTERM, then SIGKILL after the grace period. */
  stop(): void;
}

interface Entry {
  /** Sends `signal` to the child's whole group (synchronously). */
  readonly kill: (signal: NodeJS.Signals) => void;
  /** SIGTERM now, SIGKILL after `graceMs` (the child's own grace unless given). */
  readonly terminate: (graceMs?: Millis) => void;
  readonly settled: Promise<unknown>;
}

/** Every child still running (or whose group still has members), by process id. */
const running = new Map<number, Entry>();
let exitHookInstalled = false;
let refusing = false;

/** Children registered right now (a stopped run has none). */
export function runningChildren(): number {
  return running.size;
}

/**
 * Starts `file` with `args` in a process group of its own and registers the group until the
 * child has ended. When the child itself ends, whatever it left behind in its group (a
 * backgrounded `sleep &`, a server it started) is stopped too.
 */
export function startChild(file: string, args: readonly string[], options: StartOptions): RunningChild {
  if (options.signal?.aborted || refusing) return notStarted({ cancelled: true });
  installExitHook();
  const clock = options.clock ?? systemClock;
  const graceMs = options.graceMs ?? KILL_GRACE_MS;
  const child = execa(file, [...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    extendEnv: false,
    // An open stdin makes prompts (`versions deploy` without --yes) hang; ignored, they fall back.
    stdin: "ignore",
    all: options.all === true,
    shell: options.shell === true,
    reject: false,
    detached: USE_PROCESS_GROUP,
    windowsHide: true,
    forceKillAfterDelay: false,
  }) as ResultPromise<{ reject: false; all: boolean }>;
  const pid = child.pid;
  const timers = new AbortController();
  const wait = (ms: Millis) =>
    clock.sleep(ms, timers.signal).then(
      () => true,
      () => false,
    );
  let timedOut = false;
  let cancelled = false;
  let terminating = false;
  const kill = (signal: NodeJS.Signals) => killGroup(child, signal);
  const terminate = (grace: Millis = graceMs) => {
    if (terminating) return;
    terminating = true;
    kill("SIGTERM");
    void wait(grace).then((due) => due && kill("SIGKILL"));
  };
  const onAbort = () => {
    cancelled = true;
    terminate();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.timeoutMs !== undefined) {
    void wait(options.timeoutMs).then((due) => {
      if (!due) return;
      timedOut = true;
      terminate();
    });
  }
  if (options.onOutput) {
    const forward = (chunk: Buffer | string) => options.onOutput?.(chunk.toString());
    child.stdout?.on("data", forward);
    child.stderr?.on("data", forward);
  }
  // The child is over when it exits: a later abort no longer cancels it, and what is left in
  // its group (a backgrounded `sleep &`, a server it started) has nobody to report to.
  child.once("exit", () => {
    options.signal?.removeEventListener("abort", onAbort);
    terminate();
  });
  const result = child.then((done): ChildResult => {
    const startFailed = done.failed && done.exitCode === undefined && !done.signal;
    const code = (done as { code?: unknown }).code;
    return {
      exitCode: typeof done.exitCode === "number" ? done.exitCode : undefined,
      signal: done.signal ?? undefined,
      stdout: String(done.stdout ?? ""),
      stderr: String(done.stderr ?? ""),
      all: String(done.all ?? ""),
      timedOut,
      cancelled,
      ...(startFailed
        ? { startError: { message: done.message || "the process could not start", ...(typeof code === "string" ? { code } : {}) } }
        : {}),
    };
  });
  const settled = result.finally(() => {
    options.signal?.removeEventListener("abort", onAbort);
    timers.abort();
    // Stragglers that closed their output and ignored the SIGTERM: nothing may outlive the child.
    kill("SIGKILL");
    if (pid !== undefined) running.delete(pid);
  });
  if (pid !== undefined) running.set(pid, { kill, terminate, settled: settled.catch(() => undefined) });
  return { pid, result: settled, stop: onAbort };
}

export interface StopAllOptions {
  /** Time between SIGTERM and SIGKILL. @default KILL_GRACE_MS */
  readonly graceMs?: Millis;
  /** Start no child from now on (the process is about to exit). */
  readonly refuseNew?: boolean;
}

/**
 * Stops every registered child group: SIGTERM, then SIGKILL after the grace period. Resolves
 * when they have all ended, or at the latest `SETTLE_MS` after the grace period.
 */
export async function stopAllChildren(options: StopAllOptions = {}): Promise<void> {
  if (options.refuseNew) refusing = true;
  await Promise.all([...beforeStop].map((hook) => hook().catch(() => undefined)));
  const graceMs = options.graceMs ?? KILL_GRACE_MS;
  const entries = [...running.values()];
  if (entries.length === 0) return;
  for (const entry of entries) entry.terminate(graceMs);
  let timer: NodeJS.Timeout | undefined;
  // Bounded: a group member that escaped its pipe can keep `settled` open; SIGKILL it anyway.
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs + SETTLE_MS)));
  await Promise.race([Promise.all(entries.map((e) => e.settled)), bound]);
  clearTimeout(timer);
  killAllChildrenNow();
}

const beforeStop = new Set<() => Promise<void>>();

/**
 * Runs `hook` first whenever every child is stopped (a command started ahead of its turn
 * refuses its held requests and stops renewing itself). Returns the function that removes it.
 */
export function beforeStopAll(hook: () => Promise<void>): () => void {
  beforeStop.add(hook);
  return () => void beforeStop.delete(hook);
}

/** SIGKILLs every registered group at once, synchronously (the `exit` hook). */
export function killAllChildrenNow(): void {
  for (const entry of running.values()) entry.kill("SIGKILL");
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killAllChildrenNow);
}

/** Signals the child's whole process group (or the child alone where groups do not exist). */
function killGroup(child: { readonly pid?: number | undefined; kill(signal?: NodeJS.Signals): boolean }, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (USE_PROCESS_GROUP) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function notStarted(flags: { cancelled: boolean }): RunningChild {
  const result: ChildResult = {
    exitCode: undefined,
    signal: undefined,
    stdout: "",
    stderr: "",
    all: "",
    timedOut: false,
    cancelled: flags.cancelled,
  };
  return { pid: undefined, result: Promise.resolve(result), stop: () => undefined };
}
