import { execa } from "execa";
import type { CommandRunner, Logger } from "../../core/ports.js";
import { killTree, USE_PROCESS_GROUP } from "./process-tree.js";

/** Time between SIGTERM and SIGKILL when a smoke command is stopped. */
const KILL_GRACE_MS = 2_000;

/**
 * Runs the user's smoke command through the shell (it is a command line the user wrote),
 * streaming its output to the log and keeping it for the report. A cancellation or timeout
 * stops the command's whole process group, not just the shell.
 */
export function createShellRunner(logger: Logger): CommandRunner {
  return {
    async run(command, { cwd, env, signal, timeoutMs }) {
      const child = execa(command, {
        shell: true,
        cwd,
        env,
        extendEnv: false,
        stdin: "ignore",
        all: true,
        reject: false,
        detached: USE_PROCESS_GROUP,
        forceKillAfterDelay: false,
      });
      let killTimer: NodeJS.Timeout | undefined;
      const stop = () => {
        if (killTimer) return;
        killTree(child, "SIGTERM");
        killTimer = setTimeout(() => killTree(child, "SIGKILL"), KILL_GRACE_MS);
      };
      const timeout = timeoutMs ? setTimeout(stop, timeoutMs) : undefined;
      signal.addEventListener("abort", stop, { once: true });
      if (signal.aborted) stop();
      child.all?.on("data", (chunk: Buffer) => {
        for (const line of chunk.toString().split("\n")) if (line) logger.info(line);
      });
      try {
        const result = await child;
        const stopped = killTimer !== undefined;
        const exitCode = result.exitCode ?? (stopped || result.signal ? 130 : 1);
        return { exitCode: stopped && exitCode === 0 ? 130 : exitCode, output: String(result.all ?? "") };
      } finally {
        clearTimeout(timeout);
        clearTimeout(killTimer);
        signal.removeEventListener("abort", stop);
      }
    },
  };
}
