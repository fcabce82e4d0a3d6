/**
 * `shipline demo --host blue-green`: the whole pipeline against the blue-green example host
 * (examples/hosts/blue-green), with no Cloudflare and no wrangler: the command deployer runs the
 * host's deploy, status and restore scripts. A sample HTTP service in a new git repository is
 * released twice: v1.0.0 (healthy: released and tagged), then v1.1.0, whose production health
 * endpoint answers 500, so the health gate catches it and the restore script switches the proxy
 * back to the slot that still runs v1.0.0.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { definedEnv } from "../action/env.js";
import { resolveConfig } from "../config/index.js";
import { runPipeline } from "../core/pipeline.js";
import { renderSummary } from "../core/report.js";
import type { PipelineResult, RunResult } from "../core/types.js";
import { createGitRunner } from "../providers/git/runner.js";
import { CliConsole, silentSink } from "./console.js";
import { createCliDeps, SHIPLINE_ROOT } from "./deps.js";
import type { DemoOptions, DemoReport, DemoRun } from "./demo.js";
import { writeText } from "./output.js";
import { progressPrinter } from "./progress.js";

/** The example hosts `--host` accepts. */
export const DEMO_HOSTS = ["blue-green"] as const;

/** Where the example host's scripts are (the repository's, or the installed package's). */
export const BLUE_GREEN_HOST = join(SHIPLINE_ROOT, "examples", "hosts", "blue-green");

const RELEASES: ReadonlyArray<{ tag: string; productionHealth: number; expected: RunResult; title: string }> = [
  { tag: "v1.0.0", productionHealth: 200, expected: "released", title: "a healthy release" },
  { tag: "v1.1.0", productionHealth: 500, expected: "rolled-back", title: "production health broken" },
];

const DEMO_GATES: Readonly<Record<string, string>> = {
  "health-path": "/health",
  "smoke-count": "2",
  "smoke-interval": "250ms",
  "health-count": "3",
  "health-interval": "250ms",
  "health-timeout": "5s",
  "version-header": "x-version-id",
  approval: "none",
};

/** Runs the host demo; never throws for a run that went wrong (the report says so). */
export async function runHostDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const startedAt = Date.now();
  const out = new CliConsole({ sink: options.sink ?? silentSink, startedAt, verbose: options.verbose ?? false, ...options.terminal });
  if (!existsSync(join(BLUE_GREEN_HOST, "deploy.mjs"))) throw new Error(`The blue-green example host is not in ${BLUE_GREEN_HOST}.`);
  const base = await mkdtemp(join(tmpdir(), "shipline-demo-host-"));
  const dir = join(base, "service");
  const hostDir = join(base, "host");
  const git = gitIn(dir);
  await cp(join(BLUE_GREEN_HOST, "app"), join(dir, "app"), { recursive: true });
  await cp(join(BLUE_GREEN_HOST, "blue-green.json"), join(dir, "blue-green.json"));
  await git("init", "--quiet");
  for (const [key, value] of [
    ["user.name", "shipline demo"],
    ["user.email", "demo@shipline.invalid"],
    ["commit.gpgSign", "false"],
    ["tag.gpgSign", "false"],
  ] as const)
    await git("config", key, value);
  out.line(`▸ Blue-green host: state in ${hostDir}, scripts in ${BLUE_GREEN_HOST}`);
  const runs: DemoRun[] = [];
  try {
    for (const [index, release] of RELEASES.entries()) {
      out.plain("");
      out.line(`━━ Run ${index + 1}: ${release.tag}, ${release.title} ━━`);
      await writeFile(join(dir, "app", "health.json"), `${JSON.stringify({ status: { production: release.productionHealth } })}\n`);
      await git("add", "--all");
      await git("commit", "--quiet", "--allow-empty", "--message", `Release ${release.tag}`);
      const sha = await git("rev-parse", "HEAD");
      const result = await releaseOnce({ tag: release.tag, sha, dir, hostDir, out, signal: options.signal });
      out.line(`${result.result === release.expected ? "✔" : "✖"} ${release.tag}: ${result.result}. ${result.message}`);
      runs.push({ tag: release.tag, expected: release.expected, result, durationMs: result.endedAt - result.startedAt });
    }
  } finally {
    await promisify(execFile)(process.execPath, [join(BLUE_GREEN_HOST, "stop.mjs")], {
      env: { ...process.env, SHIPLINE_HOST_DIR: hostDir },
    });
  }
  const keep = options.keep ?? true;
  const summaryPath = keep || options.summaryPath ? (options.summaryPath ?? join(base, "summary.md")) : undefined;
  if (summaryPath) await writeText(summaryPath, runs.map((run) => renderSummary(run.result)).join("\n---\n\n"));
  const tags = (await git("tag", "--list")).split("\n").filter(Boolean);
  if (!keep) await rm(base, { recursive: true, force: true });
  return {
    ok: runs.length === RELEASES.length && runs.every((run) => run.result.result === run.expected),
    totalMs: Date.now() - startedAt,
    runs,
    serveNewVersionMs: undefined,
    serveSamples: [],
    projectDir: keep ? dir : "",
    tags,
    summaryPath,
  };
}

interface ReleaseArgs {
  readonly tag: string;
  readonly sha: string;
  readonly dir: string;
  readonly hostDir: string;
  readonly out: CliConsole;
  readonly signal: AbortSignal | undefined;
}

async function releaseOnce(args: ReleaseArgs): Promise<PipelineResult> {
  const env: Record<string, string> = { ...definedEnv(process.env), SHIPLINE_HOST_DIR: args.hostDir };
  const script = (role: string) => JSON.stringify([process.execPath, join(BLUE_GREEN_HOST, `${role}.mjs`)]);
  const configText = `deployer:\n  kind: command\n${["deploy", "status", "restore"].map((role) => `  ${role}: ${script(role)}`).join("\n")}\n`;
  const { config, deployer } = resolveConfig({
    inputs: { mode: "release", version: args.tag, "working-directory": args.dir, ...DEMO_GATES },
    configText,
    configPath: "demo",
    env: { GITHUB_SHA: args.sha },
  });
  const signal = args.signal ?? new AbortController().signal;
  const deps = await createCliDeps({
    config,
    wranglerVersion: "4",
    env,
    deployer,
    logger: args.out.logger(),
    signal,
    onEvent: progressPrinter(args.out),
    gitRepository: true,
    mode: "release",
  });
  return runPipeline(config, deps, signal, { env });
}

function gitIn(dir: string): (...args: string[]) => Promise<string> {
  const git = createGitRunner();
  return async (...args) => {
    const result = await git(args, { cwd: dir });
    if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed in ${dir}: ${result.stderr.trim()}`);
    return result.stdout.trim();
  };
}
