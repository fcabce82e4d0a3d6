import { execa } from "execa";
import type { CommandRunner, Logger } from "../../core/ports.js";

/**
 * Runs the user's smoke command through the shell (it is a command line the user wrote),
 * streaming its output to the log and keeping it for the report.
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
        cancelSignal: signal,
        forceKillAfterDelay: 2_000,
        ...(timeoutMs ? { timeout: timeoutMs } : {}),
      });
      child.all?.on("data", (chunk: Buffer) => {
        for (const line of chunk.toString().split("\n")) if (line) logger.info(line);
      });
      const result = await child;
      const exitCode = result.exitCode ?? (result.isCanceled || result.timedOut ? 130 : 1);
      return { exitCode, output: String(result.all ?? "") };
    },
  };
}
