/**
 * SPEC section 5, Which version answered: every probe records the version named in
 * `version-header`, an answer from another version is never a success, and a gate whose
 * answers name no version says it could not prove which version it measured.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/config/parse-file.js";
import { evaluate, gateVersions, runGate, watchGate, type GateOptions } from "../../../src/core/gate.js";
import type { HttpProbe } from "../../../src/core/ports.js";
import { humanLines } from "../../../src/cli/output.js";
import { renderSummary, versionNote } from "../../../src/core/report.js";
import type { GateReport, GateSettings, PipelineResult } from "../../../src/core/types.js";
import { normaliseVersionId, sameVersionId } from "../../../src/core/version-id.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { check, fail, ok, ScriptedProbe, settings, status } from "./fakes.js";

const T0 = Date.UTC(2026, 0, 1);
const BASE = "https://example.com";
const HEADER = "x-worker-version-id";
const NEW = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const OLD = "99999999-8888-4777-8666-555544443333";
const URL_ = `${BASE}/health`;

/** An answer from `version` (status 200 unless given). */
const from = (version: string, code = 200) => status(code, "OK", { [HEADER]: version });

function gate(probe: HttpProbe, gateSettings: GateSettings, extra: Partial<GateOptions> = {}): Promise<GateReport> {
  return runGate({
    gate: "health",
    environment: "production",
    baseUrl: BASE,
    versionId: NEW,
    settings: gateSettings,
    probe,
    clock: new VirtualClock(T0),
    signal: new AbortController().signal,
    ...extra,
  });
}

/** The health gate's rules with every default of the input table (count 6, failure-limit 0, consecutive-error-limit 4). */
function defaultHealth(inputs: Record<string, string> = {}): GateSettings {
  const env = { GITHUB_REF: "refs/tags/v1.2.3", GITHUB_SHA: "a".repeat(40) };
  return resolveConfig({ inputs, env }).config.production.health;
}

describe("version ids", () => {
  it("normalise a UUID with or without hyphens, in any case, to lower-case 8-4-4-4-12", () => {
    expect(normaliseVersionId(NEW.toUpperCase())).toBe(NEW);
    expect(normaliseVersionId(NEW.replace(/-/g, ""))).toBe(NEW);
    expect(normaliseVersionId(` ${NEW.replace(/-/g, "").toUpperCase()} `)).toBe(NEW);
    expect(sameVersionId(NEW, NEW.replace(/-/g, "").toUpperCase())).toBe(true);
    expect(sameVersionId(NEW, OLD)).toBe(false);
  });

  it("keep other hosts' ids, trimmed and lower-cased", () => {
    expect(normaliseVersionId(" Release-42 ")).toBe("release-42");
    expect(normaliseVersionId("sha256:ABC")).toBe("sha256:abc");
  });
});

describe("evaluate with a version rule", () => {
  const spec = check();

  it("records the answering version, normalised, whatever the header's case", () => {
    const response = status(200, "OK", { "X-Worker-Version-Id": NEW.replace(/-/g, "").toUpperCase() });
    const result = evaluate(spec, response, URL_, { header: "X-Worker-Version-ID", expected: NEW });
    expect(result).toMatchObject({ outcome: "successful", status: 200, versionId: NEW });
  });

  it("makes an answer from another version an error, even one that met every expectation, saying why", () => {
    const result = evaluate(spec, from(OLD), URL_, { header: HEADER, expected: NEW.toUpperCase() });
    expect(result.outcome).toBe("error");
    expect(result.status).toBe(200);
    expect(result.versionId).toBe(OLD);
    expect(result.reason).toBe(
      `answered by version ${OLD}, not ${NEW} — the Cloudflare-Workers-Version-Overrides pin did not reach the Worker, or another deploy is live`,
    );
  });

  it("does not blame the judged version for another version's failure either", () => {
    expect(evaluate(spec, from(OLD, 503), URL_, { header: HEADER, expected: NEW }).outcome).toBe("error");
  });

  it("judges an answer without the header (or with a blank one) as before, recording no version", () => {
    for (const response of [ok(), status(200, "OK", { [HEADER]: "  " })]) {
      const result = evaluate(spec, response, URL_, { header: HEADER, expected: NEW });
      expect(result.outcome).toBe("successful");
      expect(result.versionId).toBeUndefined();
    }
    expect(evaluate(spec, status(503), URL_, { header: HEADER, expected: NEW }).outcome).toBe("failed");
  });

  it("only records the version when there is nothing to compare it with", () => {
    expect(evaluate(spec, from(OLD), URL_, { header: HEADER })).toMatchObject({ outcome: "successful", versionId: OLD });
  });

  it("ignores the header without a rule (version-header turned off)", () => {
    const result = evaluate(spec, from(OLD), URL_);
    expect(result.outcome).toBe("successful");
    expect(result).not.toHaveProperty("versionId");
  });

  it("leaves a request that got no answer as it was", () => {
    expect(evaluate(spec, fail(), URL_, { header: HEADER, expected: NEW })).toMatchObject({
      outcome: "error",
      reason: "connection refused (ECONNREFUSED)",
    });
  });
});

