/**
 * Figures that need the built action as a process, run as a GitHub runner runs it, against the
 * local Cloudflare sandbox (the real wrangler deploys to it) and a local fake GitHub (so that
 * Deployment records, statuses and tags are part of every measured run):
 * - process start → first Cloudflare API request;
 * - a production-only release (no gate waits) against a bare `wrangler deploy` of the same project;
 * - SIGINT during the production health gate → the restore request, and → exit with production
 *   read back, quiet and with CPU hogs.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startSandbox, writeSampleWorker, type Sandbox } from "../src/sandbox/index.js";
import { startCpuHogs } from "../test/support/cpu-hogs.js";
import { startGitHubFake, type GitHubFake } from "../test/support/github-fake.js";

/** The built action; SHIPLINE_BENCH_DIST names another build (to compare two builds in one run). */
const dist = () => resolve(process.env["SHIPLINE_BENCH_DIST"] || "dist/index.js");
const WRANGLER_PACKAGE = join(process.cwd(), "node_modules/wrangler");
const PRODUCTION = "sample-worker-production";
/** The requests that change what production serves: `wrangler deploy`'s, `wrangler rollback`'s and the urgent restore's. */
const PRODUCTION_DEPLOYMENTS = new RegExp(`/workers/scripts/${PRODUCTION}/deployments$`);
const REPOSITORY = "acme/widgets";
const GITHUB_TOKEN = "ghs_benchToken0123456789";
/** Like the runner: SIGTERM 7.5 s and SIGKILL 10 s after a cancel's SIGINT. */
const RUNNER_SIGTERM_AFTER_MS = 7_500;
const RUNNER_KILL_AFTER_MS = 10_000;
/** No measured run takes this long; a hung one is killed so that the bench ends. */
const RUN_TIMEOUT_MS = 180_000;

/** Median, min and max of a list of samples (NaN when there are none). */
export interface Spread {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samples: readonly number[];
}

export function spread(samples: readonly number[]): Spread {
  const sorted = samples.filter((s) => Number.isFinite(s)).sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs: median, minMs: sorted[0] ?? Number.NaN, maxMs: sorted.at(-1) ?? Number.NaN, samples };
}

/** A sandboxed Cloudflare, a fake GitHub and a sample Worker project whose own wrangler is the real one. */
export interface ActionWorld {
  readonly sandbox: Sandbox;
  readonly github: GitHubFake;
  readonly dir: string;
  /** What production serves now (version ids of its live deployment). */
  live(): string[];
  /** The runner's environment plus the sandbox's wrangler environment (token and account not included). */
  baseEnv(scratch: string, tag: string): Record<string, string>;
  stop(): Promise<void>;
}

