/**
 * The API server's request handler: records every request, applies fault rules, checks the
 * credentials and the account, and dispatches to the router. Anything outside `/client/v4`
 * (the npm update check `GET /wrangler` through `npm_registry`) gets a quick 404.
 *
 * Any non-empty token (or key with email) is accepted, but a request without credentials
 * fails as on the real API, so a client that forgets them is caught here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { missingCredentials, noRoute, unsupportedRequest, wrongAccount } from "./api.js";
import type { FaultRegistry } from "./faults.js";
import { readBody } from "./http.js";
import type { ApiReply, Router } from "./router.js";
import type { RecordedRequest } from "./types.js";

export const API_PREFIX = "/client/v4";

export interface ApiServerDeps {
  readonly router: Router;
  readonly faults: FaultRegistry;
  readonly records: RecordedRequest[];
  readonly accountId: string;
  /** Records something the sandbox does not support (see `ApiDeps.unsupported`). */
  readonly unsupported: (message: string) => void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Creates the API server's request handler. */
export function createApiHandler(deps: ApiServerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const api = url.pathname.startsWith(`${API_PREFIX}/`);
    const path = api ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    const entry: Mutable<RecordedRequest> = {
      seq: deps.records.length + 1,
      at: Date.now(),
      method,
      path,
      api,
      query: Object.fromEntries(url.searchParams),
      body: parseJson(raw, req.headers["content-type"]),
      script: scriptOf(path),
      ...credentialsOf(req),
    };
    deps.records.push(entry);
    if (!api) return finish(res, entry, 404, { "content-type": "application/json" }, '{"error":"Not found"}');
    const fault = deps.faults.take(method, path);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault && fault.status !== 0) {
      entry.faulted = true;
      return finish(res, entry, fault.status, fault.headers, fault.body);
    }
    const reply = await dispatch(deps, req, url, entry, raw);
    finish(res, entry, reply.status, { "content-type": "application/json" }, JSON.stringify(reply.body));
  };
}

async function dispatch(
  deps: ApiServerDeps,
  req: IncomingMessage,
  url: URL,
  entry: Mutable<RecordedRequest>,
  raw: Buffer,
): Promise<ApiReply> {
  if (entry.auth === undefined) return missingCredentials();
  const account = /^\/accounts\/([^/]+)/.exec(entry.path)?.[1];
  if (account !== undefined && account !== deps.accountId) return wrongAccount();
  const route = deps.router.match(entry.method, entry.path);
  if (!route) {
    // A request the sandbox does not know may carry anything (secret values among it): its body is not kept.
    if (entry.body !== undefined) entry.body = "(not kept: a request the sandbox does not support)";
    deps.unsupported(`sandbox: ${unsupportedRequest(entry.method, entry.path)}; answered 404, code 7000`);
    return noRoute(entry.method, entry.path);
  }
  const headers = new Headers();
  const contentType = req.headers["content-type"];
  if (contentType) headers.set("content-type", contentType);
  const hasBody = raw.byteLength > 0 && entry.method !== "GET" && entry.method !== "HEAD";
  const request = new Request(url, { method: entry.method, headers, body: hasBody ? raw : undefined });
  return route.handler({
    method: entry.method,
    path: entry.path,
    params: route.params,
    query: url.searchParams,
    json: entry.body,
    request,
    recordBody: (body) => {
      entry.body = body;
    },
  });
}

function finish(res: ServerResponse, entry: Mutable<RecordedRequest>, status: number, headers: Record<string, string>, body: string): void {
  entry.status = status;
  res.writeHead(status, headers);
  res.end(body);
}

/** Which credentials a request carried, as the API reads them: a Bearer token, or a global key with its email. */
function credentialsOf(req: IncomingMessage): { auth?: "token" | "key" } {
  const authorization = req.headers.authorization ?? "";
  if (/^Bearer\s+\S+/i.test(authorization)) return { auth: "token" };
  if (req.headers["x-auth-key"] && req.headers["x-auth-email"]) return { auth: "key" };
  return {};
}

/** The script a path targets, for the request log and `writesTo`. */
function scriptOf(path: string): string | undefined {
  const found = /\/workers\/(?:scripts|services)\/([^/]+)/.exec(path);
  return found?.[1] === undefined ? undefined : decodeURIComponent(found[1]);
}

function parseJson(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.byteLength === 0 || !contentType?.includes("json")) return undefined;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return raw.toString("utf8");
  }
}
