/**
 * `approval: prompt`: the approver is whoever runs `shipline release` at a terminal. Prints
 * what is being approved, asks once, and waits for a line, the timeout, or an interrupt
 * (staging failed during the wait, or the run was cancelled), whichever comes first.
 *
 * Decisions:
 * - Only an explicit `y`/`yes`/`approve` approves: an empty line (the `[y/N]` default), any
 *   other text, or the end of the input denies. Production is not touched by accident.
 * - `prepare` refuses a standard input that is not a terminal unless an input stream was
 *   injected, so a CI job without a terminal fails before deploying instead of waiting
 *   for an answer nobody can type.
 */
import { userInfo } from "node:os";
import { createInterface } from "node:readline";
import { ConfigError, errorMessage } from "../../core/errors.js";
import { formatDuration } from "../../core/parse.js";
import { formatClock, formatMs } from "../../core/report.js";
import { ApprovalInterrupt, type Approval, type ApprovalRequest, type Clock } from "../../core/ports.js";
import type { ApprovalRecord, Millis } from "../../core/types.js";
import { approvalQuestion, approvalSummary, isApproval } from "./prompt-text.js";

/** Where answers come from: a readable stream, which may be a terminal. */
export type AnswerInput = NodeJS.ReadableStream & { readonly isTTY?: boolean };

/** Where the prompt is printed. */
export interface PromptOutput {
  write(text: string): unknown;
  /** A terminal gets a live "Time left" line above the question. */
  readonly isTTY?: boolean;
}

export interface PromptApprovalOptions {
  readonly clock: Clock;
  readonly timeoutMs: Millis;
  /** @default process.stdin */
  readonly input?: AnswerInput;
  /** @default process.stdout */
  readonly output?: PromptOutput;
  /** Who approves (recorded in `approvedBy`). @default the local user name */
  readonly user?: string;
  /** Whether `prepare` requires `input` to be a terminal. @default true unless `input` is given */
  readonly requireTerminal?: boolean;
}

/** How the wait ended. */
type WaitEnd =
  | { readonly kind: "answer"; readonly answer: string }
  | { readonly kind: "eof" }
  | { readonly kind: "timeout" }
  | { readonly kind: "interrupt"; readonly interrupt: ApprovalInterrupt };

/** Manual approval by a yes/no question at the terminal. */
export class PromptApproval implements Approval {
  readonly mode = "prompt";
  readonly #options: PromptApprovalOptions;
  readonly #input: AnswerInput;
  readonly #output: PromptOutput;
  readonly #user: string;

  constructor(options: PromptApprovalOptions) {
    this.#options = options;
    this.#input = options.input ?? process.stdin;
    this.#output = options.output ?? process.stdout;
    this.#user = options.user ?? localUser();
  }

  /** Fails before any deploy when nobody can answer (no terminal on standard input). */
  async prepare(): Promise<void> {
    const requireTerminal = this.#options.requireTerminal ?? this.#options.input === undefined;
    if (requireTerminal && !this.#input.isTTY) {
      throw new ConfigError(
        "approval",
        "approval: prompt asks for the decision at a terminal, but standard input is not a terminal " +
          "(a CI job, or input piped in), so nobody could answer. Run `shipline release` in a terminal, " +
          "or choose another approval mode (none, or issue / environment on GitHub).",
      );
    }
  }

  /** Asks once and resolves with the decision; resolves (never rejects) on an interrupt. */
  async request(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalRecord> {
    const { clock, timeoutMs } = this.#options;
    const startedAt = clock.now();
    if (signal.aborted) return this.#record({ kind: "interrupt", interrupt: interruptOf(signal.reason) }, startedAt);
    const tty = this.#output.isTTY === true;
    const deadline = startedAt + timeoutMs;
    const countdown = tty ? `${timeLeft(deadline, startedAt)}\n` : "";
    this.#output.write(`${approvalSummary(request, timeoutMs).join("\n")}\n${countdown}${approvalQuestion(request)}`);
    const stopCountdown = new AbortController();
    if (tty) void this.#countDown(deadline, stopCountdown.signal);
    const end = await this.#wait(signal).finally(() => stopCountdown.abort());
    const record = this.#record(end, startedAt);
    this.#output.write(`${end.kind === "answer" ? "" : "\n"}${closingLine(record)}\n`);
    return record;
  }

  /**
   * Rewrites the "Time left" line above the question every second: the cursor is saved and
   * restored around it (ESC 7 / ESC 8), so what the approver has typed stays where it is.
   */
  async #countDown(deadline: number, stop: AbortSignal): Promise<void> {
    const { clock } = this.#options;
    while (!stop.aborted) {
      try {
        await clock.sleep(1000, stop);
      } catch {
        return;
      }
      this.#output.write(`\u001b7\u001b[1A\r\u001b[2K${timeLeft(deadline, clock.now())}\u001b8`);
    }
  }

