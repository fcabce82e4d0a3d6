import { existsSync, readdirSync, readFileSync } from "node:fs";

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

/** `pid`'s process group and parent, from /proc (undefined once it is gone). */
export function statOf(
  pid: number,
): { readonly ppid: number; readonly pgid: number; readonly state: string; readonly startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    // cutime cstime priority nice threads itrealvalue starttime: comm may hold spaces, so split after ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

/** Every live (not zombie) process in process group `pgid` (Linux /proc). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat && stat.pgid === pgid && stat.state !== "Z" && stat.state !== "X") members.push(Number(entry));
  }
  return members;
}

/** The command line of `pid` ("" once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return "";
  }
}

/** Every process below `root` (Linux /proc). */
export function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat) parents.set(Number(entry), stat.ppid);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [pid, ppid] of parents) if (ppid === parent) (found.push(pid), queue.push(pid));
  }
  return found;
}

/** A process seen in a tree, identified by pid and start time (a reused pid is another process). */
export interface SeenProcess {
  readonly pid: number;
  readonly pgid: number;
  readonly startTime: string;
  readonly command: string;
}

/**
 * Samples the process tree below `root` every `everyMs` until `stop()`: every process ever seen
 * in it, with its group. After the root has exited, `survivors()` lists what is still running,
 * either a process seen in the tree or any process in one of the groups seen (a child started
 * between two samples lands in its parent's group).
 */
export function watchTree(root: number, everyMs = 25) {
  const seen = new Map<string, SeenProcess>();
  const sample = () => {
    for (const pid of descendants(root)) {
      const stat = statOf(pid);
      if (!stat) continue;
      const key = `${pid}@${stat.startTime}`;
      if (!seen.has(key)) seen.set(key, { pid, pgid: stat.pgid, startTime: stat.startTime, command: commandLine(pid) });
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    sample,
    seen: () => [...seen.values()],
    stop: () => clearInterval(timer),
    /** What is still alive of the tree seen (members of `exceptGroups`, such as the test's own group, not seen in the tree aside). */
    survivors(exceptGroups: readonly number[] = []): SeenProcess[] {
      const left: SeenProcess[] = [];
      for (const p of seen.values()) {
        const stat = statOf(p.pid);
        if (stat && stat.startTime === p.startTime && alive(p.pid)) left.push(p);
      }
      const groups = new Set([...seen.values()].map((p) => p.pgid).filter((g) => !exceptGroups.includes(g)));
      for (const group of groups) {
        for (const pid of groupMembers(group)) {
          if (!left.some((p) => p.pid === pid))
            left.push({ pid, pgid: group, startTime: statOf(pid)?.startTime ?? "", command: commandLine(pid) });
        }
      }
      return left;
    },
  };
}
