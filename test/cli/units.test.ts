import { describe, expect, it } from "vitest";
import { COMMANDS, findCommand } from "../../src/cli/commands.js";
import { CliConsole, createMasker } from "../../src/cli/console.js";
import { medianServeMs, serveSamples } from "../../src/cli/demo-measure.js";
import { parseFlags } from "../../src/cli/flags.js";
import { highestReleaseTag } from "../../src/cli/git.js";
import { LiveLine } from "../../src/cli/live.js";
import { progressPrinter } from "../../src/cli/progress.js";
import { UsageError } from "../../src/cli/usage.js";
import type { Measurement, PipelineResult } from "../../src/core/types.js";

const release = findCommand("release")!;

describe("flags", () => {
  it("parses input flags to the action's input texts, booleans with --no-", () => {
    const parsed = parseFlags(release, ["--health-interval", "2s", "--no-create-release", "--floating-tags", "--json"]);
    expect(parsed.inputs).toEqual({ "health-interval": "2s", "create-release": "false", "floating-tags": "true" });
    expect(parsed.options["json"]).toBe(true);
  });

  it("gives every command a help flag, and no command the GitHub-only inputs", () => {
    for (const command of COMMANDS) {
      expect(command.extra.some((f) => f.name === "help")).toBe(true);
      expect(command.inputs.map((s) => s.name)).not.toContain("github-token");
    }
    expect(findCommand("check")!.inputs.every((s) => s.name.startsWith("health-") || s.name === "version-header")).toBe(true);
  });

  it("throws a UsageError naming the flag", () => {
    expect(() => parseFlags(release, ["--smoke-count", "0"])).toThrow(UsageError);
    expect(() => parseFlags(release, ["--smoke-count", "0"])).toThrow(
      'Flag `--smoke-count` has the value "0": expected a whole number of at least 1.',
    );
  });
});