describe("runGate judges only the version it is meant to judge", () => {
  const withHeader = (overrides: Partial<GateSettings> = {}) => settings({ versionHeader: HEADER, ...overrides });

  it("passes as before when every answer comes from the expected version, and has nothing to say about it", async () => {
    const report = await gate(new ScriptedProbe([from(NEW.replace(/-/g, ""))]), withHeader({ count: 3 }));
    expect(report.outcome).toBe("passed");
    expect(report.stats).toMatchObject({ count: 3, successful: 3, errors: 0 });
    expect(report.versions).toEqual({ header: HEADER, expected: NEW, proven: 3, otherVersion: 0, unnamed: 0, answeredBy: { [NEW]: 3 } });
    expect(report.measurements.flatMap((m) => m.checks.map((c) => c.versionId))).toEqual([NEW, NEW, NEW]);
    expect(versionNote(report)).toBeUndefined();
  });

  it("fails on consecutive errors, and never passes, when every answer comes from another version", async () => {
    const report = await gate(new ScriptedProbe([from(OLD)]), withHeader({ count: 3, consecutiveErrorLimit: 4 }));
    expect(report.outcome).toBe("failed");
    expect(report.measurements.map((m) => m.outcome)).toEqual(["error", "error", "error", "error", "error"]);
    expect(report.stats).toMatchObject({ count: 0, successful: 0, errors: 5 });
    expect(report.reason).toContain(`answered by version ${OLD}, not ${NEW}`);
    expect(report.reason).toContain("(5 consecutive errors, consecutive-error-limit 4)");
    expect(report.versions).toMatchObject({ proven: 0, otherVersion: 5, unnamed: 0, answeredBy: { [OLD]: 5 } });
    expect(versionNote(report)).toBe(`health: 5 of 5 answers came from version ${OLD}, not ${NEW} (counted as errors)`);
  });

  it("cannot pass on the old version's answers when 9 of 10 answers come from it (a 10% step whose pin was dropped), with the default limits", async () => {
    const rules = defaultHealth();
    expect(rules).toMatchObject({ count: 6, failureLimit: 0, consecutiveErrorLimit: 4, versionHeader: HEADER });
    const tenPercent = () => {
      let n = 0;
      return new ScriptedProbe([() => (n++ % 10 === 0 ? from(NEW) : from(OLD))]);
    };
    const report = await gate(tenPercent(), rules);
    expect(report.outcome).toBe("failed");
    expect(report.reason).toContain("consecutive-error-limit 4");
    expect(report.stats.successful).toBe(1);
    expect(report.versions).toMatchObject({ proven: 1, otherVersion: 5, unnamed: 0 });
    // Today's behaviour, for contrast: without the header the old version's answers pass the gate.
    const blind = await gate(tenPercent(), defaultHealth({ "version-header": "" }));
    expect(blind.outcome).toBe("passed");
    expect(blind.versions).toBeUndefined();
  });

  it("never counts an old version's answer as a success, however the 10% falls (seeded random split)", async () => {
    let seed = 42;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const rules = defaultHealth();
    let passed = 0;
    for (let run = 0; run < 40; run++) {
      const report = await gate(new ScriptedProbe([() => (random() < 0.1 ? from(NEW) : from(OLD))]), rules);
      const successes = report.measurements.filter((m) => m.outcome === "successful");
      expect(successes.every((m) => m.checks.every((c) => c.versionId === NEW))).toBe(true);
      if (report.outcome === "passed") {
        passed++;
        expect(report.versions?.proven).toBeGreaterThanOrEqual(rules.count);
      }
    }
    expect(passed).toBeLessThan(40);
  });

  it("treats a deploy that goes live mid-gate as other-version errors, not as news about this release", async () => {
    const report = await gate(
      new ScriptedProbe([from(NEW), from(NEW), from(OLD, 500)]),
      withHeader({ count: 6, consecutiveErrorLimit: 2 }),
    );
    expect(report.outcome).toBe("failed");
    expect(report.stats).toMatchObject({ failed: 0, successful: 2, errors: 3 });
    expect(report.versions).toMatchObject({ proven: 2, otherVersion: 3 });
    expect(versionNote(report)).toBe(`health: 3 of 5 answers came from version ${OLD}, not ${NEW} (counted as errors)`);
  });

  it("names each other version and its count when there are several", async () => {
    const third = "11111111-2222-4333-8444-555555555555";
    const report = await gate(new ScriptedProbe([from(OLD), from(third), from(OLD)]), withHeader({ consecutiveErrorLimit: 2 }));
    expect(versionNote(report)).toBe(`health: 3 of 3 answers came from versions ${OLD} (2), ${third} (1), not ${NEW} (counted as errors)`);
  });

  it("passes on answers without the header, and says it could not prove which version it measured", async () => {
    const report = await gate(new ScriptedProbe([ok()]), withHeader({ count: 3 }));
    expect(report.outcome).toBe("passed");
    expect(report.versions).toMatchObject({ proven: 0, otherVersion: 0, unnamed: 3, answeredBy: {} });
    expect(versionNote(report)).toBe(
      `health: could not prove which version it measured: none of its 3 answers carried the \`${HEADER}\` header`,
    );
  });

  it("says so for some answers when only some carried the header; requests without an answer are in no count", async () => {
    const report = await gate(new ScriptedProbe([from(NEW), fail(), ok(), from(NEW)]), withHeader({ count: 3 }));
    expect(report.outcome).toBe("passed");
    expect(report.versions).toMatchObject({ proven: 2, otherVersion: 0, unnamed: 1 });
    expect(versionNote(report)).toBe(
      `health: could not prove which version it measured: 1 of its 3 answers did not carry the \`${HEADER}\` header`,
    );
  });

  it("keeps today's behaviour with the header turned off: other versions' answers pass, and the report has no versions", async () => {
    const report = await gate(new ScriptedProbe([from(OLD)]), settings({ count: 3 }));
    expect(report.outcome).toBe("passed");
    expect(report.versions).toBeUndefined();
    expect(report.measurements[0]?.checks[0]).not.toHaveProperty("versionId");
    expect(versionNote(report)).toBeUndefined();
  });

  it("only records versions when the gate is not told which one it judges", async () => {
    for (const versionId of [undefined, ""]) {
      const report = await gate(new ScriptedProbe([from(OLD), from(NEW), from(OLD)]), withHeader({ count: 3 }), { versionId });
      expect(report.outcome).toBe("passed");
      expect(report.versions).toEqual({ header: HEADER, proven: 0, otherVersion: 0, unnamed: 0, answeredBy: { [OLD]: 2, [NEW]: 1 } });
      expect(versionNote(report)).toBeUndefined();
    }
  });

  it("fails the staging watch when another version takes over staging during the wait", async () => {
    const controller = new AbortController();
    const report = await watchGate({
      gate: "staging-watch",
      environment: "staging",
      baseUrl: BASE,
      versionId: NEW,
      settings: withHeader({ consecutiveErrorLimit: 1 }),
      probe: new ScriptedProbe([from(NEW), from(NEW), from(OLD)]),
      clock: new VirtualClock(T0),
      signal: controller.signal,
    });
    expect(report.outcome).toBe("failed");
    expect(report.reason).toContain(`answered by version ${OLD}, not ${NEW}`);
  });
});

