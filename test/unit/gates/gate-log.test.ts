import { describe, expect, it } from "vitest";
import { runLoggedGate, watchLoggedGate } from "../../../src/core/gate-log.js";
import type { ProbeResponse } from "../../../src/core/ports.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { memoryLogger } from "../../support/logger.js";
import { ScriptedProbe, ok, settings, status } from "./fakes.js";

function options(script: ProbeResponse[], overrides: { count?: number; failureLimit?: number; intervalMs?: number } = {}) {
  const clock = new VirtualClock();
  const logger = memoryLogger();
  const controller = new AbortController();
  return {
    clock,
    logger,
    controller,
    gate: {
      gate: "staging-watch",
      environment: "staging",
      baseUrl: "https://staging.example.test",
      settings: settings({ intervalMs: 5_000, ...overrides }),
      probe: new ScriptedProbe(script),
      clock,
      signal: controller.signal,
      logger,
    },
  };
}

describe("runLoggedGate", () => {
  it("prints failed measurements at info and warns once, when the gate fails", async () => {
    const o = options([ok(), status(500), status(500)], { count: 5, failureLimit: 1 });
    const report = await runLoggedGate({ ...o.gate, gate: "health", environment: "production" });
    expect(report.outcome).toBe("failed");
    const warnings = o.logger.lines.filter((l) => l.startsWith("warn:"));
    expect(warnings).toEqual([`warn: health gate failed on production: ${report.reason}`]);
    expect(o.logger.lines.filter((l) => /^info: health #\d failed/.test(l))).toHaveLength(2);
  });

  it("warns about nothing when the gate passes", async () => {
    const o = options([ok()], { count: 3 });
    await runLoggedGate(o.gate);
    expect(o.logger.lines.filter((l) => l.startsWith("warn:"))).toEqual([]);
    expect(o.logger.lines).toHaveLength(3);
  });
});

describe("watchLoggedGate", () => {
  it("prints an hour of healthy measurements as the first line and a line every five minutes, not 720 lines", async () => {
    const o = options([ok()]);
    o.clock.sleep(3_600_000).then(() => o.controller.abort());
    const report = await watchLoggedGate(o.gate);
    expect(report.measurements.length).toBeGreaterThan(700);
    const lines = o.logger.lines;
    expect(lines[0]).toMatch(/^info: staging-watch #1 successful/);
    const heartbeats = lines.filter((l) => l.includes("still watching"));
    expect(heartbeats.length).toBeGreaterThanOrEqual(11);
    expect(heartbeats.length).toBeLessThanOrEqual(12);
    expect(heartbeats[0]).toMatch(
      /^info: staging-watch: still watching, 60 more measurements healthy, 5m in; last: staging-watch #61 successful/,
    );
    expect(lines.at(-1)).toMatch(/^info: staging-watch: stopped after \d+ measurements over 1h \(0 failed, 0 errors\)\.$/);
    expect(lines.length).toBeLessThan(20);
  });

  it("prints each change of state at once, and a failure once as a warning", async () => {
    const o = options([ok(), ok(), ok(), { kind: "error", error: "connection refused", latencyMs: 1 }, ok(), ok(), status(500)], {
      failureLimit: 0,
    });
    const report = await watchLoggedGate(o.gate);
    expect(report.outcome).toBe("failed");
    const lines = o.logger.lines;
    expect(lines[0]).toMatch(/^info: staging-watch #1 successful/);
    expect(lines[1]).toMatch(/^info: no longer healthy: staging-watch #4 error/);
    expect(lines[2]).toMatch(/^info: recovered: staging-watch #5 successful/);
    expect(lines[3]).toMatch(/^info: no longer healthy: staging-watch #7 failed/);
    expect(lines.slice(4)).toEqual([`warn: staging-watch gate failed on staging: ${report.reason}`]);
  });
});
