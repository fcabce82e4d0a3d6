import { describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS, type AnalysisSettings, type VersionTraffic } from "../../../src/core/analysis.js";
import { analyseStep } from "../../../src/core/analysis-step.js";
import { DeployError } from "../../../src/core/errors.js";
import type { TrafficAnalytics } from "../../../src/core/ports.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { memoryLogger } from "../../support/logger.js";

const SETTINGS: AnalysisSettings = {
  ...DEFAULT_ANALYSIS,
  windowMs: 60_000,
  ingestionDelayMs: 60_000,
  maxWaitMs: 120_000,
  minRequests: 100,
};
const row = (versionId: string, requests: number, errors: number): VersionTraffic => ({
  versionId,
  requests,
  errors,
  sampleInterval: 1,
  wallTimeUs: { p99: 10_000 },
});

/** Analytics answering from `answer(window)`, recording each window read. */
function analytics(answer: (window: { from: number; until: number }) => VersionTraffic[]) {
  const windows: Array<{ from: number; until: number }> = [];
  const port: TrafficAnalytics = {
    read: async (_target, window) => {
      windows.push(window);
      return answer(window);
    },
  };
  return { port, windows };
}

function run(port: TrafficAnalytics, clock: VirtualClock, settings = SETTINGS) {
  const from = clock.now();
  return analyseStep({
    analytics: port,
    settings,
    target: { environment: "production" },
    step: 10,
    candidate: "new",
    baseline: "old",
    from,
    clock,
    logger: memoryLogger(),
    signal: new AbortController().signal,
  });
}

describe("analyseStep", () => {
  it("first reads once the window and the ingestion delay have passed, a window that ends ingestion-delay ago", async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const { port, windows } = analytics(() => [row("new", 500, 40), row("old", 4500, 20)]);
    const found = await run(port, clock);
    expect(found.outcome).toBe("failed");
    expect(windows).toEqual([{ from: start, until: start + 60_000 }]);
    expect(clock.now() - start).toBe(120_000);
  });

  it("waits for enough requests, reading again, then judges", async () => {
    const clock = new VirtualClock();
    const { port, windows } = analytics(({ until, from }) => {
      const minutes = (until - from) / 60_000;
      return [row("new", Math.round(60 * minutes), 0), row("old", Math.round(600 * minutes), 1)];
    });
    const found = await run(port, clock);
    expect(found.outcome).toBe("passed");
    expect(found.reads).toBeGreaterThan(1);
    expect(windows.at(-1)!.until - windows[0]!.until).toBeGreaterThan(0);
  });

  it("too few requests until max-wait is never a pass: no-verdict fail by default, a loud probes-only pass when so configured", async () => {
    const trickle = () => [row("new", 5, 0), row("old", 50, 0)];
    const failed = await run(analytics(trickle).port, new VirtualClock());
    expect(failed.outcome).toBe("no-verdict-failed");
    expect(failed.why).toMatch(/^no verdict after waiting 240 s: too few requests to judge: new version 5 observed.*no-verdict is fail$/);
    const probesOnly = await run(analytics(trickle).port, new VirtualClock(), { ...SETTINGS, noVerdict: "probes-only" });
    expect(probesOnly.outcome).toBe("no-verdict-probes-only");
    expect(probesOnly.why).toMatch(/passed on the probes alone/);
  });

  it("an analytics outage follows the same policy and names the error", async () => {
    const port: TrafficAnalytics = {
      read: async () => {
        throw new DeployError("POST /graphql failed (HTTP 503): Injected fault", { command: "POST /graphql", transient: true });
      },
    };
    const found = await run(port, new VirtualClock());
    expect(found.outcome).toBe("no-verdict-failed");
    expect(found.error).toContain("HTTP 503");
    expect(found.why).toContain("the analytics could not be read (POST /graphql failed (HTTP 503)");
  });
});
