/**
 * The health report of real runs (every outcome) against its published JSON Schema, read by a
 * JSON Schema validator (ajv, draft 2020-12) as a tool would, and what it promises: rounded
 * latencies, each gate's rules, and no header value.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { emitHealthReportSchema, healthReportSchema } from "../../../src/config/health-report-schema.js";
import { runPipeline } from "../../../src/core/pipeline.js";
import { healthReport, HEALTH_REPORT_SCHEMA_ID } from "../../../src/core/report.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { gate, testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";
import { OUTCOMES } from "./outcomes.js";

const published = JSON.parse(readFileSync(new URL("../../../schema/health-report.schema.json", import.meta.url), "utf8")) as object;
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(published);

describe("health report", () => {
  it("publishes the schema it is written by", () => {
    expect(published).toEqual(emitHealthReportSchema());
    expect((published as { $id: string }).$id).toBe(HEALTH_REPORT_SCHEMA_ID);
  });

  for (const [name, make] of Object.entries(OUTCOMES)) {
    it(`${name}: valid against the published schema`, async () => {
      const report = JSON.parse(JSON.stringify(healthReport(await make()))) as unknown;
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
      expect(healthReportSchema.safeParse(report).success).toBe(true);
    });
  }

  it("the schema refuses what is not a report", () => {
    expect(validate({ schema: "shipline/health-report@1", result: "maybe", gates: [] })).toBe(false);
  });

  it("carries each gate's rules, rounded latencies, and header names without their values", async () => {
    const secret = "health-token-value-123";
    const config = testConfig({
      staging: { url: "https://staging.example.test" },
      production: {
        url: "https://production.example.test",
        health: gate({
          count: 3,
          maxLatencyMs: 500,
          checks: [
            {
              name: "GET /health",
              path: "/health",
              headers: { "x-health-token": secret },
              expect: { status: { ranges: [[200, 299]], text: "200-299" }, json: { ok: true } },
            },
          ],
        }),
      },
    });
    const deployer = new FakeDeployer();
    deployer.seed("production", "prod-old");
    const probe = deployer.probe();
    const jittery = {
      probe: async (...args: Parameters<typeof probe.probe>) => ({ ...(await probe.probe(...args)), latencyMs: 12.3456789 }),
    };
    const result = await runPipeline(
      config,
      { deployer, probe: jittery, clock: new VirtualClock(), logger: memoryLogger() },
      new AbortController().signal,
    );
    const text = JSON.stringify(healthReport(result));
    expect(text).not.toContain(secret);
    const report = JSON.parse(text) as {
      gates: Array<{ gate: string; settings: Record<string, unknown>; measurements: Array<{ checks: Array<{ latencyMs: number }> }> }>;
    };
    const health = report.gates.find((g) => g.gate === "health")!;
    expect(health.settings).toEqual({
      intervalMs: 1000,
      count: 3,
      failureLimit: 0,
      consecutiveErrorLimit: 4,
      timeoutMs: 1000,
      maxLatencyMs: 500,
      checks: [
        { name: "GET /health", path: "/health", headerNames: ["x-health-token"], expect: { status: "200-299", json: { ok: true } } },
      ],
    });
    expect(health.measurements[0]!.checks[0]!.latencyMs).toBe(12.3);
  });
});
