/**
 * `shipline demo`: the whole pipeline on a fresh machine with nothing configured. Starts the
 * local Workers sandbox, creates a sample Worker in a new git repository, and releases it
 * three times with the real wrangler: v1.0.0 (healthy: released and tagged), then v1.1.0, whose
 * production health endpoint fails, so the health gate catches it and production is rolled
 * back, then v1.2.0, whose health is fine but which fails a fifth of `/api/items`: a small
 * traffic generator plays users during a gradual rollout, and the 50% step's traffic analysis
 * catches it from the (sandbox's) analytics and rolls back. The Worker's health check needs a
 * secret and its D1 database (binding `DB`), whose migration `before-production` applies with
 * `wrangler d1 migrations apply`. Also the bench's entry point (`runDemoBench`).
 */
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { installSignalHandlers } from "../action/signals.js";
import { definedEnv } from "../action/env.js";
import { resolveConfig, type ResolvedSettings } from "../config/index.js";
import { runPipeline } from "../core/pipeline.js";
import type { Logger } from "../core/ports.js";
import { renderSummary } from "../core/report.js";
import type { PipelineResult, RunResult } from "../core/types.js";
import { percent } from "../core/analysis.js";
import type { StepAnalysis } from "../core/analysis-step.js";
import { stopAllChildren } from "../providers/system/process-tree.js";
import { findProjectWrangler } from "../providers/wrangler/locate.js";
import { SAMPLE_MIGRATION, startSandbox, type Sandbox, type SampleWorkerOptions } from "../sandbox/index.js";
import type { LiveLine } from "./live.js";
import { CliConsole, silentSink, type LineSink } from "./console.js";
import { createCliDeps, SHIPLINE_ROOT } from "./deps.js";
import { medianServeMs, serveSamples, type ServeSample } from "./demo-measure.js";
import { createDemoProject, type DemoProject } from "./demo-project.js";
import { demoTimeline } from "./demo-report.js";
import { writeText } from "./output.js";
import { progressPrinter } from "./progress.js";

/**
 * The secret the demo's Worker needs (its health check fails without it): uploaded with each
 * version through `secrets`, from the demo's own environment, as a workflow's step env would give it.
 */
export const DEMO_SECRET = "DEMO_API_KEY";
/** Not a real secret, but handled as one: masked everywhere, never on a command line. */
export const DEMO_SECRET_VALUE = "demo-api-key-not-a-real-secret";

/** The sandbox's D1 database per environment, bound as `DB` (the ids a project's wrangler.toml would name). */
const DEMO_D1: Readonly<Record<string, string>> = {
  staging: "0d3c2b1a-5e4f-4a6b-8c7d-9e0f1a2b3c4d",
  production: "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
};

/** The third act's rollout: a 50% step judged on users' traffic (test-sized windows), then 100%. */
const ANALYSIS_ACT = {
  inputs: { strategy: "gradual", "rollout-steps": "50,100" },
  configText: [
    "production:",
    "  analysis:",
    "    window: 3s",
    "    ingestion-delay: 500ms",
    // A fifth of 80 requests failing against none is beyond chance whatever the draw; a busy
    // machine serves fewer in 3 s, and the step then waits for them instead of judging too few.
    "    min-requests: 80",
    "    max-wait: 10s",
    // Sandbox wall times are a busy laptop's milliseconds: latency is judged with room for that noise.
    "    latency-margin: 2s",
    "",
  ].join("\n"),
};
/** How late the sandbox's analytics count a request (Cloudflare: about a minute). */
const DEMO_ANALYTICS_DELAY_MS = 500;

interface DemoRelease {
  readonly tag: string;
  readonly worker: SampleWorkerOptions;
  readonly expected: RunResult;
  readonly title: string;
  /** Users request `/api/items` of production during the run, and the rollout is judged on their traffic. */
  readonly analysis?: typeof ANALYSIS_ACT;
}

