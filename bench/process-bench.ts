/**
 * Figures that need the built action as a process: time from process start to the first
 * wrangler spawn, and time from a cancellation signal to exit with production restored.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox, writeSampleWorker } from "../src/sandbox/index.js";

const DIST = join(process.cwd(), "dist/index.js");

function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
}

async function runnerEnv(scratch: string): Promise<Record<string, string>> {
  await writeFile(join(scratch, "out"), "");
  return {
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? scratch,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_OUTPUT: join(scratch, "out"),
    GITHUB_REF: "refs/tags/v1.0.0",
    GITHUB_SHA: "0".repeat(40),
    RUNNER_TEMP: scratch,
    XDG_CONFIG_HOME: join(scratch, "xdg"),
  };
}

/**
 * A project whose own "wrangler" only writes the time it started and exits: the action's
 * process start to that line is the time to the first spawn.
 */
async function stubProject(dir: string): Promise<string> {
  const pkg = join(dir, "node_modules/wrangler");
  await mkdir(join(pkg, "bin"), { recursive: true });
  await writeFile(join(pkg, "package.json"), JSON.stringify({ name: "wrangler", version: "4.86.0", bin: { wrangler: "bin/wrangler.js" } }));
  const log = join(dir, "spawns.log");
  await writeFile(
    join(pkg, "bin/wrangler.js"),
    `require("node:fs").appendFileSync(${JSON.stringify(log)}, Date.now() + "\\n"); process.exit(1);\n`,
  );
  return log;
}

/** Median, min and max of `runs` measurements of process start → first wrangler spawn. */
export async function measureFirstSpawn(runs = 7): Promise<{ medianMs: number; minMs: number; maxMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), "shipline-bench-spawn-"));
  try {
    const log = await stubProject(dir);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      await writeFile(log, "");
      const env = {
        ...(await runnerEnv(dir)),
        ...inputEnv({
          "working-directory": dir,
          "cloudflare-api-token": "t",
          "staging-url": "http://127.0.0.1:9/",
          "production-url": "http://127.0.0.1:9/",
        }),
      };
      const started = Date.now();
      await new Promise((done) => spawn(process.execPath, [DIST], { cwd: dir, env, stdio: "ignore" }).on("close", done));
      const first = Number((await readFile(log, "utf8")).split("\n")[0]);
      samples.push(first - started);
    }
    samples.sort((a, b) => a - b);
    return {
      medianMs: samples[Math.floor(samples.length / 2)] ?? Number.NaN,
      minMs: samples[0] ?? Number.NaN,
      maxMs: samples.at(-1) ?? Number.NaN,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** SIGINT during the production health gate → exit, with production back on the anchor. */
export async function measureCancel(): Promise<{ signalToExitMs: number; restored: boolean; exitCode: number | null }> {
  const sandbox = await startSandbox();
  const dir = await mkdtemp(join(tmpdir(), "shipline-bench-cancel-"));
  try {
    await writeSampleWorker(dir, { label: "v1.0.0" });
    await mkdir(join(dir, "node_modules"), { recursive: true });
    await symlink(join(process.cwd(), "node_modules/wrangler"), join(dir, "node_modules/wrangler"));
    const { CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_ACCOUNT_ID: account, ...wranglerEnv } = sandbox.wranglerEnv();
    const inputs = {
      "working-directory": dir,
      "cloudflare-api-token": token ?? "",
      "cloudflare-account-id": account ?? "",
      "staging-url": sandbox.workerUrl("sample-worker-staging"),
      "production-url": sandbox.workerUrl("sample-worker-production"),
      "health-path": "/api/health",
      "smoke-interval": "50ms",
      "smoke-count": "1",
    };
    const base = { ...(await runnerEnv(dir)), ...wranglerEnv };
    const first = await runAction({ ...base, ...inputEnv({ ...inputs, "health-interval": "50ms", "health-count": "1" }) });
    if (first.exitCode !== 0) throw new Error("the first release failed; cannot measure cancellation");
    const anchor = sandbox.script("sample-worker-production")?.deployments[0]?.versions[0]?.versionId;
    await writeSampleWorker(dir, { label: "v1.1.0" });
    const env = { ...base, GITHUB_REF: "refs/tags/v1.1.0", ...inputEnv({ ...inputs, "health-interval": "5s", "health-count": "6" }) };
    const cancelled = await runAction(env, "::group::Health gate on production");
    const live = sandbox.script("sample-worker-production")?.deployments[0]?.versions;
    const restored = live?.length === 1 && live[0]?.versionId === anchor;
    return { signalToExitMs: cancelled.signalToExitMs, restored, exitCode: cancelled.exitCode };
  } finally {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the action; when `interruptAt` appears in its output, sends SIGINT and times the exit. */
function runAction(env: Record<string, string>, interruptAt?: string): Promise<{ exitCode: number | null; signalToExitMs: number }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [DIST], { cwd: env["INPUT_WORKING-DIRECTORY"], env, stdio: ["ignore", "pipe", "pipe"] });
    let signalledAt = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      if (interruptAt && !signalledAt && chunk.toString().includes(interruptAt)) {
        signalledAt = Date.now();
        child.kill("SIGINT");
      }
    });
    child.on("close", (exitCode) => done({ exitCode, signalToExitMs: signalledAt ? Date.now() - signalledAt : Number.NaN }));
  });
}
