import { existsSync, readFileSync } from "node:fs";

/**
 * Whether `pid` is still running. A zombie (killed, waiting for a parent to reap it) is not:
 * orphans of a killed shell are reparented to PID 1, which in a container may never reap them.
 */
export function alive(pid: number): boolean {
  if (!existsSync("/proc/self/stat")) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
