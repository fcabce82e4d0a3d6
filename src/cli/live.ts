/**
 * What a terminal gets beyond plain lines: a live status line under the log ("▸ Deploy v1.0.0
 * to staging … 12s") that counts while a step runs, and colour on the marks. Only on a TTY;
 * in a pipe or CI the output stays plain lines. `NO_COLOR` turns colour off, `FORCE_COLOR`
 * (not `0`) turns it on even without a TTY (https://no-color.org, https://force-color.org).
 */
import { formatMs } from "../core/report.js";

/** Where the live line is drawn (process.stderr in the CLI). */
export interface Terminal {
  readonly isTTY: boolean;
  readonly columns?: number;
  write(text: string): void;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Whether to colour: NO_COLOR wins, then FORCE_COLOR, else only on a TTY. */
export function colourEnabled(env: Env, isTTY: boolean): boolean {
  if (env["NO_COLOR"]) return false;
  const force = env["FORCE_COLOR"];
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  return isTTY;
}

const COLOURS: Record<string, string> = { "✔": "32", "✖": "31", "⚠": "33", "▸": "36", "■": "33", "!": "33" };

/** Colours the mark after the time stamp: `[   1.2s] ✔ …` with a green ✔. */
export function colourMark(line: string): string {
  return line.replace(
    /^(\[[ \d.]+s\] +)([✔✖⚠▸■!])/u,
    (_all, stamp: string, mark: string) => `${stamp}\u001b[${COLOURS[mark]}m${mark}\u001b[0m`,
  );
}

export interface LiveLineOptions {
  readonly terminal: Terminal;
  readonly now: () => number;
  /** Starts the redraw timer; returns its stop. Real timers in the CLI, a manual tick in tests. */
  readonly every: (ms: number, tick: () => void) => () => void;
}

/**
 * The line under the log that says what is running and for how long. `clear()` before a log
 * line and `draw()` after it keep the log above it intact.
 */
export class LiveLine {
  readonly #options: LiveLineOptions;
  #label: string | undefined;
  #since = 0;
  #deadline: number | undefined;
  #stopTimer: (() => void) | undefined;
  #drawn = false;

  constructor(options: LiveLineOptions) {
    this.#options = options;
  }

  /** Shows `label` with the time since `since`, and the time left until `deadline` when there is one. */
  start(label: string, since: number, deadline?: number): void {
    this.stop();
    this.#label = label;
    this.#since = since;
    this.#deadline = deadline;
    this.#stopTimer = this.#options.every(1000, () => this.draw());
    this.draw();
  }

  stop(): void {
    this.#stopTimer?.();
    this.#stopTimer = undefined;
    this.clear();
    this.#label = undefined;
  }

  /** Erases the live line (before a log line is printed). */
  clear(): void {
    if (!this.#drawn) return;
    this.#options.terminal.write("\r\u001b[2K");
    this.#drawn = false;
  }

  /** Draws the live line again (after a log line, and every second). */
  draw(): void {
    if (this.#label === undefined) return;
    const now = this.#options.now();
    const left = this.#deadline === undefined ? "" : `, ${formatMs(Math.max(0, Math.ceil((this.#deadline - now) / 1000) * 1000))} left`;
    const seconds = Math.max(0, Math.floor((now - this.#since) / 1000));
    const text = `  … ${this.#label}: ${seconds === 0 ? "0s" : formatMs(seconds * 1000)}${left}`;
    const columns = this.#options.terminal.columns ?? 0;
    const width = columns > 20 ? columns : 100;
    this.#options.terminal.write(`\r\u001b[2K${text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text}`);
    this.#drawn = true;
  }
}

/** A live line on process.stderr with real timers, or none when stderr is not a terminal. */
export function processLiveLine(): LiveLine | undefined {
  if (!process.stderr.isTTY) return undefined;
  return new LiveLine({
    terminal: {
      isTTY: true,
      get columns() {
        return process.stderr.columns;
      },
      write: (text) => void process.stderr.write(text),
    },
    now: Date.now,
    every: (ms, tick) => {
      const timer = setInterval(tick, ms);
      timer.unref();
      return () => clearInterval(timer);
    },
  });
}
