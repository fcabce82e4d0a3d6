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

/** The accepted name nearest to a typo, when it is near enough to be a likely intent. */
export function closest(word: string, accepted: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of accepted) {
    const distance = editDistance(word, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
