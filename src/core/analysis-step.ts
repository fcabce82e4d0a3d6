/**
 * The traffic analysis of one `gradual` step: waits for the step's window and the analytics'
 * ingestion delay, reads both versions' traffic, and judges it (analysis.ts). Too few requests
 * or analytics that do not answer are read again until `maxWaitMs` has passed; then the
 * configured policy decides, and it is never a silent pass.
 */
import { judgeCanary, percent, type AnalysisDecision, type AnalysisSettings } from "./analysis.js";
import { ConfigError, errorMessage, isAbort } from "./errors.js";
import type { Clock, DeployTarget, Logger, TrafficAnalytics } from "./ports.js";
import { readProduction, type ProductionReading } from "./production-watch.js";
import type { RunScope } from "./run-scope.js";

/** What one step's analysis found, kept for the summary and the health report. */
export interface StepAnalysis {
  /** The step's percentage of traffic on the new version. */
  readonly step: number;
  readonly candidateVersionId: string;
  readonly baselineVersionId: string;
  /** The window of the last read (epoch ms). */
  readonly from: number;
  readonly until: number;
  /**
   * `passed`/`failed`: judged. `no-verdict-failed`: could not judge, failed by policy.
   * `no-verdict-probes-only`: could not judge, passed on the probes alone by policy.
   */
  readonly outcome: "passed" | "failed" | "no-verdict-failed" | "no-verdict-probes-only" | "cancelled";
  readonly why: string;
  readonly decision?: AnalysisDecision;
  /** How many times the analytics were read. */
  readonly reads: number;
  /** The last error of the analytics, when a read failed. */
  readonly error?: string;
}

export interface StepAnalysisArgs {
  readonly analytics: TrafficAnalytics;
  readonly settings: AnalysisSettings;
  readonly target: DeployTarget;
  readonly step: number;
  readonly candidate: string;
  readonly baseline: string;
  /** When the step's traffic split took effect (epoch ms). */
  readonly from: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

/** How often the analytics are read again while a step waits for enough requests, at most. */
const MAX_POLL_MS = 15_000;
const MIN_POLL_MS = 1_000;

/** Runs one step's analysis. Never throws for an analytics failure: the result says what happened. */
export async function analyseStep(args: StepAnalysisArgs): Promise<StepAnalysis> {
  const { settings, clock, signal } = args;
  const base = { step: args.step, candidateVersionId: args.candidate, baselineVersionId: args.baseline };
  const firstRead = args.from + settings.windowMs + settings.ingestionDelayMs;
  const deadline = firstRead + settings.maxWaitMs;
  const poll = Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, settings.windowMs));
  let reads = 0;
  let last: AnalysisDecision | undefined;
  let error: string | undefined;
  let until = args.from;
  try {
    await clock.sleep(Math.max(0, firstRead - clock.now()), signal);
    for (;;) {
      until = clock.now() - settings.ingestionDelayMs;
      reads += 1;
      try {
        const traffic = await args.analytics.read(args.target, { from: args.from, until }, signal);
        const find = (id: string) => traffic.find((t) => t.versionId === id);
        last = judgeCanary(find(args.candidate), find(args.baseline), settings, { candidate: args.candidate, baseline: args.baseline });
        error = undefined;
        if (last.verdict !== "insufficient") {
          return { ...base, from: args.from, until, outcome: last.verdict, why: last.why, decision: last, reads };
        }
        args.logger.info(`Traffic analysis at ${args.step}%: ${last.why}; reading again.`);
      } catch (caught) {
        if (isAbort(caught) || signal.aborted) throw caught;
        error = errorMessage(caught);
        args.logger.warn(`Traffic analysis at ${args.step}%: the analytics could not be read: ${error}`);
      }
      const next = clock.now() + poll;
      if (next > deadline) break;
      await clock.sleep(poll, signal);
    }
  } catch (caught) {
    if (!(isAbort(caught) || signal.aborted)) throw caught;
    return { ...base, from: args.from, until, outcome: "cancelled", why: "the run was cancelled during the traffic analysis", reads };
  }
  const cause = error ? `the analytics could not be read (${error})` : (last?.why ?? "no traffic was read");
  const waited = `after waiting ${Math.round((settings.windowMs + settings.ingestionDelayMs + settings.maxWaitMs) / 1000)} s`;
  const outcome = settings.noVerdict === "fail" ? "no-verdict-failed" : "no-verdict-probes-only";
  const why =
    outcome === "no-verdict-failed"
      ? `no verdict ${waited}: ${cause}; production.analysis.no-verdict is fail`
      : `no verdict ${waited}: ${cause}; passed on the probes alone (production.analysis.no-verdict: probes-only)`;
  return { ...base, from: args.from, until, outcome, why, ...(last ? { decision: last } : {}), reads, ...(error ? { error } : {}) };
}