  /** Waits for the first of: a line, the end of the input, the timeout, an interrupt. */
  #wait(signal: AbortSignal): Promise<WaitEnd> {
    return new Promise<WaitEnd>((resolve) => {
      // Aborted once the wait is over, which stops the line reader and the timer.
      const stop = new AbortController();
      const finish = (end: WaitEnd) => {
        if (stop.signal.aborted) return;
        stop.abort();
        signal.removeEventListener("abort", onAbort);
        resolve(end);
      };
      const onAbort = () => finish({ kind: "interrupt", interrupt: interruptOf(signal.reason) });
      signal.addEventListener("abort", onAbort, { once: true });
      void readLine(this.#input, stop.signal).then((line) => finish(line === null ? { kind: "eof" } : { kind: "answer", answer: line }));
      this.#options.clock.sleep(this.#options.timeoutMs, stop.signal).then(
        () => finish({ kind: "timeout" }),
        () => undefined, // stopped because the wait ended another way
      );
    });
  }

  #record(end: WaitEnd, startedAt: number): ApprovalRecord {
    const base = { startedAt, endedAt: this.#options.clock.now() };
    switch (end.kind) {
      case "answer":
        return isApproval(end.answer)
          ? { ...base, status: "approved", approvedBy: [this.#user] }
          : {
              ...base,
              status: "denied",
              approvedBy: [],
              reason: `Denied at the terminal by ${this.#user} (answered "${end.answer.trim()}")`,
            };
      case "eof":
        return { ...base, status: "denied", approvedBy: [], reason: "No answer: the terminal input ended" };
      case "timeout":
        return {
          ...base,
          status: "timed-out",
          approvedBy: [],
          reason: `No answer within the approval timeout (${formatDuration(this.#options.timeoutMs)})`,
        };
      case "interrupt":
        return end.interrupt.kind === "staging-failed"
          ? { ...base, status: "denied", approvedBy: [], reason: `Staging checks failed during the wait: ${end.interrupt.message}` }
          : { ...base, status: "cancelled", approvedBy: [], reason: end.interrupt.message };
    }
  }
}

/** One line from `input`, or null at its end or when `stop` aborts first. */
function readLine(input: NodeJS.ReadableStream, stop: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    if (stop.aborted) return resolve(null);
    // terminal: false — a TTY in cooked mode already echoes and edits the line; readline would
    // otherwise take over the terminal (raw mode) for a one-word answer.
    const reader = createInterface({ input, terminal: false, crlfDelay: Infinity });
    // A paused pipe on stdin still holds the event loop (a TTY does not): without the unref,
    // `echo y | shipline …` would only exit when the writer closes the pipe. Sockets have
    // ref/unref; other streams (tests' PassThrough) need neither.
    const handle = input as { ref?: () => unknown; unref?: () => unknown };
    handle.ref?.();
    let done = false;
    const finish = (line: string | null) => {
      if (done) return;
      done = true;
      stop.removeEventListener("abort", onStop);
      reader.close();
      handle.unref?.();
      resolve(line);
    };
    const onStop = () => finish(null);
    stop.addEventListener("abort", onStop, { once: true });
    reader.once("line", (line) => finish(line));
    reader.once("close", () => finish(null));
  });
}

/** `Time left to answer: 59m 58s (until 2026-01-01 01:00:00 UTC)` */
function timeLeft(deadline: number, now: number): string {
  const left = Math.max(0, Math.ceil((deadline - now) / 1000) * 1000);
  return `Time left to answer: ${left === 0 ? "0s" : formatMs(left)} (until ${formatClock(deadline)})`;
}

/** The line printed after the decision. */
function closingLine(record: ApprovalRecord): string {
  if (record.status === "approved") return `Approved by ${record.approvedBy.join(", ")}.`;
  return `Not deploying to production: ${record.reason ?? record.status}.`;
}

/** The interrupt behind an abort; any other abort reason is a cancellation. */
function interruptOf(reason: unknown): ApprovalInterrupt {
  return reason instanceof ApprovalInterrupt ? reason : new ApprovalInterrupt("cancelled", errorMessage(reason ?? "cancelled"));
}

/** The local user name; some containers have no passwd entry, hence the fallbacks. */
function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? "local user";
  }
}
