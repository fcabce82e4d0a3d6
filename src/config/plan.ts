/**
 * The readable plan `mode: plan` prints: what a release run would do, in order, with the gate
 * rules spelled out as times. Header values are never printed (they may hold secrets).
 */
import { ERROR_RETRY_MS } from "../core/gate-rules.js";
import { formatDuration } from "../core/parse.js";
import { involvedTags, releaseTagOf } from "../core/release-plan.js";
import type { CheckSpec, GateSettings, Millis, PipelineConfig, ReleaseVersion } from "../core/types.js";
import { resolveVersion } from "../core/version.js";

export interface PlanExtra {
  /** Resolved version without prefix (`1.4.0-rc.1`). */
  readonly version?: string;
  /** Resolved release tag (`v1.4.0-rc.1`). */
  readonly tag?: string;
  /** Wrangler that would run, e.g. `4.86.0 (project)`. */
  readonly wrangler?: string;
  /** The user's commands deploy instead of wrangler (`deployer: { kind: command }`). */
  readonly commandDeployer?: boolean;
}

/** How long a gate takes, in the model described on `gateTimings`. */
export interface GateTimings {
  /** Shortest time to pass: `count` measurements `interval` apart. */
  readonly minPassMs: Millis;
  /** Time to fail when every check fails: `failure-limit + 1` failed measurements. */
  readonly failWhenFailingMs: Millis;
  /** Time to fail when every connection is refused at once: `consecutive-error-limit + 1` errors, retried after `ERROR_RETRY_MS`. */
  readonly failWhenRefusedMs: Millis;
  /** Time to fail when every request hangs: `consecutive-error-limit + 1` errors, each up to `timeout`. */
  readonly failWhenDownMs: Millis;
  /** Worst case before any decision: errors just under the limit between every counted measurement. */
  readonly longestMs: Millis;
}

/**
 * Gate durations, assuming measurements start `interval` apart (the first at once), or
 * `min(interval, ERROR_RETRY_MS)` after an error, checks of a measurement run together, and a
 * hanging request uses the measurement's whole `timeout` (no re-probe starts after it), so
 * starts are at least `timeout` apart when requests hang. Response times are otherwise ignored.
 */
export function gateTimings(gate: GateSettings): GateTimings {
  const slow = Math.max(gate.intervalMs, gate.timeoutMs);
  const retry = Math.min(gate.intervalMs, ERROR_RETRY_MS);
  const errorGap = Math.max(retry, gate.timeoutMs);
  const tolerated = gate.consecutiveErrorLimit;
  return {
    minPassMs: (gate.count - 1) * gate.intervalMs,
    failWhenFailingMs: gate.failureLimit * gate.intervalMs,
    failWhenRefusedMs: tolerated * retry,
    failWhenDownMs: tolerated * errorGap + gate.timeoutMs,
    // count - 1 counted measurements, each after the most errors tolerated in a row, then a final run of errors that fails it.
    longestMs: (gate.count - 1) * (tolerated * errorGap + slow) + tolerated * errorGap + gate.timeoutMs,
  };
}

/** The plan of a run of `config`, as text. */
export function renderPlan(config: PipelineConfig, extra: PlanExtra = {}): string {
  const lines = [`shipline plan: mode ${config.mode}, stages ${config.stages}`, ""];
  lines.push(...header(config, extra), "");
  const steps = config.mode === "rollback" ? rollbackSteps(config) : releaseSteps(config, extra);
  steps.forEach((step, index) => {
    const [first, ...rest] = step;
    lines.push(`${index + 1}. ${first}`, ...rest.map((line) => `   ${line}`));
  });
  lines.push("", "Nothing was deployed or changed.");
  return lines.join("\n");
}

function header(config: PipelineConfig, extra: PlanExtra): string[] {
  const release = releaseOf(config, extra);
  const version = release
    ? `${release.tag} (version ${release.version}${release.prerelease ? ", prerelease" : ""})`
    : describeVersionSource(config);
  const sha = config.version.sha ? ` at commit ${config.version.sha.slice(0, 12)}` : "";
  return [
    config.mode === "rollback" ? "Emergency rollback of production" : `Release: ${version}${sha}`,
    `Working directory: ${config.workingDirectory}`,
    extra.commandDeployer
      ? "Deployer: the commands of `deployer` (no wrangler)"
      : `Wrangler: ${extra.wrangler ?? "the project's own, or one installed outside it"}`,
    ...(config.mode === "rollback" ? [] : uploadedWith(config)),
  ];
}

