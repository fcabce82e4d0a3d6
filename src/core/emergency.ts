import { describeAllocation, sameAllocation, soleVersion } from "./allocation.js";
import { ConfigError, errorMessage } from "./errors.js";
import { runGate } from "./gate.js";
import type { Outcome, PipelineDeps, RunContext, RunFacts } from "./pipeline.js";
import { buildResult, describeDeployError, updateRecord } from "./pipeline.js";
import type { DeployTarget } from "./ports.js";
import { RunRecorder } from "./run-state.js";
import type { DeploymentInfo, LiveState, PipelineConfig, PipelineResult, VersionInfo } from "./types.js";

/** How long a rollback command already running may go on after a cancellation (the runner kills at 10 s). */
const CLEANUP_BUDGET_MS = 6_000;

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The version to roll back to, and how it was chosen. */
export interface RollbackTarget {
  readonly versionId: string;
  readonly tag?: string;
  readonly how: string;
}

/**
 * Picks the emergency rollback target: a version id, a release tag (through the versions'
 * tag annotation), or the newest earlier deployment that served one version at 100%.
 * Throws a `ConfigError` (nothing changed) when the target is unknown or already live.
 */
export function chooseTarget(args: {
  requested?: string;
  tagPrefix: string;
  live: LiveState;
  deployments: readonly DeploymentInfo[];
  versions: readonly VersionInfo[];
}): RollbackTarget {
  const current = soleVersion(args.live.allocation);
  const chosen = args.requested ? byRequest(args.requested, args.tagPrefix, args.versions) : previousStable(args.live, args.deployments);
  const tag = chosen.tag ?? args.versions.find((v) => normaliseId(v.versionId) === normaliseId(chosen.versionId))?.tag;
  const target = tag ? { ...chosen, tag } : chosen;
  if (current && normaliseId(current) === normaliseId(target.versionId)) {
    throw new ConfigError("rollback-target", `Production already serves ${target.versionId}${target.tag ? ` (${target.tag})` : ""} at 100%: nothing to roll back.`);
  }
  return target;
}

function byRequest(requested: string, prefix: string, versions: readonly VersionInfo[]): RollbackTarget {
  if (UUID.test(requested)) {
    const found = versions.find((v) => normaliseId(v.versionId) === normaliseId(requested));
    if (!found) {
      throw new ConfigError("rollback-target", `Input \`rollback-target\` has the value "${requested}": no such Worker version among the ${versions.length} most recent versions of production.`);
    }
    return { versionId: found.versionId, tag: found.tag, how: "version id" };
  }
  const candidates = new Set([requested, requested.startsWith(prefix) ? requested : `${prefix}${requested}`]);
  const tagged = versions.filter((v) => v.tag && candidates.has(v.tag)).sort(byCreatedDesc);
  const found = tagged[0];
  if (!found) {
    throw new ConfigError(
      "rollback-target",
      `Input \`rollback-target\` has the value "${requested}": it is neither a Worker version id nor a release tag any production version was uploaded with (expected a version id such as 4b8b2f8a-… or a tag such as ${prefix}1.2.3).`,
    );
  }
  return { versionId: found.versionId, tag: found.tag, how: `release tag ${found.tag}` };
}

function previousStable(live: LiveState, deployments: readonly DeploymentInfo[]): RollbackTarget {
  const current = live.deploymentId;
  const earlier = deployments.filter((d) => d.deploymentId !== current && !sameAllocation(d.allocation, live.allocation));
  for (const deployment of earlier) {
    const single = soleVersion(deployment.allocation);
    if (single) return { versionId: single, how: `previous stable deployment${deployment.createdOn ? ` of ${deployment.createdOn}` : ""}` };
  }
  throw new ConfigError("rollback-target", "There is no earlier production deployment that served one version at 100%: give `rollback-target` (a version id or a release tag).");
}

function byCreatedDesc(a: VersionInfo, b: VersionInfo): number {
  return (b.createdOn ?? "").localeCompare(a.createdOn ?? "");
}

function normaliseId(id: string): string {
  return id.replace(/-/g, "").toLowerCase();
}

/** `mode: rollback`: put an earlier version back on production, read it back, prove it healthy. */
export async function runEmergencyRollback(
  config: PipelineConfig,
  deps: PipelineDeps,
  signal: AbortSignal,
  context: RunContext = {},
): Promise<PipelineResult> {
  const rec = new RunRecorder(deps.clock, deps.logger, deps.onEvent);
  const facts: RunFacts = { approval: { status: "skipped", approvedBy: [] } };
  const startedAt = deps.clock.now();
  let outcome: Outcome;
  try {
    outcome = await emergencyFlow(config, deps, context, signal, rec, facts);
  } catch (error) {
    outcome = { result: "failed", message: errorMessage(error) };
  }
  return buildResult(config, rec, facts, outcome, startedAt, deps.clock.now());
}

/** A signal that aborts `graceMs` after `signal` does (a cancellation's cleanup budget). */
function afterCancel(signal: AbortSignal, graceMs: number): AbortSignal {
  const controller = new AbortController();
  const start = () => setTimeout(() => controller.abort(signal.reason), graceMs).unref();
  if (signal.aborted) start();
  else signal.addEventListener("abort", start, { once: true });
  return controller.signal;
}

