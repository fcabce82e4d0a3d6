import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResolvedSettings } from "../config/resolve.js";
import { ConfigError } from "../core/errors.js";
import type { PipelineDeps } from "../core/pipeline.js";
import type { Approval, Clock, Logger, Publisher } from "../core/ports.js";
import { IssueApproval } from "../providers/github/approval-issue.js";
import { createGitHubClient, type GitHubClient } from "../providers/github/client.js";
import type { GitHubRunContext } from "../providers/github/context.js";
import { GitHubDeploymentRecorder } from "../providers/github/deployments.js";
import { GitHubPublisher } from "../providers/github/publisher.js";
import { createFetchProbe } from "../providers/http/probe.js";
import { systemClock } from "../providers/system/clock.js";
import { VirtualClock } from "../testing/virtual-clock.js";
import { createShellRunner } from "../providers/system/shell.js";
import { WranglerDeployer } from "../providers/wrangler/deployer.js";
import { accountIdWarning } from "../providers/wrangler/config-account.js";
import { locateWrangler } from "../providers/wrangler/locate.js";
import { WranglerProcessRunner, type SpawnEvent } from "../providers/wrangler/runner.js";
import { WranglerTargets } from "../providers/wrangler/targets.js";
import { definedEnv, type Env } from "./env.js";


/**
 * The clock every wait uses. `SHIPLINE_SIMULATED_CLOCK=1` swaps in a simulated one whose
 * sleeps take no real time (HTTP, wrangler and timeouts stay real): end-to-end tests use
 * it to wait out an hour-long approval in a second.
 */
export function clockFor(env: Env): Clock {
  return env["SHIPLINE_SIMULATED_CLOCK"] === "1" ? new VirtualClock(Date.now()) : systemClock;
}

export interface WiringOptions {
  readonly settings: ResolvedSettings;
  readonly env: Env;
  readonly github: GitHubRunContext | undefined;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly onSpawn?: (event: SpawnEvent) => void;
}

/** Builds every provider the action uses. The only place that constructs them. */
export async function createActionDeps(options: WiringOptions): Promise<PipelineDeps> {
  const { settings, env, github, logger } = options;
  const config = settings.config;
  const clock = clockFor(env);
  const located = await locateWrangler({
    workingDirectory: config.workingDirectory,
    range: settings.runtime.wranglerVersion,
    cacheDir: env["RUNNER_TOOL_CACHE"] || join(tmpdir(), "shipline-tools"),
    logger,
    signal: options.signal,
  });
  logger.info(`Using wrangler ${located.version} (${located.source === "project" ? "the project's own" : "installed outside the project"}).`);
  // An account_id in the wrangler config silently beats cloudflare-account-id: say so up front.
  const accountWarning = await accountIdWarning(config.workingDirectory, settings.runtime.cloudflareAccountId);
  if (accountWarning) logger.warn(accountWarning);
  const runner = new WranglerProcessRunner({
    binJs: located.binJs,
    cwd: config.workingDirectory,
    env: definedEnv(env),
    apiToken: settings.runtime.cloudflareApiToken,
    accountId: settings.runtime.cloudflareAccountId,
    onSpawn: options.onSpawn,
    tempRoot: env["RUNNER_TEMP"] || undefined,
  });
  // Reads of production and an urgent restore go to the Cloudflare API directly, with the
  // Worker, account, credentials, base URL and proxy wrangler itself would use.
  const targets = new WranglerTargets({
    workingDirectory: config.workingDirectory,
    env: definedEnv(env),
    apiToken: settings.runtime.cloudflareApiToken,
    accountId: settings.runtime.cloudflareAccountId,
    logger,
  });
  const deployer = new WranglerDeployer({ runner, targets, logger });
  const client = github && settings.runtime.githubToken ? createGitHubClient({ token: settings.runtime.githubToken, baseUrl: github.apiUrl, logger }) : undefined;
  const releaseToken = settings.runtime.releaseToken;
  const releaseClient = client && github && releaseToken ? createGitHubClient({ token: releaseToken, baseUrl: github.apiUrl, logger }) : client;
  return {
    deployer,
    probe: createFetchProbe(),
    clock,
    logger,
    commands: createShellRunner(logger),
    recorder: client && github ? new GitHubDeploymentRecorder({ client, owner: github.owner, repo: github.repo, logUrl: github.runUrl, logger }) : undefined,
    approval: createApproval(settings, client, github, logger, clock),
    publisher: createPublisher(releaseClient, github, logger, config.release.promotePrerelease),
  };
}

function createApproval(
  settings: ResolvedSettings,
  client: GitHubClient | undefined,
  github: GitHubRunContext | undefined,
  logger: Logger,
  clock: Clock,
): Approval | undefined {
  const approval = settings.config.approval;
  if (approval.mode !== "issue" || settings.config.stages !== "all") return undefined;
  if (!client || !github) {
    throw new ConfigError("approval", "approval: issue needs `github-token` and a GitHub repository (GITHUB_REPOSITORY) to open the approval issue.");
  }
  return new IssueApproval({
    client,
    owner: github.owner,
    repo: github.repo,
    approvers: [...approval.approvers],
    minimum: approval.minimum,
    timeoutMs: approval.timeoutMs,
    allowSelfApproval: approval.allowSelfApproval,
    actor: github.actor,
    clock,
    logger,
  });
}

function createPublisher(client: GitHubClient | undefined, github: GitHubRunContext | undefined, logger: Logger, promotePrerelease: boolean): Publisher | undefined {
  if (!client || !github) return undefined;
  return new GitHubPublisher({ client, owner: github.owner, repo: github.repo, logger, runUrl: github.runUrl, promotePrerelease });
}
