import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudflareApi } from "../../src/providers/cloudflare/api.js";
import { CANARY_QUERY, CloudflareAnalytics } from "../../src/providers/cloudflare/analytics.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { AUTH, deploySplit, uploadVersion } from "./direct-api.js";

const SCRIPT = "analytics-worker";
const DELAY_MS = 400;

let sandbox: Sandbox;
let good: string;
let bad: string;
let servedAt: number;

beforeAll(async () => {
  sandbox = await startSandbox({ analyticsDelayMs: DELAY_MS });
  good = await uploadVersion(sandbox, SCRIPT, `export default { fetch() { return new Response("ok"); } };`);
  bad = await uploadVersion(sandbox, SCRIPT, `export default { fetch() { throw new Error("boom"); } };`);
  await deploySplit(sandbox, SCRIPT, [
    [good, 50],
    [bad, 50],
  ]);
  await sandbox.settled();
  for (let i = 0; i < 20; i++) await (await fetch(`${sandbox.workerUrl(SCRIPT)}/x`)).arrayBuffer();
  servedAt = Date.now();
}, 60_000);
afterAll(async () => {
  await sandbox?.stop();
});

async function graphql(query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${sandbox.apiBaseUrl}/graphql`, {
    method: "POST",
    headers: { ...AUTH, "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data: unknown; errors: unknown } };
}

const window = () => ({
  accountTag: sandbox.accountId,
  scriptName: SCRIPT,
  from: new Date(servedAt - 60_000).toISOString(),
  until: new Date(Date.now() + 60_000).toISOString(),
});

describe("the sandbox's GraphQL Analytics", () => {
  it("counts a request only once the ingestion delay has passed, then every request per version, in Cloudflare's shape", async () => {
    // Only requests older than the delay count: between what was that old when the query left and when it came back.
    const asked = Date.now();
    const early = await graphql(CANARY_QUERY, window());
    const answered = Date.now();
    expect(early.status).toBe(200);
    const counted = (
      early.body.data as { viewer: { accounts: Array<{ workersInvocationsAdaptive: Array<{ sum: { requests: number } }> }> } }
    ).viewer.accounts[0]!.workersInvocationsAdaptive.reduce((n, r) => n + r.sum.requests, 0);
    const olderThan = (at: number) => sandbox.traffic.filter((t) => t.script === SCRIPT && t.at <= at - DELAY_MS).length;
    expect(counted).toBeGreaterThanOrEqual(olderThan(asked));
    expect(counted).toBeLessThanOrEqual(olderThan(answered));
    expect(Object.keys(early.body)).toEqual(["data", "errors"]);
    expect(early.body.errors).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, servedAt + DELAY_MS + 50 - Date.now())));
    const late = await graphql(CANARY_QUERY, window());
    const rows = (late.body.data as { viewer: { accounts: Array<{ workersInvocationsAdaptive: Array<Record<string, any>> }> } }).viewer
      .accounts[0]!.workersInvocationsAdaptive;
    const byVersion = Object.fromEntries(rows.map((r) => [r.dimensions.scriptVersion, r]));
    expect(byVersion[good].sum.requests + byVersion[bad].sum.requests).toBe(20);
    expect(byVersion[good].sum.errors).toBe(0);
    // An uncaught exception is an error; every request of the throwing version failed.
    expect(byVersion[bad].sum.errors).toBe(byVersion[bad].sum.requests);
    expect(byVersion[good].avg).toEqual({ sampleInterval: 1 });
    expect(Object.keys(byVersion[good].quantiles).sort()).toEqual(["wallTimeP50", "wallTimeP75", "wallTimeP90", "wallTimeP99"]);
    expect(byVersion[good].quantiles.wallTimeP99).toBeGreaterThanOrEqual(byVersion[good].quantiles.wallTimeP50);
  });

  it("is what the real provider reads, through the same client as every other Cloudflare request", async () => {
    const api = new CloudflareApi({ baseUrl: sandbox.apiBaseUrl, auth: { kind: "token", token: "sandbox-test-token" } });
    const analytics = new CloudflareAnalytics({ resolve: async () => ({ worker: { accountId: sandbox.accountId, script: SCRIPT }, api }) });
    await analytics.prepare({ environment: "production" }, new AbortController().signal);
    const traffic = await analytics.read(
      { environment: "production" },
      { from: servedAt - 60_000, until: Date.now() },
      new AbortController().signal,
    );
    expect(traffic.map((t) => t.versionId).sort()).toEqual([good, bad].sort());
    expect(traffic.reduce((n, t) => n + t.requests, 0)).toBe(20);
  });

  it("answers another dataset or an unsupported dimension with a GraphQL error and a warning, never made-up figures", async () => {
    const other = await graphql(
      `query { viewer { accounts(filter: { accountTag: "${sandbox.accountId}" }) { httpRequestsAdaptiveGroups(limit: 10) { count } } } }`,
      {},
    );
    expect(other.body.data).toBeNull();
    expect(JSON.stringify(other.body.errors)).toContain("only the workersInvocationsAdaptive dataset");
    const status = await graphql(CANARY_QUERY.replace("dimensions { scriptVersion }", "dimensions { scriptVersion coloCode }"), window());
    expect(JSON.stringify(status.body.errors)).toContain("does not count dimension coloCode");
    expect(sandbox.warnings.filter((w) => w.includes("POST /graphql"))).toHaveLength(2);
  });

  it("an analytics outage is a fault rule on /graphql", async () => {
    sandbox.faults.add({ path: "/graphql", status: 503, times: 1 });
    expect((await graphql(CANARY_QUERY, window())).status).toBe(503);
    expect((await graphql(CANARY_QUERY, window())).status).toBe(200);
  });
});