describe("gateVersions", () => {
  it("is plain JSON that survives a round trip (the health report)", async () => {
    const report = await gate(new ScriptedProbe([from(NEW), ok(), from(OLD)]), settings({ versionHeader: HEADER, count: 2 }));
    const versions = gateVersions(report.measurements, HEADER, NEW);
    expect(versions).toEqual(report.versions);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe("job summary", () => {
  const result = (gates: GateReport[]): PipelineResult => ({
    result: "released",
    mode: "release",
    approval: { status: "skipped", approvedBy: [] },
    stages: [],
    gates,
    message: "done",
    startedAt: T0,
    endedAt: T0 + 1_000,
    warnings: [],
  });

  it("adds one line per gate with something to say under the gate table, and none otherwise", async () => {
    const proven = await gate(new ScriptedProbe([from(NEW)]), settings({ versionHeader: HEADER, count: 2 }), { gate: "smoke" });
    const unnamed = await gate(new ScriptedProbe([ok()]), settings({ versionHeader: HEADER, count: 2 }), { gate: "health@10%" });
    const summary = renderSummary(result([proven, unnamed]));
    expect(summary).toContain(
      `- ⚠️ health@10%: could not prove which version it measured: none of its 2 answers carried the \`${HEADER}\` header`,
    );
    expect(summary).not.toContain("- ⚠️ smoke");
    expect(renderSummary(result([proven]))).not.toContain("⚠️");
  });

  it("is printed by the CLI too, one line per gate with something to say", async () => {
    const other = await gate(new ScriptedProbe([from(OLD)]), settings({ versionHeader: HEADER, consecutiveErrorLimit: 0 }));
    const lines = humanLines({ ...result([other]), result: "rolled-back", message: "rolled back" }, {});
    expect(lines).toEqual([
      "✖ shipline: rolled-back (1s). rolled back",
      `  ⚠ health: 1 of 1 answers came from version ${OLD}, not ${NEW} (counted as errors)`,
    ]);
  });
});
