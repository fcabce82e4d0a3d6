/**
 * `production.analysis` → `AnalysisSettings` (defaults filled in), checked before anything is
 * deployed. Shapes and ranges are the schema's; durations are read with the same parser as
 * every other duration.
 */
import { DEFAULT_ANALYSIS, type AnalysisSettings } from "../core/analysis.js";
import type { Strategy } from "../core/types.js";
import type { ConfigFile } from "./schema.js";
import type { Settings } from "./settings.js";
import { fromConfig, parseByKind } from "./values.js";

type AnalysisFile = NonNullable<NonNullable<ConfigFile["production"]>["analysis"]>;

/** The analysis settings, or `undefined` when the config file does not set `production.analysis`. */
export function resolveAnalysis(settings: Settings, strategy: Strategy): AnalysisSettings | undefined {
  const file: AnalysisFile | undefined = settings.file.production?.analysis;
  if (!file) return undefined;
  if (strategy !== "gradual") {
    settings.warnings.push(
      `production.analysis is used only with strategy: gradual (strategy is ${strategy}): a direct deploy gives the new version all traffic at once, with nothing to compare it with.`,
    );
  }
  const duration = (key: keyof AnalysisFile, fallback: number): number => {
    const raw = file[key];
    if (raw === undefined) return fallback;
    const parsed = settings.attempt(() => parseByKind({ type: "duration" }, fromConfig(`production.analysis.${key}`), raw));
    return typeof parsed === "number" ? parsed : fallback;
  };
  const d = DEFAULT_ANALYSIS;
  return {
    windowMs: duration("window", d.windowMs),
    ingestionDelayMs: duration("ingestion-delay", d.ingestionDelayMs),
    minRequests: file["min-requests"] ?? d.minRequests,
    falseAlarmRate: file["false-alarm-rate"] ?? d.falseAlarmRate,
    errorFloor: file["error-floor"] ?? d.errorFloor,
    latencyQuantile: file["latency-quantile"] ?? d.latencyQuantile,
    maxLatencyRatio: file["max-latency-ratio"] ?? d.maxLatencyRatio,
    latencyMarginMs: duration("latency-margin", d.latencyMarginMs),
    maxWaitMs: duration("max-wait", d.maxWaitMs),
    noVerdict: file["no-verdict"] ?? d.noVerdict,
  };
}
