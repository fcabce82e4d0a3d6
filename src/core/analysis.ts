/**
 * Canary analysis on real traffic: the pure decision of whether a new version, given a share of
 * production by a `gradual` step, did worse than the version it shares production with (the
 * baseline) over the step's window, by the platform's own analytics (per version: requests,
 * errors, wall-time quantiles).
 *
 * The rule, in order:
 * 1. Sampling: analytics are sampled; the sums are estimates of every request, and
 *    `sampleInterval` says how many requests one stored row stands for. The test counts what
 *    was observed (requests / sampleInterval, errors / sampleInterval), never the estimate: a
 *    sum of 1 000 requests at interval 10 is 100 observations, and is judged as such.
 * 2. Too few observations (either version below `minRequests`) is no verdict: `insufficient`,
 *    never a pass.
 * 3. Errors: the new version fails when its error rate is above the baseline's beyond chance
 *    AND above `errorFloor` (an absolute rate tolerated whatever the baseline does). The test is
 *    Fisher's exact test, one-sided (H0: the new version's error rate is not above the
 *    baseline's), at level `falseAlarmRate`: when both versions err alike, a step fails on
 *    errors with probability at most `falseAlarmRate` (the exact test is conservative, so
 *    usually less). A baseline that fails as much is "not worse": rolling back would not help.
 * 4. Latency: the new version fails when its wall-time quantile (`latencyQuantile`) is above
 *    `maxLatencyRatio` × the baseline's AND above it by more than `latencyMarginMs` (a
 *    millisecond of noise on a 2 ms Worker is not a regression).
 */
import type { Millis } from "./types.js";

/** One version's traffic over a window, as the analytics counted it. */
export interface VersionTraffic {
  readonly versionId: string;
  /** Requests, as the analytics estimate them (sampling already scaled up). */
  readonly requests: number;
  /** Failed invocations among them (same scale). */
  readonly errors: number;
  /** Requests one stored row stands for on average (1: not sampled). */
  readonly sampleInterval: number;
  /** Wall-time quantiles in microseconds, when the analytics had them. */
  readonly wallTimeUs: Partial<Record<LatencyQuantile, number>>;
}

export type LatencyQuantile = "p50" | "p75" | "p90" | "p99";
export const LATENCY_QUANTILES: readonly LatencyQuantile[] = ["p50", "p75", "p90", "p99"];

/** What to do when the analysis cannot judge (too few requests, analytics unavailable). */
export type NoVerdictPolicy = "fail" | "probes-only";

/** `production.analysis` of the config file, resolved. */
export interface AnalysisSettings {
  /** Traffic a step collects before its first judgement. */
  readonly windowMs: Millis;
  /** How long after an invocation the analytics count it: the window read ends this long ago. */
  readonly ingestionDelayMs: Millis;
  /** Observed requests each version needs before it is judged. */
  readonly minRequests: number;
  /** Level of the error test: the chance that a step with no real difference fails on errors. */
  readonly falseAlarmRate: number;
  /** Error rate (0..1) tolerated whatever the baseline does. */
  readonly errorFloor: number;
  readonly latencyQuantile: LatencyQuantile;
  readonly maxLatencyRatio: number;
  readonly latencyMarginMs: Millis;
  /** How long a step waits, after its window, for enough requests (or for the analytics to answer). */
  readonly maxWaitMs: Millis;
  /** After `maxWaitMs` without a verdict: fail the step, or pass on the probes alone (with a warning). */
  readonly noVerdict: NoVerdictPolicy;
}

export const DEFAULT_ANALYSIS: AnalysisSettings = {
  windowMs: 60_000,
  ingestionDelayMs: 60_000,
  minRequests: 200,
  falseAlarmRate: 0.01,
  errorFloor: 0.01,
  latencyQuantile: "p99",
  maxLatencyRatio: 1.5,
  latencyMarginMs: 50,
  maxWaitMs: 300_000,
  noVerdict: "fail",
};

/** One version's figures as the test used them. */
export interface JudgedVersion {
  readonly versionId: string;
  readonly requests: number;
  readonly errors: number;
  readonly sampleInterval: number;
  /** Observations: requests / sampleInterval, rounded. */
  readonly observed: number;
  readonly observedErrors: number;
  readonly errorRate: number;
  /** The compared wall-time quantile, in ms. */
  readonly latencyMs?: number;
}

export interface AnalysisDecision {
  readonly verdict: "passed" | "failed" | "insufficient";
  /** Why, in one sentence. */
  readonly why: string;
  readonly candidate?: JudgedVersion;
  readonly baseline?: JudgedVersion;
  /** One-sided p-value of Fisher's exact test (absent when not judged). */
  readonly pValue?: number;
  readonly errorsWorse?: boolean;
  readonly latencyWorse?: boolean;
}

