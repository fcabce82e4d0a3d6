import { describe, expect, it } from "vitest";
import { binomialTail, judge, latencySamples, watchWindow } from "../../../src/core/gate-rules.js";
import type { GateSettings, Measurement, MeasurementOutcome } from "../../../src/core/types.js";
import { settings } from "./fakes.js";

const OUTCOME: Record<string, MeasurementOutcome> = { S: "successful", F: "failed", E: "error" };

/** `"SFE"` → three measurements of one check, successful, failed, error. */
function run(letters: string): Measurement[] {
  return [...letters].map((letter, index) => {
    const outcome = OUTCOME[letter]!;
    const status = outcome === "error" ? undefined : outcome === "failed" ? 503 : 200;
    const reason = outcome === "successful" ? undefined : outcome === "failed" ? "expected status 200-299, got 503" : "refused";
    return {
      index,
      at: index * 10_000,
      outcome,
      checks: [
        { check: "GET /", url: "https://x.dev/", outcome, latencyMs: 10, ...(status ? { status } : {}), ...(reason ? { reason } : {}) },
      ],
    };
  });
}

/** The verdict after each prefix of `letters`: `.` while the gate goes on, `P` passed, `X` failed. */
function verdicts(letters: string, gate: GateSettings, watching = false): string {
  const measurements = run(letters);
  return measurements
    .map((_, i) => judge(measurements.slice(0, i + 1), gate, watching)?.outcome ?? ".")
    .map((v) => ({ passed: "P", failed: "X" })[v as "passed"] ?? ".")
    .join("");
}

// Argo Rollouts' analysis rules (its controller's tests: failure limit, consecutive errors, count
// reached, error streak reset, early failure), one row per case, judged after every measurement.
describe("the rule table", () => {
  const cases: Array<[string, Partial<GateSettings>, string, string]> = [
    ["count reached: passes at the count-th counted measurement", { count: 3 }, "SSS", "..P"],
    ["early failure: the first failure exceeds failure-limit 0 before count", { count: 6 }, "SF", ".X"],
    ["failure limit: tolerated failures, failing when exceeded", { count: 6, failureLimit: 1 }, "FSSF", "...X"],
    ["failure limit: tolerated failures pass once count is reached", { count: 3, failureLimit: 1 }, "FSS", "..P"],
    ["errors do not count towards count", { count: 2 }, "ESES", "...P"],
    ["consecutive errors: fail when the streak exceeds the limit", { count: 6, consecutiveErrorLimit: 2 }, "EEE", "..X"],
    ["error streak reset: a counted measurement ends the streak", { count: 6, consecutiveErrorLimit: 2 }, "EESEEE", ".....X"],
    ["error streak reset by a failed measurement too", { count: 6, failureLimit: 1, consecutiveErrorLimit: 1 }, "EFEE", "...X"],
    ["consecutive-error-limit 0: the first error fails", { count: 3, consecutiveErrorLimit: 0 }, "SE", ".X"],
    ["failures are judged before errors", { count: 3, consecutiveErrorLimit: 0 }, "F", "X"],
    ["never passes on no data", { count: 2, failureLimit: 5 }, "FF", ".X"],
  ];
  it.each(cases)("%s", (_name, overrides, letters, expected) => {
    expect(verdicts(letters, settings(overrides))).toBe(expected);
  });

  it("says which rule tripped and with what", () => {
    expect(judge(run("SF"), settings({ count: 6 }), false)).toEqual({
      outcome: "failed",
      reason: "GET / (https://x.dev/): expected status 200-299, got 503 (1 failed measurement(s), failure-limit 0)",
    });
    expect(judge(run("EEE"), settings({ consecutiveErrorLimit: 2 }), false)).toEqual({
      outcome: "failed",
      reason: "GET / (https://x.dev/): refused (3 consecutive errors, consecutive-error-limit 2)",
    });
  });
});

