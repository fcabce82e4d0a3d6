/**
 * In-process figures of one release against the local sandbox with the real wrangler:
 * the engine's own time, and the time from the measurement that fails a gate to the spawn
 * of the rollback.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runPipeline, type PipelineDeps } from "../src/core/pipeline.js";
import type { Clock, HttpProbe, Logger } from "../src/core/ports.js";
import type { PipelineConfig } from "../src/core/types.js";
import { resolveConfig } from "../src/config/resolve.js";
import { createFetchProbe } from "../src/providers/http/probe.js";
import { systemClock } from "../src/providers/system/clock.js";
import { WranglerDeployer } from "../src/providers/wrangler/deployer.js";
import { WranglerProcessRunner, type SpawnEvent, type WranglerRunner } from "../src/providers/wrangler/runner.js";
import { WranglerTargets } from "../src/providers/wrangler/targets.js";
import { startSandbox, writeSampleWorker, type Sandbox } from "../src/sandbox/index.js";

const WRANGLER_BIN = join(process.cwd(), "node_modules/wrangler/bin/wrangler.js");

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {}, group: (_name, fn) => fn() };

/** Where a run's wall time went. Intervals, not sums: the watch's reads overlap the gate's waits. */
export interface Accounting {
  wallMs: number;
  child: Interval[];
  sleep: Interval[];
  probe: Interval[];
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

/** Times `fn`, adding its interval to `into`. */
async function timed<T>(into: Interval[], fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    into.push([start, performance.now()]);
  }
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
  return { deployer: new WranglerDeployer({ runner, targets, logger: quiet }), clock, probe };
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
  healthy: { wallMs: number; childMs: number; sleepMs: number; probeMs: number; engineMs: number; spawns: number; result: string };
  /** The gate fails after the watch's first read of production has landed. */
  decisionAfterReadMs: number;
  /** The gate fails at its first measurement, before that read has landed: the rollback waits for it. */
  decisionAtFirstMeasurementMs: number;
  results: string[];
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
    const waits = covered([...acct.child, ...acct.sleep, ...acct.probe]);

    // Tolerating one failure at a 2 s interval, the gate decides at its second measurement.
    await writeSampleWorker(dir, { label: "v1.1.0", health: { production: "unhealthy" } });
    const late = await decisionToRollback(sandbox, dir, "v1.1.0", { "health-interval": "2s", "health-failure-limit": "1" });
    await writeSampleWorker(dir, { label: "v1.2.0", health: { production: "unhealthy" } });
    const early = await decisionToRollback(sandbox, dir, "v1.2.0", {});
    return {
      healthy: {
        wallMs: acct.wallMs,
        childMs: covered(acct.child),
        sleepMs: covered(acct.sleep),
        probeMs: covered(acct.probe),
        engineMs: acct.wallMs - waits,
        spawns: acct.spawns.length,
        result: healthy,
      },
      decisionAfterReadMs: late.ms,
      decisionAtFirstMeasurementMs: early.ms,
      results: [healthy, late.result, early.result],
    };
  } finally {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A broken release: time from the event of the failed gate's decision to the rollback's spawn. */
async function decisionToRollback(
  sandbox: Sandbox,
  dir: string,
  tag: string,
  gate: Record<string, string>,
): Promise<{ ms: number; result: string }> {
  const acct = newAccounting();
  let decidedAt = 0;
  const result = await release(sandbox, dir, tag, acct, gate, (event) => {
    if (event.type === "gate-decided" && event.outcome === "failed" && decidedAt === 0) decidedAt = Date.now();
  });
  const rollbackSpawn = acct.spawns.find((s) => s.args[0] === "rollback");
  return { ms: rollbackSpawn && decidedAt ? rollbackSpawn.at - decidedAt : Number.NaN, result };
}

function newAccounting(): Accounting {
  return { wallMs: 0, child: [], sleep: [], probe: [], spawns: [] };
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
