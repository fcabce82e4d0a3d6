/**
 * Live Worker traffic: `http://127.0.0.1:<trafficPort>/<script>/<path>` runs `<path>` on the
 * script's current deployment. The script segment is stripped, so the Worker sees
 * `http://127.0.0.1:<trafficPort>/<path>` as `request.url`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { forwardableHeaders, readBody, sendResponse, sendText } from "./http.js";
import { VERSION_OVERRIDES_HEADER, WeightedRotation, chooseVersion } from "./routing.js";
import { VERSION_HEADER, type WorkerRuntime } from "./runtime.js";
import type { SandboxStore } from "./store.js";
import type { TrafficRecord } from "./types.js";

const MAX_TRAFFIC_RECORDS = 10_000;

export interface TrafficDeps {
  readonly store: SandboxStore;
  readonly runtime: WorkerRuntime;
  /** `http://127.0.0.1:<trafficPort>`, resolved once the server listens. */
  readonly origin: () => string;
  readonly records: TrafficRecord[];
}

/** Splits `/<script>/<rest>?q` into the script name and the path the Worker sees. */
export function splitTrafficPath(rawUrl: string): { script: string; path: string } {
  const url = new URL(rawUrl, "http://sandbox.invalid");
  const [, first = "", ...rest] = url.pathname.split("/");
  return { script: decodeURIComponent(first), path: `/${rest.join("/")}${url.search}` };
}

/** Creates the traffic server's request handler. */
export function createTrafficHandler(deps: TrafficDeps) {
  const rotation = new WeightedRotation();
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const { script, path } = splitTrafficPath(req.url ?? "/");
    const deployment = deps.store.get(script)?.deployments[0];
    const versionId = deployment && chooseVersion(script, deployment, header(req, VERSION_OVERRIDES_HEADER), rotation);
    const status = versionId ? await runVersion(deps, req, res, versionId, path) : notFound(res, script);
    record(deps.records, { at: started, script, path, versionId, status, ms: Date.now() - started });
  };
}

async function runVersion(deps: TrafficDeps, req: IncomingMessage, res: ServerResponse, versionId: string, path: string): Promise<number> {
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
  const status = await deps.runtime.withVersion(versionId, async (mf, selector) => {
    const headers = forwardableHeaders(req);
    headers.set(VERSION_HEADER, selector);
    const response = await mf.dispatchFetch(`${deps.origin()}${path}`, {
      method,
      // Miniflare types its fetch with undici's classes; a plain entry list fits both.
      headers: [...headers.entries()],
      body,
      redirect: "manual",
    });
    await sendResponse(res, response as unknown as Response);
    return response.status;
  });
  if (status !== undefined) return status;
  sendText(res, 503, `Worker version ${versionId} is not deployed, or the sandbox runtime is stopped.\n`);
  return 503;
}

/** Cloudflare answers a workers.dev name with nothing deployed with a 404 page like this. */
function notFound(res: ServerResponse, script: string): number {
  sendText(res, 404, `There is nothing here yet. No Worker named "${script}" is deployed in the sandbox.\n`);
  return 404;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function record(records: TrafficRecord[], entry: TrafficRecord): void {
  records.push(entry);
  if (records.length > MAX_TRAFFIC_RECORDS) records.splice(0, records.length - MAX_TRAFFIC_RECORDS);
}