/** The releases the demo makes, and what each must end in. */
const RELEASES: readonly DemoRelease[] = [
  { tag: "v1.0.0", worker: { label: "v1.0.0", secrets: [DEMO_SECRET], d1: DEMO_D1 }, expected: "released", title: "a healthy release" },
  {
    tag: "v1.1.0",
    worker: { label: "v1.1.0", secrets: [DEMO_SECRET], d1: DEMO_D1, health: { production: "unhealthy" } },
    expected: "rolled-back",
    title: "production health broken",
  },
  {
    tag: "v1.2.0",
    worker: { label: "v1.2.0", secrets: [DEMO_SECRET], d1: DEMO_D1, itemsFailShare: 0.2 },
    expected: "rolled-back",
    title: "health fine, a fifth of /api/items failing: caught from traffic at 50%",
    analysis: ANALYSIS_ACT,
  },
];

/** Demo gates: short intervals, so both releases finish in seconds. */
const DEMO_GATES: Readonly<Record<string, string>> = {
  "health-path": "/api/health",
  "smoke-count": "2",
  "smoke-interval": "250ms",
  "health-count": "3",
  "health-interval": "250ms",
  "health-timeout": "5s",
  approval: "none",
};

export interface DemoOptions {
  /** Progress lines. @default silent */
  readonly sink?: LineSink;
  readonly verbose?: boolean;
  /** Where the summary Markdown goes. @default `<demo folder>/summary.md` */
  readonly summaryPath?: string;
  /** Keep the demo folder (the git repository with its tags). @default true */
  readonly keep?: boolean;
  readonly signal?: AbortSignal;
  /** On a terminal: the live line and colour (see terminal.ts). */
  readonly terminal?: { readonly live?: LiveLine; readonly colour: boolean };
}

/** One of the demo's releases. */
export interface DemoRun {
  readonly tag: string;
  readonly expected: RunResult;
  readonly result: PipelineResult;
  readonly durationMs: number;
}

/** What the demo did and how long it took. */
export interface DemoReport {
  /** Both runs ended as the demo expects (released, then rolled-back). */
  readonly ok: boolean;
  readonly totalMs: number;
  readonly runs: readonly DemoRun[];
  /** Median over the demo's deploys of the time from a deploy's end to the new version's first answer. */
  readonly serveNewVersionMs: number | undefined;
  readonly serveSamples: readonly ServeSample[];
  /** The sample Worker's git repository (removed when `keep` is false). */
  readonly projectDir: string;
  readonly tags: readonly string[];
  readonly summaryPath: string | undefined;
}