/** What every deployed version carries besides the code: secret names (never values) and var names. */
function uploadedWith(config: PipelineConfig): string[] {
  const lines: string[] = [];
  if (config.secrets?.length) lines.push(`Secrets uploaded with each version (from the step's environment): ${config.secrets.join(", ")}`);
  const vars = Object.keys(config.vars ?? {});
  if (vars.length > 0) lines.push(`Vars set on each version (--var): ${vars.join(", ")}`);
  if (config.requiredSecrets?.length) lines.push(`Secrets each Worker must already have: ${config.requiredSecrets.join(", ")}`);
  return lines;
}

function releaseSteps(config: PipelineConfig, extra: PlanExtra): string[][] {
  const steps: string[][] = [];
  const { staging } = config;
  if (config.stages !== "production") {
    steps.push([`Staging deploy: ${deployText(extra, staging.environment)} → ${staging.url ?? reportedUrl(extra)}`]);
    const command = staging.smokeCommand ? [`command: ${staging.smokeCommand} (exit code 0 passes)`] : [];
    steps.push([`Smoke gate on staging (${staging.environment})`, ...command, ...describeGate(staging.smoke)]);
  }
  if (config.stages === "staging") {
    steps.push(["Stop: production runs in a later job with stages: production."]);
    return steps;
  }
  if (config.stages === "all") steps.push([describeApproval(config)]);
  const before = config.production.beforeCommand;
  if (before) {
    steps.push([
      `Before production: ${before} (exit code 0 passes; a failure stops the run with production untouched)`,
      extra.commandDeployer
        ? "a restore does not undo what it changes (a migration stays applied)"
        : "wrangler rollback does not undo what it changes (a D1 migration stays applied)",
    ]);
  }
  steps.push(...productionSteps(config, extra));
  steps.push(describeTags(config, extra));
  if (config.release.afterCommand) steps.push([`After release: ${config.release.afterCommand}`]);
  return steps;
}

function deployText(extra: PlanExtra, environment: string): string {
  return extra.commandDeployer ? `the deploy command (SHIPLINE_ENVIRONMENT=${environment})` : `wrangler deploy --env ${environment}`;
}

function reportedUrl(extra: PlanExtra): string {
  return extra.commandDeployer ? "the URL the deploy command reports" : "the URL wrangler reports";
}

function productionSteps(config: PipelineConfig, extra: PlanExtra = {}): string[][] {
  const { production } = config;
  const target = production.url ?? reportedUrl(extra);
  const gate = describeGate(production.health);
  const deploy =
    production.strategy === "direct"
      ? [
          [`Production deploy: ${deployText(extra, production.environment)} → ${target}`],
          [`Health gate on production (${production.environment})`, ...gate],
        ]
      : [
          [
            `Production deploy, gradual: ${extra.commandDeployer ? "the upload command, then shift commands for" : "wrangler versions upload, then"} ${production.steps.map((p) => `${p}%`).join(" → ")} of traffic → ${target}`,
            `health gate at each step (${production.steps.length} gates; at least ${formatDuration(gateTimings(production.health).minPassMs * production.steps.length)} in all):`,
            ...gate,
          ],
        ];
  const rollback =
    production.rollback === "auto"
      ? "If the health gate fails: roll production back to what it served before this run (recorded before the deploy), read it back, and run the health gate on it."
      : "If the health gate fails: report only (rollback: off); production keeps the new version.";
  return [...deploy, [rollback]];
}

function rollbackSteps(config: PipelineConfig): string[][] {
  const { production, emergency } = config;
  const target = emergency?.target ?? "the newest earlier deployment that served one version at 100%";
  return [
    [`Read what production (${production.environment}) serves now; refuse if it already serves the target.`],
    [`Roll back to ${target}`, `reason: ${emergency?.reason ?? "(none)"}`],
    ["Read the deployment back to confirm it."],
    [`Health gate on production (${production.environment})`, ...describeGate(production.health)],
  ];
}

