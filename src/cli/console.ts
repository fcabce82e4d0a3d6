/**
 * Terminal output: a `Logger` that writes to stderr (so `--json` stdout stays clean), masks
 * every secret, and prefixes lines with the time elapsed since the command started.
 */
import type { Logger } from "../core/ports.js";
import { colourMark, type LiveLine } from "./live.js";

/** Where lines go; stderr in the CLI, a buffer in tests and the bench. */
export type LineSink = (line: string) => void;

/** Lines to stderr. */
export const stderrSink: LineSink = (line) => void process.stderr.write(`${line}\n`);

/** Discards everything (the bench's silent demo). */
export const silentSink: LineSink = () => {};

/** Replaces every secret (longest first, so a secret containing another is fully hidden) with `***`. */
export function createMasker(secrets: Iterable<string>): (text: string) => string {
  const list = [...new Set(secrets)].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  return (text) => list.reduce((out, secret) => out.split(secret).join("***"), text);
}

/** `[  12.3s]`: time since `startedAt`, right-aligned so that lines line up. */
export function stamp(at: number, startedAt: number): string {
  return `[${((at - startedAt) / 1000).toFixed(1).padStart(6)}s]`;
}

/**
 * The gate's warnings the progress lines already show: one failed measurement (`health #1
 * failed: ...`) and the gate's verdict (`health gate failed on production: ...`).
 */
const MEASUREMENT_WARNING = /^\S+ (#\d+ (failed|error)\b|gate failed on \S+: )/;

export interface ConsoleOptions {
  readonly sink: LineSink;
  /** Epoch ms the elapsed times count from. */
  readonly startedAt: number;
  /** Print info and debug lines too (progress lines, warnings and errors are always printed). */
  readonly verbose: boolean;
  readonly now?: () => number;
  /** On a terminal: the live line under the log, kept below every printed line. */
  readonly live?: LiveLine;
  /** Colour the marks (see `colourEnabled`). */
  readonly colour?: boolean;
}

/** The CLI's console: a masked `Logger` plus a way to print a stamped progress line. */
export class CliConsole {
  readonly #options: ConsoleOptions;
  #mask: (text: string) => string = (text) => text;
  #secrets = new Set<string>();

  constructor(options: ConsoleOptions) {
    this.#options = options;
  }

  /** Hides these values in everything printed from now on. */
  addSecrets(secrets: Iterable<string | undefined>): void {
    for (const secret of secrets) if (secret) this.#secrets.add(secret);
    this.#mask = createMasker(this.#secrets);
  }

  /** Masks `text` with the secrets known so far. */
  mask(text: string): string {
    return this.#mask(text);
  }

  /** A stamped line, e.g. `[   3.2s] ✔ Deploy v1.0.0 to staging`. */
  line(text: string, at = (this.#options.now ?? Date.now)()): void {
    const line = this.#mask(`${stamp(at, this.#options.startedAt)} ${text}`);
    this.#print(this.#options.colour ? colourMark(line) : line);
  }

  /** An unstamped line (headings, tables). */
  plain(text: string): void {
    this.#print(this.#mask(text));
  }

  /** The live line, when there is a terminal to draw it on. */
  get live(): LiveLine | undefined {
    return this.#options.live;
  }

  #print(line: string): void {
    this.#options.live?.clear();
    this.#options.sink(line);
    this.#options.live?.draw();
  }

  /** The `Logger` the engine and providers write to. */
  logger(): Logger {
    const quiet = !this.#options.verbose;
    const detail = (prefix: string) => (message: string) => {
      if (!quiet) for (const part of message.split("\n")) this.line(`${prefix}${part}`);
    };
    return {
      info: detail("  "),
      debug: detail("  · "),
      warn: (message) => {
        // The progress lines already show every measurement; the engine's warning repeats it.
        if (quiet && MEASUREMENT_WARNING.test(message)) return;
        this.line(`⚠ ${message}`);
      },
      error: (message) => this.line(`✖ ${message}`),
      group: (_name, fn) => fn(),
    };
  }
}