async function emergencyFlow(
  config: PipelineConfig,
  deps: PipelineDeps,
  context: RunContext,
  signal: AbortSignal,
  rec: RunRecorder,
  facts: RunFacts,
): Promise<Outcome> {
  const target: DeployTarget = { environment: config.production.environment };
  const reason = config.emergency?.reason ?? "";
  const baseUrl = config.production.url;
  if (!reason) return { result: "failed", message: "Input `rollback-reason` is required for mode: rollback." };
  if (!baseUrl) {
    return { result: "failed", message: "Input `production-url` is required for mode: rollback: the restored version must pass the health gate, and wrangler rollback reports no URL." };
  }
  facts.productionUrl = baseUrl;
  let chosen: RollbackTarget;
  let live: LiveState | null = null;
  let fromTag: string | undefined;
  try {
    chosen = await rec.stage("resolve", "Choose the rollback target", async () => {
      live = await deps.deployer.status(target, signal);
      if (!live) throw new ConfigError("rollback-target", `${target.environment} has no deployment: there is nothing to roll back.`);
      facts.anchor = live;
      facts.previousVersionId = soleVersion(live.allocation) ?? live.allocation[0]?.versionId;
      const [deployments, versions] = await Promise.all([deps.deployer.deployments(target, signal), deps.deployer.versions(target, signal)]);
      const picked = chooseTarget({ requested: config.emergency?.target, tagPrefix: config.version.tagPrefix, live, deployments, versions });
      fromTag = versions.find((v) => v.versionId === facts.previousVersionId)?.tag;
      deps.logger.info(`Rolling ${target.environment} back from ${describeAllocation(live.allocation)} to ${picked.versionId} (${picked.how}).`);
      return { status: "passed" as const, detail: `${picked.versionId} (${picked.how})`, ...picked };
    });
  } catch (error) {
    if (signal.aborted) return { result: "failed", message: "Cancelled before the rollback: nothing changed." };
    return { result: "failed", message: `Rollback refused, nothing changed: ${describeDeployError(error)}` };
  }
  facts.productionVersionId = chosen.versionId;
  const record = deps.recorder
    ? await deps.recorder.start(target.environment, { ref: config.version.sha, description: `emergency rollback to ${chosen.tag ?? chosen.versionId}`, production: true }).catch(() => undefined)
    : undefined;
  await updateRecord(deps, record, "in_progress", { environmentUrl: baseUrl, description: `rolling back to ${chosen.tag ?? chosen.versionId}`.slice(0, 140) });
  if (signal.aborted) {
    await updateRecord(deps, record, "failure", { environmentUrl: baseUrl, description: "cancelled before the rollback" });
    return { result: "failed", message: "Cancelled before the rollback: nothing changed." };
  }
  let commandError: string | undefined;
  // Once the rollback command runs, a cancellation lets it finish and be read back: killing it
  // half-way would leave production unknown.
  const finishing = afterCancel(signal, context.cleanupBudgetMs ?? CLEANUP_BUDGET_MS);
  try {
    await rec.stage("rollback", `Roll back ${target.environment} to ${chosen.versionId}`, () =>
      deps.deployer.rollback(target, chosen.versionId, reason, finishing),
    );
  } catch (error) {
    commandError = describeDeployError(error);
  }
  const wanted = [{ versionId: chosen.versionId, percentage: 100 }];
  const readBack = await rec
    .stage("rollback-verify", "Read production back", async () => {
      const state = await deps.deployer.status(target, finishing);
      const ok = state !== null && sameAllocation(state.allocation, wanted);
      return { status: ok ? ("passed" as const) : ("failed" as const), detail: `serves ${describeAllocation(state?.allocation)}`, ok };
    })
    .catch(() => ({ ok: false }));
  const manual = deps.deployer.manualRestoreCommand(target, wanted, reason);
  if (!readBack.ok) {
    await updateRecord(deps, record, "failure", { environmentUrl: baseUrl, description: "emergency rollback failed" });
    return { result: "rollback-failed", message: `The rollback did not take effect${commandError ? `: ${commandError}` : ""}.`, manualCommand: manual };
  }
  facts.rollbackVersionId = chosen.versionId;
  const report = await rec.stage("health", `Health gate on the restored ${target.environment}`, async () => {
    const gate = rec.gate(
      await runGate({ gate: "rollback-health", environment: target.environment, baseUrl, versionId: chosen.versionId, settings: config.production.health, probe: deps.probe, clock: deps.clock, signal, logger: deps.logger, onMeasurement: (m) => rec.measurement("rollback-health", m) }),
    );
    return { status: gate.outcome === "passed" ? ("passed" as const) : ("failed" as const), detail: gate.reason, gate };
  });
  const healthy = report.gate.outcome === "passed";
  const cancelled = report.gate.outcome === "cancelled";
  const description = `rolled back to ${chosen.tag ?? chosen.versionId}${cancelled ? "; health not proven (cancelled)" : ""}`;
  await updateRecord(deps, record, healthy ? "success" : "failure", { environmentUrl: baseUrl, description: description.slice(0, 140) });
  if (fromTag && deps.publisher?.noteRollback) {
    await deps.publisher
      .noteRollback(fromTag, `Rolled back on production to ${chosen.tag ?? chosen.versionId}: ${reason}`, finishing)
      .catch((error: unknown) => rec.warn(`Could not note the rollback on the release ${fromTag}: ${errorMessage(error)}`));
  }
  if (cancelled) {
    return { result: "failed", message: `Cancelled: production was rolled back to ${chosen.versionId} and read back, but the health gate was cancelled before it passed.` };
  }
  if (!healthy) {
    return { result: "rollback-failed", message: `Production now serves ${chosen.versionId}, but it failed the health gate: ${report.gate.reason ?? "unhealthy"}.`, manualCommand: manual };
  }
  return { result: "rolled-back", message: `Production was rolled back to ${chosen.versionId} (${chosen.how}), read back, and passed the health gate. Reason: ${reason}` };
}
