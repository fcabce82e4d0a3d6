/**
 * Runs the `git` CLI (never through a shell: tag names and messages are passed as arguments).
 * A non-zero exit is a result, not an exception, because "no such tag" is an answer the
 * publisher needs; only a git that cannot start, or a cancelled call, throws.
 */
import { ShiplineError } from "../../core/errors.js";
import { startChild } from "../system/process-tree.js";

/** What one git command printed and how it exited. */
export interface GitResult {
  readonly exitCode: number;
  /** stdout without the final newline. */
  readonly stdout: string;
  readonly stderr: string;
}

export interface GitCallOptions {
  readonly cwd: string;
  readonly signal?: AbortSignal;
}

/** Runs `git <args>`; injectable so tests can observe or fake git. */
export type GitRunner = (args: readonly string[], options: GitCallOptions) => Promise<GitResult>;

/** A git command failed; `command` is what ran, `stderr` git's own words. */
export class GitError extends ShiplineError {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly stderr: string;
  constructor(message: string, options: ErrorOptions & { command: string; exitCode?: number; stderr?: string }) {
    super(message, { ...options, stage: "release" });
    this.command = options.command;
    this.exitCode = options.exitCode;
    this.stderr = options.stderr ?? "";
  }
}

export interface GitRunnerOptions {
  /** Added to the inherited environment (tests point HOME and the global config elsewhere). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The default runner: `git` from PATH, started (and stopped on cancel) like every child process. */
export function createGitRunner(options: GitRunnerOptions = {}): GitRunner {
  return async (args, { cwd, signal }) => {
    const result = await startChild("git", args, {
      cwd,
      // GIT_TERMINAL_PROMPT: a credential prompt would hang a run with nobody at the keyboard.
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", ...options.env },
      signal,
    }).result;
    if (result.cancelled) throw signal?.reason ?? new Error("git was cancelled");
    if (result.exitCode === undefined) {
      const missing = result.startError?.code === "ENOENT";
      const why = result.startError?.message ?? `git ended by ${result.signal ?? "an unknown cause"}`;
      throw new GitError(
        missing ? "git is not installed or not on PATH: the local tag store needs the git CLI." : `git could not run: ${why}`,
        {
          command: describeGit(args),
          stderr: result.stderr,
        },
      );
    }
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  };
}

/** The command line as a human would type it (for errors). */
export function describeGit(args: readonly string[]): string {
  return ["git", ...args].map((a) => (/^[\w@%+=:,./^{}-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

/** Throws a `GitError` naming the command when `result` is a failure. */
export function checked(args: readonly string[], result: GitResult, what: string): GitResult {
  if (result.exitCode === 0) return result;
  const detail = result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`;
  throw new GitError(`Could not ${what}: ${detail}`, { command: describeGit(args), exitCode: result.exitCode, stderr: result.stderr });
}
