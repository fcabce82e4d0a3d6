import type { ChildProcess } from "node:child_process";
import { commandLine, descendants } from "./processes.js";

/** What the runner's cancel does to the step's `node` process, and when (github-actions.md §10). */
export const RUNNER_SIGTERM_AFTER_MS = 7_500;
export const RUNNER_KILL_AFTER_MS = 10_000;
/** SPEC: cleanup within 7 seconds of the SIGINT. */
export const CLEANUP_LIMIT_MS = 7_000;

/** A cancel the way the runner does it, started when `pattern` first shows in the log. */
export interface Cancel {
  /** Epoch ms of the SIGINT (0 until sent). */
  sentAt: number;
  /** The action's child processes at the moment of the SIGINT, with their command lines. */
  children: Array<{ pid: number; command: string }>;
  onStdout(text: string, child: ChildProcess): void;
}

/**
 * Sends SIGINT `delayMs` after `pattern` appears in stdout; like the runner, SIGTERM 7.5 s and
 * SIGKILL 10 s later if the process is still there. `again` sends a second SIGINT when that
 * pattern appears after the first (a user pressing cancel twice).
 */
export function cancelWhen(pattern: RegExp, options: { delayMs?: number; again?: RegExp } = {}): Cancel {
  let seen = "";
  let againSent = false;
  const cancel: Cancel = {
    sentAt: 0,
    children: [],
    onStdout(text, child) {
      seen += text;
      if (!cancel.sentAt && pattern.test(seen)) {
        cancel.sentAt = -1;
        setTimeout(() => {
          cancel.children = descendants(child.pid ?? -1).map((pid) => ({ pid, command: commandLine(pid) }));
          cancel.sentAt = Date.now();
          child.kill("SIGINT");
          setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill("SIGTERM"), RUNNER_SIGTERM_AFTER_MS).unref();
          setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"), RUNNER_KILL_AFTER_MS).unref();
        }, options.delayMs ?? 0);
      }
      if (options.again && !againSent && cancel.sentAt > 0 && options.again.test(seen.slice(seen.indexOf("received: cancelling")))) {
        againSent = true;
        child.kill("SIGINT");
      }
    },
  };
  return cancel;
}
