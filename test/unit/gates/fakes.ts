/** Test doubles for gate tests: a scripted probe and check/settings builders. */
import { parseStatusMatcher } from "../../../src/core/parse.js";
import type { HttpProbe, ProbeRequest, ProbeResponse } from "../../../src/core/ports.js";
import type { CheckSpec, GateSettings } from "../../../src/core/types.js";

export function check(name = "GET /health", overrides: Partial<CheckSpec> = {}): CheckSpec {
  return { name, path: "/health", headers: {}, expect: { status: parseStatusMatcher("200-299")! }, ...overrides };
}

export function settings(overrides: Partial<GateSettings> = {}): GateSettings {
  return {
    intervalMs: 10_000,
    count: 3,
    failureLimit: 0,
    consecutiveErrorLimit: 4,
    timeoutMs: 5_000,
    checks: [check()],
    ...overrides,
  };
}

export function ok(latencyMs = 10, body = "OK", headers: Record<string, string> = {}): ProbeResponse {
  return { kind: "response", status: 200, headers, body, latencyMs };
}

export function status(code: number, body = "", headers: Record<string, string> = {}): ProbeResponse {
  return { kind: "response", status: code, headers, body, latencyMs: 10 };
}

export function fail(error = "connection refused (ECONNREFUSED)", latencyMs = 1): ProbeResponse {
  return { kind: "error", error, latencyMs };
}

/** A probe that answers from a script: one entry per request in order, the last one repeating. */
export class ScriptedProbe implements HttpProbe {
  readonly requests: ProbeRequest[] = [];
  constructor(
    private readonly script: ReadonlyArray<ProbeResponse | ((request: ProbeRequest) => ProbeResponse | Promise<ProbeResponse>)>,
  ) {}

  async probe(request: ProbeRequest): Promise<ProbeResponse> {
    const step = this.script[Math.min(this.requests.length, this.script.length - 1)];
    this.requests.push(request);
    if (step === undefined) throw new Error("empty script");
    return typeof step === "function" ? step(request) : step;
  }
}

/** A probe that answers by URL, each URL with its own script (last entry repeating). */
export function byUrl(scripts: Record<string, readonly ProbeResponse[]>): HttpProbe & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  return {
    calls,
    probe: async (request) => {
      const script = scripts[request.url];
      if (!script) throw new Error(`unexpected URL ${request.url}`);
      const n = (calls[request.url] = (calls[request.url] ?? 0) + 1);
      return script[Math.min(n - 1, script.length - 1)]!;
    },
  };
}