/** The gate's rules and timings, one item per line. */
export function describeGate(gate: GateSettings): string[] {
  const t = gateTimings(gate);
  const latency = gate.maxLatencyMs !== undefined ? `; p95 latency at most ${formatDuration(gate.maxLatencyMs)}` : "";
  return [
    `${gate.count} measurements, ${formatDuration(gate.intervalMs)} apart, timeout ${formatDuration(gate.timeoutMs)} per request`,
    `tolerates ${gate.failureLimit} failed measurements and ${gate.consecutiveErrorLimit} consecutive errors${latency}`,
    `a check whose request errors, fails or is slow is re-probed up to ${gate.confirm ?? 0} times right away before the measurement counts`,
    `passes after at least ${formatDuration(t.minPassMs)}; fails ${within(t.failWhenFailingMs)} when every check fails, ${within(t.failWhenRefusedMs)} when every connection is refused, ${within(t.failWhenDownMs)} when every request hangs; decides within ${formatDuration(t.longestMs)} at worst`,
    "checks:",
    ...gate.checks.map((check) => `  - ${describeCheck(check)}`),
  ];
}

function within(ms: Millis): string {
  return ms === 0 ? "at the first measurement" : `within ${formatDuration(ms)}`;
}

function describeCheck(check: CheckSpec): string {
  const parts = [`status ${check.expect.status.text}`];
  if (check.expect.json !== undefined) parts.push(`JSON contains ${JSON.stringify(check.expect.json)}`);
  if (check.expect.body !== undefined) parts.push(`body contains ${JSON.stringify(check.expect.body)}`);
  const headers = Object.keys(check.headers);
  const sent = headers.length > 0 ? ` (headers: ${headers.join(", ")})` : "";
  return `${check.name}${sent}: ${parts.join(", ")}`;
}

function describeApproval(config: PipelineConfig): string {
  const { approval } = config;
  switch (approval.mode) {
    case "none":
      return "Approval: none (no wait).";
    case "environment":
      return "Approval: environment (the workflow's GitHub Environment gates the production job).";
    default: {
      const self = approval.allowSelfApproval ? "the actor may approve" : "the actor may not approve";
      return `Approval: ${approval.mode}, by ${approval.approvers.join(", ") || "(nobody)"}; ${approval.minimum} needed; ${self}; times out after ${formatDuration(approval.timeoutMs)}.`;
    }
  }
}

function describeTags(config: PipelineConfig, extra: PlanExtra): string[] {
  const release = releaseOf(config, extra);
  const { promotePrerelease, floatingTags, createRelease } = config.release;
  if (!release) {
    return [
      `Tags (after a healthy production): the release tag with prefix "${config.version.tagPrefix}"${floatingTags ? ", and floating major/minor tags" : ""}.`,
    ];
  }
  const names = involvedTags({ release, promotePrerelease, floatingTags });
  const releaseTag = releaseTagOf(release, promotePrerelease);
  const lines = [`Tags (after a healthy production): ${names.join(", ")}`];
  if (release.prerelease)
    lines.push(
      promotePrerelease
        ? `${release.tag} is promoted to ${release.finalTag}`
        : `${release.tag} stays a prerelease (promote-prerelease: false)`,
    );
  lines.push(createRelease ? `GitHub Release for ${releaseTag}` : "no GitHub Release (create-release: false)");
  return lines;
}

/** The release this run would ship, when it can be known without the repository's tags. */
function releaseOf(config: PipelineConfig, extra: PlanExtra): ReleaseVersion | undefined {
  const { version } = config;
  const explicit = extra.tag ?? extra.version ?? version.explicit;
  if (explicit === undefined && version.bump !== undefined && !version.ref?.startsWith("refs/tags/")) return undefined;
  try {
    return resolveVersion({ explicit, ref: version.ref, tagPrefix: version.tagPrefix, sha: version.sha });
  } catch {
    return undefined;
  }
}

function describeVersionSource(config: PipelineConfig): string {
  const { version } = config;
  if (version.bump) return `next ${version.bump} version after the highest "${version.tagPrefix}" tag`;
  return "no version yet (set version, push a tag, or set bump)";
}
