import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchProbe } from "../../../src/providers/http/probe.js";
import { describeNetworkError } from "../../../src/providers/http/network-error.js";

let server: Server;
let base: string;
let lastHeaders: IncomingHttpHeaders = {};

/** Routes of the local test server. `/hang` never answers; `/stall` sends headers, then nothing. */
function handle(path: string, res: import("node:http").ServerResponse): void {
  if (path === "/json") {
    res.writeHead(200, { "Content-Type": "application/json", "X-Version": "abc" });
    res.end('{"success":true}');
  } else if (path === "/down") {
    res.writeHead(503);
    res.end("Service Unavailable");
  } else if (path === "/redirect") {
    res.writeHead(302, { Location: "/json" });
    res.end();
  } else if (path === "/big") {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end("é".repeat(100_000));
  } else if (path === "/health-200k") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ success: true, services: "x".repeat(200_000), status: "healthy" }));
  } else if (path === "/stall") {
    res.writeHead(200);
    res.write("partial");
  } else if (path !== "/hang") {
    res.writeHead(404);
    res.end("nope");
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    handle(req.url ?? "/", res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const probe = createFetchProbe();
const live = () => new AbortController().signal;
const get = (path: string, headers: Record<string, string> = {}, timeoutMs = 2_000) =>
  probe.probe({ url: `${base}${path}`, headers, timeoutMs }, live());

describe("createFetchProbe", () => {
  it("returns status, body, lower-cased headers and a latency", async () => {
    const response = await get("/json");
    expect(response).toMatchObject({ kind: "response", status: 200, body: '{"success":true}' });
    if (response.kind !== "response") throw new Error("expected a response");
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.headers["x-version"]).toBe("abc");
    expect(response.latencyMs).toBeGreaterThan(0);
  });

  it("returns error statuses as responses", async () => {
    expect(await get("/down")).toMatchObject({ kind: "response", status: 503, body: "Service Unavailable" });
  });

  it("sends the request headers and a user agent unless one is given", async () => {
    await get("/json", { "X-Health-Token": "secret", "Cloudflare-Workers-Version-Overrides": 'app="v1"' });
    expect(lastHeaders["x-health-token"]).toBe("secret");
    expect(lastHeaders["cloudflare-workers-version-overrides"]).toBe('app="v1"');
    expect(lastHeaders["user-agent"]).toBe("shipline-probe");
    await get("/json", { "User-Agent": "mine" });
    expect(lastHeaders["user-agent"]).toBe("mine");
  });

  it("does not follow redirects", async () => {
    const response = await get("/redirect");
    expect(response).toMatchObject({ kind: "response", status: 302, headers: { location: "/json" } });
  });

  it("keeps at most maxBodyBytes of the body, and says where it cut", async () => {
    const small = createFetchProbe({ maxBodyBytes: 1_001 });
    const response = await small.probe({ url: `${base}/big`, headers: {}, timeoutMs: 2_000 }, live());
    if (response.kind !== "response") throw new Error("expected a response");
    // "é" is two bytes: 500 whole characters, then half of one (decoded as a replacement character).
    expect(response.body).toBe(`${"é".repeat(500)}\uFFFD`);
    expect(response.bodyCutAt).toBe(1_001);
  });

  it("takes the request's limit over its own, and marks no cut when the body fits exactly", async () => {
    const exact = await probe.probe({ url: `${base}/big`, headers: {}, timeoutMs: 2_000, maxBodyBytes: 200_000 }, live());
    if (exact.kind !== "response") throw new Error("expected a response");
    expect(Buffer.byteLength(exact.body)).toBe(200_000);
    expect(exact.bodyCutAt).toBeUndefined();
    const one = await probe.probe({ url: `${base}/big`, headers: {}, timeoutMs: 2_000, maxBodyBytes: 199_999 }, live());
    expect(one).toMatchObject({ bodyCutAt: 199_999 });
  });

  it("reads a 200 KB health document whole by default (4 MiB)", async () => {
    const response = await get("/health-200k");
    if (response.kind !== "response") throw new Error("expected a response");
    expect(response.bodyCutAt).toBeUndefined();
    expect(JSON.parse(response.body)).toMatchObject({ success: true, status: "healthy" });
  });

  it("times out a request that gets no answer", async () => {
    const response = await get("/hang", {}, 200);
    expect(response).toMatchObject({ kind: "error", error: "timeout after 200ms" });
    expect(response.latencyMs).toBeGreaterThanOrEqual(150);
  });

  it("times out a body that stalls", async () => {
    expect(await get("/stall", {}, 200)).toMatchObject({ kind: "error", error: "timeout after 200ms" });
  });

  it("reports a refused connection", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const response = await probe.probe({ url: `http://127.0.0.1:${port}/`, headers: {}, timeoutMs: 2_000 }, live());
    expect(response).toMatchObject({ kind: "error", error: "connection refused (ECONNREFUSED)" });
  });

  it("rejects (does not report an error) when the caller aborts", async () => {
    const controller = new AbortController();
    const pending = probe.probe({ url: `${base}/hang`, headers: {}, timeoutMs: 5_000 }, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await expect(probe.probe({ url: `${base}/json`, headers: {}, timeoutMs: 5_000 }, controller.signal)).rejects.toThrow();
  });

  it("uses the injected fetch and clock", async () => {
    let tick = 0;
    const fake = createFetchProbe({
      fetch: async (_url, init) => {
        expect(init?.redirect).toBe("manual");
        return new Response("hi", { status: 201, headers: { "X-A": "1" } });
      },
      now: () => (tick += 40),
    });
    expect(await fake.probe({ url: "https://x.test/", headers: {}, timeoutMs: 1_000 }, live())).toEqual({
      kind: "response",
      status: 201,
      headers: { "content-type": "text/plain;charset=UTF-8", "x-a": "1" },
      body: "hi",
      latencyMs: 40,
    });
  });
});

describe("describeNetworkError", () => {
  const fetchFailed = (cause: unknown) => new TypeError("fetch failed", { cause });
  const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

  it("names the cause's code in short words", () => {
    expect(describeNetworkError(fetchFailed(coded("getaddrinfo ENOTFOUND nope.invalid", "ENOTFOUND")))).toBe(
      "DNS lookup failed (ENOTFOUND)",
    );
    expect(describeNetworkError(fetchFailed(coded("x", "CERT_HAS_EXPIRED")))).toBe("TLS certificate expired (CERT_HAS_EXPIRED)");
    expect(describeNetworkError(fetchFailed(coded("x", "ERR_SSL_WRONG_VERSION_NUMBER")))).toBe("TLS error (ERR_SSL_WRONG_VERSION_NUMBER)");
  });

  it("looks inside AggregateError (several addresses tried)", () => {
    const aggregate = new AggregateError([coded("connect ECONNREFUSED ::1:1", "ECONNREFUSED")], "");
    expect(describeNetworkError(fetchFailed(aggregate))).toBe("connection refused (ECONNREFUSED)");
  });

  it("falls back to the innermost message, with an unknown code kept", () => {
    expect(describeNetworkError(fetchFailed(coded("weird thing", "E_WEIRD")))).toBe("weird thing (E_WEIRD)");
    expect(describeNetworkError(fetchFailed(new Error("other side hung up")))).toBe("other side hung up");
    expect(describeNetworkError("boom")).toBe("boom");
    expect(describeNetworkError(42)).toBe("request failed");
  });

  it("reports DNS failures from a real lookup", async () => {
    const response = await probe.probe({ url: "http://shipline-does-not-exist.invalid/", headers: {}, timeoutMs: 5_000 }, live());
    expect(response).toMatchObject({ kind: "error" });
    if (response.kind === "error") expect(response.error).toMatch(/DNS lookup failed \((ENOTFOUND|EAI_AGAIN)\)/);
  });
});
