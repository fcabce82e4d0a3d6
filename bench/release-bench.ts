/**
 * In-process figures of releases against the local sandbox with the real wrangler: the
 * engine's own time, and the time from the measurement that fails a gate to the spawn of the
 * rollback, both with and without a read of production in flight at that moment.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runPipeline, type PipelineDeps } from "../src/core/pipeline.js";
import type { Clock, Deployer, HttpProbe, Logger } from "../src/core/ports.js";
import type { PipelineConfig } from "../src/core/types.js";
import { resolveConfig } from "../src/config/parse-file.js";
import { createFetchProbe } from "../src/providers/http/probe.js";
import { systemClock } from "../src/providers/system/clock.js";
import { WranglerDeployer } from "../src/providers/wrangler/deployer.js";
import { WranglerProcessRunner, type SpawnEvent, type WranglerRunner } from "../src/providers/wrangler/runner.js";
import { WranglerTargets } from "../src/providers/wrangler/targets.js";
import { startSandbox, writeSampleWorker, type Sandbox } from "../src/sandbox/index.js";

const WRANGLER_BIN = join(process.cwd(), "node_modules/wrangler/bin/wrangler.js");
/** The read of what production serves: one Cloudflare API request. */
const PRODUCTION_READ = /\/workers\/scripts\/sample-worker-production\/deployments$/;
/** How long the sandbox holds the watch's read in the "read in flight" case: far longer than the gate takes to fail. */
const HELD_READ_MS = 3_000;

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {}, group: (_name, fn) => fn() };

/** Where a run's wall time went. Intervals, not sums: the watch's reads overlap the gate's waits. */
export interface Accounting {
  wallMs: number;
  child: Interval[];
  sleep: Interval[];
  probe: Interval[];
  /** Cloudflare API reads of production (the deployer's status, deployments and versions). */
  api: Interval[];
  /** The same reads in epoch milliseconds (the clock of events and spawns), to tell what was in flight when. */
  reads: Interval[];
  spawns: SpawnEvent[];
}

type Interval = readonly [number, number];

/** Milliseconds covered by the union of `intervals`. */
export function covered(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const [a, b] of sorted) {
    if (a > end) {
      if (end > start) total += end - start;
      [start, end] = [a, b];
    } else end = Math.max(end, b);
  }
  if (end > start) total += end - start;
  return total;
}

/** Times `fn`, adding its interval to `into` (and, in epoch ms, to `epoch`). */
async function timed<T>(into: Interval[], fn: () => Promise<T>, epoch?: Interval[]): Promise<T> {
  const start = performance.now();
  const startEpoch = Date.now();
  try {
    return await fn();
  } finally {
    into.push([start, performance.now()]);
    epoch?.push([startEpoch, Date.now()]);
  }
}

/** Whether one of `intervals` had started and not yet ended at `at`. */
export function inFlightAt(intervals: readonly Interval[], at: number): boolean {
  return intervals.some(([start, end]) => start <= at && end > at);
}

/** The deployer with its API reads timed; writes go through untouched (their wrangler processes are timed by the runner). */
function timedReads(deployer: Deployer, acct: Accounting): Deployer {
  const read = <T>(fn: () => Promise<T>) => timed(acct.api, fn, acct.reads);
  return {
    name: deployer.name,
    deploy: (target, request, signal) => deployer.deploy(target, request, signal),
    upload: (target, request, signal) => deployer.upload(target, request, signal),
    shift: (target, allocation, message, signal) => deployer.shift(target, allocation, message, signal),
    restore: (target, allocation, message, signal, options) => deployer.restore(target, allocation, message, signal, options),
    status: (target, signal) => read(() => deployer.status(target, signal)),
    deployments: (target, signal) => read(() => deployer.deployments(target, signal)),
    versions: (target, signal) => read(() => deployer.versions(target, signal)),
    manualRestoreCommand: (target, allocation, message) => deployer.manualRestoreCommand(target, allocation, message),
    pinHeaders: (target, versionId) => deployer.pinHeaders(target, versionId),
  };
}

function instrument(sandbox: Sandbox, dir: string, acct: Accounting) {
  const { CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_ACCOUNT_ID: account, ...env } = sandbox.wranglerEnv();
  const stepEnv = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? dir, ...env, XDG_CONFIG_HOME: join(dir, ".xdg") };
  const inner = new WranglerProcessRunner({
    binJs: WRANGLER_BIN,
    cwd: dir,
    env: stepEnv,
    apiToken: token,
    accountId: account,
    onSpawn: (event) => acct.spawns.push(event),
  });
  const targets = new WranglerTargets({ workingDirectory: dir, env: stepEnv, apiToken: token, accountId: account });
  const runner: WranglerRunner = {
    describe: (args) => inner.describe(args),
    run: (args, options) => timed(acct.child, () => inner.run(args, options)),
  };
  const clock: Clock = { now: () => systemClock.now(), sleep: (ms, signal) => timed(acct.sleep, () => systemClock.sleep(ms, signal)) };
  const fetchProbe = createFetchProbe();
  const probe: HttpProbe = { probe: (request, signal) => timed(acct.probe, () => fetchProbe.probe(request, signal)) };
  return { deployer: timedReads(new WranglerDeployer({ runner, targets, logger: quiet }), acct), clock, probe };
}

