import { describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS } from "../../../src/core/analysis.js";
import { resolveConfig } from "../../../src/config/parse-file.js";

const ENV = { GITHUB_REF: "refs/tags/v1.2.0", GITHUB_SHA: "a".repeat(40) };
const resolve = (configText: string, inputs: Record<string, string> = {}) =>
  resolveConfig({ inputs, configText, configPath: ".github/shipline.yml", env: ENV });

describe("production.analysis", () => {
  it("is off unless set", () => {
    expect(resolve("production:\n  strategy: gradual\n").config.production.analysis).toBeUndefined();
  });

  it("fills in the defaults and reads durations like every other duration", () => {
    const { config } = resolve("production:\n  strategy: gradual\n  analysis:\n    window: 2m\n    no-verdict: probes-only\n");
    expect(config.production.analysis).toEqual({ ...DEFAULT_ANALYSIS, windowMs: 120_000, noVerdict: "probes-only" });
  });

  it("rejects a bad value before anything is deployed, naming the key, the value and what is accepted", () => {
    expect(() => resolve("production:\n  analysis:\n    window: soon\n")).toThrow(
      /production\.analysis\.window.*"soon".*a duration such as/s,
    );
    expect(() => resolve("production:\n  analysis:\n    false-alarm-rate: 0.7\n")).toThrow(
      /production\.analysis\.false-alarm-rate.*expected a number above 0 to 0\.5/s,
    );
    expect(() => resolve("production:\n  analysis:\n    latency-quantile: p95\n")).toThrow(/expected one of p50, p75, p90, p99/);
    expect(() => resolve("production:\n  analysis:\n    windw: 1m\n")).toThrow(/windw/);
  });

  it("warns that it does nothing with strategy: direct", () => {
    const { warnings } = resolve("production:\n  analysis: {}\n");
    expect(warnings.join("\n")).toMatch(/production\.analysis is used only with strategy: gradual \(strategy is direct\)/);
  });
});
