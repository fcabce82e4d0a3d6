import type { GateSettings, PipelineConfig } from "../../src/core/types.js";

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Fast gate rules for tests: two measurements, 1 s apart on the virtual clock. */
export function gate(overrides: Partial<GateSettings> = {}): GateSettings {
  return {
    intervalMs: 1_000,
    count: 2,
    failureLimit: 0,
    consecutiveErrorLimit: 4,
    timeoutMs: 1_000,
    checks: [{ name: "GET /health", path: "/health", headers: {}, expect: { status: { ranges: [[200, 299]], text: "200-299" } } }],
    ...overrides,
  };
}

/** A release configuration with test-sized gates; `overrides` are merged one level deep. */
export function testConfig(overrides: DeepPartial<PipelineConfig> = {}): PipelineConfig {
  const base: PipelineConfig = {
    mode: "release",
    stages: "all",
    workingDirectory: ".",
    version: { explicit: "v1.2.0", tagPrefix: "v", sha: "abc1234" },
    staging: { environment: "staging", smoke: gate() },
    production: { environment: "production", strategy: "direct", steps: [10, 50, 100], health: gate({ count: 3 }), rollback: "auto" },
    approval: { mode: "none", approvers: [], minimum: 1, timeoutMs: 3_600_000, allowSelfApproval: false },
    release: { promotePrerelease: true, floatingTags: false, createRelease: true },
  };
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = (base as unknown as Record<string, unknown>)[key];
    merged[key] =
      value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object"
        ? { ...current, ...value }
        : value;
  }
  return merged as unknown as PipelineConfig;
}
