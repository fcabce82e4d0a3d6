import * as core from "@actions/core";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPlan } from "../config/plan.js";
import type { ResolvedSettings } from "../config/resolve.js";
import { runEmergencyRollback } from "../core/emergency.js";
import { ConfigError, errorMessage } from "../core/errors.js";
import { runMultiPipeline } from "../core/multi.js";
import { runMultiRollback } from "../core/multi-rollback.js";
import { runPipeline } from "../core/pipeline.js";
import { failedBeforeStart, healthReport, isSuccess, renderSummary, toOutputs } from "../core/report.js";
import type { PipelineResult } from "../core/types.js";
import { resolveVersion } from "../core/version.js";
import { createActionsLogger } from "../providers/actions/logger.js";
import { readGitHubContext, type GitHubRunContext } from "../providers/github/context.js";
import { commandProjectFacts } from "../providers/command/project-check.js";
import { stopAllChildren } from "../providers/system/process-tree.js";
import { environmentsNeeded } from "../providers/wrangler/project-check.js";
import { projectFacts } from "../providers/wrangler/project-facts.js";
import type { WranglerProject } from "../providers/wrangler/project.js";
import type { PipelineDeps } from "../core/pipeline.js";
import { createActionDeps } from "./deps.js";
import { workerUnits } from "./workers.js";
import { startEarly, type EarlyStart } from "./early.js";
import { productionCommandEnv } from "../wiring.js";
import { RunProgress, cutOffCommand, trackingRecorder } from "./progress.js";
import { definedEnv, type Env } from "./env.js";
import { installSignalHandlers } from "./signals.js";

/** The action: parse inputs once, run the pipeline, write outputs and the summary. Returns the exit code. */
export async function run(env: Env = process.env, early?: EarlyStart): Promise<number> {
  early ??= await startEarly(env);
  const logger = createActionsLogger();
  const { startedAt, inputs, controller } = early;
  for (const name of ["cloudflare-api-token", "github-token", "release-token"]) {
    const secret = inputs[name];
    if (secret) core.setSecret(secret);
  }
  const github = tryReadContext(env);
  if (!early.settings.ok) return finish(stoppedBeforeStart(early.settings.error, startedAt), env, github);
  const settings = early.settings.value;
  // The runner masks a log line at a time: a multi-line value (a PEM key) is masked line by line too.
  for (const secret of settings.secrets) {
    core.setSecret(secret);
    for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 4 && line !== secret) core.setSecret(line.trim());
  }
  early.log.attach(logger);
  for (const warning of settings.warnings) logger.warn(warning);
  if (settings.config.mode === "plan") return finish(await plan(settings, env, startedAt), env, github);

  const progress = new RunProgress();
  let deps: PipelineDeps | undefined;
  let records: ReturnType<typeof trackingRecorder> | undefined;
  // The engine's result, or what is known when the cleanup after a cancel is cut off: whichever comes first.
  let finished = false;
  const finishOnce = (result: PipelineResult) => {
    if (finished) return process.exitCode === undefined ? 1 : Number(process.exitCode);
    finished = true;
    return finish(result, env, github);
  };
  const onHardDeadline = async () => {
    const manual = cutOffCommand(
      settings.config.mode,
      progress.facts,
      deps?.deployer,
      settings.config.production.environment,
      Boolean(settings.workers),
    );
    finishOnce(progress.cutOff(settings.config.mode, startedAt, Date.now(), manual));
    const facts = progress.facts;
    const urlOf = (environment: string) =>
      environment === settings.config.production.environment
        ? facts.productionUrl
        : environment === settings.config.staging.environment
          ? facts.stagingUrl
          : undefined;
    await records?.markOpen("cancelled; the cleanup did not finish in time", urlOf);
  };
  const signals = installSignalHandlers(controller, logger, { onHardDeadline });
  early.signals.dispose();
  const earlyRunner = await early.prestarted;
  try {
    const built = await createActionDeps({
      settings,
      env,
      github,
      logger,
      signal: controller.signal,
      ...(early.targets ? { targets: early.targets } : {}),
      ...(earlyRunner ? { runner: earlyRunner } : {}),
    });
    records = built.recorder ? trackingRecorder(built.recorder) : undefined;
    deps = { ...built, ...(records ? { recorder: records } : {}), onEvent: progress.observe };
    const wranglerEnv = productionCommandEnv({
      env: definedEnv(env),
      apiToken: settings.runtime.cloudflareApiToken,
      accountId: settings.runtime.cloudflareAccountId,
    });
    const context = { runUrl: github?.runUrl, actor: github?.actor, env: definedEnv(env), wranglerEnv };
    const workspace = env["GITHUB_WORKSPACE"] || process.cwd();
    const result =
      settings.config.mode === "rollback"
        ? settings.workers
          ? await runMultiRollback(
              await workerUnits(settings, deps, { env, signal: controller.signal, logger, workspace }),
              deps,
              controller.signal,
              context,
            )
          : await runEmergencyRollback(settings.config, deps, controller.signal, context)
        : settings.workers
          ? await runMultiPipeline(
              await workerUnits(settings, deps, { env, signal: controller.signal, logger, workspace }),
              deps,
              controller.signal,
              context,
            )
          : await runPipeline(settings.config, deps, controller.signal, context);
    return finishOnce(result);
  } catch (error) {
    return finishOnce(stoppedBeforeStart(error, startedAt));
  } finally {
    // Nothing started for this run outlives it (before the signal handlers go: a cancel now still waits for this).
    // A deploy started early and never reached refuses its held writes first.
    await earlyRunner?.discardPrestarted("the run ended before its deploy");
    await stopAllChildren();
    signals.dispose();
  }
}

