import type { CommandRunner, Logger } from "../../core/ports.js";
import { startChild } from "./process-tree.js";

/**
 * Runs the user's smoke command through the shell (it is a command line the user wrote),
 * streaming its output to the log and keeping it for the report. A cancellation or timeout
 * stops the command's whole process group, not just the shell (see process-tree.ts), and the
 * command never sees the action's `INPUT_*` variables.
 */
export function createShellRunner(logger: Logger): CommandRunner {
  return {
    async run(command, { cwd, env, signal, timeoutMs }) {
      const child = startChild(command, [], {
        shell: true,
        cwd,
        env,
        all: true,
        signal,
        timeoutMs,
        onOutput: (text) => {
          for (const line of text.split("\n")) if (line) logger.info(line);
        },
      });
      const result = await child.result;
      const stopped = result.cancelled || result.timedOut;
      const exitCode = result.exitCode ?? (stopped || result.signal ? 130 : 1);
      // A command that could not start (cwd missing) says why instead of nothing.
      return { exitCode: stopped && exitCode === 0 ? 130 : exitCode, output: result.all || (result.startError?.message ?? "") };
    },
  };
}
