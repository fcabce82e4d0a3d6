import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runGate } from "../../../src/core/gate.js";
import { parseStatusMatcher } from "../../../src/core/parse.js";
import { createFetchProbe } from "../../../src/providers/http/probe.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { startHeaderProxy, type HeaderProxy } from "../../support/header-proxy.js";

const NEW = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const OLD = "99999999-8888-4777-8666-555544443333";
const OVERRIDES = "Cloudflare-Workers-Version-Overrides";

/**
 * A tiny stand-in for a Worker in a 10 % / 90 % split: a request pinned to the new version
 * (the overrides header) gets it; any other gets the old one. Echoes what it received.
 */
let origin: Server;
let originUrl: string;
const received: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  origin = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({ url: req.url ?? "", headers: req.headers });
      const version = req.headers[OVERRIDES.toLowerCase()] === `app="${NEW}"` ? NEW : OLD;
      const status = req.url?.includes("/teapot") ? 418 : 200;
      res.writeHead(status, { "content-type": "application/json", "x-worker-version-id": version, "x-extra": "kept" });
      res.end(JSON.stringify({ url: req.url, method: req.method, body, version }));
    });
  });
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => origin.close(() => resolve())));

const proxies: HeaderProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  received.length = 0;
});

async function proxy(options: Parameters<typeof startHeaderProxy>[0]): Promise<HeaderProxy> {
  const started = await startHeaderProxy(options);
  proxies.push(started);
  return started;
}

const pinned = { [OVERRIDES]: `app="${NEW}"` };

describe("header proxy", () => {
  it("forwards method, path under the target's own path, query, headers and body, and answers with the target's status and headers", async () => {
    const p = await proxy({ target: `${originUrl}/app?k=1` });
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${p.url}/api/health?v=2`, { method: "POST", headers: { "x-token": "t", ...pinned }, body: "hello" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-extra")).toBe("kept");
    expect(response.headers.get("x-worker-version-id")).toBe(NEW);
    expect(await response.json()).toEqual({ url: "/app/api/health?k=1&v=2", method: "POST", body: "hello", version: NEW });
    expect(received[0]?.headers["x-token"]).toBe("t");
    expect(received[0]?.headers["host"]).toBe(new URL(originUrl).host);
    expect(p.requests).toEqual([
      expect.objectContaining({ method: "POST", path: "/api/health?v=2", result: { kind: "forwarded", status: 200 } }),
    ]);
    expect((await fetch(`${p.url}/teapot`)).status).toBe(418);
  });

  it("drops chosen request headers, in any case, and can change them later", async () => {
    const p = await proxy({ target: originUrl, dropRequestHeaders: ["cloudflare-workers-version-overrides"] });
    const dropped = await fetch(`${p.url}/`, { headers: pinned });
    expect(dropped.headers.get("x-worker-version-id")).toBe(OLD);
    expect(received[0]?.headers).not.toHaveProperty("cloudflare-workers-version-overrides");
    expect(p.requests[0]?.headers["cloudflare-workers-version-overrides"]).toBe(`app="${NEW}"`);

    p.dropRequestHeaders([]);
    expect((await fetch(`${p.url}/`, { headers: pinned })).headers.get("x-worker-version-id")).toBe(NEW);
  });

  it("drops chosen response headers", async () => {
    const p = await proxy({ target: originUrl, dropResponseHeaders: ["X-Worker-Version-Id"] });
    const response = await fetch(`${p.url}/`);
    expect(response.headers.get("x-worker-version-id")).toBeNull();
    expect(response.headers.get("x-extra")).toBe("kept");
  });

  it("answers 502 itself for the next N requests, then forwards again", async () => {
    const p = await proxy({ target: originUrl });
    p.failNext(2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${p.url}/x`)).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect(received).toHaveLength(1);
    expect(p.requests.map((r) => r.result.kind)).toEqual(["failed", "failed", "forwarded"]);
  });

  it("is a noisy network on demand: drops or answers 503 from a seeded draw, the same for the same seed", async () => {
    const p = await proxy({ target: originUrl });
    const outcomes = async () => {
      const seen: Array<number | string> = [];
      for (let i = 0; i < 5; i++) {
        seen.push(
          await fetch(`${p.url}/x`).then(
            (r) => r.status,
            () => "dropped",
          ),
        );
      }
      return seen;
    };
    p.noise({ dropped: 0.1, transient503: 0.02, seed: 50 });
    // mulberry32(50) draws 0.543, 0.110, 0.336, 0.074, 0.081.
    expect(await outcomes()).toEqual([200, 503, 200, "dropped", "dropped"]);
    p.noise({ dropped: 0.1, transient503: 0.02, seed: 50 });
    expect(await outcomes()).toEqual([200, 503, 200, "dropped", "dropped"]);
    p.noise(undefined);
    expect(await outcomes()).toEqual([200, 200, 200, 200, 200]);
    expect(p.requests.slice(0, 5).map((r) => r.result.kind)).toEqual(["forwarded", "injected", "forwarded", "dropped", "dropped"]);
  });

  it("answers 503 instead of one version's answers while that version is down", async () => {
    const p = await proxy({ target: originUrl });
    p.failVersion(NEW);
    expect((await fetch(`${p.url}/`, { headers: pinned })).status).toBe(503);
    expect((await fetch(`${p.url}/`)).status).toBe(200);
    p.failVersion(undefined);
    expect((await fetch(`${p.url}/`, { headers: pinned })).status).toBe(200);
  });

  it("answers 502 when the target is down", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const p = await proxy({ target: `http://127.0.0.1:${port}` });
    const response = await fetch(`${p.url}/`);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain("upstream error");
  });

  it("makes a pinned gate fail instead of passing on the old version's answers when it drops the pin (real HTTP)", async () => {
    const p = await proxy({ target: originUrl, dropRequestHeaders: [OVERRIDES] });
    const gate = (baseUrl: string) =>
      runGate({
        gate: "health@10%",
        environment: "production",
        baseUrl,
        versionId: NEW,
        settings: {
          intervalMs: 1_000,
          count: 3,
          failureLimit: 0,
          consecutiveErrorLimit: 2,
          timeoutMs: 5_000,
          checks: [{ name: "GET /", path: "/", headers: {}, expect: { status: parseStatusMatcher("200")! } }],
          versionHeader: "x-worker-version-id",
        },
        headers: pinned,
        probe: createFetchProbe(),
        clock: new VirtualClock(),
        signal: new AbortController().signal,
      });
    const direct = await gate(originUrl);
    expect(direct.outcome).toBe("passed");
    expect(direct.versions).toMatchObject({ proven: 3, otherVersion: 0 });

    const throughProxy = await gate(p.url);
    expect(throughProxy.outcome).toBe("failed");
    expect(throughProxy.reason).toContain(`answered by version ${OLD}, not ${NEW}`);
    expect(throughProxy.versions).toMatchObject({ proven: 0, otherVersion: 3 });
  });
});
