/**
 * `production.analysis` of the config file: the traffic analysis of `gradual` steps (off
 * unless set). The helpers come from schema.ts, so the keys read and document like the rest.
 */
import * as z from "zod";
import { DEFAULT_ANALYSIS, LATENCY_QUANTILES, type LatencyQuantile } from "../core/analysis.js";

interface Helpers {
  readonly duration: (key: string, description: string) => z.ZodType<string>;
  readonly count: (key: string, description: string) => z.ZodType<number>;
}

const seconds = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

function rate(description: string, min: number, max: number, exclusiveMin = false) {
  const accepted = `expected a number ${exclusiveMin ? "above" : "from"} ${min} to ${max}`;
  const base = z.number({ error: accepted });
  return (exclusiveMin ? base.gt(min, { error: accepted }) : base.min(min, { error: accepted }))
    .max(max, { error: accepted })
    .meta({ description });
}

export function analysisSchema(h: Helpers) {
  const d = DEFAULT_ANALYSIS;
  const quantiles = LATENCY_QUANTILES as readonly [LatencyQuantile, ...LatencyQuantile[]];
  return z
    .strictObject(
      {
        window: h
          .duration(
            "production.analysis.window",
            `Traffic each gradual step below 100% collects (from the traffic shift) before its analysis. Default: ${seconds(d.windowMs)}.`,
          )
          .optional(),
        "ingestion-delay": h
          .duration(
            "production.analysis.ingestion-delay",
            `How long the analytics take to count an invocation (Cloudflare: about a minute): the window read ends this long ago. Default: ${seconds(d.ingestionDelayMs)}.`,
          )
          .optional(),
        "min-requests": h
          .count(
            "production.analysis.min-requests",
            `Observed requests (sampled rows) each version needs before it is judged; fewer is never a pass. Default: ${d.minRequests}.`,
          )
          .optional(),
        "false-alarm-rate": rate(
          `Level of the one-sided Fisher exact test of error rates: the chance at most that a step with no real difference fails on errors. Default: ${d.falseAlarmRate}.`,
          0,
          0.5,
          true,
        ).optional(),
        "error-floor": rate(
          `Error rate (0 to 1) the new version may have whatever the baseline does: it fails on errors only above it. Default: ${d.errorFloor} (1 %).`,
          0,
          1,
        ).optional(),
        "latency-quantile": z
          .enum(quantiles, { error: `expected one of ${quantiles.join(", ")}` })
          .meta({ description: `Wall-time quantile compared with the baseline's. Default: ${d.latencyQuantile}.` })
          .optional(),
        "max-latency-ratio": z
          .number({ error: "expected a number of at least 1" })
          .min(1, { error: "expected a number of at least 1" })
          .meta({
            description: `The new version fails when its quantile is above this many times the baseline's. Default: ${d.maxLatencyRatio}.`,
          })
          .optional(),
        "latency-margin": h
          .duration(
            "production.analysis.latency-margin",
            `...and above it by more than this (noise on a fast Worker is no regression). Default: ${seconds(d.latencyMarginMs)}.`,
          )
          .optional(),
        "max-wait": h
          .duration(
            "production.analysis.max-wait",
            `How long a step waits after its window for enough requests, or for the analytics to answer. Default: ${seconds(d.maxWaitMs)}.`,
          )
          .optional(),
        "no-verdict": z
          .enum(["fail", "probes-only"], { error: "expected one of fail, probes-only" })
          .meta({
            description: `After max-wait without a verdict (too few requests, analytics unavailable): fail the step (roll back), or pass it on the probes alone, with a warning. Default: ${d.noVerdict}.`,
          })
          .optional(),
      },
      { error: "expected a mapping of analysis settings" },
    )
    .meta({
      description:
        "Traffic analysis of each gradual step below 100%: the new version's errors and wall time against the baseline's, from the platform's analytics (Cloudflare GraphQL Analytics; the token needs Account Analytics Read). Off unless set; used with strategy: gradual.",
    });
}