/** Judges the new version (`candidate`) against the baseline. Pure. */
export function judgeCanary(
  candidate: VersionTraffic | undefined,
  baseline: VersionTraffic | undefined,
  settings: AnalysisSettings,
  ids: { readonly candidate: string; readonly baseline: string },
): AnalysisDecision {
  const cand = judged(candidate ?? empty(ids.candidate), settings.latencyQuantile);
  const base = judged(baseline ?? empty(ids.baseline), settings.latencyQuantile);
  const short = [cand, base].filter((v) => v.observed < settings.minRequests);
  if (short.length > 0) {
    const which = short.map((v) => `${v === cand ? "new" : "baseline"} version ${v.observed} observed`).join(", ");
    return {
      verdict: "insufficient",
      why: `too few requests to judge: ${which}, ${settings.minRequests} needed for each`,
      candidate: cand,
      baseline: base,
    };
  }
  const pValue = fisherOneSided(cand.observedErrors, cand.observed, base.observedErrors, base.observed);
  const significant = pValue < settings.falseAlarmRate;
  const errorsWorse = significant && cand.errorRate > settings.errorFloor;
  const latencyWorse =
    cand.latencyMs !== undefined &&
    base.latencyMs !== undefined &&
    cand.latencyMs > base.latencyMs * settings.maxLatencyRatio &&
    cand.latencyMs - base.latencyMs > settings.latencyMarginMs;
  const rates = `errors ${percent(cand.errorRate)} (new) vs ${percent(base.errorRate)} (baseline), one-sided Fisher p = ${formatP(pValue)}`;
  const q = settings.latencyQuantile;
  const latency =
    cand.latencyMs !== undefined && base.latencyMs !== undefined
      ? `wall-time ${q} ${formatLatency(cand.latencyMs)} vs ${formatLatency(base.latencyMs)}`
      : `wall-time ${q} not reported`;
  const reasons: string[] = [];
  if (errorsWorse)
    reasons.push(
      `more errors than the baseline beyond chance (${rates} < ${settings.falseAlarmRate}) and above the ${percent(settings.errorFloor)} floor`,
    );
  if (latencyWorse)
    reasons.push(
      `slower than the baseline (${latency}: more than ×${settings.maxLatencyRatio} and ${formatLatency(settings.latencyMarginMs)} above it)`,
    );
  if (reasons.length > 0) {
    return { verdict: "failed", why: reasons.join("; "), candidate: cand, baseline: base, pValue, errorsWorse, latencyWorse };
  }
  const errorsNote = significant
    ? `errors above the baseline's but within the ${percent(settings.errorFloor)} floor (${rates})`
    : `${rates}: not worse beyond chance${base.errorRate > settings.errorFloor ? " (the baseline fails as much: rolling back would not help)" : ""}`;
  return { verdict: "passed", why: `${errorsNote}; ${latency}`, candidate: cand, baseline: base, pValue, errorsWorse, latencyWorse };
}

function empty(versionId: string): VersionTraffic {
  return { versionId, requests: 0, errors: 0, sampleInterval: 1, wallTimeUs: {} };
}

function judged(traffic: VersionTraffic, quantile: LatencyQuantile): JudgedVersion {
  const interval = traffic.sampleInterval > 0 && Number.isFinite(traffic.sampleInterval) ? traffic.sampleInterval : 1;
  const observed = Math.round(traffic.requests / interval);
  const observedErrors = Math.min(observed, Math.round(traffic.errors / interval));
  const us = traffic.wallTimeUs[quantile];
  return {
    versionId: traffic.versionId,
    requests: traffic.requests,
    errors: traffic.errors,
    sampleInterval: interval,
    observed,
    observedErrors,
    errorRate: traffic.requests > 0 ? traffic.errors / traffic.requests : 0,
    ...(us !== undefined && Number.isFinite(us) ? { latencyMs: us / 1000 } : {}),
  };
}

/**
 * Fisher's exact test, one-sided: the probability, with both versions erring alike and the
 * total errors fixed, that the new version gets `x1` errors or more among its `n1` requests.
 */
export function fisherOneSided(x1: number, n1: number, x2: number, n2: number): number {
  const total = n1 + n2;
  const errors = x1 + x2;
  if (errors === 0 || n1 === 0 || n2 === 0) return 1;
  const logDenominator = logChoose(total, n1);
  let p = 0;
  for (let k = x1; k <= Math.min(errors, n1); k++) {
    if (errors - k > n2) continue;
    p += Math.exp(logChoose(errors, k) + logChoose(total - errors, n1 - k) - logDenominator);
  }
  return Math.min(1, p);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

// Lanczos approximation (g = 7, n = 9), accurate to about 15 digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

export function percent(rate: number): string {
  const value = rate * 100;
  return `${value >= 10 || value === 0 ? value.toFixed(0) : value.toFixed(value >= 1 ? 1 : 2)} %`;
}

function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}

function formatLatency(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms * 10) / 10} ms`;
}
