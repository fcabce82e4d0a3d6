/**
 * Stopping a child process and everything it started. `bin/wrangler.js` re-spawns Node, and a
 * shell command line starts its own children; signalling only the direct child would orphan
 * the rest (still running, still holding the output pipe open). So children get their own
 * process group (POSIX), and the whole group is signalled.
 */

/** Whether children are started in their own process group (`detached`). */
export const USE_PROCESS_GROUP = process.platform !== "win32";

/** Signals the child's whole process group (or the child alone where groups do not exist). */
export function killTree(child: { readonly pid?: number | undefined; kill(signal?: NodeJS.Signals): boolean }, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (USE_PROCESS_GROUP) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