/** Runs the demo; never throws for a run that went wrong (the report says so), only for a broken setup. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const startedAt = Date.now();
  const out = new CliConsole({ sink: options.sink ?? silentSink, startedAt, verbose: options.verbose ?? false, ...options.terminal });
  const base = await mkdtemp(join(tmpdir(), "shipline-demo-"));
  const project = await createDemoProject(join(base, "sample-worker"));
  out.line(`▸ Starting the local Workers sandbox`);
  const sandbox = await startSandbox({
    analyticsDelayMs: DEMO_ANALYTICS_DELAY_MS,
    resources: { d1Databases: Object.entries(DEMO_D1).map(([environment, id]) => ({ name: `sample-worker-${environment}`, id })) },
  });
  try {
    out.addSecrets([sandbox.wranglerEnv()["CLOUDFLARE_API_TOKEN"], DEMO_SECRET_VALUE]);
    out.line(`✔ Sandbox: Cloudflare API at ${sandbox.apiBaseUrl}, Workers at ${sandbox.trafficBaseUrl}/<worker>`);
    await migrateStaging(sandbox);
    out.line(`✔ D1 databases sample-worker-staging (migrated earlier) and sample-worker-production (migrated before production)`);
    await linkWrangler(project.dir);
    const runs: DemoRun[] = [];
    for (const [index, release] of RELEASES.entries()) {
      out.plain("");
      out.line(`━━ Run ${index + 1}: ${release.tag}, ${release.title} ━━`);
      const sha = await project.commit(release.worker, `Release ${release.tag}`);
      const users = release.analysis ? playUsers(`${sandbox.workerUrl(project.worker.workerName("production"))}/api/items`) : undefined;
      if (users) out.line("▸ Users: three of them request /api/items of production, one request after another, until the run ends");
      const result = await releaseOnce({
        tag: release.tag,
        sha,
        project,
        sandbox,
        out,
        signal: options.signal,
        analysis: release.analysis,
      }).finally(() => users?.stop());
      out.line(`${result.result === release.expected ? "✔" : "✖"} ${release.tag}: ${result.result}. ${result.message}`);
      for (const step of result.analyses ?? []) out.line(`  ${analysisLine(step)}`);
      runs.push({ tag: release.tag, expected: release.expected, result, durationMs: result.endedAt - result.startedAt });
    }
    const samples = runs.flatMap((run) =>
      serveSamples(run.result, sandbox.traffic, (env) => project.worker.workerName(env), { staging: "staging", production: "production" }),
    );
    const keep = options.keep ?? true;
    const summaryPath = keep || options.summaryPath ? (options.summaryPath ?? join(base, "summary.md")) : undefined;
    if (summaryPath) await writeText(summaryPath, out.mask(runs.map((run) => renderSummary(run.result)).join("\n---\n\n")));
    const tags = await project.tags();
    const report: DemoReport = {
      ok: runs.every((run) => run.result.result === run.expected),
      totalMs: Date.now() - startedAt,
      runs,
      serveNewVersionMs: medianServeMs(samples),
      serveSamples: samples,
      projectDir: keep ? project.dir : "",
      tags,
      summaryPath,
    };
    out.plain("");
    for (const line of demoTimeline(report)) out.plain(line);
    return report;
  } finally {
    await sandbox.stop();
    if (options.keep === false) await rm(base, { recursive: true, force: true });
  }
}

/** The bench's measurement: the demo, silently, and its timings. */
export async function runDemoBench(): Promise<{
  totalMs: number;
  runs: Array<{ result: RunResult; durationMs: number }>;
  serveNewVersionMs: number | undefined;
  ok: boolean;
}> {
  const report = await runDemo({ keep: false });
  return {
    totalMs: report.totalMs,
    runs: report.runs.map((run) => ({ result: run.result.result, durationMs: run.durationMs })),
    serveNewVersionMs: report.serveNewVersionMs,
    ok: report.ok,
  };
}

/** Runs a demo (`runDemo`, or the host demo) from the command line, cancelled by Ctrl-C. */
export async function runDemoWithSignals(
  options: Omit<DemoOptions, "signal">,
  logger: Logger,
  demo: (options: DemoOptions) => Promise<DemoReport> = runDemo,
): Promise<DemoReport> {
  const controller = new AbortController();
  const signals = installSignalHandlers(controller, logger);
  try {
    return await demo({ ...options, signal: controller.signal });
  } finally {
    await stopAllChildren();
    signals.dispose();
  }
}

interface ReleaseArgs {
  readonly tag: string;
  readonly sha: string;
  readonly project: DemoProject;
  readonly sandbox: Sandbox;
  readonly out: CliConsole;
  readonly signal: AbortSignal | undefined;
  readonly analysis?: DemoRelease["analysis"];
}

/** One full pipeline run of the sample Worker at `sha` as `tag`. */
async function releaseOnce(args: ReleaseArgs): Promise<PipelineResult> {
  const env: Record<string, string> = { ...definedEnv(process.env), ...args.sandbox.wranglerEnv(), [DEMO_SECRET]: DEMO_SECRET_VALUE };
  const { config, runtime } = demoConfig(args, env);
  const signal = args.signal ?? new AbortController().signal;
  const deps = await createCliDeps({
    config,
    wranglerVersion: "4",
    env,
    apiToken: env["CLOUDFLARE_API_TOKEN"],
    accountId: args.sandbox.accountId,
    secretValues: runtime.secretValues,
    logger: args.out.logger(),
    signal,
    onEvent: progressPrinter(args.out),
    gitRepository: true,
    mode: "release",
  });
  return runPipeline(config, deps, signal, { env });
}

