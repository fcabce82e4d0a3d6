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
import { startSandbox, writeSampleWorker, type Sandbox } from "../src/sandbox/index.js";

const WRANGLER_BIN = join(process.cwd(), "node_modules/wrangler/bin/wrangler.js");

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {}, group: (_name, fn) => fn() };

/** Where a run's wall time went. */
export interface Accounting {
  wallMs: number;
  childMs: number;
  sleepMs: number;
  probeMs: number;
  spawns: SpawnEvent[];
}

function instrument(sandbox: Sandbox, dir: string, acct: Accounting) {
  const { CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_ACCOUNT_ID: account, ...env } = sandbox.wranglerEnv();
  const inner = new WranglerProcessRunner({
    binJs: WRANGLER_BIN,
    cwd: dir,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? dir, ...env, XDG_CONFIG_HOME: join(dir, ".xdg") },
    apiToken: token,
    accountId: account,
    onSpawn: (event) => acct.spawns.push(event),
  });
  const runner: WranglerRunner = {
    describe: (args) => inner.describe(args),
    async run(args, options) {
      const start = performance.now();
      try {
        return await inner.run(args, options);
      } finally {
        acct.childMs += performance.now() - start;
      }
    },
  };
  const clock: Clock = {
    now: () => systemClock.now(),
    async sleep(ms, signal) {
      const start = performance.now();
      try {
        await systemClock.sleep(ms, signal);
      } finally {
        acct.sleepMs += performance.now() - start;
      }
    },
  };
  const fetchProbe = createFetchProbe();
  const probe: HttpProbe = {
    async probe(request, signal) {
      const start = performance.now();
      try {
        return await fetchProbe.probe(request, signal);
      } finally {
        acct.probeMs += performance.now() - start;
      }
    },
  };
  return { deployer: new WranglerDeployer({ runner, logger: quiet }), clock, probe };
}

function benchConfig(sandbox: Sandbox, dir: string, tag: string): PipelineConfig {
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
    },
    env: { GITHUB_SHA: "0".repeat(40) },
  });
  return config;
}

export interface ReleaseFigures {
  healthy: Accounting & { engineMs: number; result: string };
  decisionToRollbackSpawnMs: number;
  rolledBack: string;
}

/** A healthy release, then a broken one, in one sandbox. */
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
    const engineMs = acct.wallMs - acct.childMs - acct.sleepMs - acct.probeMs;

    await writeSampleWorker(dir, { label: "v1.1.0", health: { production: "unhealthy" } });
    const broken = newAccounting();
    let decidedAt = 0;
    const result = await release(sandbox, dir, "v1.1.0", broken, (event) => {
      if (event.type === "gate-decided" && event.outcome === "failed" && decidedAt === 0) decidedAt = Date.now();
    });
    const rollbackSpawn = broken.spawns.find((s) => s.args[0] === "rollback");
    return {
      healthy: { ...acct, engineMs, result: healthy },
      decisionToRollbackSpawnMs: rollbackSpawn && decidedAt ? rollbackSpawn.at - decidedAt : Number.NaN,
      rolledBack: result,
    };
  } finally {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function newAccounting(): Accounting {
  return { wallMs: 0, childMs: 0, sleepMs: 0, probeMs: 0, spawns: [] };
}

async function release(sandbox: Sandbox, dir: string, tag: string, acct: Accounting, onEvent?: PipelineDeps["onEvent"]): Promise<string> {
  const parts = instrument(sandbox, dir, acct);
  const start = performance.now();
  const result = await runPipeline(benchConfig(sandbox, dir, tag), { ...parts, logger: quiet, onEvent }, new AbortController().signal);
  acct.wallMs = performance.now() - start;
  return result.result;
}
