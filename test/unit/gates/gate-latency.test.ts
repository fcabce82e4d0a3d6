import { describe, expect, it } from "vitest";
import { gateStats, latencySamples, percentile, runGate, watchGate, type GateOptions } from "../../../src/core/gate.js";
import type { HttpProbe, ProbeResponse } from "../../../src/core/ports.js";
import type { GateSettings, Measurement } from "../../../src/core/types.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { byUrl, check, fail, ok, ScriptedProbe, settings, status } from "./fakes.js";

const T0 = Date.UTC(2026, 0, 1);

function options(probe: HttpProbe, gateSettings: GateSettings, extra: Partial<GateOptions> = {}): GateOptions {
  return {
    gate: "health",
    environment: "production",
    baseUrl: "https://example.com",
    settings: gateSettings,
    probe,
    clock: new VirtualClock(T0),
    signal: new AbortController().signal,
    ...extra,
  };
}

/** 20 measurements of one check; `slowAt` measurements (0-based) take 900ms, the rest 100ms. */
function latencies(slowAt: readonly number[]): ProbeResponse[] {
  return Array.from({ length: 20 }, (_, i) => ok(slowAt.includes(i) ? 900 : 100));
}

describe("percentile and gateStats", () => {
  it("uses nearest rank", () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([4, 9], 0)).toBe(4);
    expect(percentile([4, 9], 100)).toBe(9);
    expect(percentile([], 95)).toBeUndefined();
  });

  it("takes latency percentiles over responses only", () => {
    const m = (outcome: Measurement["outcome"], ...checks: Array<{ status?: number; latencyMs: number }>): Measurement => ({
      index: 0,
      at: T0,
      outcome,
      checks: checks.map((c) => ({ check: "c", url: "u", outcome, ...c })),
    });
    const stats = gateStats([
      m("successful", { status: 200, latencyMs: 10 }),
      m("error", { latencyMs: 5_000 }),
      m("failed", { status: 500, latencyMs: 30 }),
    ]);
    expect(stats).toEqual({ count: 2, successful: 1, failed: 1, errors: 1, requests: 3, p50Ms: 10, p95Ms: 30 });
    expect(gateStats([])).toEqual({ count: 0, successful: 0, failed: 0, errors: 0, requests: 0 });
  });
});

