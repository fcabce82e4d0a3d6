/**
 * The providers a CLI run uses: the real wrangler, fetch probes, the system clock, the
 * terminal prompt for approval and the local git repository for tags.
 */
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import semver from "semver";
import type { PipelineDeps } from "../core/pipeline.js";
import type { Approval, Clock, Logger, Publisher } from "../core/ports.js";
import type { PipelineEvent } from "../core/run-state.js";
import type { Mode, PipelineConfig } from "../core/types.js";
import { GitPublisher } from "../providers/git/publisher.js";
import { createFetchProbe } from "../providers/http/probe.js";
import { systemClock } from "../providers/system/clock.js";
import { createShellRunner } from "../providers/system/shell.js";
import { PromptApproval } from "../providers/terminal/prompt-approval.js";
import { WranglerDeployer } from "../providers/wrangler/deployer.js";
import { findProjectWrangler, locateWrangler, type LocatedWrangler } from "../providers/wrangler/locate.js";
import { WranglerProcessRunner } from "../providers/wrangler/runner.js";
import { WranglerTargets } from "../providers/wrangler/targets.js";

/** The folder shipline is installed in (holding its package.json), from this file's place in src/cli or lib/cli. */
export const SHIPLINE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The wrangler to run: the Worker project's own when it satisfies `range`, else the one shipline
 * itself brings, else one installed into a cache folder outside the project.
 */
export async function findWrangler(workingDirectory: string, range: string, logger: Logger, signal: AbortSignal): Promise<LocatedWrangler> {
  const project = await findProjectWrangler(workingDirectory);
  if (project && semver.satisfies(project.version, range)) return { ...project, source: "project" };
  return locateWrangler({ workingDirectory: SHIPLINE_ROOT, range, cacheDir: join(tmpdir(), "shipline-tools"), logger, signal });
}

/** `wrangler 4.86.0 (the project's own)`, `(shipline's own)` or `(installed in <dir>)`. */
export function describeWrangler(wrangler: LocatedWrangler): string {
  const ours = wrangler.binJs.startsWith(join(SHIPLINE_ROOT, "node_modules"));
  const where = wrangler.source === "installed" ? `installed in ${wrangler.binJs}` : ours ? "shipline's own" : "the project's own";
  return `wrangler ${wrangler.version} (${where})`;
}

export interface CliDepsOptions {
  readonly config: PipelineConfig;
  readonly wrangler: LocatedWrangler;
  /** Environment of wrangler and the smoke command. */
  readonly env: Record<string, string>;
  readonly apiToken?: string;
  readonly accountId?: string;
  readonly logger: Logger;
  readonly onEvent: (event: PipelineEvent) => void;
  /** Tags go to this repository; none when the working directory is not in one. */
  readonly gitRepository: boolean;
  readonly mode: Mode;
  readonly clock?: Clock;
}

/** Builds every provider of a CLI run. */
export function createCliDeps(options: CliDepsOptions): PipelineDeps {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const runner = new WranglerProcessRunner({
    binJs: options.wrangler.binJs,
    cwd: config.workingDirectory,
    env: options.env,
    apiToken: options.apiToken,
    accountId: options.accountId,
  });
  // Reads and an urgent restore: Cloudflare API requests as wrangler would make them.
  const targets = new WranglerTargets({
    workingDirectory: config.workingDirectory,
    env: options.env,
    apiToken: options.apiToken,
    accountId: options.accountId,
    logger,
  });
  return {
    deployer: new WranglerDeployer({ runner, targets, logger }),
    probe: createFetchProbe(),
    clock,
    logger,
    commands: createShellRunner(logger),
    approval: createApproval(config, clock),
    publisher: createPublisher(config, options, logger),
    onEvent: options.onEvent,
  };
}

function createApproval(config: PipelineConfig, clock: Clock): Approval | undefined {
  if (config.approval.mode !== "prompt" || config.stages !== "all") return undefined;
  // The question goes to stderr with the progress lines, so `--json` stdout stays clean.
  return new PromptApproval({ clock, timeoutMs: config.approval.timeoutMs, output: process.stderr });
}

function createPublisher(config: PipelineConfig, options: CliDepsOptions, logger: Logger): Publisher | undefined {
  if (!options.gitRepository) {
    if (options.mode === "release") logger.warn(`${config.workingDirectory} is not in a git repository: the release is not tagged.`);
    return undefined;
  }
  return new GitPublisher({ cwd: config.workingDirectory, logger });
}
