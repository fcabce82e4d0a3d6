/**
 * The rules that turn a gate's measurements into a verdict (SPEC section 5, Gates): Argo
 * Rollouts' counting (failure-limit, consecutive-error-limit, count), the latency rule, and the
 * staging watch's judged window. Pure: the measurements in, the verdict out. `gate.ts` runs them.
 */
import { formatDuration } from "./parse.js";
import type { CheckResult, GateSettings, Measurement, MeasurementOutcome, Millis, ProbeAttempt } from "./types.js";

export type Verdict = { readonly outcome: "passed" } | { readonly outcome: "failed"; readonly reason: string };

/** After an `error` measurement the next one comes this soon (or after the interval, if shorter). Argo waits 10 s. */
export const ERROR_RETRY_MS: Millis = 1_000;

/** Below this many latency samples a p95 is one slow request, so the gate judges no p95 by itself. */
export const MIN_P95_SAMPLES = 20;

/**
 * The latency rule's doubt: the gate fails early on latency when, were at most 5 % of requests
 * slower than `max-latency` (a p95 within it), this many slow requests among those seen would
 * happen with a chance below 0.1 %.
 */
export const LATENCY_DOUBT = 0.001;
const P95_SLOW_SHARE = 0.05;
/** The share of answers a healthy service may fail transiently, for `partialOutage`. */
const TRANSIENT_SHARE = 0.05;

/** How the watch judges (see `watchWindow`). */
export interface WatchWindow {
  /** Measurements judged: the latest `size`. */
  readonly size: number;
  /** Failed measurements tolerated in the window. */
  readonly tolerated: number;
}

/**
 * The staging watch runs for as long as an approval waits (an hour is 720 measurements at 5 s),
 * so adding failures up over the whole wait would deny healthy releases. It judges the latest
 * `max(count, tolerated + 1)` measurements and tolerates `max(failure-limit, 1)` failed ones
 * among them: one confirmed failure alone never denies, two close together do.
 */
export function watchWindow(settings: GateSettings): WatchWindow {
  const tolerated = Math.max(settings.failureLimit, 1);
  return { size: Math.max(settings.count, tolerated + 1), tolerated };
}

/**
 * The verdict after the latest measurement, or `undefined` to go on. Argo's order: failures,
 * then consecutive errors, then (ours) latency, then `count` reached. A gate (`watching`
 * false) adds failures up over all its measurements; the watch judges `watchWindow` only.
 */
export function judge(measurements: readonly Measurement[], settings: GateSettings, watching: boolean): Verdict | undefined {
  const judged = watching ? measurements.slice(-watchWindow(settings).size) : measurements;
  const failed = judged.filter((m) => m.outcome === "failed");
  const tolerated = watching ? watchWindow(settings).tolerated : settings.failureLimit;
  if (failed.length > tolerated) {
    const limit = watching ? `tolerated ${tolerated} in the latest ${judged.length}` : `failure-limit ${settings.failureLimit}`;
    return { outcome: "failed", reason: `${problems(failed.at(-1), "failed")} (${failed.length} failed measurement(s), ${limit})` };
  }
  const streak = errorStreak(measurements);
  if (streak > settings.consecutiveErrorLimit) {
    const why = `${streak} consecutive errors, consecutive-error-limit ${settings.consecutiveErrorLimit}`;
    return { outcome: "failed", reason: `${problems(measurements.at(-1), "error")} (${why})` };
  }
  const partial = watching || !settings.confirm ? undefined : partialOutage(measurements);
  if (partial !== undefined) return { outcome: "failed", reason: partial };
  // The watch never passes (and looks at its window only, so an hour's wait costs no more per measurement than a minute's).
  const counted = watching ? [] : measurements.filter((m) => m.outcome !== "error");
  const done = !watching && counted.length >= Math.max(1, settings.count);
  const slow = latencyProblem(latencySamples(judged), settings.maxLatencyMs, done);
  if (slow !== undefined) return { outcome: "failed", reason: slow };
  if (!done) return undefined;
  // Only reachable when failure-limit >= count slipped past config validation: never pass on no data.
  if (!counted.some((m) => m.outcome === "successful")) return { outcome: "failed", reason: "no measurement succeeded" };
  return { outcome: "passed" };
}

/**
 * Re-probes must not hide a partial outage: a check failing half its requests would fail a
 * measurement only when all its tries fail. With `confirm`, a gate also fails as soon as so many
 * answers of the version judged missed their expectations that, were at most 5 % of them
 * transient failures, that many would happen with a chance below 0.1 % (the latency rule's test).
 */