describe("runGate: max latency", () => {
  const latencySettings = settings({ count: 20, intervalMs: 1_000, maxLatencyMs: 500 });

  it("passes when the p95 stays under the ceiling (one slow request in twenty)", async () => {
    const report = await runGate(options(new ScriptedProbe(latencies([7])), latencySettings));
    expect(report.outcome).toBe("passed");
    expect(report.stats.p95Ms).toBe(100);
  });

  it("fails at the last measurement when the final p95 of twenty samples is over the ceiling", async () => {
    const report = await runGate(options(new ScriptedProbe(latencies([3, 19])), latencySettings));
    expect(report.outcome).toBe("failed");
    expect(report.measurements).toHaveLength(20);
    expect(report.reason).toBe("p95 900ms > max 500ms over 20 requests");
    expect(report.stats.p95Ms).toBe(900);
  });

  it("does not judge a p95 of fewer than twenty samples by itself: one slow request of six is a tail, not a regression", async () => {
    const probe = new ScriptedProbe([ok(100), ok(100), ok(900), ok(100), ok(100), ok(100)]);
    const report = await runGate(options(probe, settings({ count: 6, maxLatencyMs: 500 })));
    expect(report.outcome).toBe("passed");
    // The reported p95 is the same samples' p95: the slowest of six, as the summary shows.
    expect(report.stats.p95Ms).toBe(900);
  });

  it("fails early once the slow requests leave no reasonable doubt that the p95 is over the ceiling", async () => {
    const report = await runGate(options(new ScriptedProbe([ok(100), ok(900)]), settings({ count: 6, maxLatencyMs: 500 })));
    expect(report.outcome).toBe("failed");
    // 1 of 2, 2 of 3, then 3 of 4: at most 5 % slow would show that with a chance of 0.05 %.
    expect(report.measurements).toHaveLength(4);
    expect(report.reason).toBe("p95 latency over max 500ms: 3 of 4 requests took longer, the slowest 900ms (p95 900ms)");
    expect(report.stats.p95Ms).toBe(900);
  });

  it("with confirming re-probes, a full regression fails at the first measurement", async () => {
    const report = await runGate(options(new ScriptedProbe([ok(900)]), settings({ count: 6, maxLatencyMs: 500, confirm: 4 })));
    expect(report.outcome).toBe("failed");
    expect(report.measurements).toHaveLength(1);
    expect(report.measurements[0]!.checks[0]!.attempts).toHaveLength(5);
    expect(report.reason).toMatch(/^p95 latency over max 500ms: 5 of 5 requests took longer/);
  });

  it("re-probes a slow answer and keeps both samples: the decision and the report use the same ones", async () => {
    const probe = new ScriptedProbe([ok(900), ok(100), ok(100)]);
    const report = await runGate(options(probe, settings({ count: 2, maxLatencyMs: 500, confirm: 4 })));
    expect(report.outcome).toBe("passed");
    expect(probe.requests).toHaveLength(3);
    expect(report.stats).toMatchObject({ requests: 3, p50Ms: 100, p95Ms: 900 });
  });

  it("decides and reports on the same samples: a timed-out check is no sample, a slow answer in an errored measurement is one", async () => {
    const a = check("a", { path: "/a" });
    const b = check("b", { path: "/b" });
    // Measurement 1: a answers slowly while b times out (an error measurement); then a 503 beside a timeout (failed).
    const probe = byUrl({
      "https://example.com/a": [ok(2_000), status(503), ok(10)],
      "https://example.com/b": [fail("timeout after 10s", 10_000), fail("timeout after 10s", 10_000), ok(10)],
    });
    const warnings: string[] = [];
    const logger = {
      info() {},
      warn: (line: string) => warnings.push(line),
      error() {},
      debug() {},
      group: <T>(_: string, fn: () => Promise<T>) => fn(),
    };
    const report = await runGate(options(probe, settings({ count: 6, failureLimit: 1, maxLatencyMs: 500, checks: [a, b] }), { logger }));
    expect(report.stats).toMatchObject({ p50Ms: 10, p95Ms: 2_000 });
    // Passed with a reported p95 over the ceiling: the log says why.
    expect(warnings.at(-1)).toBe(
      "health: p95 2s is over max 500ms, but over 12 requests it is the slowest few (1 slower than max), not judged below 20 requests; more measurements (count) make it a p95.",
    );
    expect(latencySamples(report.measurements)).toEqual([2_000, 10, ...Array(report.measurements.length * 2 - 4).fill(10)]);
    expect(report.outcome).toBe("passed");
  });

  it("takes no latency sample from a request without an answer", async () => {
    const probe = new ScriptedProbe([fail("timeout after 5s", 5_000), fail("timeout after 5s", 5_000), ok(100)]);
    const report = await runGate(options(probe, settings({ count: 2, maxLatencyMs: 500 })));
    expect(report.outcome).toBe("passed");
    expect(report.stats.p95Ms).toBe(100);
  });

  it("with two checks, judges the samples of both", async () => {
    const probe = new ScriptedProbe([ok(600), ok(100), ok(700), ok(700), ok(100)]);
    const two = settings({ count: 10, maxLatencyMs: 500, checks: [check("a", { path: "/a" }), check("b", { path: "/b" })] });
    const report = await runGate(options(probe, two));
    expect(report.measurements).toHaveLength(2);
    expect(report.reason).toMatch(/^p95 latency over max 500ms: 3 of 4 requests took longer, the slowest 700ms/);
  });
});