function benchConfig(sandbox: Sandbox, dir: string, tag: string, gate: Record<string, string> = {}): PipelineConfig {
  const { config } = resolveConfig({
    inputs: {
      version: tag,
      "working-directory": dir,
      "staging-url": sandbox.workerUrl("sample-worker-staging"),
      "production-url": sandbox.workerUrl("sample-worker-production"),
      "health-path": "/api/health",
      "health-interval": "100ms",
      "health-count": "3",
      "smoke-interval": "100ms",
      "smoke-count": "2",
      ...gate,
    },
    env: { GITHUB_SHA: "0".repeat(40) },
  });
  return config;
}

export interface ReleaseFigures {
  healthy: {
    wallMs: number;
    childMs: number;
    apiMs: number;
    sleepMs: number;
    probeMs: number;
    engineMs: number;
    spawns: number;
    result: string;
  };
  /** The gate fails while no read of production is in flight (the watch's first read has landed). */
  quiet: Decision;
  /** The gate fails while the watch's read of production is held by the API. */
  readInFlight: Decision;
  results: string[];
}

export interface Decision {
  /** The failed gate's deciding measurement → the spawn of `wrangler rollback`. */
  ms: number;
  /** Whether a read of production was in flight when the gate decided (measured, not assumed). */
  readInFlight: boolean;
  result: string;
}

/** A healthy release, then two broken ones, in one sandbox. */
export async function measureReleases(): Promise<ReleaseFigures> {
  const sandbox = await startSandbox();
  const dir = await mkdtemp(join(tmpdir(), "shipline-bench-"));
  try {
    await writeSampleWorker(dir, { label: "v1.0.0" });
    // A first release creates both Workers, so the measured one is a normal (not first) deploy.
    await release(sandbox, dir, "v0.9.0", newAccounting());
    await writeSampleWorker(dir, { label: "v1.0.0-b" });
    const acct = newAccounting();
    const healthy = await release(sandbox, dir, "v1.0.0", acct);
    const waits = covered([...acct.child, ...acct.api, ...acct.sleep, ...acct.probe]);

    // Tolerating one failure at a 1 s interval, the gate decides at its second measurement: the
    // watch's first read has long landed and its next one starts only 2 s after it.
    await writeSampleWorker(dir, { label: "v1.1.0", health: { production: "unhealthy" } });
    const quiet = await decisionToRollback(sandbox, dir, "v1.1.0", { "health-interval": "1s", "health-failure-limit": "1" });
    // The API holds the watch's read (armed once the deploy is done), so the gate fails at its
    // first measurement with that read still in flight.
    await writeSampleWorker(dir, { label: "v1.2.0", health: { production: "unhealthy" } });
    const held = await decisionToRollback(sandbox, dir, "v1.2.0", {}, () =>
      sandbox.faults.add({ method: "GET", path: PRODUCTION_READ, status: 0, delayMs: HELD_READ_MS, times: 1 }),
    );
    return {
      healthy: {
        wallMs: acct.wallMs,
        childMs: covered(acct.child),
        apiMs: covered(acct.api),
        sleepMs: covered(acct.sleep),
        probeMs: covered(acct.probe),
        engineMs: acct.wallMs - waits,
        spawns: acct.spawns.length,
        result: healthy,
      },
      quiet,
      readInFlight: held,
      results: [healthy, quiet.result, held.result],
    };
  } finally {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A broken release: time from the event of the failed gate's decision to the rollback's spawn.
 * `afterDeploy` runs when the production deploy stage has ended (before the gate and its watch start).
 */
async function decisionToRollback(
  sandbox: Sandbox,
  dir: string,
  tag: string,
  gate: Record<string, string>,
  afterDeploy?: () => void,
): Promise<Decision> {
  const acct = newAccounting();
  let decidedAt = 0;
  const result = await release(sandbox, dir, tag, acct, gate, (event) => {
    if (event.type === "stage-end" && event.stage === "production-deploy") afterDeploy?.();
    if (event.type === "gate-decided" && event.outcome === "failed" && decidedAt === 0) decidedAt = Date.now();
  });
  const rollbackSpawn = acct.spawns.find((s) => s.args[0] === "rollback" && s.at >= decidedAt);
  return {
    ms: rollbackSpawn && decidedAt ? rollbackSpawn.at - decidedAt : Number.NaN,
    readInFlight: decidedAt > 0 && inFlightAt(acct.reads, decidedAt),
    result,
  };
}

function newAccounting(): Accounting {
  return { wallMs: 0, child: [], sleep: [], probe: [], api: [], reads: [], spawns: [] };
}

async function release(
  sandbox: Sandbox,
  dir: string,
  tag: string,
  acct: Accounting,
  gate: Record<string, string> = {},
  onEvent?: PipelineDeps["onEvent"],
): Promise<string> {
  const parts = instrument(sandbox, dir, acct);
  const start = performance.now();
  const result = await runPipeline(
    benchConfig(sandbox, dir, tag, gate),
    { ...parts, logger: quiet, onEvent },
    new AbortController().signal,
  );
  acct.wallMs = performance.now() - start;
  return result.result;
}
