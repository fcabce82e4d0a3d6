/**
 * Gates (SPEC section 5): repeated HTTP measurements judged by Argo Rollouts' analysis rules.
 * `runGate` decides pass or fail (smoke, health); `watchGate` keeps checking until stopped
 * (staging while an approval is pending).
 */
import { errorMessage } from "./errors.js";
import { checkUrl, evaluate, type VersionRule } from "./gate-check.js";
import { formatDuration } from "./parse.js";
import type { Clock, HttpProbe, Logger } from "./ports.js";
import { normaliseVersionId } from "./version-id.js";
import type {
  CheckResult,
  CheckSpec,
  GateReport,
  GateSettings,
  GateStats,
  GateVersions,
  Measurement,
  MeasurementOutcome,
  Millis,
} from "./types.js";

export interface GateOptions {
  /** Report label: `smoke`, `health`, `health@10%`, `rollback-health`, `staging-watch`. */
  readonly gate: string;
  readonly environment: string;
  readonly baseUrl: string;
  /**
   * The version the gate judges. With `settings.versionHeader`, an answer that names another
   * version is an `error` (never a success), so a gate answered only by other versions fails.
   */
  readonly versionId?: string;
  readonly settings: GateSettings;
  readonly probe: HttpProbe;
  readonly clock: Clock;
  /** Aborting ends the gate with outcome `cancelled` (the promise resolves). */
  readonly signal: AbortSignal;
  readonly logger?: Logger;
  /** Sent with every request and winning over a check's own headers (e.g. a version override). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly onMeasurement?: (measurement: Measurement) => void;
}

/** `watchGate` takes the same options; `settings.count` is ignored. */
export type WatchOptions = GateOptions;

/** Below this many samples a p95 is one slow request, so `watchGate` does not judge latency yet. */
const WATCH_MIN_LATENCY_SAMPLES = 20;

export { checkUrl, evaluate, type VersionRule } from "./gate-check.js";

// ---------------------------------------------------------------------------------------------
// Statistics

/** Nearest-rank percentile (`p` in 0-100): the smallest value with at least p% of values <= it. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p * sorted.length) / 100)));
  return sorted[rank - 1];
}

/** Counts and p50/p95 latency (over requests that got an HTTP response) of a gate's measurements. */
export function gateStats(measurements: readonly Measurement[]): GateStats {
  const checks = measurements.flatMap((m) => m.checks);
  const latencies = checks.flatMap((c) => (c.status !== undefined && c.latencyMs !== undefined ? [c.latencyMs] : []));
  const tally = (outcome: MeasurementOutcome) => measurements.filter((m) => m.outcome === outcome).length;
  const stats = { successful: tally("successful"), failed: tally("failed"), errors: tally("error") };
  const p50Ms = percentile(latencies, 50);
  const p95Ms = percentile(latencies, 95);
  return {
    count: stats.successful + stats.failed,
    ...stats,
    requests: checks.length,
    ...(p50Ms === undefined ? {} : { p50Ms }),
    ...(p95Ms === undefined ? {} : { p95Ms }),
  };
}

/**
 * Which versions answered: every HTTP answer counted as proven (it named `expected`), from
 * another version, or unnamed (no `header`). Ids are compared normalised (`normaliseVersionId`).
 */
export function gateVersions(measurements: readonly Measurement[], header: string, expectedId?: string): GateVersions {
  const expected = expectedId === undefined ? undefined : normaliseVersionId(expectedId);
  const answeredBy: Record<string, number> = {};
  let unnamed = 0;
  for (const check of measurements.flatMap((m) => m.checks)) {
    if (check.status === undefined) continue;
    if (check.versionId === undefined) unnamed++;
    else answeredBy[check.versionId] = (answeredBy[check.versionId] ?? 0) + 1;
  }
  const named = Object.values(answeredBy).reduce((sum, n) => sum + n, 0);
  const proven = expected === undefined ? 0 : (answeredBy[expected] ?? 0);
  return {
    header,
    ...(expected === undefined ? {} : { expected }),
    proven,
    otherVersion: expected === undefined ? 0 : named - proven,
    unnamed,
    answeredBy,
  };
}

// ---------------------------------------------------------------------------------------------
// Rules

/** Running totals of one gate, Argo-style: errors neither count nor reset anything but themselves. */
interface Tally {
  /** Measurements that count towards `count`: successful + failed. */
  counted: number;
  successful: number;
  failed: number;
  consecutiveErrors: number;
  lastFailed?: Measurement;
  lastError?: Measurement;
  /** Latency of every check of every counted measurement (so `count × checks` at the end). */
  latencies: Millis[];
}

type Verdict = { readonly outcome: "passed" } | { readonly outcome: "failed"; readonly reason: string };

function record(tally: Tally, measurement: Measurement): void {
  if (measurement.outcome === "error") {
    tally.consecutiveErrors++;
    tally.lastError = measurement;
    return;
  }
  tally.consecutiveErrors = 0;
  tally.counted++;
  if (measurement.outcome === "failed") {
    tally.failed++;
    tally.lastFailed = measurement;
  } else {
    tally.successful++;
  }
  for (const check of measurement.checks) if (check.latencyMs !== undefined) tally.latencies.push(check.latencyMs);
}

/** Argo's order: failures, then consecutive errors, then (ours) latency, then `count` reached. */
function decide(tally: Tally, settings: GateSettings, watching: boolean): Verdict | undefined {
  if (tally.failed > settings.failureLimit) {
    const why = `${tally.failed} failed measurement(s), failure-limit ${settings.failureLimit}`;
    return { outcome: "failed", reason: `${problems(tally.lastFailed, "failed")} (${why})` };
  }
  if (tally.consecutiveErrors > settings.consecutiveErrorLimit) {
    const why = `${tally.consecutiveErrors} consecutive errors, consecutive-error-limit ${settings.consecutiveErrorLimit}`;
    return { outcome: "failed", reason: `${problems(tally.lastError, "error")} (${why})` };
  }
  const slow = latencyProblem(tally, settings, watching);
  if (slow !== undefined) return { outcome: "failed", reason: slow };
  if (watching || tally.counted < Math.max(1, settings.count)) return undefined;
  // Only reachable when failure-limit >= count slipped past config validation: never pass on no data.
  if (tally.successful === 0) return { outcome: "failed", reason: "no measurement succeeded" };
  return { outcome: "passed" };
}

/** `GET /api/health (https://…): expected status 200-299, got 503` for each guilty check. */
function problems(measurement: Measurement | undefined, outcome: MeasurementOutcome): string {
  const guilty = measurement?.checks.filter((c) => c.outcome === outcome) ?? [];
  return guilty.map((c) => `${c.check} (${c.url}): ${c.reason ?? outcome}`).join("; ");
}

/**
 * Nearest-rank p95 over `N = count × checks` samples is above the ceiling exactly when more
 * than `N - ceil(0.95 N)` samples are, so the gate can fail as soon as that many slow requests
 * were seen: no later request can bring the p95 back under the ceiling.
 */
function latencyProblem(tally: Tally, settings: GateSettings, watching: boolean): string | undefined {
  const max = settings.maxLatencyMs;
  const samples = tally.latencies;
  if (max === undefined) return undefined;
  if (watching) {
    // No final sample count while watching: judge the p95 so far once it means something.
    const p95 = samples.length >= WATCH_MIN_LATENCY_SAMPLES ? percentile(samples, 95) : undefined;
    return p95 !== undefined && p95 > max ? p95Text(p95, max, samples.length) : undefined;
  }
  const total = Math.max(1, settings.count) * settings.checks.length;
  const allowed = total - Math.ceil((95 * total) / 100);
  const slow = samples.filter((latency) => latency > max);
  if (slow.length <= allowed) return undefined;
  if (samples.length >= total) return p95Text(percentile(samples, 95)!, max, samples.length);
  return (
    `p95 latency cannot stay within max ${formatDuration(max)}: ${slow.length} of the gate's ${total} requests ` +
    `already took longer (at most ${allowed} may), the slowest ${formatDuration(Math.max(...slow))}`
  );
}

function p95Text(p95: Millis, max: Millis, requests: number): string {
  return `p95 ${formatDuration(p95)} > max ${formatDuration(max)} over ${requests} requests`;
}

// ---------------------------------------------------------------------------------------------
// Running

interface Target {
  readonly spec: CheckSpec;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Runs a gate to a verdict: every `intervalMs` (start to start, so a gate lasts about
 * `count × interval`) one measurement probes all checks concurrently. A measurement is `failed`
 * if any check failed, else `error` if any check errored, else `successful`: an expectation
 * that was not met is news about the release even when another check could not connect.
 */
export function runGate(options: GateOptions): Promise<GateReport> {
  return loop(options, false);
}

/**
 * Measures every `intervalMs` until `signal` aborts (outcome `cancelled`: it never failed) or a
 * failure rule trips (`failed`). Failures add up over the whole watch; `maxLatencyMs` applies to
 * the p95 so far once there are 20 samples.
 */
export function watchGate(options: WatchOptions): Promise<GateReport> {
  return loop(options, true);
}

async function loop(options: GateOptions, watching: boolean): Promise<GateReport> {
  const { clock, signal, settings } = options;
  const startedAt = clock.now();
  const measurements: Measurement[] = [];
  const finish = (outcome: GateReport["outcome"], reason?: string) => finishReport(options, startedAt, measurements, outcome, reason);
  if (settings.checks.length === 0) return finish("failed", "the gate has no checks: nothing to measure");
  let targets: Target[];
  try {
    targets = settings.checks.map((spec) => toTarget(spec, options));
  } catch (error) {
    return finish("failed", errorMessage(error));
  }
  const tally: Tally = { counted: 0, successful: 0, failed: 0, consecutiveErrors: 0, latencies: [] };
  for (let index = 0; !signal.aborted; index++) {
    const nextAt = clock.now() + settings.intervalMs;
    const measurement = await measure(options, targets, index);
    // Results that raced an abort may be abort-made errors: they are not evidence.
    if (measurement === undefined || signal.aborted) break;
    measurements.push(measurement);
    options.onMeasurement?.(measurement);
    logMeasurement(options, measurement);
    record(tally, measurement);
    const verdict = decide(tally, settings, watching);
    if (verdict) return finish(verdict.outcome, verdict.outcome === "failed" ? verdict.reason : undefined);
    if (!(await sleepUntil(clock, nextAt, signal))) break;
  }
  return finish("cancelled");
}

/** One measurement, or `undefined` when the run was aborted while probing. */
async function measure(options: GateOptions, targets: readonly Target[], index: number): Promise<Measurement | undefined> {
  const at = options.clock.now();
  try {
    const checks = await Promise.all(targets.map((target) => probeOne(options, target)));
    const outcome: MeasurementOutcome = checks.some((c) => c.outcome === "failed")
      ? "failed"
      : checks.some((c) => c.outcome === "error")
        ? "error"
        : "successful";
    return { index, at, outcome, checks };
  } catch (error) {
    if (options.signal.aborted) return undefined;
    throw error;
  }
}

async function probeOne(options: GateOptions, target: Target): Promise<CheckResult> {
  const request = { url: target.url, headers: target.headers, timeoutMs: options.settings.timeoutMs };
  try {
    return evaluate(target.spec, await options.probe.probe(request, options.signal), target.url, versionRule(options));
  } catch (error) {
    // A probe should answer `kind: "error"`; anything it throws outside an abort is one too.
    if (options.signal.aborted) throw error;
    return { check: target.spec.name, url: target.url, outcome: "error", reason: errorMessage(error) };
  }
}

/** The version rule of a gate: none without a `versionHeader`; no expected version without a `versionId`. */
function versionRule(options: GateOptions): VersionRule | undefined {
  const header = options.settings.versionHeader;
  if (header === undefined || header === "") return undefined;
  const expected = options.versionId?.trim();
  return { header, ...(expected ? { expected } : {}) };
}

function toTarget(spec: CheckSpec, options: GateOptions): Target {
  return { spec, url: checkUrl(options.baseUrl, spec), headers: mergeHeaders(spec, options) };
}

/** Header names are case-insensitive: lower-case both sets so the gate's own headers win cleanly. */
function mergeHeaders(spec: CheckSpec, options: GateOptions): Record<string, string> {
  const lower = (headers: Readonly<Record<string, string>> = {}) =>
    Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { ...lower(spec.headers), ...lower(options.headers) };
}

/** Sleeps until `at`; false when the signal aborted the wait. */
async function sleepUntil(clock: Clock, at: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(Math.max(0, at - clock.now()), signal);
    return true;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
}

function logMeasurement(options: GateOptions, measurement: Measurement): void {
  const checks = measurement.checks.map((c) => {
    const latency = c.latencyMs === undefined ? "" : ` ${formatDuration(c.latencyMs)}`;
    return `${c.check} ${c.status ?? c.outcome}${latency}${c.reason ? `: ${c.reason}` : ""}`;
  });
  const line = `${options.gate} #${measurement.index + 1} ${measurement.outcome}: ${checks.join("; ")}`;
  if (measurement.outcome === "successful") options.logger?.info(line);
  else options.logger?.warn(line);
}

function finishReport(
  options: GateOptions,
  startedAt: number,
  measurements: readonly Measurement[],
  outcome: GateReport["outcome"],
  reason: string | undefined,
): GateReport {
  const rule = versionRule(options);
  return {
    gate: options.gate,
    environment: options.environment,
    baseUrl: options.baseUrl,
    ...(options.versionId === undefined ? {} : { versionId: options.versionId }),
    outcome,
    ...(reason === undefined ? {} : { reason }),
    startedAt,
    endedAt: options.clock.now(),
    measurements,
    stats: gateStats(measurements),
    ...(rule === undefined ? {} : { versions: gateVersions(measurements, rule.header, rule.expected) }),
  };
}
