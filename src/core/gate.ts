/**
 * Gates (SPEC section 5): repeated HTTP measurements judged by Argo Rollouts' analysis rules.
 * `runGate` decides pass or fail (smoke, health); `watchGate` keeps checking until stopped
 * (staging while an approval is pending).
 */
import { errorMessage } from "./errors.js";
import { checkUrl, evaluate, type VersionRule } from "./gate-check.js";
import { attemptsOf, ERROR_RETRY_MS, judge, latencySamples, MIN_P95_SAMPLES, percentile } from "./gate-rules.js";
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

/** `watchGate` takes the same options; `settings.count` sizes its judged window (see `watchWindow`). */
export type WatchOptions = GateOptions;

export { checkUrl, evaluate, type VersionRule } from "./gate-check.js";
export { binomialTail, ERROR_RETRY_MS, judge, latencySamples, percentile, watchWindow, type Verdict } from "./gate-rules.js";

// ---------------------------------------------------------------------------------------------
// Statistics

/** Counts and p50/p95 latency (over `latencySamples`, the samples the latency rule judges) of a gate's measurements. */
export function gateStats(measurements: readonly Measurement[]): GateStats {
  const checks = measurements.flatMap((m) => m.checks);
  const latencies = latencySamples(measurements);
  const tally = (outcome: MeasurementOutcome) => measurements.filter((m) => m.outcome === outcome).length;
  const stats = { successful: tally("successful"), failed: tally("failed"), errors: tally("error") };
  const p50Ms = percentile(latencies, 50);
  const p95Ms = percentile(latencies, 95);
  return {
    count: stats.successful + stats.failed,
    ...stats,
    requests: checks.reduce((sum, check) => sum + attemptsOf(check).length, 0),
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
  for (const check of measurements.flatMap((m) => m.checks.flatMap(attemptsOf))) {
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
// Running

interface Target {
  readonly spec: CheckSpec;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Runs a gate to a verdict: every `intervalMs` (start to start, so a gate lasts about
 * `count × interval`) one measurement probes all checks concurrently, each with its confirming
 * re-probes (`settings.confirm`). A measurement is `failed` if any check failed, else `error`
 * if any check errored, else `successful`: an expectation that was not met is news about the
 * release even when another check could not connect. After an `error` the next measurement
 * comes after `ERROR_RETRY_MS` (or the interval, if shorter), as Argo retries sooner.
 */
export function runGate(options: GateOptions): Promise<GateReport> {
  return loop(options, false);
}

/**
 * Measures like `runGate` until `signal` aborts (outcome `cancelled`: it never failed) or a
 * failure rule trips on the watch's judged window (`failed`, see `watchWindow`).
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
  for (let index = 0; !signal.aborted; index++) {
    const startAt = clock.now();
    const measurement = await measure(options, targets, index);
    // Results that raced an abort may be abort-made errors: they are not evidence.
    if (measurement === undefined || signal.aborted) break;
    measurements.push(measurement);
    options.onMeasurement?.(measurement);
    logMeasurement(options, measurement);
    const verdict = judge(measurements, settings, watching);
    if (verdict?.outcome === "passed") warnFewSamples(options, measurements);
    if (verdict) return finish(verdict.outcome, verdict.outcome === "failed" ? verdict.reason : undefined);
    const wait = measurement.outcome === "error" ? Math.min(settings.intervalMs, ERROR_RETRY_MS) : settings.intervalMs;
    if (!(await sleepUntil(clock, startAt + wait, signal))) break;
  }
  return finish("cancelled");
}

/** A passed gate whose reported p95 is over `max-latency` says why that p95 was not judged. */
function warnFewSamples(options: GateOptions, measurements: readonly Measurement[]): void {
  const max = options.settings.maxLatencyMs;
  const samples = latencySamples(measurements);
  const p95 = percentile(samples, 95);
  if (max === undefined || p95 === undefined || p95 <= max) return;
  const slow = samples.filter((latency) => latency > max).length;
  options.logger?.warn(
    `${options.gate}: p95 ${formatDuration(p95)} is over max ${formatDuration(max)}, but over ${samples.length} requests it is the ` +
      `slowest few (${slow} slower than max), not judged below ${MIN_P95_SAMPLES} requests; more measurements (count) make it a p95.`,
  );
}

/** One measurement, or `undefined` when the run was aborted while probing. */
async function measure(options: GateOptions, targets: readonly Target[], index: number): Promise<Measurement | undefined> {
  const at = options.clock.now();
  try {
    const checks = await Promise.all(targets.map((target) => confirmed(options, target)));
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

/**
 * One check in one measurement: a request, then re-probes right away while none came back as a
 * quick success, at most `confirm` of them and none started `timeoutMs` or more after the first.
 * An answer from another version ends it: that is no network noise.
 */
async function confirmed(options: GateOptions, target: Target): Promise<CheckResult> {
  const { clock, settings } = options;
  const started = clock.now();
  const attempts: CheckResult[] = [];
  for (let left = settings.confirm ?? 0; ; left--) {
    const attempt = await probeOne(options, target);
    attempts.push(attempt);
    if (quickSuccess(attempt, settings.maxLatencyMs) || otherVersion(attempt) || left <= 0) break;
    if (clock.now() - started >= settings.timeoutMs) break;
  }
  if (attempts.length === 1) return attempts[0]!;
  const deciding = attempts.findLast((a) => a.outcome === "successful") ?? attempts.find((a) => a.outcome === "failed") ?? attempts.at(-1)!;
  return { ...deciding, attempts: attempts.map(({ check: _check, url: _url, ...attempt }) => attempt) };
}

/** An answer from another version is no network noise (a pin was dropped, another deploy is live): asking again proves nothing. */
function otherVersion(attempt: CheckResult): boolean {
  return attempt.outcome === "error" && attempt.status !== undefined;
}

function quickSuccess(attempt: CheckResult, maxLatencyMs: Millis | undefined): boolean {
  if (attempt.outcome !== "successful") return false;
  return maxLatencyMs === undefined || attempt.latencyMs === undefined || attempt.latencyMs <= maxLatencyMs;
}

async function probeOne(options: GateOptions, target: Target): Promise<CheckResult> {
  const { timeoutMs, maxBodyBytes } = options.settings;
  const request = { url: target.url, headers: target.headers, timeoutMs, ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }) };
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
  if (!options.logger) return;
  const checks = measurement.checks.map((c) => {
    const latency = c.latencyMs === undefined ? "" : ` ${formatDuration(c.latencyMs)}`;
    const tries = c.attempts ? ` (${c.attempts.length} tries: ${c.attempts.map((a) => a.status ?? a.outcome).join(", ")})` : "";
    return `${c.check} ${c.status ?? c.outcome}${latency}${c.reason ? `: ${c.reason}` : ""}${tries}`;
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