describe("console and progress", () => {
  const measurement = (index: number, latencyMs: number, status = 200): Measurement => ({
    index,
    at: 1_000 + index * 100,
    outcome: status === 200 ? "successful" : "failed",
    checks: [
      {
        check: "GET /api/health",
        url: "http://x/api/health",
        outcome: status === 200 ? "successful" : "failed",
        status,
        latencyMs,
        ...(status === 200 ? {} : { reason: `expected status 200-299, got ${status}` }),
      },
    ],
  });

  it("prints stamped stage lines with the gate's measurements and p95", () => {
    const lines: string[] = [];
    const out = new CliConsole({ sink: (l) => lines.push(l), startedAt: 0, verbose: false });
    const print = progressPrinter(out);
    print({ type: "stage-start", stage: "smoke", label: "Smoke gate on staging", at: 900 });
    print({ type: "measurement", gate: "smoke", measurement: measurement(0, 14) });
    print({ type: "measurement", gate: "smoke", measurement: measurement(1, 30, 503) });
    print({ type: "gate-decided", gate: "smoke", outcome: "failed", at: 1_200 });
    print({ type: "stage-end", stage: "smoke", label: "Smoke gate on staging", at: 12_300, status: "failed", detail: "long reason" });
    expect(lines).toEqual([
      "[   0.9s] ▸ Smoke gate on staging",
      "[   1.0s]     smoke #1 ✔ GET /api/health 200 14ms",
      "[   1.1s]     smoke #2 ✖ GET /api/health 503 30ms: expected status 200-299, got 503",
      "[  12.3s] ✖ Smoke gate on staging (2 measurements, p95 30ms)",
    ]);
  });

  it("on a terminal, holds the staging watch's lines until the approval prompt is answered (it rewrites the line above it)", () => {
    const watchLine = (live: boolean) => {
      const lines: string[] = [];
      const terminal = new LiveLine({ terminal: { isTTY: true, write: () => {} }, now: () => 0, every: () => () => {} });
      const out = new CliConsole({ sink: (l) => lines.push(l), startedAt: 0, verbose: false, ...(live ? { live: terminal } : {}) });
      const print = progressPrinter(out);
      print({ type: "stage-start", stage: "approval", label: "Approval", at: 100 });
      print({ type: "measurement", gate: "staging-watch", measurement: measurement(0, 30, 503) });
      const duringPrompt = lines.length;
      print({ type: "stage-end", stage: "approval", label: "Approval", at: 5_000, status: "passed" });
      return { duringPrompt, lines };
    };
    const tty = watchLine(true);
    expect(tty.duringPrompt).toBe(1);
    expect(tty.lines.map((l) => l.replace(/^\[[^\]]*\] /, ""))).toEqual([
      "▸ Approval",
      "    staging-watch #1 ✖ GET /api/health 503 30ms: expected status 200-299, got 503",
      "✔ Approval",
    ]);
    // In a pipe there is no countdown to overwrite it: the line is printed as it happens.
    expect(watchLine(false).duringPrompt).toBe(2);
  });

  it("says how many tries a re-probed check took", () => {
    const lines: string[] = [];
    const print = progressPrinter(new CliConsole({ sink: (l) => lines.push(l), startedAt: 0, verbose: false }));
    const failed = measurement(0, 30, 503);
    const check = {
      ...failed.checks[0]!,
      attempts: [
        { outcome: "failed" as const, status: 503 },
        { outcome: "error" as const, reason: "refused" },
      ],
    };
    print({ type: "measurement", gate: "health", measurement: { ...failed, checks: [check] } });
    expect(lines).toEqual(["[   1.0s]     health #1 ✖ GET /api/health 503 30ms: expected status 200-299, got 503 (2 tries)"]);
  });

  it("masks secrets everywhere it prints, the longest first", () => {
    const mask = createMasker(["abc123", "abc123-long"]);
    expect(mask("token abc123-long and abc123")).toBe("token *** and ***");
    const lines: string[] = [];
    const out = new CliConsole({ sink: (l) => lines.push(l), startedAt: 0, verbose: true, now: () => 0 });
    out.addSecrets(["s3cr3t-value", undefined]);
    out.logger().info("wrangler said s3cr3t-value");
    expect(lines).toEqual(["[   0.0s]   wrangler said ***"]);
  });

  it("leaves out the gate's warnings that the progress lines already show, unless --verbose; keeps every other warning", () => {
    for (const verbose of [false, true]) {
      const lines: string[] = [];
      const logger = new CliConsole({ sink: (l) => lines.push(l), startedAt: 0, verbose, now: () => 0 }).logger();
      logger.warn("health #2 failed: GET /health 500");
      logger.warn("health gate failed on production: GET /health: expected status 200-299, got 500");
      logger.warn("Could not note the rollback on the release v1.0.0: HTTP 403");
      expect(lines.filter((l) => l.includes("⚠"))).toHaveLength(verbose ? 3 : 1);
      expect(lines.at(-1)).toBe("[   0.0s] ⚠ Could not note the rollback on the release v1.0.0: HTTP 403");
    }
  });
});

describe("git and measurements", () => {
  it("picks the highest release tag at HEAD", () => {
    expect(highestReleaseTag(["latest", "v1.2.0", "v1.10.0", "v1.10.0-rc.1"], "v")).toBe("v1.10.0");
    expect(highestReleaseTag(["latest"], "v")).toBeUndefined();
  });

  it("measures from a deploy's end to its version's first answer", () => {
    const result = {
      stagingVersionId: "aaaa",
      productionVersionId: "bbbb",
      stages: [
        { stage: "staging-deploy", label: "", status: "passed", startedAt: 0, endedAt: 1_000 },
        { stage: "production-deploy", label: "", status: "passed", startedAt: 2_000, endedAt: 3_000 },
      ],
    } as unknown as PipelineResult;
    const traffic = [
      { at: 500, script: "w-staging", path: "/", versionId: "old", status: 200, ms: 5 },
      { at: 1_010, script: "w-staging", path: "/", versionId: "aaaa", status: 200, ms: 30 },
      { at: 3_002, script: "w-production", path: "/", versionId: "bbbb", status: 503, ms: 8 },
    ];
    const samples = serveSamples(result, traffic, (env) => `w-${env}`, { staging: "staging", production: "production" });
    expect(samples.map((s) => s.serveMs)).toEqual([40, 10]);
    expect(medianServeMs(samples)).toBe(25);
  });
});
