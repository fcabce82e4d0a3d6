/**
 * `shipline release`, `shipline rollback` and `shipline plan`: the action's run, with flags
 * for inputs, git for the commit and tags, and a terminal for approval and progress.
 */
import { RunProgress, cutOffCommand } from "../action/progress.js";
import { HARD_DEADLINE_MS, installSignalHandlers } from "../action/signals.js";
import { renderPlan } from "../config/index.js";
import { runEmergencyRollback } from "../core/emergency.js";
import { ConfigError, errorMessage } from "../core/errors.js";
import { failedBeforeStart } from "../core/report.js";
import { UsageError } from "./usage.js";
import { runPipeline, type PipelineDeps } from "../core/pipeline.js";
import type { Mode, PipelineResult, ReleaseVersion } from "../core/types.js";
import { resolveVersion } from "../core/version.js";
import { stopAllChildren } from "../providers/system/process-tree.js";
import { commandProjectFacts } from "../providers/command/project-check.js";
import { environmentsNeeded } from "../providers/wrangler/project-check.js";
import { projectFacts } from "../providers/wrangler/project-facts.js";
import { definedEnv } from "../action/env.js";
import { CliConsole, type LineSink } from "./console.js";
import { createCliDeps } from "./deps.js";
import { productionCommandEnv } from "../wiring.js";
import type { ParsedFlags } from "./flags.js";
import { finishRun } from "./output.js";
import { progressPrinter } from "./progress.js";
import { terminalOutput } from "./terminal.js";
import { loadSettings, type CliSettings, type Env } from "./settings.js";

/** What a command runs with: where it is, its environment, and where it prints. */
export interface CommandIo {
  readonly cwd: string;
  readonly env: Env;
  readonly stdout: LineSink;
  readonly stderr: LineSink;
  /** Epoch ms when the command started (elapsed times count from here). */
  readonly startedAt: number;
}

/** Whose deadline cut a cancelled run off: there is no runner around the CLI. */
const HARD_DEADLINE_TEXT = `the CLI's hard deadline (${HARD_DEADLINE_MS / 1000} s after the signal)`;

/** Runs a release, an emergency rollback or a plan; returns the exit code. */
export async function runModeCommand(mode: Mode, flags: ParsedFlags, io: CommandIo): Promise<number> {
  const out = new CliConsole({
    sink: io.stderr,
    startedAt: io.startedAt,
    verbose: flags.options["verbose"] === true,
    ...terminalOutput(io),
  });
  out.addSecrets([flags.inputs["cloudflare-api-token"], io.env["CLOUDFLARE_API_TOKEN"]]);
  const finish = (result: PipelineResult) =>
    finishRun(result, {
      json: flags.options["json"] === true,
      stdout: io.stdout,
      summaryPath: flags.options["summary"] as string | undefined,
      cwd: io.cwd,
      mask: (text) => out.mask(text),
    });
  let settings: CliSettings;
  try {
    settings = await loadSettings({ mode, inputs: flags.inputs, cwd: io.cwd, env: io.env });
  } catch (error) {
    if (!(error instanceof ConfigError) || error instanceof UsageError) throw error;
    // Said once: by the result line on stdout, or here too when stdout carries JSON.
    if (flags.options["json"] === true) out.line(`✖ Configuration error: ${error.message}`);
    return finish(failedBeforeStart(mode, `Configuration error: ${error.message}`, io.startedAt, Date.now()));
  }
  out.addSecrets(settings.secrets);
  for (const warning of settings.warnings) out.line(`⚠ ${warning}`);
  if (mode === "plan") return finish(await plan(settings, io, flags.options["json"] === true));
  return execute(mode, settings, io, out, finish);
}

/**
 * Runs the engine and finishes with its result, or, when the cleanup after a cancel is cut
 * off at the hard deadline, with what the run's events said so far (`--json` and `--summary`
 * are written on that path too).
 */
