import { describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS, fisherOneSided, judgeCanary, logGamma, type VersionTraffic } from "../../../src/core/analysis.js";
import { DEFAULT_SCENARIOS, simulate } from "../../../src/testing/analysis-simulation.js";

const IDS = { candidate: "new", baseline: "old" };
const traffic = (versionId: string, requests: number, errors: number, extra: Partial<VersionTraffic> = {}): VersionTraffic => ({
  versionId,
  requests,
  errors,
  sampleInterval: 1,
  wallTimeUs: { p99: 20_000 },
  ...extra,
});

describe("Fisher's exact test, one-sided", () => {
  it("matches hand-computed hypergeometric tails", () => {
    // 2 errors in 4 + 0 in 4: P(X >= 2) with N=8, K=2, n=4 = C(4,2)/C(8,2) = 6/28.
    expect(fisherOneSided(2, 4, 0, 4)).toBeCloseTo(6 / 28, 12);
    // The classic tea-tasting table: 3 of 4 right, P(X >= 3) = 17/70.
    expect(fisherOneSided(3, 4, 1, 4)).toBeCloseTo(17 / 70, 12);
    expect(fisherOneSided(0, 100, 0, 100)).toBe(1);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 10);
  });
});

describe("judgeCanary", () => {
  it("passes two versions that err alike", () => {
    const d = judgeCanary(traffic("new", 1000, 6), traffic("old", 1000, 5), DEFAULT_ANALYSIS, IDS);
    expect(d.verdict).toBe("passed");
    expect(d.pValue).toBeGreaterThan(0.3);
    expect(d.why).toContain("not worse beyond chance");
  });

  it("fails a big regression on errors, naming the rates and the test", () => {
    const d = judgeCanary(traffic("new", 1000, 50), traffic("old", 1000, 5), DEFAULT_ANALYSIS, IDS);
    expect(d.verdict).toBe("failed");
    expect(d.errorsWorse).toBe(true);
    expect(d.pValue).toBeLessThan(1e-6);
    expect(d.why).toMatch(/more errors than the baseline beyond chance \(errors 5\.0 % \(new\) vs 0\.50 % \(baseline\)/);
  });

  it("fails a small real regression once it is beyond chance and above the floor", () => {
    const d = judgeCanary(traffic("new", 2000, 40), traffic("old", 2000, 10), DEFAULT_ANALYSIS, IDS);
    expect(d.verdict).toBe("failed");
    // The same rates on a tenth of the traffic are not beyond chance: more is needed, not a guess.
    const few = judgeCanary(traffic("new", 200, 4), traffic("old", 200, 1), DEFAULT_ANALYSIS, IDS);
    expect(few.verdict).toBe("passed");
  });

  it("tolerates errors above the baseline's but within the floor", () => {
    const d = judgeCanary(traffic("new", 20_000, 150), traffic("old", 20_000, 20), DEFAULT_ANALYSIS, IDS);
    expect(d.pValue).toBeLessThan(0.001);
    expect(d.verdict).toBe("passed");
    expect(d.why).toContain("within the 1.0 % floor");
  });

  it("never passes too few requests: insufficient, naming which version is short", () => {
    const d = judgeCanary(traffic("new", 50, 0), traffic("old", 5000, 0), DEFAULT_ANALYSIS, IDS);
    expect(d.verdict).toBe("insufficient");
    expect(d.why).toBe("too few requests to judge: new version 50 observed, 200 needed for each");
    expect(judgeCanary(undefined, traffic("old", 5000, 0), DEFAULT_ANALYSIS, IDS).verdict).toBe("insufficient");
  });

  it("counts sampled rows, not the scaled-up estimate", () => {
    // 1 000 requests at sample interval 10 are 100 observations: too few for 200.
    const sampled = { sampleInterval: 10 };
    const d = judgeCanary(traffic("new", 1000, 50, sampled), traffic("old", 1000, 5, sampled), DEFAULT_ANALYSIS, IDS);
    expect(d.verdict).toBe("insufficient");
    expect(d.candidate?.observed).toBe(100);
  });

  it("does not fail a new version whose baseline fails as much, and says rolling back would not help", () => {
    const d = judgeCanary(traffic("new", 1000, 32), traffic("old", 1000, 30), DEFAULT_ANALYSIS, IDS);
    expect(d.verdict).toBe("passed");
    expect(d.why).toContain("the baseline fails as much");
  });

  it("fails a wall-time regression beyond the ratio and the margin, not a fast Worker's noise", () => {
    const slow = judgeCanary(
      traffic("new", 1000, 0, { wallTimeUs: { p99: 400_000 } }),
      traffic("old", 1000, 0, { wallTimeUs: { p99: 100_000 } }),
      DEFAULT_ANALYSIS,
      IDS,
    );
    expect(slow.verdict).toBe("failed");
    expect(slow.latencyWorse).toBe(true);
    expect(slow.why).toContain("wall-time p99 400 ms vs 100 ms");
    const noise = judgeCanary(
      traffic("new", 1000, 0, { wallTimeUs: { p99: 6_000 } }),
      traffic("old", 1000, 0, { wallTimeUs: { p99: 2_000 } }),
      DEFAULT_ANALYSIS,
      IDS,
    );
    expect(noise.verdict).toBe("passed");
  });
});

describe("error rates of the defaults (seeded simulation, 1 000 observed requests per version)", () => {
  const rate = (name: string, trials = 400) =>
    simulate(
      DEFAULT_SCENARIOS.find((s) => s.name.startsWith(name))!,
      trials,
    ).failedShare;

  it("false alarms stay at or below the stated 1 % (within the simulation's own error: 3 standard errors)", () => {
    const trials = 4000;
    const bound = 0.01 + 3 * Math.sqrt((0.01 * 0.99) / trials);
    expect(rate("no difference (", trials)).toBeLessThanOrEqual(bound);
    expect(rate("no difference, both failing", trials)).toBeLessThanOrEqual(bound);
  });

  it("detects a 0.5 % → 5 % regression nearly always, and 0.5 % → 3 % most of the time", () => {
    expect(rate("big regression")).toBeGreaterThanOrEqual(0.99);
    expect(rate("real regression")).toBeGreaterThanOrEqual(0.8);
  });
});
