import { describe, expect, it } from "vitest";
import { CloudflareApi } from "../../../src/providers/cloudflare/api.js";
import { CloudflareAnalytics } from "../../../src/providers/cloudflare/analytics.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const TARGET = { environment: "production" };

function provider(answer: (body: { query: string; variables: Record<string, unknown> }) => { status: number; json: unknown }) {
  const bodies: Array<{ url: string; body: { query: string; variables: Record<string, unknown> } }> = [];
  const api = new CloudflareApi({
    baseUrl: "https://api.example.test/client/v4",
    auth: { kind: "token", token: "t0ken" },
    fetch: async (url, init) => {
      const body = JSON.parse(String(init.body)) as { query: string; variables: Record<string, unknown> };
      bodies.push({ url, body });
      const { status, json } = answer(body);
      return new Response(JSON.stringify(json), { status, headers: { "content-type": "application/json" } });
    },
  });
  const analytics = new CloudflareAnalytics({
    resolve: async () => ({ worker: { accountId: ACCOUNT, script: "app-production" }, api }),
    now: () => Date.UTC(2026, 0, 1, 12, 0, 0),
  });
  return { analytics, bodies };
}

describe("CloudflareAnalytics", () => {
  it("queries workersInvocationsAdaptive by script and window, and reads each version's sampled figures", async () => {
    const { analytics, bodies } = provider(() => ({
      status: 200,
      json: {
        data: {
          viewer: {
            accounts: [
              {
                workersInvocationsAdaptive: [
                  {
                    dimensions: { scriptVersion: "new" },
                    sum: { requests: 1000, errors: 50 },
                    avg: { sampleInterval: 10 },
                    quantiles: { wallTimeP50: 1000, wallTimeP75: 2000, wallTimeP90: 3000, wallTimeP99: 9000 },
                  },
                  { dimensions: { scriptVersion: "old" }, sum: { requests: 300, errors: 0 }, avg: { sampleInterval: 1 }, quantiles: {} },
                ],
              },
            ],
          },
        },
        errors: null,
      },
    }));
    const rows = await analytics.read(
      TARGET,
      { from: Date.UTC(2026, 0, 1, 11, 0, 0, 500), until: Date.UTC(2026, 0, 1, 11, 5) },
      new AbortController().signal,
    );
    expect(bodies[0]!.url).toBe("https://api.example.test/client/v4/graphql");
    expect(bodies[0]!.body.query).toContain("workersInvocationsAdaptive");
    expect(bodies[0]!.body.variables).toEqual({
      accountTag: ACCOUNT,
      scriptName: "app-production",
      from: "2026-01-01T11:00:00Z",
      until: "2026-01-01T11:05:00Z",
    });
    expect(rows[0]).toEqual({
      versionId: "new",
      requests: 1000,
      errors: 50,
      sampleInterval: 10,
      wallTimeUs: { p50: 1000, p75: 2000, p90: 3000, p99: 9000 },
    });
    expect(rows[1]?.sampleInterval).toBe(1);
  });

  it("a token without Account Analytics Read (HTTP 200 with an authz error) fails the preflight, naming the permission", async () => {
    const { analytics } = provider(() => ({
      status: 200,
      json: { data: null, errors: [{ message: "not authorized for that account", path: ["viewer"], extensions: { code: "authz" } }] },
    }));
    await expect(analytics.prepare(TARGET, new AbortController().signal)).rejects.toThrow(
      /analytics cannot be read for production: POST \/graphql failed \(HTTP 200\): not authorized for that account \[authz\]\. The API token needs the Account Analytics Read permission/,
    );
  });

  it("an outage at the preflight does not stop the run (each step's policy handles it), but fails a read", async () => {
    const { analytics } = provider(() => ({ status: 503, json: { data: null, errors: [{ message: "Service unavailable" }] } }));
    await expect(analytics.prepare(TARGET, new AbortController().signal)).resolves.toBeUndefined();
    await expect(analytics.read(TARGET, { from: 0, until: 1000 }, new AbortController().signal)).rejects.toThrow(/HTTP 503/);
  });
});