async function execute(
  mode: Mode,
  settings: CliSettings,
  io: CommandIo,
  out: CliConsole,
  finish: (result: PipelineResult) => Promise<number>,
): Promise<number> {
  const logger = out.logger();
  const controller = new AbortController();
  const progress = new RunProgress();
  let finished: Promise<number> | undefined;
  const finishOnce = (result: PipelineResult) => (finished ??= finish(result));
  let deps: PipelineDeps | undefined;
  const onHardDeadline = () => {
    // The run is cut off mid-stage: no stage-end will erase the live line before the result is printed.
    out.live?.stop();
    // The CLI runs one Worker (a config with `workers` is refused in settings.ts).
    const manual = cutOffCommand(mode, progress.facts, deps?.deployer, settings.config.production.environment, false);
    return finishOnce(progress.cutOff(mode, io.startedAt, Date.now(), manual, HARD_DEADLINE_TEXT));
  };
  const signals = installSignalHandlers(controller, logger, { onHardDeadline, exitReason: `at ${HARD_DEADLINE_TEXT}` });
  const printer = progressPrinter(out);
  try {
    const config = settings.config;
    deps = await createCliDeps({
      config,
      wranglerVersion: settings.runtime.wranglerVersion,
      env: definedEnv(io.env),
      apiToken: settings.runtime.cloudflareApiToken,
      accountId: settings.runtime.cloudflareAccountId,
      secretValues: settings.runtime.secretValues,
      deployer: settings.deployer,
      logger,
      signal: controller.signal,
      onEvent: (event) => {
        printer(event);
        progress.observe(event);
      },
      gitRepository: settings.git.isRepository,
      mode,
    });
    const context = {
      env: definedEnv(io.env),
      wranglerEnv: productionCommandEnv({
        env: definedEnv(io.env),
        apiToken: settings.runtime.cloudflareApiToken,
        accountId: settings.runtime.cloudflareAccountId,
      }),
    };
    const result =
      mode === "rollback"
        ? await runEmergencyRollback(config, deps, controller.signal, context)
        : await runPipeline(config, deps, controller.signal, context);
    return await finishOnce(result);
  } catch (error) {
    return await finishOnce(failedBeforeStart(mode, errorMessage(error), io.startedAt, Date.now()));
  } finally {
    out.live?.stop();
    await stopAllChildren();
    signals.dispose();
  }
}

/** The plan text, with what was found in the project (on stderr with `--json`, where the JSON carries the result). */
async function plan(settings: CliSettings, io: CommandIo, json: boolean): Promise<PipelineResult> {
  const release = tryResolve(settings);
  const deployer = settings.deployer;
  const found =
    deployer.kind === "command" || !settings.project
      ? deployer.kind === "command"
        ? commandProjectFacts(settings.config.workingDirectory, deployer.commands, deployer.timeoutMs)
        : []
      : await projectFacts({
          directory: settings.config.workingDirectory,
          project: settings.project,
          environments: environmentsNeeded(settings.config),
          wranglerRange: settings.runtime.wranglerVersion,
          hasToken: Boolean(settings.runtime.cloudflareApiToken || io.env["CLOUDFLARE_API_TOKEN"]),
          ...(settings.runtime.cloudflareAccountId || io.env["CLOUDFLARE_ACCOUNT_ID"]
            ? { accountId: settings.runtime.cloudflareAccountId || io.env["CLOUDFLARE_ACCOUNT_ID"] }
            : {}),
        });
  const commandDeployer = deployer.kind === "command";
  const planText = renderPlan(
    settings.config,
    release ? { version: release.version, tag: release.tag, commandDeployer } : { commandDeployer },
  );
  const text = `${planText}\n\nProject:\n${found.map((line) => `  ${line}`).join("\n")}`;
  (json ? io.stderr : io.stdout)(`${text}\n`);
  const message = `Plan for ${release?.tag ?? "the next release"}: nothing was changed.`;
  return {
    ...failedBeforeStart("plan", "", io.startedAt, Date.now()),
    result: "planned",
    ...(release ? { release } : {}),
    plan: text,
    message,
  };
}

/** The release a plan is for; none when it depends on tags (`bump`) or is not known yet. */
function tryResolve(settings: CliSettings): ReleaseVersion | undefined {
  try {
    return resolveVersion({ ...settings.config.version });
  } catch {
    return undefined;
  }
}