/**
 * Before anything is deployed: analysis configured for a gradual production needs analytics
 * it can read (a token without Account Analytics Read fails here, not after the canary went live).
 */
export async function analysisPreflight(s: RunScope): Promise<void> {
  const production = s.config.production;
  if (!production.analysis || production.strategy !== "gradual" || s.config.stages === "staging") return;
  if (!s.deps.analytics) {
    throw new ConfigError(
      "production.analysis",
      "production.analysis is set, but this run has no analytics provider to read traffic with.",
    );
  }
  await s.deps.analytics.prepare?.({ environment: production.environment }, s.signal);
}

/** One line of the log or the summary for a step's analysis. */
export function describeStepAnalysis(a: StepAnalysis): string {
  const c = a.decision?.candidate;
  const b = a.decision?.baseline;
  const figures =
    c && b
      ? ` (new: ${c.requests} requests, ${c.errors} errors, ${percent(c.errorRate)}; baseline: ${b.requests}, ${b.errors}, ${percent(b.errorRate)})`
      : "";
  return `${a.outcome}: ${a.why}${figures}`;
}

/**
 * The analysis of a `gradual` step in a release: recorded as a health stage, learnt for the
 * summary, and, when the new version did worse (or no verdict fails by policy), what the
 * production flow treats as a failed health gate: the same rollback.
 */
export async function judgeStep(
  s: RunScope,
  target: DeployTarget,
  step: { readonly step: number; readonly candidate: string; readonly baseline: string; readonly from: number },
): Promise<{ cause: "gate-failed" | "cancelled"; why: string; reading: ProductionReading } | undefined> {
  const settings = s.config.production.analysis;
  const analytics = s.deps.analytics;
  if (!settings || !analytics) return undefined;
  const label = `Traffic analysis on ${target.environment} (${step.step}%: ${step.candidate} vs ${step.baseline})`;
  const result = await s.rec.stage("health", label, async () => {
    const found = await analyseStep({ analytics, settings, target, ...step, clock: s.deps.clock, logger: s.deps.logger, signal: s.signal });
    s.learn({ analyses: [...(s.facts.analyses ?? []), found] });
    const line = describeStepAnalysis(found);
    if (found.outcome === "no-verdict-probes-only") s.rec.warn(`Traffic analysis at ${step.step}% ${line}`);
    else s.deps.logger.info(`Traffic analysis at ${step.step}% ${line}`);
    const status =
      found.outcome === "passed" || found.outcome === "no-verdict-probes-only"
        ? "passed"
        : found.outcome === "cancelled"
          ? "cancelled"
          : "failed";
    return { status: status as "passed" | "failed" | "cancelled", detail: found.why, found };
  });
  const found = result.found;
  if (found.outcome === "passed" || found.outcome === "no-verdict-probes-only") return undefined;
  const reading = await readProduction(s.deps.deployer, target, s.deps.clock, s.signal);
  if (found.outcome === "cancelled") return { cause: "cancelled", why: found.why, reading };
  return { cause: "gate-failed", why: `traffic analysis at ${step.step}% failed: ${found.why}`, reading };
}
