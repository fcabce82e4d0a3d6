/**
 * The wiring the action and the CLI share: the wrangler to run, the deployer over it, probes,
 * commands and the clock. Each entry point adds only what is its own (GitHub issue approval
 * and records for the action; a terminal prompt and local git tags for the CLI).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import semver from "semver";
import type { PipelineDeps } from "./core/pipeline.js";
import type { Clock, Logger } from "./core/ports.js";
import type { PipelineConfig } from "./core/types.js";
import { CloudflareAnalytics } from "./providers/cloudflare/analytics.js";
import { createFetchProbe } from "./providers/http/probe.js";
import { systemClock } from "./providers/system/clock.js";
import { createShellRunner } from "./providers/system/shell.js";
import { accountIdWarning } from "./providers/wrangler/config-account.js";
import { WranglerDeployer } from "./providers/wrangler/deployer.js";
import { findProjectWrangler, locateWrangler, type LocatedWrangler } from "./providers/wrangler/locate.js";
import { SECRETS_FILE_MIN_WRANGLER, WranglerProcessRunner, type SpawnEvent } from "./providers/wrangler/runner.js";
import { WranglerTargets } from "./providers/wrangler/targets.js";
import { wranglerCommandEnv } from "./providers/wrangler/env.js";
import { ConfigError } from "./core/errors.js";
import type { DeployerSettings } from "./config/deployer.js";

export interface WiringOptions {
  readonly config: PipelineConfig;
  /** The `wrangler-version` range. */
  readonly wranglerVersion: string;
  readonly apiToken?: string | undefined;
  readonly accountId?: string | undefined;
  /** The step's (or shell's) environment, without unset entries. */
  readonly env: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Where a wrangler is installed when none fits (the runner's tool cache, or a temp folder). */
  readonly toolCache: string;
  /**
   * A folder whose own `node_modules/wrangler` is tried after the project's (the CLI's
   * installation: `npx shipline` brings one).
   */
  readonly fallbackWranglerRoot?: string;
  /** Where each wrangler command's output-file folder is made. */
  readonly tempRoot?: string | undefined;
  readonly onSpawn?: (event: SpawnEvent) => void;
  /** What `--env <environment>` talks to, when the entry point already made it (the action's early read). */
  readonly targets?: WranglerTargets;
  /** Values of the `secrets` names, uploaded with every version (`--secrets-file`). */
  readonly secretValues?: Readonly<Record<string, string>>;
  /**
   * The runner the action's early start made, holding the run's first deploy (prestart.ts).
   * Used when it runs the wrangler found here; otherwise its held deploy is discarded.
   */
  readonly runner?: WranglerProcessRunner;
  /** Which deployer releases the project. @default wrangler */
  readonly deployer?: DeployerSettings;
}

export { SECRETS_FILE_MIN_WRANGLER };

/** What every run uses, whichever entry point started it. */
export type SharedDeps = Pick<PipelineDeps, "deployer" | "probe" | "commands" | "analytics">;

/** Finds wrangler, says which, warns about an overriding `account_id`, and builds the deployer, probes and commands. */
export async function wireShared(options: WiringOptions): Promise<{ deps: SharedDeps; wrangler?: LocatedWrangler }> {
  const { config, logger } = options;
  // The user's own commands: no wrangler is looked for, and nothing of Cloudflare is read.
  if (options.deployer?.kind === "command") return { deps: await wireCommandDeployer(options, options.deployer) };
  const wrangler = await findWrangler(options);
  logger.info(`Using wrangler ${wrangler.version} (${describeSource(wrangler, options)}).`);
  // An account_id in the wrangler config silently beats cloudflare-account-id: say so up front.
  const warning = await accountIdWarning(config.workingDirectory, options.accountId);
  if (warning) logger.warn(warning);
  const secrets = options.secretValues ?? {};
  if (Object.keys(secrets).length > 0) checkSecretsSupport(wrangler, options);
  const early = options.runner;
  if (early && early.binJs !== wrangler.binJs) await early.discardPrestarted("the run uses another wrangler");
  const runner =
    early?.binJs === wrangler.binJs
      ? early
      : new WranglerProcessRunner({
          binJs: wrangler.binJs,
          cwd: config.workingDirectory,
          env: options.env,
          apiToken: options.apiToken,
          accountId: options.accountId,
          ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
          ...(options.tempRoot ? { tempRoot: options.tempRoot } : {}),
        });
  // Reads of production and an urgent restore go to the Cloudflare API directly, with the
  // Worker, account, credentials, base URL and proxy wrangler itself would use.
  const targets =
    options.targets ??
    new WranglerTargets({
      workingDirectory: config.workingDirectory,
      env: options.env,
      apiToken: options.apiToken,
      accountId: options.accountId,
      logger,
    });
  return {
    wrangler,
    deps: {
      deployer: new WranglerDeployer({ runner, targets, logger, contents: { secrets, vars: config.vars ?? {} } }),
      probe: createFetchProbe(),
      commands: createShellRunner(logger),
      // Traffic analysis of gradual steps reads Cloudflare's analytics through the same client.
      ...(config.production.analysis
        ? { analytics: new CloudflareAnalytics({ resolve: (env, signal) => targets.resolve(env, signal) }) }
        : {}),
    },
  };
}

