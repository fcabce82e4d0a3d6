import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { definedEnv } from "../../../src/action/env.js";
import { childEnv, runningChildren, startChild, stopAllChildren } from "../../../src/providers/system/process-tree.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { groupMembers } from "../../support/processes.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const env = { PATH: process.env["PATH"] ?? "" };
const onLinux = existsSync("/proc/self/stat");

/** Polls until `predicate` holds (real processes take a moment to start or be reaped). */
async function until(predicate: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterEach(async () => {
  await stopAllChildren({ graceMs: 100 });
});

describe.runIf(onLinux)("startChild and stopAllChildren", () => {
  it("registers each child while it runs and stopAllChildren ends every process of its group", async () => {
    const first = startChild("sh", ["-c", "sleep 30 & sleep 30 & wait"], { cwd: ROOT, env });
    const second = startChild("sh", ["-c", "sleep 30 & sleep 30 & wait"], { cwd: ROOT, env });
    await until(() => groupMembers(first.pid!).length === 3 && groupMembers(second.pid!).length === 3);
    expect(runningChildren()).toBe(2);
    const started = Date.now();
    await stopAllChildren();
    expect(Date.now() - started).toBeLessThan(2_500);
    await until(() => groupMembers(first.pid!).length === 0 && groupMembers(second.pid!).length === 0, 500);
    expect(runningChildren()).toBe(0);
    expect((await first.result).signal).toBe("SIGTERM");
  });

  it("SIGKILLs a group that ignores SIGTERM after one grace period", async () => {
    const child = startChild("sh", ["-c", "trap '' TERM; sleep 30 & sleep 30 & wait"], { cwd: ROOT, env });
    await until(() => groupMembers(child.pid!).length === 3);
    const started = Date.now();
    await stopAllChildren({ graceMs: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(Date.now() - started).toBeLessThan(1_500);
    await until(() => groupMembers(child.pid!).length === 0, 500);
    expect((await child.result).signal).toBe("SIGKILL");
  });

  it("stops what a finished command left behind in its group", async () => {
    // The shell exits at once; its background sleep does not hold the output pipe.
    const child = startChild("sh", ["-c", "sleep 30 >/dev/null 2>&1 & echo $!"], { cwd: ROOT, env });
    const result = await child.result;
    expect(result.exitCode).toBe(0);
    await until(() => groupMembers(child.pid!).length === 0);
    expect(runningChildren()).toBe(0);
  });

  it("times out on the injected clock: the group is stopped, timedOut set", async () => {
    const clock = new VirtualClock();
    const child = startChild("sh", ["-c", "sleep 30 & sleep 30"], { cwd: ROOT, env, clock, timeoutMs: 10 * 60_000 });
    const result = await child.result;
    // Virtual time: the grace is over as soon as it starts, so the SIGKILL may overtake the SIGTERM.
    expect(result).toMatchObject({ timedOut: true, cancelled: false, exitCode: undefined });
    expect(["SIGTERM", "SIGKILL"]).toContain(result.signal);
    await until(() => groupMembers(child.pid!).length === 0);
  });

  it("stops the group when the signal aborts, and starts nothing on an aborted signal", async () => {
    const controller = new AbortController();
    const child = startChild("sh", ["-c", "sleep 30 & sleep 30 & wait"], { cwd: ROOT, env, signal: controller.signal });
    await until(() => groupMembers(child.pid!).length === 3);
    controller.abort();
    expect(await child.result).toMatchObject({ cancelled: true, timedOut: false });
    await until(() => groupMembers(child.pid!).length === 0);
    const never = startChild("sh", ["-c", "echo started"], { cwd: ROOT, env, signal: controller.signal });
    expect(never.pid).toBeUndefined();
    expect(await never.result).toMatchObject({ cancelled: true, stdout: "" });
  });

  it("says why a child could not start", async () => {
    const result = await startChild("no-such-binary-shipline", [], { cwd: ROOT, env }).result;
    expect(result.exitCode).toBeUndefined();
    expect(result.startError?.code).toBe("ENOENT");
  });
});

describe("child environment", () => {
  it("drops every INPUT_* variable, in any case, and unset entries", () => {
    expect(
      childEnv({
        PATH: "/bin",
        "INPUT_GITHUB-TOKEN": "ghs_x",
        "INPUT_CLOUDFLARE-API-TOKEN": "cf",
        input_release_token: "r",
        Input_X: "y",
        INPUTS: "kept",
        MY_INPUT_X: "kept",
        UNSET: undefined,
      }),
    ).toEqual({ PATH: "/bin", INPUTS: "kept", MY_INPUT_X: "kept" });
  });

  it("is what the action hands to the pipeline as the smoke command's base environment", () => {
    expect(
      definedEnv({ PATH: "/bin", "INPUT_GITHUB-TOKEN": "ghs_x", "INPUT_RELEASE-TOKEN": "ghp_y", GITHUB_SHA: "abc", UNSET: undefined }),
    ).toEqual({ PATH: "/bin", GITHUB_SHA: "abc" });
  });

  it.runIf(onLinux)("is what a started child sees, whatever the caller passed", async () => {
    const result = await startChild("env", [], { cwd: ROOT, env: { ...env, "INPUT_GITHUB-TOKEN": "ghs_secret_value", KEEP: "1" } }).result;
    expect(result.stdout).toContain("KEEP=1");
    expect(result.stdout).not.toMatch(/INPUT_/i);
    expect(result.stdout).not.toContain("ghs_secret_value");
  });
});

/**
 * Exits of a Node process with running children: `process.exit` (the exit hook SIGKILLs every
 * group) and the action's hard deadline after a cancel. The child Node runs the modules
 * involved transpiled into a scratch folder that mirrors src/ (their other imports are types,
 * and execa, found in node_modules above the folder).
 */
describe.runIf(onLinux)("exits with running children", () => {
  const dir = join(ROOT, "node_modules", ".cache", `process-tree-test-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const MODULES = [
    "providers/system/process-tree",
    "providers/system/child-env",
    "providers/system/clock",
    "core/errors",
    "action/signals",
  ];
  /** Counts the live members of a process group, as the child itself sees them before it exits. */
  const MEMBERS = `const members = (group) => readdirSync("/proc").filter((e) => /^\\d+$/.test(e)).filter((e) => {
  try { const s = readFileSync("/proc/" + e + "/stat", "utf8"); const f = s.slice(s.lastIndexOf(")") + 2).split(" "); return f[0] !== "Z" && Number(f[2]) === group; } catch { return false; }
}).length;`;

  function script(name: string, body: string): string {
    for (const module of MODULES) {
      const source = readFileSync(join(ROOT, "src", `${module}.ts`), "utf8");
      const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
      mkdirSync(dirname(join(dir, module)), { recursive: true });
      writeFileSync(join(dir, `${module}.js`), out.outputText);
    }
    const path = join(dir, name);
    writeFileSync(path, `import { readdirSync, readFileSync } from "node:fs";\n${MEMBERS}\n${body}`);
    return path;
  }

  /** Runs `path` in a child Node; `onOutput` sees its stdout as it comes. */
  function runNode(path: string, onOutput?: (text: string, child: ChildProcess) => void): Promise<{ code: number | null; stdout: string }> {
    return new Promise((done) => {
      const node = spawn(process.execPath, [path], { cwd: ROOT, env, stdio: ["ignore", "pipe", "ignore"] });
      let stdout = "";
      node.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        onOutput?.(stdout, node);
      });
      node.on("close", (code) => done({ code, stdout }));
    });
  }

  it("process.exit leaves no process of any child group behind", async () => {
    const path = script(
      "exit.mjs",
      `import { startChild } from "./providers/system/process-tree.js";
const a = startChild("sh", ["-c", "sleep 30 & sleep 30 & wait"], { cwd: process.cwd(), env: { PATH: process.env.PATH } });
const b = startChild("sh", ["-c", "trap '' TERM; sleep 30 & sleep 30 & wait"], { cwd: process.cwd(), env: { PATH: process.env.PATH } });
setTimeout(() => {
  console.log(JSON.stringify({ groups: [a.pid, b.pid], members: [members(a.pid), members(b.pid)] }));
  process.exit(3);
}, 500);
`,
    );
    const { code, stdout } = await runNode(path);
    expect(code).toBe(3);
    const { groups, members } = JSON.parse(stdout) as { groups: number[]; members: number[] };
    // Both groups were running in full when the process exited.
    expect(members).toEqual([3, 3]);
    // SIGKILLed at exit; orphans are reaped by init a moment later.
    for (const group of groups) await until(() => groupMembers(group).length === 0, 2_000);
  });

  it("the hard deadline after a cancel stops every child, even one ignoring SIGTERM, then exits", async () => {
    // The run ignores its abort (a cleanup that hangs); the deadline is shortened to 300 ms.
    const path = script(
      "deadline.mjs",
      `import { startChild } from "./providers/system/process-tree.js";
import { installSignalHandlers } from "./action/signals.js";
const logger = { info() {}, debug() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
installSignalHandlers(new AbortController(), logger, { hardDeadlineMs: 300 });
const a = startChild("sh", ["-c", "sleep 30 & sleep 30 & wait"], { cwd: process.cwd(), env: { PATH: process.env.PATH } });
const b = startChild("sh", ["-c", "trap '' TERM; sleep 30 & sleep 30 & wait"], { cwd: process.cwd(), env: { PATH: process.env.PATH } });
const ready = setInterval(() => {
  if (members(a.pid) === 3 && members(b.pid) === 3) {
    clearInterval(ready);
    console.log(JSON.stringify([a.pid, b.pid]));
  }
}, 20);
setInterval(() => undefined, 60_000);
`,
    );
    const started = Date.now();
    let signalled = false;
    // SIGINT, as the runner sends it, once both groups are up (the child prints their ids).
    const exited = runNode(path, (stdout, child) => {
      if (!signalled && stdout.includes("]")) {
        signalled = true;
        child.kill("SIGINT");
      }
    });
    const { code, stdout } = await exited;
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    const ids = JSON.parse(stdout) as number[];
    expect(ids).toHaveLength(2);
    for (const group of ids) await until(() => groupMembers(group).length === 0, 2_000);
  });
});
