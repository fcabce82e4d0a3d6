import { describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS, type VersionTraffic } from "../../../src/core/analysis.js";
import { DeployError } from "../../../src/core/errors.js";
import { runPipeline, type PipelineDeps } from "../../../src/core/pipeline.js";
import type { TrafficAnalytics } from "../../../src/core/ports.js";
import { renderSummary, healthReport } from "../../../src/core/report.js";
import type { PipelineConfig } from "../../../src/core/types.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const URLS = { staging: { url: "https://staging.example.test" }, production: { url: "https://production.example.test" } };
const ANALYSIS = { ...DEFAULT_ANALYSIS, windowMs: 10_000, ingestionDelayMs: 5_000, maxWaitMs: 10_000 };

function setup(analytics: TrafficAnalytics) {
  const config: PipelineConfig = testConfig({
    ...URLS,
    production: { ...URLS.production, strategy: "gradual", steps: [10, 100], analysis: ANALYSIS },
  });
  const deployer = new FakeDeployer();
  deployer.seed("production", "prod-old");
  const clock = new VirtualClock();
  const deps: PipelineDeps = { deployer, probe: deployer.probe(), clock, logger: memoryLogger(), analytics };
  return { config, deployer, deps };
}

describe("traffic analysis in a gradual release", () => {
  it("a regression seen only in traffic rolls back at 10% exactly as a failed health gate does, and the summary explains it", async () => {
    let deployer: FakeDeployer | undefined;
    // The new version is whichever shares production with prod-old at 10%.
    const candidate = () => deployer?.live("production")?.allocation.find((a) => a.versionId !== "prod-old")?.versionId ?? "";
    const port: TrafficAnalytics = {
      read: async () => [
        { versionId: candidate(), requests: 1000, errors: 50, sampleInterval: 1, wallTimeUs: { p99: 21_000 } },
        { versionId: "prod-old", requests: 9000, errors: 45, sampleInterval: 1, wallTimeUs: { p99: 20_000 } },
      ],
    };
    const s = setup(port);
    deployer = s.deployer;
    const result = await runPipeline(s.config, s.deps, new AbortController().signal);
    expect(result.result).toBe("rolled-back");
    expect(s.deployer.live("production")?.allocation).toEqual([{ versionId: "prod-old", percentage: 100 }]);
    expect(result.gates.map((g) => `${g.gate}:${g.outcome}`)).toEqual(["smoke:passed", "health@10%:passed", "rollback-health:passed"]);
    expect(result.message).toMatch(
      /^Traffic analysis at 10% failed: more errors than the baseline beyond chance \(errors 5\.0 % \(new\) vs 0\.50 % \(baseline\)/,
    );
    const summary = renderSummary(result);
    expect(summary).toContain("### Traffic analysis");
    expect(summary).toMatch(/\| 10% \| new `[^`]+` \| 1000 \| 50 \| 5\.0 % \| 21 ms \|/);
    expect(summary).toMatch(/\| 10% \| baseline `prod-old` \| 9000 \| 45 \| 0\.50 % \| 20 ms \|/);
    const report = healthReport(result) as { analyses: Array<{ outcome: string; candidate: { requests: number } }> };
    expect(report.analyses[0]).toMatchObject({ outcome: "failed", candidate: { requests: 1000 } });
  });

  it("analytics the token may not read stop the run before production is touched", async () => {
    const port: TrafficAnalytics = {
      prepare: async () => {
        throw new DeployError("production.analysis is set, but Cloudflare's analytics cannot be read: not authorized [authz]", {
          command: "POST /graphql",
        });
      },
      read: async () => [],
    };
    const s = setup(port);
    const result = await runPipeline(s.config, s.deps, new AbortController().signal);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/analytics cannot be read: not authorized \[authz\] Nothing was deployed: production was not touched\./);
    expect(s.deployer.calls.filter((c) => c.method !== "status" && c.method !== "deployments" && c.method !== "versions")).toEqual([]);
  });
});