async function wireCommandDeployer(options: WiringOptions, settings: Extract<DeployerSettings, { kind: "command" }>): Promise<SharedDeps> {
  const { CommandDeployer } = await import("./providers/command/deployer.js");
  options.logger.info(`Deploying with the command deployer (${settings.commands.deploy.text}).`);
  const deployer = new CommandDeployer({
    commands: settings.commands,
    workingDirectory: options.config.workingDirectory,
    env: options.env,
    logger: options.logger,
    ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
  });
  return { deployer, probe: createFetchProbe(), commands: createShellRunner(options.logger) };
}

/** The project's own wrangler when it satisfies the range, else the fallback root's, else one installed outside the project. */
async function findWrangler(options: WiringOptions): Promise<LocatedWrangler> {
  const range = options.wranglerVersion;
  const fits = (found: { version: string } | undefined) =>
    found !== undefined && semver.validRange(range) !== null && semver.satisfies(found.version, range);
  const project = await findProjectWrangler(options.config.workingDirectory);
  if (fits(project)) return { ...project!, source: "project" };
  const fallback = options.fallbackWranglerRoot ? await findProjectWrangler(options.fallbackWranglerRoot) : undefined;
  if (fits(fallback)) return { ...fallback!, source: "project" };
  return locateWrangler({
    workingDirectory: options.config.workingDirectory,
    range,
    cacheDir: options.toolCache,
    logger: options.logger,
    signal: options.signal,
  });
}

/** Secrets travel with `--secrets-file`: a wrangler without it would fail mid-release, so it fails here, before any deploy. */
function checkSecretsSupport(wrangler: LocatedWrangler, options: WiringOptions): void {
  const version = semver.coerce(wrangler.version)?.version;
  if (version && semver.gte(version, SECRETS_FILE_MIN_WRANGLER)) return;
  throw new ConfigError(
    "secrets",
    `Input \`secrets\` needs wrangler ${SECRETS_FILE_MIN_WRANGLER} or newer (secrets are uploaded with the version through --secrets-file), but the wrangler found is ${wrangler.version} (${describeSource(wrangler, options)}): expected a newer wrangler in the project, or \`wrangler-version\` set to ">=${SECRETS_FILE_MIN_WRANGLER}" so that one is installed outside it. Nothing was deployed.`,
  );
}

/**
 * The environment of the commands around production: the one wrangler runs with (the
 * step's, plus the credentials from the inputs and wrangler's quiet defaults).
 */
export function productionCommandEnv(options: Pick<WiringOptions, "env" | "apiToken" | "accountId">): Record<string, string> {
  return wranglerCommandEnv({ base: options.env, apiToken: options.apiToken, accountId: options.accountId });
}

function describeSource(wrangler: LocatedWrangler, options: WiringOptions): string {
  if (wrangler.source === "installed") return `installed outside the project, in ${wrangler.binJs}`;
  if (options.fallbackWranglerRoot && wrangler.binJs.startsWith(options.fallbackWranglerRoot)) return "shipline's own";
  return "the project's own";
}

/**
 * The clock every wait uses: the system's. With `SHIPLINE_TEST_CLOCK=1`, shipline's own
 * simulated clock (`lib/testing/virtual-clock.js` of this installation, built by
 * `npm run build`) replaces it, so that end-to-end tests wait out an hour-long approval in a
 * second. It is not part of the action's bundle, and nothing outside this installation can
 * be loaded through it: a published action (no `lib/`) always runs on the system clock.
 */
export async function clockFor(env: Readonly<Record<string, string | undefined>>): Promise<Clock> {
  if (env["SHIPLINE_TEST_CLOCK"] !== "1") return systemClock;
  // From lib/wiring.js, or from the bundle in dist/. The path is put together at run time so
  // that the bundler neither follows it nor copies the file next to the bundle.
  const here = dirname(fileURLToPath(import.meta.url));
  const file = ["testing", "virtual-clock.js"].map(String);
  const found = [join(here, ...file), join(here, "..", "lib", ...file)].find((path) => existsSync(path));
  if (!found) return systemClock;
  const loaded = (await import(/* webpackIgnore: true */ pathToFileURL(found).href)) as { VirtualClock: new (start: number) => Clock };
  return new loaded.VirtualClock(Date.now());
}
