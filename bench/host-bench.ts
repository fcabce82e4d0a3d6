/**
 * The command deployer on the blue-green example host, in process: a healthy release, then one
 * whose production health answers 500. Measures the failed health gate's decision → the spawn
 * of the host's restore script, and → the first answer of the old version through the host's
 * proxy (polled every few ms from the decision on).
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../src/config/index.js";
import { runPipeline } from "../src/core/pipeline.js";
import type { Logger } from "../src/core/ports.js";
import type { PipelineEvent } from "../src/core/run-state.js";
import type { RunResult } from "../src/core/types.js";
import { systemClock } from "../src/providers/system/clock.js";
import type { SpawnEvent } from "../src/providers/wrangler/runner.js";
import { wireShared } from "../src/wiring.js";

export interface HostFigures {
  /** Failed gate's decision → restore script spawned. */
  readonly decisionToRestoreSpawnMs: number;
  /** Failed gate's decision → the old version answers through the proxy. */
  readonly decisionToOldVersionMs: number;
  /** The two runs' results (released, then rolled-back). */
  readonly results: readonly RunResult[];
}

/** `npm run bench` runs in the repository root (the compiled bench lives in .cache/, away from examples/). */
const BLUE_GREEN_HOST = join(process.cwd(), "examples", "hosts", "blue-green");

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {}, group: (_name, fn) => fn() };

export async function measureHostRollback(): Promise<HostFigures> {
  const base = await mkdtemp(join(tmpdir(), "shipline-bench-host-"));
  const dir = join(base, "service");
  const hostDir = join(base, "host");
  await cp(join(BLUE_GREEN_HOST, "app"), join(dir, "app"), { recursive: true });
  await cp(join(BLUE_GREEN_HOST, "blue-green.json"), join(dir, "blue-green.json"));
  const env: Record<string, string> = { PATH: process.env["PATH"] ?? "", SHIPLINE_HOST_DIR: hostDir };
  const script = (role: string) => JSON.stringify([process.execPath, join(BLUE_GREEN_HOST, `${role}.mjs`)]);
  const configText = `deployer:\n  kind: command\n${["deploy", "status", "restore"].map((r) => `  ${r}: ${script(r)}`).join("\n")}\n`;
  const spawns: SpawnEvent[] = [];
  const results: RunResult[] = [];
  let decidedAt = 0;
  let oldAnswerAt = 0;
  try {
    let previous = "";
    for (const [tag, health] of [
      ["v1.0.0", 200],
      ["v1.1.0", 500],
    ] as const) {
      await writeFile(join(dir, "app", "health.json"), JSON.stringify({ status: { production: health } }));
      const { config, deployer } = resolveConfig({
        inputs: {
          version: tag,
          "working-directory": dir,
          "health-path": "/health",
          "health-count": "3",
          "health-interval": "100ms",
          "smoke-count": "1",
          "version-header": "x-version-id",
          approval: "none",
        },
        configText,
        configPath: "bench",
        env: { GITHUB_SHA: "b".repeat(40) },
      });
      const signal = new AbortController().signal;
      const { deps: shared } = await wireShared({
        config,
        wranglerVersion: "4",
        env,
        logger: quiet,
        signal,
        toolCache: tmpdir(),
        deployer,
        onSpawn: (event) => spawns.push(event),
      });
      const onEvent = (event: PipelineEvent) => {
        if (event.type === "gate-decided" && event.outcome === "failed" && decidedAt === 0) {
          decidedAt = Date.now();
          void pollOldVersion(hostDir, previous).then((at) => (oldAnswerAt = at));
        }
      };
      const result = await runPipeline(config, { ...shared, clock: systemClock, logger: quiet, onEvent }, signal, { env });
      results.push(result.result);
      previous = result.productionVersionId ?? previous;
    }
  } finally {
    execFileSync(process.execPath, [join(BLUE_GREEN_HOST, "stop.mjs")], { env: { ...process.env, SHIPLINE_HOST_DIR: hostDir } });
    await rm(base, { recursive: true, force: true });
  }
  const restore = spawns.find((s) => String(s.args[1] ?? "").endsWith("restore.mjs") && s.at >= decidedAt);
  return {
    decisionToRestoreSpawnMs: restore && decidedAt ? restore.at - decidedAt : Number.NaN,
    decisionToOldVersionMs: oldAnswerAt && decidedAt ? oldAnswerAt - decidedAt : Number.NaN,
    results,
  };
}

/** Polls production's proxy until `versionId` answers; resolves with that moment (epoch ms). */
async function pollOldVersion(hostDir: string, versionId: string): Promise<number> {
  const { readFileSync } = await import("node:fs");
  const url = (JSON.parse(readFileSync(join(hostDir, "production", "state.json"), "utf8")) as { proxy: { url: string } }).proxy.url;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const answer = await fetch(`${url}/health`).catch(() => undefined);
    await answer?.text();
    if (answer?.headers.get("x-version-id") === versionId) return Date.now();
    await new Promise((r) => setTimeout(r, 2));
  }
  return 0;
}
