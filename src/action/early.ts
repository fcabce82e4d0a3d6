/**
 * What the action does before the rest of it is loaded: read the inputs, resolve the settings,
 * and start reading what production serves. Loading the GitHub client and @actions/core
 * takes longer than that read; started first, the request is on its way (and often answered)
 * by the time the run needs it. The head start's code (the process machinery) loads beside
 * the read, and its deploy is spawned once the read is sent. Nothing here writes to the log:
 * the secrets are masked first, by the action once it has loaded.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfigSource } from "../config/file.js";
import { readInputs } from "../config/inputs.js";
import { resolveSettings, type ResolvedSettings } from "../config/resolve.js";
import { CancelledError, ConfigError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import type { Millis } from "../core/types.js";
import { readGitHubContext } from "../providers/github/context.js";
import { loadSchemasAfter } from "../providers/cloudflare/api.js";
import { REQUEST_SENT_CHANNEL } from "../providers/http/node-transport.js";
import { checkCommandProject } from "../providers/command/project-check.js";
import { checkWorkerProject, environmentsNeeded } from "../providers/wrangler/project-check.js";
import { workerNameFor, type WranglerProject } from "../providers/wrangler/project.js";
import type { WranglerProcessRunner } from "../providers/wrangler/runner.js";
import { WranglerTargets } from "../providers/wrangler/targets.js";
import { definedEnv, type Env } from "./env.js";

/** At most this long is spent waiting for the early read to be on the wire before the rest loads. */
export const EARLY_SEND_WAIT_MS: Millis = 50;

export interface EarlyStart {
  /** Epoch ms when the action started. */
  readonly startedAt: number;
  readonly inputs: Record<string, string>;
  /** The settings, or why there are none. */
  readonly settings: { readonly ok: true; readonly value: LoadedSettings } | { readonly ok: false; readonly error: unknown };
  /** The run's cancellation; the early read already listens to it. */
  readonly controller: AbortController;
  /** What `--env <environment>` talks to, with production's early read started (release runs that reach production). */
  readonly targets?: WranglerTargets;
  /** Where `targets` logs, until the action's logger is attached. */
  readonly log: DeferredLog;
  /** Until the action installs its own handlers: SIGINT or SIGTERM aborts `controller` (nothing early outlives a cancel). */
  readonly signals: { dispose(): void };
  /** Settles once the early read's request is written (or failed, or after `EARLY_SEND_WAIT_MS`). */
  readonly sent: Promise<void>;
  /**
   * Once `sent` has settled: the runner holding the run's first deploy, started with its writes
   * held (prestart.ts), or undefined when none was started. Never rejects.
   */
  readonly prestarted?: Promise<WranglerProcessRunner | undefined>;
}

/** The settings, with the wrangler config found in the working directory (none for the command deployer). */
export type LoadedSettings = ResolvedSettings & { readonly project: WranglerProject | undefined };

export async function startEarly(env: Env): Promise<EarlyStart> {
  const startedAt = Date.now();
  const controller = new AbortController();
  const signals = cancelOnSignal(controller);
  const log = new DeferredLog();
  const inputs = readInputs(env);
  let settings: LoadedSettings;
  try {
    settings = await loadSettings(inputs, env);
  } catch (error) {
    return { startedAt, inputs, settings: { ok: false, error }, controller, log, signals, sent: Promise.resolve() };
  }
  const config = settings.config;
  const approvalProblem = issueApprovalProblem(settings, env);
  if (approvalProblem)
    return { startedAt, inputs, settings: { ok: false, error: approvalProblem }, controller, log, signals, sent: Promise.resolve() };
  const base = { startedAt, inputs, settings: { ok: true, value: settings }, controller, log, signals } as const;
  // Production's early read is a Cloudflare request, the head start a wrangler one: the command
  // deployer's commands run in their turn.
  if (config.mode !== "release" || settings.deployer.kind === "command") return { ...base, sent: Promise.resolve() };
  if (config.stages === "staging") return { ...base, sent: Promise.resolve(), prestarted: prestart(settings, env, controller, log) };
  const targets = new WranglerTargets({
    workingDirectory: config.workingDirectory,
    env: definedEnv(env),
    apiToken: settings.runtime.cloudflareApiToken,
    accountId: settings.runtime.cloudflareAccountId,
    logger: log,
  });
  // Sent: the read's request is written (or failed, or EARLY_SEND_WAIT_MS passed).
  const written = requestWritten(EARLY_SEND_WAIT_MS);
  let readSettled!: () => void;
  const sent = Promise.race([written, new Promise<void>((done) => (readSettled = done))]);
  // The head start's code (the process machinery) loads while the read goes out; the deploy starts once it is sent.
  const loading = loadPrestart();
  const prestarted = sent.then(() => prestart(settings, env, controller, log, loading));
  // The read's answer is read (with zod, some 20 ms of CPU) once the deploy is spawned, not before it.
  loadSchemasAfter(prestarted);
  targets.startEarlyRead(config.production.environment, controller.signal).then(readSettled, readSettled);
  return { ...base, targets, sent, prestarted };
}

function loadPrestart(): Promise<typeof import("./prestart.js")> {
  const loading = import("./prestart.js");
  loading.catch(noop);
  return loading;
}

