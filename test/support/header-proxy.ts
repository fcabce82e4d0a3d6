/**
 * A loopback HTTP proxy for tests: forwards every request to a target base URL (the proxy's
 * path appended to the target's own path), and on demand misbehaves the way real proxies in
 * front of a Worker do — drops request headers (e.g. `Cloudflare-Workers-Version-Overrides`,
 * so a gradual step's pinned probes reach whichever version the split picks), drops response
 * headers (e.g. the Worker's `x-worker-version-id`), or answers 502 itself for the next N
 * requests. It can also be a noisy network (each request independently dropped or answered
 * 503, from a seeded draw) and an outage of one version (its answers replaced by 503s).
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { seededRandom } from "../../src/testing/gate-simulation.js";

export interface HeaderProxyOptions {
  /** Base URL requests are forwarded to: `http://127.0.0.1:8787/app` + `/api/health?x=1` → `/app/api/health?x=1`. */
  readonly target: string;
  /** Request headers (any case) removed before forwarding. */
  readonly dropRequestHeaders?: readonly string[];
  /** Response headers (any case) removed before answering. */
  readonly dropResponseHeaders?: readonly string[];
}

/** One request the proxy received. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly path: string;
  /** Headers as received (lower-case names), before any were dropped. */
  readonly headers: IncomingHttpHeaders;
  /**
   * `forwarded` (and the target's status), `failed` (the proxy answered 502 itself), `dropped`
   * (the connection was closed without an answer), or `injected` (the proxy answered `status`).
   */
  readonly result:
    | { readonly kind: "forwarded"; readonly status: number }
    | { readonly kind: "failed"; readonly why: string }
    | { readonly kind: "dropped" }
    | { readonly kind: "injected"; readonly status: number; readonly why: string };
}

/** Issue 10's noisy network: each request independently dropped or answered 503, drawn from `seed`. */
export interface ProxyNoise {
  readonly dropped: number;
  readonly transient503: number;
  readonly seed: number;
}

export interface HeaderProxy {
  /** `http://127.0.0.1:<port>`: use it as the base URL a gate probes. */
  readonly url: string;
  /** Every request answered so far, in the order the proxy answered them. */
  readonly requests: readonly ProxiedRequest[];
  /** Replaces the request headers dropped from now on. */
  dropRequestHeaders(names: readonly string[]): void;
  /** Replaces the response headers dropped from now on. */
  dropResponseHeaders(names: readonly string[]): void;
  /** Answers the next `count` requests with 502 without forwarding them. */
  failNext(count: number): void;
  /** From now on, drops or answers 503 to requests at random (seeded); `undefined` stops it. */
  noise(model: ProxyNoise | undefined): void;
  /** From now on, answers 503 instead of every answer that names `versionId` in `x-worker-version-id`; `undefined` stops it. */
  failVersion(versionId: string | undefined): void;
  close(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 section 7.6.1) a proxy never forwards. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Starts the proxy on a free loopback port. */
export async function startHeaderProxy(options: HeaderProxyOptions): Promise<HeaderProxy> {
  const target = new URL(options.target);
  if (target.protocol !== "http:" && target.protocol !== "https:")
    throw new Error(`header proxy: target must be http(s), got ${options.target}`);
  let dropRequest = lowerSet(options.dropRequestHeaders);
  let dropResponse = lowerSet(options.dropResponseHeaders);
  let failures = 0;
  let noise: (ProxyNoise & { readonly draw: () => number }) | undefined;
  let failingVersion: string | undefined;
  const requests: ProxiedRequest[] = [];

  const server = createServer((req, res) => {
    const seen = { method: req.method ?? "GET", path: req.url ?? "/", headers: { ...req.headers } };
    if (failures > 0) {
      failures--;
      req.resume();
      requests.push({ ...seen, result: { kind: "failed", why: "told to fail" } });
      badGateway(res, "the proxy was told to fail this request");
      return;
    }
    const draw = noise?.draw();
    if (noise && draw !== undefined && draw < noise.dropped) {
      requests.push({ ...seen, result: { kind: "dropped" } });
      req.socket.destroy();
      return;
    }
    if (noise && draw !== undefined && draw < noise.dropped + noise.transient503) {
      req.resume();
      requests.push({ ...seen, result: { kind: "injected", status: 503, why: "transient" } });
      unavailable(res, "a transient 503 of the noisy network");
      return;
    }
    forward(req, res, seen);
  });

  function forward(req: IncomingMessage, res: ServerResponse, seen: Omit<ProxiedRequest, "result">): void {
    const url = upstreamUrl(target, seen.path);
    const headers = keep(req.headers, dropRequest);
    headers["host"] = url.host;
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const upstream = send(url, { method: seen.method, headers }, (answer) => {
      const status = answer.statusCode ?? 502;
      if (failingVersion !== undefined && answer.headers["x-worker-version-id"] === failingVersion) {
        answer.resume();
        requests.push({ ...seen, result: { kind: "injected", status: 503, why: `outage of ${failingVersion}` } });
        unavailable(res, `version ${failingVersion} is down`);
        return;
      }
      requests.push({ ...seen, result: { kind: "forwarded", status } });
      res.writeHead(status, keep(answer.headers, dropResponse));
      answer.pipe(res);
    });
    upstream.on("error", (error) => {
      requests.push({ ...seen, result: { kind: "failed", why: error.message } });
      if (!res.headersSent) badGateway(res, `upstream error: ${error.message}`);
      else res.destroy(error);
    });
    req.pipe(upstream);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    dropRequestHeaders: (names) => (dropRequest = lowerSet(names)),
    dropResponseHeaders: (names) => (dropResponse = lowerSet(names)),
    failNext: (count) => (failures = Math.max(0, Math.floor(count))),
    noise: (model) => (noise = model && { ...model, draw: seededRandom(model.seed) }),
    failVersion: (versionId) => (failingVersion = versionId),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The target URL of a proxied path: the target's own path kept, its query joined with the request's. */
function upstreamUrl(target: URL, path: string): URL {
  const received = new URL(path, "http://proxy.invalid");
  const url = new URL(target.href);
  url.pathname = `${target.pathname.replace(/\/+$/, "")}${received.pathname}`;
  url.search = [target.search.slice(1), received.search.slice(1)].filter((part) => part !== "").join("&");
  return url;
}

function lowerSet(names: readonly string[] = []): ReadonlySet<string> {
  return new Set(names.map((name) => name.toLowerCase()));
}

/** `headers` without hop-by-hop headers and without `drop` (names are lower case in node's objects). */
function keep(headers: IncomingHttpHeaders, drop: ReadonlySet<string>): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name)) continue;
    kept[name] = value;
  }
  return kept;
}

function badGateway(res: ServerResponse, why: string): void {
  const body = `502 Bad Gateway (header proxy): ${why}\n`;
  res.writeHead(502, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function unavailable(res: ServerResponse, why: string): void {
  const body = `503 Service Unavailable (header proxy): ${why}\n`;
  res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
