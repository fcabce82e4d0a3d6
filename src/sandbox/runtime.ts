/**
 * Runs the live Worker versions in workerd through Miniflare.
 *
 * One long-lived Miniflare instance runs a small host worker with a Worker Loader binding.
 * Each request names a version; the host loads that version's code into its own isolate on
 * first use (fetching the spec from Node through a service binding) and runs it. So a new
 * deployment is servable at once: no workerd restart, no request ever meets a reloading
 * runtime. (A first design restarted Miniflare per deployment: 150-300 ms, sometimes 800 ms
 * on two busy cores; the loader takes some 30-80 ms on the version's first request.)
 */
// miniflare is an optional peer dependency (only the sandbox needs it): types only at load time.
import type { Miniflare } from "miniflare";
import type { Readable } from "node:stream";
import type { VersionRecord } from "./store.js";
import type { RuntimeLoad, SandboxLogger } from "./types.js";
import { loaderSpecFor } from "./worker-options.js";

/** Request header naming the version to run; the host worker removes it before the Worker sees the request. */
export const VERSION_HEADER = "x-shipline-sandbox-version";

const HOST_WORKER = `
const VERSION_HEADER = ${JSON.stringify(VERSION_HEADER)};
function decode(b64) {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}
function toModules(modules) {
  const out = {};
  for (const [name, m] of Object.entries(modules)) {
    out[name] = !m.b64 ? m : "data" in m ? { data: decode(m.data) } : { wasm: decode(m.wasm) };
  }
  return out;
}
export default {
  async fetch(request, env) {
    const id = request.headers.get(VERSION_HEADER);
    const headers = new Headers(request.headers);
    headers.delete(VERSION_HEADER);
    const worker = env.LOADER.get(id, async () => {
      const response = await env.CODE.fetch("http://code/" + encodeURIComponent(id));
      if (!response.ok) throw new Error(await response.text());
      const spec = await response.json();
      return { ...spec, modules: toModules(spec.modules) };
    });
    return worker.getEntrypoint().fetch(new Request(request, { headers }));
  },
};
`;

/** Hosts live versions and runs requests against them. */
export class WorkerRuntime {
  readonly loads: RuntimeLoad[] = [];
  readonly #logger: SandboxLogger | undefined;
  /** Versions that may run: the deployed ones. Loading is lazy, on a version's first request. */
  #live = new Map<string, VersionRecord>();
  readonly #served = new Set<string>();
  #instance: Promise<Miniflare> | undefined;
  #stopped = false;

  constructor(logger?: SandboxLogger) {
    this.#logger = logger;
  }

  /** Makes `versions` the runnable set; resolves once the runtime can serve them. */
  async apply(versions: readonly VersionRecord[]): Promise<void> {
    this.#live = new Map(versions.map((v) => [v.id, v]));
    if (versions.length > 0 && !this.#stopped) await this.#start().catch(() => undefined);
  }

  /** Resolves once a runtime start under way (if any) has finished. */
  async settled(): Promise<void> {
    await this.#instance?.catch(() => undefined);
  }

  /** Runs `fn` with the instance and the header value selecting `versionId`; undefined when it is not live. */
  async withVersion<T>(versionId: string, fn: (mf: Miniflare, headerValue: string) => Promise<T>): Promise<T | undefined> {
    if (!this.#live.has(versionId) || this.#stopped) return undefined;
    const first = !this.#served.has(versionId);
    const started = Date.now();
    const result = await fn(await this.#start(), versionId);
    if (first && !this.#served.has(versionId)) {
      this.#served.add(versionId);
      this.loads.push({ kind: "version-load", at: started, ms: Date.now() - started, versionIds: [versionId] });
    }
    return result;
  }

  /** Disposes the Miniflare instance (and so its workerd process). Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const instance = this.#instance;
    this.#instance = undefined;
    const mf = await instance?.catch(() => undefined);
    await mf?.dispose();
  }

  #start(): Promise<Miniflare> {
    this.#instance ??= this.#create();
    return this.#instance;
  }

  async #create(): Promise<Miniflare> {
    const started = Date.now();
    const miniflare = await loadMiniflare();
    const mf = new miniflare.Miniflare({
      modules: [{ type: "ESModule", path: "host.js", contents: HOST_WORKER }],
      compatibilityDate: "2025-01-01",
      workerLoaders: { LOADER: {} },
      serviceBindings: { CODE: (request: Request) => this.#serveCode(request) },
      // `cf: false` uses Miniflare's placeholder `request.cf`: no fetch of cf.json, fully offline.
      cf: false,
      log: forwardingLog(miniflare, this.#logger),
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => this.#forwardOutput(stdout, stderr),
    });
    try {
      await mf.ready;
    } catch (error) {
      this.#instance = undefined;
      this.loads.push({ kind: "runtime-start", at: started, ms: Date.now() - started, versionIds: [], error: String(error) });
      await mf.dispose().catch(() => undefined);
      throw error;
    }
    this.loads.push({ kind: "runtime-start", at: started, ms: Date.now() - started, versionIds: [] });
    this.#logger?.debug(`sandbox: Workers runtime ready after ${Date.now() - started} ms`);
    return mf;
  }

  /** Answers the host worker's request for a version's code. */
  #serveCode(request: Request): Response {
    const id = decodeURIComponent(new URL(request.url).pathname.slice(1));
    const version = this.#live.get(id);
    if (!version) return new Response(`Version ${id} is not deployed`, { status: 404 });
    return Response.json(loaderSpecFor(version, this.#logger));
  }

  /** Worker `console.*` output ends up in workerd's stdio; it goes to the debug log. */
  #forwardOutput(stdout: Readable, stderr: Readable): void {
    for (const stream of [stdout, stderr]) {
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        for (const line of chunk.split("\n")) if (line.trim()) this.#logger?.debug(`worker: ${line}`);
      });
    }
  }
}

type MiniflareModule = typeof import("miniflare");

/** Imports miniflare, or says how to get it: it is an optional peer, installed by those who use the sandbox. */
export async function loadMiniflare(importer: () => Promise<MiniflareModule> = () => import("miniflare")): Promise<MiniflareModule> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
    throw new Error(
      "The local Workers sandbox (shipline demo, shipline sandbox, shipline/sandbox) needs miniflare, an optional peer dependency " +
        "of shipline that is not installed: run `npm install --save-dev miniflare@4` (it brings workerd, the Workers runtime).",
      { cause: error },
    );
  }
}

/** Sends Miniflare's own log lines to the sandbox logger's debug level. */
function forwardingLog(miniflare: MiniflareModule, logger: SandboxLogger | undefined): InstanceType<MiniflareModule["Log"]> {
  class ForwardingLog extends miniflare.Log {
    protected override log(message: string): void {
      logger?.debug(`miniflare: ${message}`);
    }
  }
  return new ForwardingLog(miniflare.LogLevel.WARN);
}