function partialOutage(measurements: readonly Measurement[]): string | undefined {
  let answers = 0;
  let last: { check: CheckResult; attempt: ProbeAttempt } | undefined;
  let failed = 0;
  for (const check of measurements.flatMap((m) => m.checks)) {
    for (const attempt of attemptsOf(check)) {
      if (attempt.status === undefined || attempt.outcome === "error") continue;
      answers++;
      if (attempt.outcome === "failed") {
        failed++;
        last = { check, attempt };
      }
    }
  }
  if (last === undefined || binomialTail(answers, failed, TRANSIENT_SHARE) >= LATENCY_DOUBT) return undefined;
  return (
    `${last.check.check} (${last.check.url}): ${last.attempt.reason ?? "failed"} (${failed} of ${answers} answers missed their ` +
    "expectations: more than transient failures explain, though re-probes passed some measurements)"
  );
}

/** Errors at the end of `measurements`: a counted measurement resets the streak. */
function errorStreak(measurements: readonly Measurement[]): number {
  let streak = 0;
  for (let i = measurements.length - 1; i >= 0 && measurements[i]!.outcome === "error"; i--) streak++;
  return streak;
}

/** `GET /api/health (https://…): expected status 200-299, got 503` for each guilty check. */
function problems(measurement: Measurement | undefined, outcome: MeasurementOutcome): string {
  const guilty = measurement?.checks.filter((c) => c.outcome === outcome) ?? [];
  return guilty.map((c) => `${c.check} (${c.url}): ${c.reason ?? outcome}${tries(c)}`).join("; ");
}

function tries(check: CheckResult): string {
  const attempts = check.attempts?.length ?? 1;
  return attempts > 1 ? ` (${attempts} tries)` : "";
}

// ---------------------------------------------------------------------------------------------
// Latency

/** The requests of a check in one measurement: its `attempts`, or the check itself when it made one. */
export function attemptsOf(check: CheckResult): readonly ProbeAttempt[] {
  return check.attempts ?? [check];
}

/**
 * The latency samples of measurements, the one set both the latency rule and the reported
 * p50/p95 use: every request that got an HTTP answer from the version judged (an answer from
 * another version is an `error` and no sample), re-probes included. Timeouts and refused
 * connections have no latency to speak of.
 */
export function latencySamples(measurements: readonly Measurement[]): Millis[] {
  const samples: Millis[] = [];
  for (const measurement of measurements) {
    for (const check of measurement.checks) {
      for (const attempt of attemptsOf(check)) {
        if (attempt.status !== undefined && attempt.outcome !== "error" && attempt.latencyMs !== undefined) samples.push(attempt.latencyMs);
      }
    }
  }
  return samples;
}

/** Nearest-rank percentile (`p` in 0-100): the smallest value with at least p% of values <= it. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p * sorted.length) / 100)));
  return sorted[rank - 1];
}

/**
 * With `max-latency`: fails as soon as so many samples are slower than the ceiling that a p95
 * within it is beyond reasonable doubt (`LATENCY_DOUBT`), and, when the gate is `done`, when
 * the p95 of at least `MIN_P95_SAMPLES` samples is over it. Below that many samples the p95 is
 * the slowest request or close to it, and one slow request in a healthy tail is no regression.
 */
export function latencyProblem(samples: readonly Millis[], max: Millis | undefined, done: boolean): string | undefined {
  if (max === undefined || samples.length === 0) return undefined;
  const slow = samples.filter((latency) => latency > max);
  if (slow.length > 0 && binomialTail(samples.length, slow.length, P95_SLOW_SHARE) < LATENCY_DOUBT) {
    return (
      `p95 latency over max ${formatDuration(max)}: ${slow.length} of ${samples.length} requests took longer, ` +
      `the slowest ${formatDuration(Math.max(...slow))} (p95 ${formatDuration(percentile(samples, 95)!)})`
    );
  }
  if (!done || samples.length < MIN_P95_SAMPLES) return undefined;
  const p95 = percentile(samples, 95)!;
  return p95 > max ? `p95 ${formatDuration(p95)} > max ${formatDuration(max)} over ${samples.length} requests` : undefined;
}

/** P(X >= k) for X ~ Binomial(n, p), summed in log space so that large `n` stays finite. */
export function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let logTerm = logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  let total = 0;
  for (let i = k; i <= n; i++) {
    total += Math.exp(logTerm);
    logTerm += Math.log(n - i) - Math.log(i + 1) + Math.log(p) - Math.log1p(-p);
  }
  return Math.min(1, total);
}

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}
