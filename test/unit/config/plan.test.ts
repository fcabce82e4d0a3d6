import { describe, expect, it } from "vitest";
import { gateTimings, renderPlan } from "../../../src/config/plan.js";
import type { GateSettings } from "../../../src/core/types.js";
import { resolve } from "./helpers.js";

const gate = (over: Partial<GateSettings> = {}): GateSettings => ({
  intervalMs: 10_000,
  count: 6,
  failureLimit: 0,
  consecutiveErrorLimit: 4,
  timeoutMs: 10_000,
  checks: [],
  ...over,
});

describe("gateTimings", () => {
  it("computes SPEC's default health gate", () => {
    expect(gateTimings(gate())).toEqual({
      minPassMs: 50_000, // 6 measurements, the first at once
      failWhenFailingMs: 0, // the first failure exceeds a limit of 0
      failWhenRefusedMs: 4_000, // 5 errors, retried 1s apart
      failWhenDownMs: 50_000, // 5 errors, each up to 10s
      longestMs: 300_000, // 6 × 5 measurements, 10s apart, the last one timing out after 10s
    });
  });

  it("spaces measurements by the timeout when it is longer than the interval", () => {
    const t = gateTimings(gate({ intervalMs: 1_000, timeoutMs: 5_000, count: 2, failureLimit: 1, consecutiveErrorLimit: 1 }));
    expect(t).toEqual({ minPassMs: 1_000, failWhenFailingMs: 1_000, failWhenRefusedMs: 1_000, failWhenDownMs: 10_000, longestMs: 20_000 });
  });

  it("retries after an error within the interval when that is shorter than a second", () => {
    const t = gateTimings(gate({ intervalMs: 300, timeoutMs: 200, count: 3, consecutiveErrorLimit: 2 }));
    expect(t).toEqual({
      minPassMs: 600,
      failWhenFailingMs: 0,
      failWhenRefusedMs: 600,
      failWhenDownMs: 800,
      longestMs: 2 * (600 + 300) + 600 + 200,
    });
  });
});

describe("renderPlan", () => {
  const FILE = `
staging: { url: https://staging.example.com, smoke: { command: npm run test:smoke } }
approval: { approvers: [alice, my-org/ops], timeout: 4h }
production:
  url: https://example.com
  strategy: gradual
  steps: [10, 50, 100]
  health:
    max-latency: 500ms
    checks:
      - path: /api/health
        headers: { x-health-token: "\${{ env.HEALTH_TOKEN }}" }
        expect: { status: 200, json: { success: true } }
`;
  const { config } = resolve({ mode: "plan", "floating-tags": "true" }, FILE, {
    HEALTH_TOKEN: "hunter2",
    GITHUB_REF: "refs/tags/v1.4.0-rc.1",
  });
  const text = renderPlan(config, { wrangler: "4.86.0 (project)" });

  it("lists the stages in order with environments and URLs", () => {
    const order = ["Staging deploy", "Smoke gate on staging", "Approval", "Production deploy", "If the health gate fails", "Tags"];
    const positions = order.map((label) => text.indexOf(label));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toContain("wrangler deploy --env staging → https://staging.example.com");
    expect(text).toContain("10% → 50% → 100% of traffic → https://example.com");
    expect(text).toContain("command: npm run test:smoke");
    expect(text).toContain("Wrangler: 4.86.0 (project)");
  });

  it("spells out the gate rules and times", () => {
    expect(text).toContain("6 measurements, 10s apart, timeout 10s per request");
    expect(text).toContain("p95 latency at most 500ms");
    expect(text).toContain(
      "passes after at least 50s; fails at the first measurement when every check fails, within 4s when every connection is refused, within 50s when every request hangs",
    );
    expect(text).toContain("3 gates; at least 2m30s in all");
    expect(text).toContain('GET /api/health (headers: x-health-token): status 200, JSON contains {"success":true}');
  });

  it("never prints header values", () => {
    expect(text).not.toContain("hunter2");
  });

  it("shows approval, rollback policy, and the tags that would be created", () => {
    expect(text).toContain("Approval: issue, by alice, my-org/ops; 1 needed; the actor may not approve; times out after 4h.");
    expect(text).toContain("roll production back to what it served before this run");
    expect(text).toContain("Tags (after a healthy production): v1.4.0-rc.1, v1.4.0, v1, v1.4");
    expect(text).toContain("GitHub Release for v1.4.0");
    expect(text).toContain("Release: v1.4.0-rc.1 (version 1.4.0-rc.1, prerelease)");
  });

  it("stops after the smoke gate for stages: staging", () => {
    const staging = renderPlan(resolve({ stages: "staging" }).config);
    expect(staging).toContain("Smoke gate on staging");
    expect(staging).not.toContain("Production deploy");
  });

  it("describes a direct deploy with rollback off and no release", () => {
    const plan = renderPlan(resolve({ rollback: "off", "create-release": "false" }).config, { tag: "v2.0.0" });
    expect(plan).toContain("Production deploy: wrangler deploy --env production → the URL wrangler reports");
    expect(plan).toContain("report only (rollback: off)");
    expect(plan).toContain("no GitHub Release (create-release: false)");
    expect(plan).toContain("Release: v2.0.0");
  });

  it("describes an emergency rollback", () => {
    const { config: rollback } = resolve({ mode: "rollback", "rollback-reason": "errors spiking" });
    const plan = renderPlan(rollback);
    expect(plan).toContain("Emergency rollback of production");
    expect(plan).toContain("the newest earlier deployment that served one version at 100%");
    expect(plan).toContain("reason: errors spiking");
    expect(plan).not.toContain("Staging deploy");
  });
});