/** Starts the run's first deploy with its writes held; a failure to do so only costs the head start. */
async function prestart(
  settings: LoadedSettings,
  env: Env,
  controller: AbortController,
  log: DeferredLog,
  loading: Promise<typeof import("./prestart.js")> = loadPrestart(),
): Promise<WranglerProcessRunner | undefined> {
  try {
    const { prestartFirstDeploy } = await loading;
    return await prestartFirstDeploy(settings, env, controller.signal);
  } catch (error) {
    log.debug(`The first deploy was not started early: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/**
 * Settings from the inputs and the config file, with the working directory checked before
 * wrangler is looked for. The YAML and schema parser is loaded only when there is a file.
 */
export async function loadSettings(inputs: Record<string, string>, env: Env): Promise<LoadedSettings> {
  const workspace = env["GITHUB_WORKSPACE"] || process.cwd();
  const readText = (path: string) => {
    const file = resolve(workspace, path);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  };
  const { configText, configPath } = loadConfigSource(inputs, readText);
  const configFile =
    configText === undefined ? undefined : (await import("../config/parse-file.js")).parseConfigFile(configText, configPath);
  const settings = resolveSettings({ inputs, configPath, ...(configFile ? { configFile } : {}), env });
  const loaded = withProject(settings, workspace);
  if (!settings.workers) return loaded;
  // Several Workers: each one's folder and environments are checked the same way, in order.
  const workers = settings.workers.map((w, index) => ({
    name: w.name,
    settings: index === 0 ? loaded : withProject(w.settings, workspace),
  }));
  checkDistinctWorkers(workers);
  return { ...loaded, warnings: [...new Set(workers.flatMap((w) => w.settings.warnings))], workers };
}

/** Two entries that deploy the same Cloudflare Worker would restore each other's deploys: refused before anything runs. */
function checkDistinctWorkers(workers: ReadonlyArray<{ readonly name: string; readonly settings: LoadedSettings }>): void {
  const seen = new Map<string, string>();
  for (const { name, settings } of workers) {
    if (!settings.project) continue;
    for (const { name: environment } of environmentsNeeded(settings.config)) {
      const script = workerNameFor(settings.project, environment);
      if (!script) continue;
      const other = seen.get(script);
      if (other !== undefined && other !== name) {
        throw new ConfigError(
          "workers",
          `Config key \`workers\` lists "${other}" and "${name}", which both deploy the Worker ${script} (--env ${environment}): expected each entry to name a different Worker (its own working-directory or wrangler config).`,
        );
      }
      seen.set(script, name);
    }
  }
}

/** The settings with the working directory made absolute and its wrangler config checked. */
function withProject(settings: ResolvedSettings, workspace: string): LoadedSettings {
  const workingDirectory = resolve(workspace, settings.config.workingDirectory);
  const config = { ...settings.config, workingDirectory };
  if (settings.deployer.kind === "command") {
    checkCommandProject({ given: settings.config.workingDirectory, directory: workingDirectory });
    return { ...settings, config, project: undefined };
  }
  // Before wrangler is located or installed: a missing folder or environment fails here, fast.
  const { project, warnings } = checkWorkerProject({
    given: settings.config.workingDirectory,
    directory: workingDirectory,
    environments: environmentsNeeded(config),
  });
  return { ...settings, config, warnings: [...settings.warnings, ...warnings], project };
}

export const ISSUE_APPROVAL_NEEDS_GITHUB =
  "approval: issue needs `github-token` and a GitHub repository (GITHUB_REPOSITORY) to open the approval issue.";

/** An issue approval without a token or a repository: a configuration error, found before any request. */
export function issueApprovalProblem(settings: ResolvedSettings, env: Env): ConfigError | undefined {
  if (settings.config.approval.mode !== "issue" || settings.config.stages !== "all") return undefined;
  let repository = false;
  try {
    readGitHubContext(env);
    repository = true;
  } catch {
    repository = false;
  }
  return settings.runtime.githubToken && repository ? undefined : new ConfigError("approval", ISSUE_APPROVAL_NEEDS_GITHUB);
}

/**
 * The diagnostics channels that say a request was written to its connected socket: the
 * Cloudflare client's own transport's and undici's (its transport behind a proxy).
 */
const SENT_CHANNELS = [REQUEST_SENT_CHANNEL, "undici:client:sendHeaders"] as const;

/** Resolves when the next request has been written, or after `maxMs`. */
function requestWritten(maxMs: Millis): Promise<void> {
  return new Promise((done) => {
    const onSent = () => finish();
    const timer = setTimeout(() => finish(), maxMs);
    const finish = () => {
      clearTimeout(timer);
      for (const channel of SENT_CHANNELS) unsubscribe(channel, onSent);
      done();
    };
    for (const channel of SENT_CHANNELS) subscribe(channel, onSent);
  });
}

function noop(): void {}

/** The action's own handlers replace these once it has loaded (signals.ts); before that, a cancel still cancels. */
function cancelOnSignal(controller: AbortController): { dispose(): void } {
  const onSignal = (signal: NodeJS.Signals) => controller.abort(new CancelledError(`cancelled by ${signal}`));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** A logger that keeps what it is told until the real one is attached, then passes everything on. */
export class DeferredLog implements Pick<Logger, "debug" | "warn"> {
  #target: Pick<Logger, "debug" | "warn"> | undefined;
  readonly #queue: { readonly level: "debug" | "warn"; readonly message: string }[] = [];

  debug(message: string): void {
    if (this.#target) this.#target.debug(message);
    else this.#queue.push({ level: "debug", message });
  }

  warn(message: string): void {
    if (this.#target) this.#target.warn(message);
    else this.#queue.push({ level: "warn", message });
  }

  attach(target: Pick<Logger, "debug" | "warn">): void {
    this.#target = target;
    for (const { level, message } of this.#queue.splice(0)) target[level](message);
  }
}