describe("the staging watch's window", () => {
  it("judges the latest max(count, tolerated + 1) measurements and tolerates max(failure-limit, 1) failures", () => {
    expect(watchWindow(settings({ count: 3, failureLimit: 0 }))).toEqual({ size: 3, tolerated: 1 });
    expect(watchWindow(settings({ count: 1, failureLimit: 0 }))).toEqual({ size: 2, tolerated: 1 });
    expect(watchWindow(settings({ count: 6, failureLimit: 2 }))).toEqual({ size: 6, tolerated: 2 });
  });

  it.each([
    ["one failure alone never denies", "SSFSSSS", "......."],
    ["failures farther apart than the window never add up", "FSSFSSFSS", "........."],
    ["two failures within the window deny", "SFSF", "...X"],
    ["two failures in a row deny at the second", "SSFF", "...X"],
    ["consecutive errors are a streak, as in a gate", "EEEEE", "....X"],
    ["never passes, however long it runs", "SSSSSS", "......"],
  ])("%s", (_name, letters, expected) => {
    expect(verdicts(letters, settings({ count: 3 }), true)).toBe(expected);
  });
});

describe("latency samples and the binomial tail", () => {
  it("takes every answered request of the version judged, re-probes included, and nothing else", () => {
    const measurement: Measurement = {
      index: 0,
      at: 0,
      outcome: "successful",
      checks: [
        {
          check: "a",
          url: "u",
          outcome: "successful",
          status: 200,
          latencyMs: 20,
          attempts: [
            { outcome: "error", reason: "refused", latencyMs: 1 },
            { outcome: "failed", status: 503, latencyMs: 30 },
            { outcome: "error", status: 200, latencyMs: 40, reason: "answered by version b, not a" },
            { outcome: "successful", status: 200, latencyMs: 20 },
          ],
        },
        { check: "b", url: "u", outcome: "successful", status: 200, latencyMs: 5 },
      ],
    };
    expect(latencySamples([measurement])).toEqual([30, 20, 5]);
  });

  it("computes P(X >= k) for a binomial", () => {
    expect(binomialTail(3, 3, 0.05)).toBeCloseTo(0.000125, 9);
    expect(binomialTail(4, 3, 0.05)).toBeCloseTo(4 * 0.05 ** 3 * 0.95 + 0.05 ** 4, 9);
    expect(binomialTail(10, 0, 0.05)).toBe(1);
    expect(binomialTail(2, 3, 0.05)).toBe(0);
    expect(binomialTail(5_000, 300, 0.05)).toBeGreaterThan(0);
    expect(binomialTail(5_000, 300, 0.05)).toBeLessThan(0.01);
  });
});

describe("a partial outage behind re-probes", () => {
  /** Successful measurements whose check needed a re-probe: a 503, then a 200. */
  const flapping = (n: number): Measurement[] =>
    Array.from({ length: n }, (_, index) => ({
      index,
      at: index * 10_000,
      outcome: "successful" as const,
      checks: [
        {
          check: "GET /",
          url: "https://x.dev/",
          outcome: "successful" as const,
          status: 200,
          latencyMs: 10,
          attempts: [
            { outcome: "failed" as const, status: 503, latencyMs: 10, reason: "expected status 200-299, got 503" },
            { outcome: "successful" as const, status: 200, latencyMs: 10 },
          ],
        },
      ],
    }));

  it("fails with confirm once the failed answers are more than 5 % transient failures explain (4 of 8)", () => {
    const gate = settings({ count: 6, confirm: 4 });
    expect([1, 2, 3].map((n) => judge(flapping(n), gate, false))).toEqual([undefined, undefined, undefined]);
    expect(judge(flapping(4), gate, false)).toEqual({
      outcome: "failed",
      reason:
        "GET / (https://x.dev/): expected status 200-299, got 503 (4 of 8 answers missed their expectations: more than transient failures explain, though re-probes passed some measurements)",
    });
  });

  it("is Argo's counting alone without confirm, and never judges the watch", () => {
    expect(judge(flapping(6), settings({ count: 6 }), false)).toEqual({ outcome: "passed" });
    expect(judge(flapping(6), settings({ count: 6, confirm: 4 }), true)).toBeUndefined();
  });
});
