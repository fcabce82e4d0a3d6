import type { OutputEntry } from "../../../src/providers/wrangler/output.js";
import type { RunOptions, WranglerResult, WranglerRunner } from "../../../src/providers/wrangler/runner.js";
import { describeCommand } from "../../../src/providers/wrangler/text.js";
import type { Logger } from "../../../src/core/ports.js";

export type Scripted = Partial<Omit<WranglerResult, "args">> & { entries?: OutputEntry[] };

/** A runner that answers each command with the next scripted result and records what it was asked. */
export class FakeRunner implements WranglerRunner {
  readonly calls: Array<{ args: readonly string[]; options: RunOptions | undefined }> = [];
  readonly #script: Scripted[];

  constructor(...script: Scripted[]) {
    this.#script = script;
  }

  async run(args: readonly string[], options?: RunOptions): Promise<WranglerResult> {
    this.calls.push({ args, options });
    const next = this.#script.shift();
    if (!next) throw new Error(`unexpected command: ${args.join(" ")}`);
    return { args, exitCode: 0, stdout: "", stderr: "", entries: [], durationMs: 5, timedOut: false, cancelled: false, ...next };
  }

  describe(args: readonly string[]): string {
    return describeCommand("wrangler", args);
  }

  get lastArgs(): readonly string[] {
    return this.calls.at(-1)?.args ?? [];
  }
}

/** A logger that keeps its lines. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
    group: (_name, fn) => fn(),
  };
}
