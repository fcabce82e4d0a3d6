import { describe, expect, it } from "vitest";
import { runGate, type GateOptions } from "../../../src/core/gate.js";
import type { HttpProbe } from "../../../src/core/ports.js";
import type { GateSettings, Measurement } from "../../../src/core/types.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { byUrl, check, fail, ok, ScriptedProbe, settings, status } from "./fakes.js";

const T0 = Date.UTC(2026, 0, 1);
const BASE = "https://example.com";

function gate(probe: HttpProbe, gateSettings: GateSettings, extra: Partial<GateOptions> = {}) {
  const clock = new VirtualClock(T0);
  const options: GateOptions = {
    gate: "health",
    environment: "production",
    baseUrl: BASE,
    settings: gateSettings,
    probe,
    clock,
    signal: new AbortController().signal,
    ...extra,
  };
  return runGate(options);
}

const outcomes = (measurements: readonly Measurement[]) => measurements.map((m) => m.outcome);

describe("runGate: counting", () => {
  it("passes after count successful measurements, spaced by the interval, without a final sleep", async () => {
    const report = await gate(new ScriptedProbe([ok()]), settings({ count: 3, intervalMs: 10_000 }));
    expect(report.outcome).toBe("passed");
    expect(report.reason).toBeUndefined();
    expect(report.measurements.map((m) => m.at - T0)).toEqual([0, 10_000, 20_000]);
    expect(report.startedAt).toBe(T0);
    expect(report.endedAt).toBe(T0 + 20_000);
    expect(report.stats).toMatchObject({ count: 3, successful: 3, failed: 0, errors: 0, requests: 3 });
  });

  it("does not count errors towards count", async () => {
    const probe = new ScriptedProbe([fail(), ok(), fail(), ok(), ok(), status(500)]);
    const report = await gate(probe, settings({ count: 3 }));
    expect(report.outcome).toBe("passed");
    expect(outcomes(report.measurements)).toEqual(["error", "successful", "error", "successful", "successful"]);
    expect(report.stats).toMatchObject({ count: 3, successful: 3, errors: 2, requests: 5 });
  });

  it("spaces measurements start to start, and starts at once after a measurement longer than the interval", async () => {
    const clock = new VirtualClock(T0);
    const slow = (ms: number) => () => (clock.advance(ms), ok(ms));
    const probe = new ScriptedProbe([slow(3_000), slow(12_000), slow(1)]);
    const report = await gate(probe, settings({ count: 3, intervalMs: 10_000 }), { clock });
    expect(report.measurements.map((m) => m.at - T0)).toEqual([0, 10_000, 22_000]);
    expect(report.endedAt).toBe(T0 + 22_001);
  });

  it("sends each check with the gate's timeout and merged headers, the gate's headers winning", async () => {
    const probe = new ScriptedProbe([ok()]);
    const spec = check("GET /h", { headers: { "X-Token": "t", "Cloudflare-Workers-Version-Overrides": "mine" } });
    await gate(probe, settings({ count: 1, timeoutMs: 1_234, checks: [spec] }), {
      headers: { "cloudflare-workers-version-overrides": 'app="v2"' },
    });
    expect(probe.requests).toEqual([
      {
        url: `${BASE}/health`,
        timeoutMs: 1_234,
        headers: { "x-token": "t", "cloudflare-workers-version-overrides": 'app="v2"' },
      },
    ]);
  });

  it("reports each measurement as it happens and logs it", async () => {
    const seen: number[] = [];
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const logger = { info: log, warn: log, error: log, debug: log, group: <T>(_: string, fn: () => Promise<T>) => fn() };
    await gate(new ScriptedProbe([status(503, "down"), ok(7)]), settings({ count: 2, failureLimit: 1 }), {
      onMeasurement: (m) => seen.push(m.index),
      logger,
    });
    expect(seen).toEqual([0, 1]);
    expect(lines[0]).toBe("health #1 failed: GET /health 503 10ms: expected status 200-299, got 503: `down`");
    expect(lines[1]).toBe("health #2 successful: GET /health 200 7ms");
  });
});

