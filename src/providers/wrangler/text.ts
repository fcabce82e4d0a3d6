/**
 * Text helpers for wrangler's output and for printing commands: ANSI stripping, shell quoting,
 * and picking the lines of an error worth showing.
 */

// CSI sequences (colours, cursor moves), OSC sequences (hyperlinks, titles) and lone
// two-byte escapes. wrangler colours stderr even on a non-TTY and with NO_COLOR set.
const ANSI_PATTERN = new RegExp(
  ["[\\u001b\\u009b]\\[[0-?]*[ -/]*[@-~]", "\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)", "\\u001b[@-Z\\\\-_]"].join("|"),
  "g",
);

/** Removes ANSI escape sequences (colours, hyperlinks) from text. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, "");
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for a POSIX shell, only when it needs it (double quotes, as humans write them). */
export function shellQuote(arg: string): string {
  if (SAFE_WORD.test(arg)) return arg;
  return `"${arg.replace(/(["\\$`])/g, "\\$1")}"`;
}

/** The command line a human reads or pastes, e.g. `wrangler deploy --env staging`. */
export function describeCommand(program: string, args: readonly string[]): string {
  return [program, ...args.map(shellQuote)].join(" ");
}

/** The last `count` non-empty lines of `text`, joined. */
export function lastLines(text: string, count: number): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  return lines.slice(-count).join("\n");
}

/** Collapses whitespace and cuts `message` to `max` characters (wrangler's rollback limit is 120). */
export function clampMessage(message: string, max: number): string {
  const flat = message.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  return `${flat.slice(0, max - 1).trimEnd()}…`;
}