/** The demo's configuration, built by the same resolver as the action's. */
function demoConfig(args: ReleaseArgs, env: Readonly<Record<string, string>>): Pick<ResolvedSettings, "config" | "runtime"> {
  const worker = args.project.worker;
  const inputs = {
    mode: "release",
    version: args.tag,
    "working-directory": args.project.dir,
    "staging-url": args.sandbox.workerUrl(worker.workerName("staging")),
    "production-url": args.sandbox.workerUrl(worker.workerName("production")),
    secrets: DEMO_SECRET,
    "before-production": MIGRATE_PRODUCTION,
    ...DEMO_GATES,
    ...args.analysis?.inputs,
  };
  return resolveConfig({
    inputs,
    env: { GITHUB_SHA: args.sha, [DEMO_SECRET]: env[DEMO_SECRET] },
    ...(args.analysis ? { configText: args.analysis.configText, configPath: "(the demo's analysis settings)" } : {}),
  });
}

/** Both versions' error rates side by side, for the demo's line after a judged step. */
function analysisLine(step: StepAnalysis): string {
  const c = step.decision?.candidate;
  const b = step.decision?.baseline;
  const rate = (v: typeof c) => (v ? `${percent(v.errorRate)} errors of ${v.requests} requests` : "no figures");
  return `Traffic at ${step.step}%: new ${rate(c)}, baseline ${rate(b)} → ${step.outcome}`;
}

/** A small traffic generator: three users, one request after another each, until stopped. */
function playUsers(url: string): { stop(): Promise<void> } {
  let running = true;
  const user = async () => {
    while (running) {
      await fetch(url)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const all = Promise.all([user(), user(), user()]);
  return {
    stop: async () => {
      running = false;
      await all;
    },
  };
}

/** Staging's database as an earlier release would have left it: the sample migration applied, through the sandbox's D1 API. */
async function migrateStaging(sandbox: Sandbox): Promise<void> {
  const url = `${sandbox.apiBaseUrl}/accounts/${sandbox.accountId}/d1/database/${DEMO_D1["staging"]}/query`;
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${sandbox.wranglerEnv()["CLOUDFLARE_API_TOKEN"]}`, "content-type": "application/json" },
    body: JSON.stringify({ sql: SAMPLE_MIGRATION.sql }),
  });
  if (!response.ok) throw new Error(`The demo could not migrate staging's D1 database: ${response.status} ${await response.text()}`);
}

/** The before-production command, as a project would write it. */
const MIGRATE_PRODUCTION = "node_modules/.bin/wrangler d1 migrations apply DB --remote --env production";

/**
 * Gives the demo project shipline's own wrangler as its `node_modules/wrangler` (a link, as a
 * project's install would put it there), so that the before-production command runs it as
 * users do; the deploys find the same wrangler.
 */
async function linkWrangler(projectDir: string): Promise<void> {
  const wrangler = await findProjectWrangler(SHIPLINE_ROOT);
  if (!wrangler) throw new Error(`The demo needs shipline's own wrangler, not found under ${SHIPLINE_ROOT}`);
  const packageDir = dirname(dirname(wrangler.binJs));
  await mkdir(join(projectDir, "node_modules", ".bin"), { recursive: true });
  await symlink(packageDir, join(projectDir, "node_modules", "wrangler"), "dir");
  await symlink(join("..", "wrangler", relative(packageDir, wrangler.binJs)), join(projectDir, "node_modules", ".bin", "wrangler"));
}