export async function startActionWorld(): Promise<ActionWorld> {
  const sandbox = await startSandbox();
  const github = await startGitHubFake({ repository: REPOSITORY });
  const dir = await mkdtemp(join(tmpdir(), "shipline-bench-action-"));
  await writeSampleWorker(dir, { label: "bench-v1" });
  await mkdir(join(dir, "node_modules"), { recursive: true });
  await symlink(WRANGLER_PACKAGE, join(dir, "node_modules/wrangler"));
  const { CLOUDFLARE_API_TOKEN: _token, CLOUDFLARE_ACCOUNT_ID: _account, ...wranglerEnv } = sandbox.wranglerEnv();
  let runs = 0;
  return {
    sandbox,
    github,
    dir,
    live: () => sandbox.script(PRODUCTION)?.deployments[0]?.versions.map((v) => v.versionId) ?? [],
    baseEnv: (scratch, tag) => ({
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? scratch,
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_OUTPUT: join(scratch, "output"),
      GITHUB_STEP_SUMMARY: join(scratch, "summary"),
      GITHUB_EVENT_NAME: "push",
      GITHUB_EVENT_PATH: join(scratch, "event.json"),
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_REF: `refs/tags/${tag}`,
      GITHUB_SHA: (++runs).toString(16).padStart(40, "0"),
      GITHUB_ACTOR: "octocat",
      GITHUB_RUN_ID: String(4200 + runs),
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_API_URL: github.url,
      GITHUB_WORKSPACE: dir,
      GITHUB_WORKFLOW: "release",
      RUNNER_TEMP: join(scratch, "runner_temp"),
      RUNNER_TOOL_CACHE: join(scratch, "tool_cache"),
      XDG_CONFIG_HOME: join(dir, ".xdg"),
      ...wranglerEnv,
    }),
    stop: async () => {
      await Promise.allSettled([sandbox.stop(), github.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The inputs every measured action run shares (action.yml names). */
function commonInputs(world: ActionWorld): Record<string, string> {
  const { CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_ACCOUNT_ID: account } = world.sandbox.wranglerEnv();
  return {
    "working-directory": world.dir,
    "cloudflare-api-token": token ?? "",
    "cloudflare-account-id": account ?? "",
    "github-token": GITHUB_TOKEN,
    approval: "none",
    "staging-url": world.sandbox.workerUrl("sample-worker-staging"),
    "production-url": world.sandbox.workerUrl(PRODUCTION),
    "health-path": "/api/health",
    "health-timeout": "5s",
    "smoke-interval": "100ms",
    "smoke-count": "1",
  };
}

function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, "_").toUpperCase()}`, v]));
}

export interface ActionRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Epoch ms right before the spawn, and when the process had exited. */
  readonly spawnedAt: number;
  readonly exitedAt: number;
  /** Epoch ms of the SIGINT (0 when none was sent). */
  readonly signalledAt: number;
  readonly stdout: string;
  /** The `result` output. */
  readonly result: string;
}

/**
 * Runs the built action; with `interrupt`, sends SIGINT `delayMs` after `pattern` first shows in
 * stdout; `onStdout` sees the stdout so far at each chunk.
 */
export async function runAction(
  world: ActionWorld,
  tag: string,
  inputs: Record<string, string>,
  interrupt?: { pattern: RegExp; delayMs: number },
  onStdout?: (stdout: string) => void,
): Promise<ActionRun> {
  const scratch = await mkdtemp(join(tmpdir(), "shipline-bench-run-"));
  try {
    const env = { ...world.baseEnv(scratch, tag), ...inputEnv({ ...commonInputs(world), ...inputs }) };
    await mkdir(env["RUNNER_TEMP"]!, { recursive: true });
    await writeFile(env["GITHUB_OUTPUT"]!, "");
    await writeFile(env["GITHUB_STEP_SUMMARY"]!, "");
    await writeFile(env["GITHUB_EVENT_PATH"]!, "{}");
    const run = await new Promise<Omit<ActionRun, "result">>((done) => {
      const spawnedAt = Date.now();
      const child = spawn(process.execPath, [dist()], { cwd: world.dir, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let signalledAt = 0;
      let armed = false;
      const timers: NodeJS.Timeout[] = [setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS)];
      const alive = () => child.exitCode === null && child.signalCode === null;
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        onStdout?.(stdout);
        if (interrupt && !armed && interrupt.pattern.test(stdout)) {
          armed = true;
          timers.push(
            setTimeout(() => {
              if (!alive()) return;
              signalledAt = Date.now();
              child.kill("SIGINT");
              timers.push(setTimeout(() => alive() && child.kill("SIGTERM"), RUNNER_SIGTERM_AFTER_MS));
              timers.push(setTimeout(() => alive() && child.kill("SIGKILL"), RUNNER_KILL_AFTER_MS));
            }, interrupt.delayMs),
          );
        }
      });
      child.stderr.resume();
      child.on("close", (exitCode, signal) => {
        const exitedAt = Date.now();
        for (const timer of timers) clearTimeout(timer);
        done({ exitCode, signal, spawnedAt, exitedAt, signalledAt, stdout });
      });
    });
    const output = await readFile(env["GITHUB_OUTPUT"]!, "utf8");
    return { ...run, result: resultOutput(output) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The `result` output from a `$GITHUB_OUTPUT` file as @actions/core writes it. */
function resultOutput(text: string): string {
  const match = /^result<<(.+)\n([^\n]*)\n/m.exec(text) ?? /^result=(.*)$/m.exec(text);
  return (match?.[2] ?? match?.[1] ?? "none").trim() || "none";
}

/** Epoch ms of the first Cloudflare API request the sandbox received at or after `since`. */
function firstApiRequestAt(sandbox: Sandbox, since: number): number {
  return sandbox.requests.find((r) => r.api && r.at >= since)?.at ?? Number.NaN;
}

/** `node node_modules/wrangler/bin/wrangler.js deploy --env production` in the project, with the action's environment. */
async function bareDeploy(world: ActionWorld): Promise<{ ms: number; exitCode: number | null }> {
  const scratch = await mkdtemp(join(tmpdir(), "shipline-bench-bare-"));
  try {
    const env = { ...world.baseEnv(scratch, "unused"), ...world.sandbox.wranglerEnv(), WRANGLER_SEND_METRICS: "false", CI: "true" };
    const args = [join(world.dir, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--env", "production"];
    const started = Date.now();
    const exitCode = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, args, { cwd: world.dir, env, stdio: ["ignore", "ignore", "ignore"] });
      const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
      child.on("close", (code) => {
        clearTimeout(timer);
        done(code);
      });
    });
    return { ms: Date.now() - started, exitCode };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Inputs of the production-only release: one health measurement, so the gate has no waits. */
const PRODUCTION_ONLY = { stages: "production", "health-count": "1", "health-interval": "1s" } as const;

/** Waits the gate is configured to make: `count − 1` intervals (start to start). */
function configuredGateWaitsMs(inputs: { "health-count": string; "health-interval": string }): number {
  const interval = /^(\d+)(ms|s)$/.exec(inputs["health-interval"]);
  if (!interval) throw new Error(`cannot read health-interval ${inputs["health-interval"]}`);
  const ms = Number(interval[1]) * (interval[2] === "s" ? 1000 : 1);
  return (Number(inputs["health-count"]) - 1) * ms;
}

export interface ReleaseOverhead {
  /** Spawn → first Cloudflare API request, one sample per action run. */
  readonly firstRequest: Spread;
  /** Spawn → exit of the action, minus its configured gate waits. */
  readonly action: Spread;
  readonly bare: Spread;
  /** Action − bare deploy, per pair. */
  readonly overhead: Spread;
  /** The sandbox's first load of each version the action deployed (inside the action's time: its health probe waits for it). */
  readonly versionLoad: Spread;
  readonly gateWaitsMs: number;
  readonly results: readonly string[];
  readonly bareExits: readonly (number | null)[];
}

/**
 * A production-only release against a previously released Worker, paired with a bare
 * `wrangler deploy` of the same project, alternating which goes first. Each deploy has a new
 * Worker label, so each uploads a new version. Every action run also gives one sample of
 * start → first Cloudflare request (its read of production, once the version is resolved).
 */
export async function measureReleaseOverhead(world: ActionWorld, pairs = 5): Promise<ReleaseOverhead> {
  await writeSampleWorker(world.dir, { label: "bench-v0.9.0" });
  const first = await runAction(world, "v0.9.0", PRODUCTION_ONLY);
  if (first.result !== "released") throw new Error(`the first release failed (${first.result}):\n${first.stdout}`);
  const gateWaitsMs = configuredGateWaitsMs(PRODUCTION_ONLY);
  const firstRequest: number[] = [];
  const action: number[] = [];
  const bare: number[] = [];
  const overhead: number[] = [];
  const versionLoad: number[] = [];
  const results: string[] = [];
  const bareExits: (number | null)[] = [];
  for (let i = 0; i < pairs; i++) {
    const timeAction = async () => {
      const tag = `v1.${i}.0`;
      await writeSampleWorker(world.dir, { label: `bench-${tag}` });
      const run = await runAction(world, tag, PRODUCTION_ONLY);
      results.push(run.result);
      firstRequest.push(firstApiRequestAt(world.sandbox, run.spawnedAt) - run.spawnedAt);
      const deployed = world.live()[0];
      const load = world.sandbox.loads.find((l) => l.kind === "version-load" && deployed !== undefined && l.versionIds.includes(deployed));
      if (load && load.at >= run.spawnedAt) versionLoad.push(load.ms);
      return run.exitedAt - run.spawnedAt - gateWaitsMs;
    };
    const timeBare = async () => {
      await writeSampleWorker(world.dir, { label: `bench-bare-${i}` });
      const run = await bareDeploy(world);
      bareExits.push(run.exitCode);
      return run.ms;
    };
    // Alternating which goes first keeps a drift in the machine's load from favouring either.
    let actionMs: number;
    let bareMs: number;
    if (i % 2 === 0) {
      actionMs = await timeAction();
      bareMs = await timeBare();
    } else {
      bareMs = await timeBare();
      actionMs = await timeAction();
    }
    action.push(actionMs);
    bare.push(bareMs);
    overhead.push(actionMs - bareMs);
  }
  return {
    firstRequest: spread(firstRequest),
    action: spread(action),
    bare: spread(bare),
    overhead: spread(overhead),
    versionLoad: spread(versionLoad),
    gateWaitsMs,
    results,
    bareExits,
  };
}

export interface CancelFigures {
  /** SIGINT → the first POST to production's deployments the sandbox received after it. */
  readonly signalToRestoreMs: number;
  readonly signalToExitMs: number;
  /** Production serves exactly the anchor after exit. */
  readonly restored: boolean;
  readonly result: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly hogs: number;
}

let cancelRuns = 0;

/**
 * A release whose production health gate (1 s interval, 6 measurements) is cancelled by a
 * SIGINT 300 ms after it starts, as the runner cancels; with `hogs`, that many CPU-bound
 * processes load the cores during the run. Production must be back on the anchor after exit.
 */
export async function measureCancel(world: ActionWorld, hogs = 0): Promise<CancelFigures> {
  const tag = `v2.${++cancelRuns}.0`;
  await writeSampleWorker(world.dir, { label: `bench-${tag}` });
  const anchor = world.live();
  if (anchor.length === 0) throw new Error("nothing released yet: cannot measure a cancel's restore");
  // The hogs stop themselves after a minute even if this process dies.
  const load = hogs > 0 ? startCpuHogs(hogs, 60_000) : undefined;
  let run: ActionRun;
  try {
    run = await runAction(
      world,
      tag,
      { "health-interval": "1s", "health-count": "6" },
      { pattern: /::group::Health gate on production/, delayMs: 300 },
    );
  } finally {
    load?.stop();
  }
  const sent = run.signalledAt;
  const restore = sent
    ? world.sandbox.requests.find((r) => r.method === "POST" && PRODUCTION_DEPLOYMENTS.test(r.path) && r.at >= sent)
    : undefined;
  const live = world.live();
  return {
    signalToRestoreMs: restore && sent ? restore.at - sent : Number.NaN,
    signalToExitMs: sent ? run.exitedAt - sent : Number.NaN,
    restored: live.length === anchor.length && live.every((id, i) => id === anchor[i]),
    result: run.result,
    exitCode: run.exitCode,
    signal: run.signal,
    hogs,
  };
}
