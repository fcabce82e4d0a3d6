/**
 * The health report's shape (output `health-report`), published as JSON Schema beside the
 * config file's in `schema/health-report.schema.json` so tools can read and re-judge it.
 */
import { z } from "zod";
import { HEALTH_REPORT_SCHEMA_ID } from "../core/report.js";

const isoTime = z.string().describe("ISO 8601 time (UTC).");
const outcome = z.enum(["successful", "failed", "error"]);

const check = z.strictObject({
  check: z.string().describe("The check's label, e.g. `GET /api/health`."),
  url: z.string(),
  outcome,
  status: z.number().int().optional().describe("HTTP status, when there was an answer."),
  latencyMs: z.number().nonnegative().optional().describe("Latency in ms, rounded to 0.1 ms."),
  reason: z.string().optional().describe("For `failed`: what was expected and what came back. For `error`: what went wrong."),
  versionId: z.string().optional().describe("The version the answer named in the gate's version header."),
});

const measurement = z.strictObject({
  index: z.number().int().nonnegative(),
  at: isoTime,
  outcome: outcome.describe("`failed` if any check failed, else `error` if any errored, else `successful`."),
  checks: z.array(check),
});

const settings = z.strictObject({
  intervalMs: z.number().int().nonnegative(),
  count: z.number().int().positive().describe("Measurements that make a passing gate."),
  failureLimit: z.number().int().nonnegative(),
  consecutiveErrorLimit: z.number().int().nonnegative(),
  timeoutMs: z.number().int().nonnegative(),
  maxLatencyMs: z.number().nonnegative().optional().describe("p95 latency ceiling over the gate."),
  versionHeader: z.string().optional(),
  checks: z.array(
    z.strictObject({
      name: z.string(),
      path: z.string().optional(),
      url: z.string().optional(),
      headerNames: z.array(z.string()).describe("Names of the headers sent; their values are never written."),
      expect: z.strictObject({
        status: z.string().describe("Accepted statuses as written: `200`, `200-299`, `200,204`."),
        json: z.unknown().optional().describe("JSON the body must contain (subset match)."),
        body: z.string().optional().describe("Text the body must contain."),
      }),
    }),
  ),
});

const gate = z.strictObject({
  gate: z.string().describe("`smoke`, `health`, `health@10%`, `rollback-health`, `staging-watch`."),
  environment: z.string(),
  baseUrl: z.string(),
  versionId: z.string().optional().describe("The version the gate judged."),
  outcome: z.enum(["passed", "failed", "cancelled"]),
  reason: z.string().optional().describe("Why the gate failed: which check, what was expected, what came back."),
  startedAt: isoTime,
  endedAt: isoTime,
  settings: settings.optional().describe("The rules the gate judged by."),
  stats: z.strictObject({
    count: z.number().int().nonnegative().describe("Measurements that count (successful + failed)."),
    successful: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    errors: z.number().int().nonnegative(),
    requests: z.number().int().nonnegative(),
    p50Ms: z.number().nonnegative().optional(),
    p95Ms: z.number().nonnegative().optional(),
  }),
  versions: z
    .strictObject({
      header: z.string(),
      expected: z.string().optional(),
      proven: z.number().int().nonnegative(),
      otherVersion: z.number().int().nonnegative(),
      unnamed: z.number().int().nonnegative(),
      answeredBy: z.record(z.string(), z.number().int().nonnegative()),
    })
    .optional()
    .describe("Which versions answered; absent when the gate had no version header."),
  measurements: z.array(measurement),
});

export const healthReportSchema = z.strictObject({
  $schema: z.literal(HEALTH_REPORT_SCHEMA_ID),
  schema: z.literal("shipline/health-report@1"),
  result: z.enum(["released", "rolled-back", "rollback-failed", "rejected", "failed", "planned"]),
  version: z.string().optional().describe("The version released, without prefix."),
  startedAt: isoTime,
  endedAt: isoTime,
  gates: z.array(gate),
  analyses: z
    .array(
      z.object({
        step: z.number().describe("Percentage of traffic on the new version."),
        outcome: z.enum(["passed", "failed", "no-verdict-failed", "no-verdict-probes-only", "cancelled"]),
        why: z.string(),
        from: isoTime,
        until: isoTime,
        reads: z.number().int().nonnegative(),
        error: z.string().optional().describe("The analytics' last error, when a read failed."),
        pValue: z.number().optional().describe("One-sided Fisher exact test: new version's error rate above the baseline's."),
        candidate: z.looseObject({ versionId: z.string() }).describe("The new version's figures as read and as tested."),
        baseline: z.looseObject({ versionId: z.string() }).describe("The baseline's figures."),
      }),
    )
    .optional()
    .describe("The traffic analysis of each gradual step (production.analysis), with the raw figures."),
});

/** The JSON Schema of the health report, as published in `schema/health-report.schema.json`. */
export function emitHealthReportSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(healthReportSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, ...body } = generated;
  return {
    $schema,
    $id: HEALTH_REPORT_SCHEMA_ID,
    title: "shipline health report",
    description:
      "Every measurement of every gate of one shipline run (output `health-report`), with each gate's rules so that a tool can judge the measurements again.",
    ...body,
  };
}