describe("runGate: failures and errors", () => {
  it("tolerates failure-limit failures and fails at the measurement that exceeds it", async () => {
    const probe = new ScriptedProbe([ok(), status(503), ok(), status(503), ok()]);
    const report = await gate(probe, settings({ count: 6, failureLimit: 1 }));
    expect(report.outcome).toBe("failed");
    expect(outcomes(report.measurements)).toEqual(["successful", "failed", "successful", "failed"]);
    expect(report.reason).toBe(`GET /health (${BASE}/health): expected status 200-299, got 503 (2 failed measurement(s), failure-limit 1)`);
  });

  it("fails on the first failure with the default failure-limit 0", async () => {
    const report = await gate(new ScriptedProbe([ok(), status(404, "Not Found")]), settings({ count: 6 }));
    expect(report.outcome).toBe("failed");
    expect(report.measurements).toHaveLength(2);
    expect(report.endedAt).toBe(T0 + 10_000);
    expect(report.reason).toContain("expected status 200-299, got 404: `Not Found`");
  });

  it("passes with tolerated failures once count measurements are in", async () => {
    const report = await gate(new ScriptedProbe([status(500), ok()]), settings({ count: 3, failureLimit: 1 }));
    expect(report.outcome).toBe("passed");
    expect(report.stats).toMatchObject({ count: 3, successful: 2, failed: 1 });
  });

  it("fails when consecutive errors exceed the limit; a counted measurement resets the streak", async () => {
    const probe = new ScriptedProbe([fail(), fail(), ok(), fail(), fail(), fail("timeout after 5s", 5_000), ok()]);
    const report = await gate(probe, settings({ count: 5, consecutiveErrorLimit: 2 }));
    expect(report.outcome).toBe("failed");
    expect(outcomes(report.measurements)).toEqual(["error", "error", "successful", "error", "error", "error"]);
    expect(report.reason).toBe(`GET /health (${BASE}/health): timeout after 5s (3 consecutive errors, consecutive-error-limit 2)`);
  });

  it("makes a measurement failed if any check failed, even when another errored", async () => {
    const a = check("GET /a", { path: "/a" });
    const b = check("GET /b", { path: "/b" });
    const probe = byUrl({ [`${BASE}/a`]: [fail("DNS lookup failed (ENOTFOUND)")], [`${BASE}/b`]: [status(500)] });
    const report = await gate(probe, settings({ checks: [a, b] }));
    expect(report.outcome).toBe("failed");
    expect(outcomes(report.measurements)).toEqual(["failed"]);
    expect(report.reason).toBe(`GET /b (${BASE}/b): expected status 200-299, got 500 (1 failed measurement(s), failure-limit 0)`);
  });

  it("makes a measurement an error when a check errored and none failed", async () => {
    const a = check("GET /a", { path: "/a" });
    const b = check("GET /b", { path: "/b" });
    const probe = byUrl({ [`${BASE}/a`]: [fail(), ok()], [`${BASE}/b`]: [ok()] });
    const report = await gate(probe, settings({ checks: [a, b], count: 2 }));
    expect(outcomes(report.measurements)).toEqual(["error", "successful", "successful"]);
    expect(report.outcome).toBe("passed");
    expect(report.stats.requests).toBe(6);
  });

  it("treats a probe that throws as an error measurement, not a crash", async () => {
    const probe = new ScriptedProbe([
      () => {
        throw new Error("socket hang up");
      },
      ok(),
    ]);
    const report = await gate(probe, settings({ count: 1 }));
    expect(outcomes(report.measurements)).toEqual(["error", "successful"]);
    expect(report.measurements[0]!.checks[0]!.reason).toBe("socket hang up");
  });
});

describe("runGate: no data", () => {
  it("never passes when every measurement errors", async () => {
    const report = await gate(new ScriptedProbe([fail()]), settings({ count: 3, consecutiveErrorLimit: 4 }));
    expect(report.outcome).toBe("failed");
    expect(report.measurements).toHaveLength(5);
    expect(report.stats.count).toBe(0);
  });

  it("never passes without checks", async () => {
    const report = await gate(new ScriptedProbe([ok()]), settings({ checks: [] }));
    expect(report).toMatchObject({ outcome: "failed", reason: "the gate has no checks: nothing to measure" });
    expect(report.measurements).toEqual([]);
  });

  it("never passes when every counted measurement failed, even with a failure-limit that allows it", async () => {
    const report = await gate(new ScriptedProbe([status(500)]), settings({ count: 2, failureLimit: 5 }));
    expect(report).toMatchObject({ outcome: "failed", reason: "no measurement succeeded" });
  });

  it("fails with the URL problem when the base URL is unusable", async () => {
    const report = await gate(new ScriptedProbe([ok()]), settings(), { baseUrl: "" });
    expect(report.outcome).toBe("failed");
    expect(report.reason).toMatch(/Invalid base URL ""/);
  });
});

