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
import type { SpawnEvent, WranglerProcessRunner } from "../providers/wrangler/runner.js";
import type { WranglerTargets } from "../providers/wrangler/targets.js";
import { clockFor, wireShared } from "../wiring.js";
import { ISSUE_APPROVAL_NEEDS_GITHUB } from "./early.js";
import { definedEnv, type Env } from "./env.js";

export interface ActionWiringOptions {
  readonly settings: ResolvedSettings;
  readonly env: Env;
  readonly github: GitHubRunContext | undefined;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly onSpawn?: (event: SpawnEvent) => void;
  /** Made by the action's early start, with production's first read under way. */
  readonly targets?: WranglerTargets;
  /** Made by the action's early start, holding the run's first deploy (prestart.ts). */
  readonly runner?: WranglerProcessRunner;
}

/** Builds every provider the action uses: the shared wiring, plus GitHub's approval, records and tags. */
export async function createActionDeps(options: ActionWiringOptions): Promise<PipelineDeps> {
  const { settings, env, github, logger } = options;
  const config = settings.config;
  const clock = await clockFor(env);
  const { deps } = await wireShared({
    config,
    wranglerVersion: settings.runtime.wranglerVersion,
    apiToken: settings.runtime.cloudflareApiToken,
    accountId: settings.runtime.cloudflareAccountId,
    env: definedEnv(env),
    logger,
    signal: options.signal,
    toolCache: env["RUNNER_TOOL_CACHE"] || join(tmpdir(), "shipline-tools"),
    tempRoot: env["RUNNER_TEMP"] || undefined,
    secretValues: settings.runtime.secretValues,
    deployer: settings.deployer,
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    ...(options.targets ? { targets: options.targets } : {}),
    ...(options.runner ? { runner: options.runner } : {}),
  });
  const client =
    github && settings.runtime.githubToken
      ? createGitHubClient({ token: settings.runtime.githubToken, baseUrl: github.apiUrl, logger, env })
      : undefined;
  const releaseToken = settings.runtime.releaseToken;
  const releaseClient =
    client && github && releaseToken ? createGitHubClient({ token: releaseToken, baseUrl: github.apiUrl, logger, env }) : client;
  return {
    ...deps,
    clock,
    logger,
    recorder:
      client && github && settings.runtime.deploymentRecords
        ? new GitHubDeploymentRecorder({ client, owner: github.owner, repo: github.repo, logUrl: github.runUrl, logger })
        : undefined,
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
    throw new ConfigError("approval", ISSUE_APPROVAL_NEEDS_GITHUB);
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
    repoUrl: `${github.serverUrl}/${github.owner}/${github.repo}`,
    label: "shipline-approval",
  });
}

function createPublisher(
  client: GitHubClient | undefined,
  github: GitHubRunContext | undefined,
  logger: Logger,
  promotePrerelease: boolean,
): Publisher | undefined {
  if (!client || !github) return undefined;
  return new GitHubPublisher({ client, owner: github.owner, repo: github.repo, logger, runUrl: github.runUrl, promotePrerelease });
}
