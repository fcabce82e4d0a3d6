import { spawn, type ChildProcess } from "node:child_process";

/**
 * `SHIPLINE_CPU_HOGS=N` (CI and `npm run test:cancel-load` set 2): N busy-looping processes
 * that load the cores while the time-critical end-to-end tests run, as on a busy 2-core
 * runner. The hogs stop by themselves after `maxMs` even if the test process dies.
 */
export function startCpuHogs(
  count = Number(process.env["SHIPLINE_CPU_HOGS"] ?? 0),
  maxMs = 15 * 60_000,
): { stop(): void; readonly count: number } {
  const hogs: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    const hog = spawn(process.execPath, ["-e", `const end = Date.now() + ${maxMs}; while (Date.now() < end) {}`], { stdio: "ignore" });
    hog.unref();
    hogs.push(hog);
  }
  return {
    count,
    stop: () => {
      for (const hog of hogs) hog.kill("SIGKILL");
    },
  };
}
