/**
 * shipline as a library: every part the action uses, each taking its side effects (process
 * runner, HTTP, GitHub client, clock, logger) as parameters.
 *
 * - The engine: `runPipeline` (a release), `runMultiPipeline` (a release of several Workers)
 *   and `runEmergencyRollback` (`mode: rollback`; `runMultiRollback` for several Workers).
 * - Parts: version resolution, gates, approval rules, the tag/release planner, reports.
 * - Providers: the wrangler deployer, the HTTP probe, GitHub (client, Deployments, issue
 *   approval, tags and releases), local git tags, a terminal prompt, the system clock.
 * - `shipline/sandbox`: the local Workers sandbox; `shipline/testing`: fakes and a simulated clock.
 */

// The engine.
export { runPipeline, type PipelineDeps, type RunContext, type Outcome } from "./core/pipeline.js";
export { runEmergencyRollback, chooseTarget, type RollbackTarget } from "./core/emergency.js";
export { runMultiPipeline, type WorkerUnit } from "./core/multi.js";
export { runMultiRollback } from "./core/multi-rollback.js";
export type { PipelineEvent, StageVerdict } from "./core/run-state.js";

// Contracts: ports, domain types, errors.
export * from "./core/ports.js";
export * from "./core/types.js";
export { ShiplineError, ConfigError, DeployError, CancelledError, GitHubError, errorMessage, isAbort } from "./core/errors.js";

// Pure parts.
export { resolveVersion, nextVersion, parseReleaseTag, isStrictSemver, PRERELEASE_ID, type ResolveVersionInput } from "./core/version.js";
export {
  runGate,
  watchGate,
  checkUrl,
  evaluate,
  percentile,
  gateStats,
  gateVersions,
  type GateOptions,
  type WatchOptions,
  type VersionRule,
} from "./core/gate.js";
export { normaliseVersionId, sameVersionId } from "./core/version-id.js";
export { parseDuration, formatDuration, parseStatusMatcher, statusMatches } from "./core/parse.js";
export { jsonSubset, type JsonSubsetResult } from "./core/json-subset.js";
export { parseDecision, decide, APPROVE_WORDS, DENY_WORDS, type DecisionState, type DecisionOutcome } from "./core/approval-rules.js";
export {
  planRelease,
  involvedTags,
  releaseTagOf,
  TagConflictError,
  type ReleasePlan,
  type ReleasePlanRequest,
} from "./core/release-plan.js";
export { describeAllocation, sameAllocation, soleVersion } from "./core/allocation.js";
export { renderSummary, toOutputs, healthReport, isSuccess, timeline, formatMs, versionNote } from "./core/report.js";

// Configuration: inputs and the config file.
export {
  resolveConfig,
  readInputs,
  loadConfigSource,
  renderPlan,
  emitJsonSchema,
  INPUTS,
  OUTPUTS,
  type ResolvedSettings,
} from "./config/index.js";

// Providers.
export {
  WranglerDeployer,
  WranglerProcessRunner,
  locateWrangler,
  type LocatedWrangler,
  type WranglerRunner,
  type SpawnEvent,
} from "./providers/wrangler/index.js";
export {
  WranglerTargets,
  readWranglerProject,
  workerNameFor,
  checkWorkerProject,
  type WranglerProject,
} from "./providers/wrangler/index.js";
export { CloudflareApi, type CloudflareApiOptions, type CloudflareAuth, type WorkerRef } from "./providers/cloudflare/index.js";
export {
  CommandDeployer,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type CommandDeployerOptions,
  type HostCommands,
} from "./providers/command/deployer.js";
export { commandLine, type CommandLine } from "./providers/command/command-line.js";
export {
  parseStatusDocument,
  parseVersionDocument,
  statusDocumentSchema,
  versionDocumentSchema,
  type StatusDocument,
  type VersionDocument,
} from "./providers/command/contract.js";
export { createFetchProbe, type FetchProbeOptions } from "./providers/http/probe.js";
export { systemClock } from "./providers/system/clock.js";
export { createShellRunner } from "./providers/system/shell.js";
export {
  startChild,
  stopAllChildren,
  childEnv,
  KILL_GRACE_MS,
  type StartOptions,
  type ChildResult,
  type RunningChild,
} from "./providers/system/process-tree.js";
export { createGitHubClient, type GitHubClient, type GitHubClientOptions } from "./providers/github/client.js";
export { readGitHubContext, type GitHubRunContext } from "./providers/github/context.js";
export { GitHubDeploymentRecorder } from "./providers/github/deployments.js";
export { GitHubPublisher } from "./providers/github/publisher.js";
export { IssueApproval, type IssueApprovalOptions } from "./providers/github/approval-issue.js";
export { GitPublisher, type GitPublisherOptions } from "./providers/git/publisher.js";
export { PromptApproval, type PromptApprovalOptions } from "./providers/terminal/prompt-approval.js";
