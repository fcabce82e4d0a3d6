import { describeAllocation, sameAllocation, soleVersion } from "./allocation.js";
import { ConfigError, errorMessage } from "./errors.js";
import { runGate } from "./gate.js";
import type { DeployTarget } from "./ports.js";
import { describeDeployError, startRecord, updateRecord } from "./records.js";
import { cleanupBudget, runScoped, type Outcome, type PipelineDeps, type RunContext, type RunScope } from "./run-scope.js";
import type { DeploymentInfo, LiveState, PipelineConfig, PipelineResult, VersionInfo } from "./types.js";

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
export function runEmergencyRollback(config: PipelineConfig, deps: PipelineDeps, signal: AbortSignal, context: RunContext = {}): Promise<PipelineResult> {
  return runScoped(config, deps, signal, context, emergencyFlow);
}

/** A signal that aborts `graceMs` after `signal` does (a cancellation's cleanup budget). */
function afterCancel(signal: AbortSignal, graceMs: number): AbortSignal {
  const controller = new AbortController();
  const start = () => setTimeout(() => controller.abort(signal.reason), graceMs).unref();
  if (signal.aborted) start();
  else signal.addEventListener("abort", start, { once: true });
  return controller.signal;
}

/** What an emergency rollback works with once its target is chosen. */
interface Rollback {
  readonly target: DeployTarget;
  readonly chosen: RollbackTarget;
  readonly reason: string;
  readonly baseUrl: string;
  /** The release tag of the version rolled away from, for a note on its Release. */
  readonly fromTag?: string;
}

async function emergencyFlow(s: RunScope): Promise<Outcome> {
  const { config } = s;
  const reason = config.emergency?.reason ?? "";
  const baseUrl = config.production.url;
  if (!reason) return { result: "failed", message: "Input `rollback-reason` is required for mode: rollback." };
  if (!baseUrl) {
    return { result: "failed", message: "Input `production-url` is required for mode: rollback: the restored version must pass the health gate, and wrangler rollback reports no URL." };
  }
  s.facts.productionUrl = baseUrl;
  const target: DeployTarget = { environment: config.production.environment };
  let rollback: Rollback;
  try {
    rollback = { target, reason, baseUrl, ...(await chooseStage(s, target)) };
  } catch (error) {
    if (s.signal.aborted) return { result: "failed", message: "Cancelled before the rollback: nothing changed." };
    return { result: "failed", message: `Rollback refused, nothing changed: ${describeDeployError(error)}` };
  }
  s.facts.productionVersionId = rollback.chosen.versionId;
  const name = rollback.chosen.tag ?? rollback.chosen.versionId;
  const record = await startRecord(s, target.environment, { sha: config.version.sha, tag: name }, true, {
    description: `emergency rollback to ${name}`,
    progress: `rolling back to ${name}`,
  });
  if (s.signal.aborted) {
    await updateRecord(s, record, "failure", { environmentUrl: baseUrl, description: "cancelled before the rollback" });
    return { result: "failed", message: "Cancelled before the rollback: nothing changed." };
  }
  // Once the rollback command runs, a cancellation lets it finish and be read back: killing it
  // half-way would leave production unknown.
  const finishing = afterCancel(s.signal, cleanupBudget(s.context));
  const failed = await applyRollback(s, rollback, finishing);
  if (failed) {
    await updateRecord(s, record, "failure", { environmentUrl: baseUrl, description: "emergency rollback failed" });
    return failed;
  }
  s.facts.rollbackVersionId = rollback.chosen.versionId;
  return proveHealthy(s, rollback, record, finishing);
}

/** Reads production and picks the target; throws (nothing changed) when it is unknown or already live. */
async function chooseStage(s: RunScope, target: DeployTarget): Promise<{ chosen: RollbackTarget; fromTag?: string }> {
  const { deps, config, facts } = s;
  return s.rec.stage("resolve", "Choose the rollback target", async () => {
    const live = await deps.deployer.status(target, s.signal);
    if (!live) throw new ConfigError("rollback-target", `${target.environment} has no deployment: there is nothing to roll back.`);
    facts.anchor = live;
    facts.previousVersionId = soleVersion(live.allocation) ?? live.allocation[0]?.versionId;
    const [deployments, versions] = await Promise.all([deps.deployer.deployments(target, s.signal), deps.deployer.versions(target, s.signal)]);
    const chosen = chooseTarget({ requested: config.emergency?.target, tagPrefix: config.version.tagPrefix, live, deployments, versions });
    const fromTag = versions.find((v) => v.versionId === facts.previousVersionId)?.tag;
    deps.logger.info(`Rolling ${target.environment} back from ${describeAllocation(live.allocation)} to ${chosen.versionId} (${chosen.how}).`);
    return { status: "passed" as const, detail: `${chosen.versionId} (${chosen.how})`, chosen, fromTag };
  });
}