describe("runGate: confirming re-probes", () => {
  it("re-probes a check that did not succeed right away, and counts it successful when a re-probe succeeds", async () => {
    const probe = new ScriptedProbe([fail(), status(503), ok(12), ok()]);
    const report = await gate(probe, settings({ count: 2, confirm: 4 }));
    expect(report.outcome).toBe("passed");
    expect(outcomes(report.measurements)).toEqual(["successful", "successful"]);
    expect(report.measurements.map((m) => m.at - T0)).toEqual([0, 10_000]);
    const first = report.measurements[0]!.checks[0]!;
    expect(first).toMatchObject({ outcome: "successful", status: 200, latencyMs: 12 });
    expect(first.attempts?.map((a) => a.status ?? a.outcome)).toEqual(["error", 503, 200]);
    expect(report.measurements[1]!.checks[0]!.attempts).toBeUndefined();
    expect(report.stats.requests).toBe(4);
  });

  it("counts a failure only when every re-probe failed too, with the first failure's reason and the tries", async () => {
    const probe = new ScriptedProbe([ok(), fail(), status(503, "down"), fail()]);
    const report = await gate(probe, settings({ count: 6, confirm: 4 }));
    expect(report.outcome).toBe("failed");
    expect(report.measurements).toHaveLength(2);
    expect(report.measurements[1]!.checks[0]!.attempts).toHaveLength(5);
    expect(report.reason).toBe(
      `GET /health (${BASE}/health): expected status 200-299, got 503: \`down\` (5 tries) (1 failed measurement(s), failure-limit 0)`,
    );
  });

  it("starts no re-probe once the check has used the gate's timeout in this measurement", async () => {
    const clock = new VirtualClock(T0);
    const hang = () => (clock.advance(5_000), fail("timeout after 5s", 5_000));
    const probe = new ScriptedProbe([hang]);
    const report = await gate(probe, settings({ count: 3, confirm: 4, timeoutMs: 5_000, consecutiveErrorLimit: 0 }), { clock });
    expect(report.outcome).toBe("failed");
    expect(probe.requests).toHaveLength(1);
  });

  it("does not re-probe an answer from another version: that is no network noise", async () => {
    const probe = new ScriptedProbe([ok(10, "OK", { "x-v": "other" })]);
    const report = await gate(probe, settings({ count: 3, confirm: 4, versionHeader: "x-v", consecutiveErrorLimit: 0 }), {
      versionId: "mine",
    });
    expect(report.outcome).toBe("failed");
    expect(probe.requests).toHaveLength(1);
    expect(report.reason).toMatch(/answered by version other, not mine/);
  });

  it("without confirm, probes each check once per measurement (Argo's measurement)", async () => {
    const probe = new ScriptedProbe([status(503)]);
    const report = await gate(probe, settings({ count: 3 }));
    expect(report.outcome).toBe("failed");
    expect(probe.requests).toHaveLength(1);
  });
});

describe("runGate: quicker retry after an error", () => {
  it("takes the next measurement one second after an error, and the interval after a counted one", async () => {
    const probe = new ScriptedProbe([ok(), fail(), fail(), ok(), ok()]);
    const report = await gate(probe, settings({ count: 3, intervalMs: 10_000 }));
    expect(report.outcome).toBe("passed");
    expect(report.measurements.map((m) => m.at - T0)).toEqual([0, 10_000, 11_000, 12_000, 22_000]);
  });

  it("keeps the interval when it is shorter than the retry", async () => {
    const probe = new ScriptedProbe([fail(), ok()]);
    const report = await gate(probe, settings({ count: 2, intervalMs: 300 }));
    expect(report.measurements.map((m) => m.at - T0)).toEqual([0, 300, 600]);
  });

  it("fails a service that refuses every connection within interval + 5 s with the default limits", async () => {
    const clock = new VirtualClock(T0);
    let down = false;
    const probe = new ScriptedProbe([() => (down ? fail() : ok())]);
    const report = await gate(probe, settings({ count: 6, intervalMs: 10_000, consecutiveErrorLimit: 4, confirm: 4 }), {
      clock,
      onMeasurement: (m) => {
        if (m.index === 1) down = true;
      },
    });
    expect(report.outcome).toBe("failed");
    expect(report.reason).toMatch(/5 consecutive errors, consecutive-error-limit 4/);
    // Down from just after the measurement at 10 s: the measurement at 20 s sees it, the verdict comes 4 s later.
    expect(report.endedAt - (T0 + 10_000)).toBeLessThanOrEqual(10_000 + 5_000);
    expect(report.measurements.map((m) => m.at - T0)).toEqual([0, 10_000, 20_000, 21_000, 22_000, 23_000, 24_000]);
  });
});