describe("cancellation", () => {
  it("resolves cancelled when the signal aborts between measurements", async () => {
    const controller = new AbortController();
    const clock = new VirtualClock(T0);
    const onMeasurement = (m: Measurement) => m.index === 1 && controller.abort();
    const report = await runGate(
      options(new ScriptedProbe([ok()]), settings({ count: 6 }), { signal: controller.signal, clock, onMeasurement }),
    );
    expect(report.outcome).toBe("cancelled");
    expect(report.reason).toBeUndefined();
    expect(report.measurements).toHaveLength(2);
    expect(report.endedAt).toBe(T0 + 10_000);
  });

  it("does not record a measurement that an abort interrupted", async () => {
    const controller = new AbortController();
    const probe: HttpProbe = {
      probe: (_request, signal) =>
        new Promise((_, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason));
          controller.abort();
        }),
    };
    const report = await runGate(options(probe, settings(), { signal: controller.signal }));
    expect(report).toMatchObject({ outcome: "cancelled", measurements: [] });
  });

  it("starts nothing when the signal is already aborted", async () => {
    const probe = new ScriptedProbe([ok()]);
    const report = await runGate(options(probe, settings(), { signal: AbortSignal.abort() }));
    expect(report.outcome).toBe("cancelled");
    expect(probe.requests).toHaveLength(0);
  });
});

describe("watchGate", () => {
  it("keeps measuring past count until the signal aborts, and reports cancelled", async () => {
    const controller = new AbortController();
    const onMeasurement = (m: Measurement) => m.index === 9 && controller.abort();
    const report = await watchGate(
      options(new ScriptedProbe([ok()]), settings({ count: 3 }), { signal: controller.signal, onMeasurement }),
    );
    expect(report.outcome).toBe("cancelled");
    expect(report.measurements).toHaveLength(10);
    expect(report.measurements.at(-1)!.at).toBe(T0 + 90_000);
  });

  it("judges a window of the latest measurements: failures far apart never add up", async () => {
    const controller = new AbortController();
    const script = [status(500), ok(), ok(), ok(), status(500), ok(), ok(), ok(), status(500), ok()];
    const onMeasurement = (m: Measurement) => m.index === 9 && controller.abort();
    const report = await watchGate(
      options(new ScriptedProbe(script), settings({ count: 3 }), { signal: controller.signal, onMeasurement }),
    );
    expect(report.outcome).toBe("cancelled");
    expect(report.stats.failed).toBe(3);
  });

  it("denies on a second failed measurement within the window", async () => {
    const script = [ok(), status(500), ok(), status(502, "Bad Gateway")];
    const report = await watchGate(options(new ScriptedProbe(script), settings({ count: 3 })));
    expect(report.outcome).toBe("failed");
    expect(report.measurements).toHaveLength(4);
    expect(report.reason).toContain("got 502: `Bad Gateway` (2 failed measurement(s), tolerated 1 in the latest 3)");
  });

  it("tolerates failure-limit failures in the window when that is more than one", async () => {
    const script = [status(500), status(500), ok(), ok(), ok(), status(500), status(500), status(500)];
    const report = await watchGate(options(new ScriptedProbe(script), settings({ count: 4, failureLimit: 2 })));
    expect(report.outcome).toBe("failed");
    expect(report.measurements).toHaveLength(8);
    expect(report.reason).toContain("(3 failed measurement(s), tolerated 2 in the latest 4)");
  });

  it("judges latency on the window's samples", async () => {
    const script = [...Array.from({ length: 30 }, () => ok(100)), ok(900)];
    const report = await watchGate(options(new ScriptedProbe(script), settings({ maxLatencyMs: 500 })));
    expect(report.outcome).toBe("failed");
    // Measurements 31, 32, 33 are slow: 3 of the window's 3 samples.
    expect(report.measurements).toHaveLength(33);
    expect(report.reason).toMatch(/^p95 latency over max 500ms: 3 of 3 requests took longer/);
  });
});
