/**
 * One HTTP request through `node:http` / `node:https`, answered as much of a `Response` as
 * shipline's Cloudflare client reads (status, headers, text).
 *
 * Why not `fetch`: Node's `fetch`, `Response` and `Headers` live in its bundled undici, which is
 * compiled on first use: some 60 ms of CPU under Node 20 on a 2-core runner (measured with
 * `process.cpuUsage()` around the first `Response` access), spent before the action's first
 * read of production could go out. `node:http` is part of Node's start-up snapshot. The
 * request is the same one: method, headers and body as given, no redirect followed (as
 * `redirect: "manual"`), no compression asked for, the global keep-alive agent. `node:https`
 * (with TLS and crypto, not in the snapshot either) is loaded for the first https URL.
 */
import { channel } from "node:diagnostics_channel";
import { request as httpRequest, type IncomingMessage } from "node:http";

/**
 * Published once a request has been written to its connected socket (`finish`: after the
 * connection and, for https, the TLS handshake). Node's own `http.client.request.start` fires
 * earlier, as soon as the request is queued on a socket that may still be connecting.
 */
export const REQUEST_SENT_CHANNEL = "shipline:http:request-sent";
const sent = channel(REQUEST_SENT_CHANNEL);

/** What shipline reads of an answer; a `Response` is one too. */
export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The request as shipline's Cloudflare client makes it; `fetch` takes it too. */
export interface HttpRequestInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** Never followed here; `fetch` is told the same. */
  readonly redirect?: "manual";
}

/** Sends one request; rejects like `fetch` on a network failure (the error's `code` says which) or an abort. */
export async function nodeHttpRequest(url: string, init: HttpRequestInit = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? (await import("node:https")).request : target.protocol === "http:" ? httpRequest : undefined;
  if (!send) throw Object.assign(new TypeError(`unsupported protocol ${target.protocol}`), { code: "ERR_INVALID_URL" });
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(init.body));
  return new Promise((resolve, reject) => {
    const request = send(target, { method: init.method ?? "GET", headers, ...(init.signal ? { signal: init.signal } : {}) }, (response) =>
      resolve(answerOf(response)),
    );
    request.on("error", reject);
    request.on("finish", () => {
      if (sent.hasSubscribers) sent.publish({ url: `${target.origin}${target.pathname}` });
    });
    request.end(init.body);
  });
}

function answerOf(response: IncomingMessage): HttpAnswer {
  // The body is read at once (into memory, as `text()` would), so that a dropped connection
  // mid-body rejects `text()` rather than going unnoticed.
  const body = new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    response.on("error", reject);
    response.on("close", () => {
      if (!response.complete) reject(Object.assign(new Error("the connection closed before the response ended"), { code: "ECONNRESET" }));
    });
  });
  body.catch(() => undefined);
  return {
    status: response.statusCode ?? 0,
    statusText: response.statusMessage ?? "",
    headers: {
      get(name: string): string | null {
        const value = response.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    },
    text: () => body,
  };
}
