/** Exit codes of the CLI: the action's (0 success, 1 otherwise), plus 2 for a wrong invocation. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A wrong invocation (unknown flag, bad flag value, missing argument): exit code 2, nothing was done. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose `--help` shows what is accepted, if any. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export { closest } from "../core/closest.js";