/** `wrangler rollback`, then the read-back; resolves with the outcome when it did not take effect. */
async function applyRollback(s: RunScope, r: Rollback, signal: AbortSignal): Promise<Outcome | undefined> {
  let commandError: string | undefined;
  try {
    await s.rec.stage("rollback", `Roll back ${r.target.environment} to ${r.chosen.versionId}`, () => s.deps.deployer.restore(r.target, [{ versionId: r.chosen.versionId, percentage: 100 }], r.reason, signal));
  } catch (error) {
    commandError = describeDeployError(error);
  }
  const wanted = [{ versionId: r.chosen.versionId, percentage: 100 }];
  const readBack = await s.rec
    .stage("rollback-verify", "Read production back", async () => {
      const state = await s.deps.deployer.status(r.target, signal);
      const ok = state !== null && sameAllocation(state.allocation, wanted);
      return { status: ok ? ("passed" as const) : ("failed" as const), detail: `serves ${describeAllocation(state?.allocation)}`, ok };
    })
    .catch(() => ({ ok: false }));
  if (readBack.ok) return undefined;
  return { result: "rollback-failed", message: `The rollback did not take effect${commandError ? `: ${commandError}` : ""}.`, manualCommand: s.deps.deployer.manualRestoreCommand(r.target, wanted, r.reason) };
}

/** The health gate on the restored version, the Deployment record, and a note on the old release. */
async function proveHealthy(s: RunScope, r: Rollback, record: string | undefined, finishing: AbortSignal): Promise<Outcome> {
  const { deps, config, rec } = s;
  const report = await rec.stage("health", `Health gate on the restored ${r.target.environment}`, async () => {
    const gate = rec.gate(
      await runGate({ gate: "rollback-health", environment: r.target.environment, baseUrl: r.baseUrl, versionId: r.chosen.versionId, settings: config.production.health, probe: deps.probe, clock: deps.clock, signal: s.signal, logger: deps.logger, onMeasurement: (m) => rec.measurement("rollback-health", m) }),
    );
    return { status: gate.outcome === "passed" ? ("passed" as const) : ("failed" as const), detail: gate.reason, gate };
  });
  const name = r.chosen.tag ?? r.chosen.versionId;
  const healthy = report.gate.outcome === "passed";
  const cancelled = report.gate.outcome === "cancelled";
  const description = `rolled back to ${name}${cancelled ? "; health not proven (cancelled)" : ""}`;
  await updateRecord(s, record, healthy ? "success" : "failure", { environmentUrl: r.baseUrl, description: description.slice(0, 140) });
  if (r.fromTag && deps.publisher?.noteRollback) {
    await deps.publisher
      .noteRollback(r.fromTag, `Rolled back on production to ${name}: ${r.reason}`, finishing)
      .catch((error: unknown) => rec.warn(`Could not note the rollback on the release ${r.fromTag}: ${errorMessage(error)}`));
  }
  if (cancelled) {
    return { result: "failed", message: `Cancelled: production was rolled back to ${r.chosen.versionId} and read back, but the health gate was cancelled before it passed.` };
  }
  if (!healthy) {
    const manual = deps.deployer.manualRestoreCommand(r.target, [{ versionId: r.chosen.versionId, percentage: 100 }], r.reason);
    return { result: "rollback-failed", message: `Production now serves ${r.chosen.versionId}, but it failed the health gate: ${report.gate.reason ?? "unhealthy"}.`, manualCommand: manual };
  }
  return { result: "rolled-back", message: `Production was rolled back to ${r.chosen.versionId} (${r.chosen.how}), read back, and passed the health gate. Reason: ${r.reason}` };
}
