/**
 * The providers a CLI run uses: the real wrangler, fetch probes, the system clock, the
 * terminal prompt for approval and the local git repository for tags.
 */
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DeployerSettings } from "../config/deployer.js";
import type { PipelineDeps } from "../core/pipeline.js";
import type { Approval, Clock, Logger, Publisher } from "../core/ports.js";
import type { PipelineEvent } from "../core/run-state.js";
import type { Mode, PipelineConfig } from "../core/types.js";
import { GitPublisher } from "../providers/git/publisher.js";
import { PromptApproval } from "../providers/terminal/prompt-approval.js";
import { clockFor, wireShared } from "../wiring.js";

/** The folder shipline is installed in (holding its package.json), from this file's place in src/cli or lib/cli. */
export const SHIPLINE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliDepsOptions {
  readonly config: PipelineConfig;
  readonly wranglerVersion: string;
  /** Environment of wrangler and the smoke command. */
  readonly env: Record<string, string>;
  readonly apiToken?: string;
  readonly accountId?: string;
  /** Values of the `secrets` names. */
  readonly secretValues?: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly onEvent: (event: PipelineEvent) => void;
  /** Tags go to this repository; none when the working directory is not in one. */
  readonly gitRepository: boolean;
  readonly mode: Mode;
  readonly clock?: Clock;
  /** Which deployer releases the project. @default wrangler */
  readonly deployer?: DeployerSettings;
}

/** Builds every provider of a CLI run: the shared wiring, plus a terminal prompt and local git tags. */
export async function createCliDeps(options: CliDepsOptions): Promise<PipelineDeps> {
  const { config, logger } = options;
  const clock = options.clock ?? (await clockFor(options.env));
  const { deps } = await wireShared({
    config,
    wranglerVersion: options.wranglerVersion,
    apiToken: options.apiToken,
    accountId: options.accountId,
    env: options.env,
    logger,
    signal: options.signal,
    toolCache: join(tmpdir(), "shipline-tools"),
    // `npx shipline` brings a wrangler of its own: the project's comes first, then this one.
    fallbackWranglerRoot: SHIPLINE_ROOT,
    ...(options.secretValues ? { secretValues: options.secretValues } : {}),
    ...(options.deployer ? { deployer: options.deployer } : {}),
  });
  return {
    ...deps,
    clock,
    logger,
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