async function plan(
  settings: ResolvedSettings & { project: WranglerProject | undefined },
  env: Env,
  startedAt: number,
): Promise<PipelineResult> {
  const config = settings.config;
  const release = resolveVersion({ ...config.version });
  const accountId = settings.runtime.cloudflareAccountId || env["CLOUDFLARE_ACCOUNT_ID"];
  const found =
    settings.deployer.kind === "command" || !settings.project
      ? commandFacts(settings)
      : await projectFacts({
          directory: config.workingDirectory,
          project: settings.project,
          environments: environmentsNeeded(config),
          wranglerRange: settings.runtime.wranglerVersion,
          hasToken: Boolean(settings.runtime.cloudflareApiToken || env["CLOUDFLARE_API_TOKEN"]),
          ...(accountId ? { accountId } : {}),
        });
  const tag = { version: release.version, tag: release.tag, commandDeployer: settings.deployer.kind === "command" };
  const planText = settings.workers
    ? settings.workers
        .map((w, i) => `Worker ${i + 1} of ${settings.workers!.length}: ${w.name}\n${renderPlan(w.settings.config, tag)}`)
        .join("\n\n")
    : renderPlan(config, tag);
  const text = `${planText}\n\nProject:\n${found.map((line) => `  ${line}`).join("\n")}`;
  core.info(text);
  return {
    ...failedBeforeStart(config.mode, "", startedAt, Date.now()),
    result: "planned",
    release,
    plan: text,
    message: `Plan for ${release.tag}: nothing was changed.`,
  };
}

function commandFacts(settings: ResolvedSettings): string[] {
  const d = settings.deployer;
  return d.kind === "command" ? commandProjectFacts(settings.config.workingDirectory, d.commands, d.timeoutMs) : [];
}

function stoppedBeforeStart(error: unknown, startedAt: number): PipelineResult {
  const message = error instanceof ConfigError ? `Configuration error: ${error.message}` : errorMessage(error);
  return failedBeforeStart("release", message, startedAt, Date.now());
}

/**
 * Writes outputs, the health report, the summary, and the final annotation; returns the exit
 * code. Synchronous, so that the hard deadline's path writes all of it before it exits.
 */
function finish(result: PipelineResult, env: Env, github: GitHubRunContext | undefined): number {
  const reportPath = writeHealthReport(result, env);
  for (const [name, value] of Object.entries(toOutputs(result, reportPath))) core.setOutput(name, value);
  const summary = env["GITHUB_STEP_SUMMARY"];
  if (summary) appendFileSync(summary, `${renderSummary(result, { runUrl: github?.runUrl })}\n`);
  const ok = isSuccess(result);
  if (ok) core.notice(`shipline: ${result.result}. ${result.message}`);
  else {
    const manual = result.manualCommand ? `\nRun by hand: ${result.manualCommand}` : "";
    core.error(`shipline: ${result.result}. ${result.message}${manual}`);
    process.exitCode = 1;
  }
  return ok ? 0 : 1;
}

function writeHealthReport(result: PipelineResult, env: Env): string {
  const dir = env["RUNNER_TEMP"] || tmpdir();
  const file = join(dir, `shipline-health-report-${env["GITHUB_RUN_ID"] ?? process.pid}-${Date.now()}.json`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(healthReport(result), null, 2));
  return file;
}

function tryReadContext(env: Env): GitHubRunContext | undefined {
  try {
    return readGitHubContext(env);
  } catch {
    return undefined;
  }
}
