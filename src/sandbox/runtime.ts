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
import type { SandboxResources } from "./resources.js";
import { d1HostName, kvHostName, r2HostName } from "./resources.js";
import { DO_HOST_BINDING, STORAGE_MARKER, loaderSpecFor } from "./worker-options.js";

/** Request header naming the version to run; the host worker removes it before the Worker sees the request. */
export const VERSION_HEADER = "x-shipline-sandbox-version";

const HOST_WORKER = `
import { DurableObject, RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
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
// Storage bindings cannot cross into a loaded Worker as they are (not serialisable), so the
// loaded Worker gets an RPC stub of one of these entrypoints, which calls the host's own
// Miniflare binding named in its props: the data is Miniflare's local KV, D1 or R2.
class Binding extends WorkerEntrypoint {
  get target() { return this.env[this.ctx.props.binding]; }
}
export class KvBinding extends Binding {
  get(key, options) { return this.target.get(key, options); }
  getWithMetadata(key, options) { return this.target.getWithMetadata(key, options); }
  put(key, value, options) { return this.target.put(key, value, options); }
  delete(key) { return this.target.delete(key); }
  list(options) { return this.target.list(options); }
}
class D1Statement extends RpcTarget {
  #db; #sql; #params;
  constructor(db, sql, params) { super(); this.#db = db; this.#sql = sql; this.#params = params; }
  #native() { return this.#db.prepare(this.#sql).bind(...this.#params); }
  bind(...params) { return new D1Statement(this.#db, this.#sql, params); }
  first(column) { return this.#native().first(column); }
  all() { return this.#native().all(); }
  run() { return this.#native().run(); }
  raw(options) { return this.#native().raw(options); }
  describe() { return { sql: this.#sql, params: this.#params }; }
}
export class D1Binding extends Binding {
  prepare(sql) { return new D1Statement(this.target, sql, []); }
  async batch(statements) {
    const described = await Promise.all(statements.map((s) => s.describe()));
    return this.target.batch(described.map((d) => this.target.prepare(d.sql).bind(...d.params)));
  }
  exec(sql) { return this.target.exec(sql); }
}
function r2Object(o) {
  if (o === null) return null;
  const { key, version, size, etag, httpEtag, uploaded, httpMetadata, customMetadata, range, checksums, storageClass } = o;
  return { key, version, size, etag, httpEtag, uploaded, httpMetadata, customMetadata, range, checksums: checksums?.toJSON?.() ?? {}, storageClass };
}
class R2Body extends RpcTarget {
  #object;
  constructor(object) { super(); this.#object = object; }
  get key() { return this.#object.key; }
  get size() { return this.#object.size; }
  get etag() { return this.#object.etag; }
  get httpEtag() { return this.#object.httpEtag; }
  get uploaded() { return this.#object.uploaded; }
  get httpMetadata() { return this.#object.httpMetadata; }
  get customMetadata() { return this.#object.customMetadata; }
  get body() { return this.#object.body; }
  text() { return this.#object.text(); }
  json() { return this.#object.json(); }
  arrayBuffer() { return this.#object.arrayBuffer(); }
}
export class R2Binding extends Binding {
  async head(key) { return r2Object(await this.target.head(key)); }
  async get(key, options) {
    const o = await this.target.get(key, options);
    return o && "body" in o ? new R2Body(o) : r2Object(o);
  }
  async put(key, value, options) { return r2Object(await this.target.put(key, value, options)); }
  delete(keys) { return this.target.delete(keys); }
  async list(options) {
    const listed = await this.target.list(options);
    return { ...listed, objects: listed.objects.map(r2Object) };
  }
}
// A Durable Object binding of a loaded Worker: a stub of this entrypoint (props: script and
// class), which the Worker's namespace object (worker-options.ts) calls with the object's id.
export class DoNamespace extends WorkerEntrypoint {
  #host(hex) {
    const { script, className } = this.ctx.props;
    const ns = this.env.${DO_HOST_BINDING};
    return ns.get(ns.idFromName(JSON.stringify([script, className, hex])));
  }
  objectFetch(hex, name, request) {
    return this.#host(hex).objectFetch(this.ctx.props.script, this.ctx.props.className, hex, name, request);
  }
  objectCall(hex, name, method, args) {
    return this.#host(hex).objectCall(this.ctx.props.script, this.ctx.props.className, hex, name, method, args);
  }
}
// One host object per (script, class, object id), backed by SQLite in Miniflare's persist
// directory. It runs the class of the script's newest live version as its facet "object"
// (the facet's storage is the object's storage); a new version restarts the facet, and the
// stored state stays, as a Cloudflare object keeps its state across versions.
export class HostObject extends DurableObject {
  #version;
  async #facet(script, className, hex, name) {
    const response = await this.env.CODE.fetch("http://code/current/" + encodeURIComponent(script));
    if (!response.ok) throw new Error(await response.text());
    const { versionId, generation } = await response.json();
    // A Worker deleted and made again under the same name starts with new objects, as on Cloudflare.
    const known = await this.ctx.storage.get("generation");
    if (known !== generation) {
      if (known !== undefined) this.ctx.facets.delete("object");
      this.#version = undefined;
      await this.ctx.storage.put("generation", generation);
    }
    // workerd re-creates an idle host object while its facet keeps running, so a facet this
    // instance did not start for this version (#version unset or older) is restarted.
    if (this.#version !== versionId) {
      this.ctx.facets.abort("object", new Error("The object restarts on version " + versionId + " of " + script));
    }
    this.#version = versionId;
    const worker = loadVersion(this.env, this.ctx, versionId);
    const id = name === undefined ? hex : this.env.${DO_HOST_BINDING}.idFromName(name);
    return this.ctx.facets.get("object", () => ({ class: worker.getDurableObjectClass(className), id }));
  }
  async objectFetch(script, className, hex, name, request) {
    return (await this.#facet(script, className, hex, name)).fetch(request);
  }
  async objectCall(script, className, hex, name, method, args) {
    return (await this.#facet(script, className, hex, name))[method](...args);
  }
}
const ENTRYPOINTS = { kv: "KvBinding", d1: "D1Binding", r2: "R2Binding", do: "DoNamespace" };
function toEnv(env, ctx) {
  const out = {};
  for (const [name, value] of Object.entries(env)) {
    const storage = value !== null && typeof value === "object" ? value[${JSON.stringify(STORAGE_MARKER)}] : undefined;
    out[name] = storage ? ctx.exports[ENTRYPOINTS[storage.kind]]({ props: { ...storage, binding: storage.hostName } }) : value;
  }
  return out;
}
function loadVersion(env, ctx, id) {
  return env.LOADER.get(id, async () => {
    const response = await env.CODE.fetch("http://code/" + encodeURIComponent(id));
    if (!response.ok) throw new Error(await response.text());
    const spec = await response.json();
    return { ...spec, modules: toModules(spec.modules), env: toEnv(spec.env, ctx) };
  });
}
export default {
  async fetch(request, env, ctx) {
    const id = request.headers.get(VERSION_HEADER);
    const headers = new Headers(request.headers);
    headers.delete(VERSION_HEADER);
    return loadVersion(env, ctx, id).getEntrypoint().fetch(new Request(request, { headers }));
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
  readonly #resources: SandboxResources | undefined;
  readonly #persistDir: string | undefined;
  /** The storage bindings the running instance was given; a change restarts it (see `resourcesChanged`). */
  #boundStorage = "";
  #rebinding: Promise<void> = Promise.resolve();
  #generation: (script: string) => string | undefined = () => undefined;

  /** `persistDir` holds Miniflare's KV, D1, R2 and Durable Object data (without it Miniflare keeps them in memory). */
  constructor(logger?: SandboxLogger, resources?: SandboxResources, persistDir?: string) {
    this.#logger = logger;
    this.#resources = resources;
    this.#persistDir = persistDir;
  }

  /**
   * Rebinds the running instance to the current resources (a KV namespace, D1 database or R2
   * bucket was created or deleted): Miniflare restarts workerd with the new bindings (the data
   * stays in the persist directory; requests wait for the restart) and versions load again on
   * their next request. Nothing to do when the runtime has not started yet.
   */
  async resourcesChanged(): Promise<void> {
    this.#rebinding = this.#rebinding.then(async () => {
      const instance = this.#instance;
      if (!instance || this.#stopped) return;
      const mf = await instance.catch(() => undefined);
      if (!mf || this.#storageKey() === this.#boundStorage) return;
      const started = Date.now();
      try {
        await mf.setOptions(this.#options(await loadMiniflare()));
        this.loads.push({ kind: "runtime-start", at: started, ms: Date.now() - started, versionIds: [] });
      } catch (error) {
        this.#logger?.warn(`sandbox: the Workers runtime could not bind the new storage: ${String(error)}`);
        this.loads.push({ kind: "runtime-start", at: started, ms: Date.now() - started, versionIds: [], error: String(error) });
      }
      this.#served.clear();
    });
    return this.#rebinding;
  }

  /** Miniflare's D1 database behind `uuid` (the one Workers bound to it use); starts the runtime if needed. */
  async d1Database(uuid: string): Promise<D1Like> {
    await this.#rebinding;
    if (this.#stopped) throw new Error("The sandbox runtime is stopped");
    const mf = await this.#start();
    return (await mf.getD1Database(d1HostName(uuid))) as unknown as D1Like;
  }

  /**
   * Makes `versions` the runnable set; resolves once the runtime can serve them. `generation`
   * names a script's incarnation (its tag): Durable Objects of an earlier one are wiped.
   */
  async apply(versions: readonly VersionRecord[], generation?: (script: string) => string | undefined): Promise<void> {
    this.#live = new Map(versions.map((v) => [v.id, v]));
    if (generation) this.#generation = generation;
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
    await this.#rebinding;
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
    const mf = new miniflare.Miniflare(this.#options(miniflare));
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

  /**
   * The instance's options. Storage is bound only when resources exist, so a sandbox that uses
   * none starts as fast as before (Miniflare adds its KV, D1 and R2 services only when bound).
   */
  #options(miniflare: MiniflareModule): ConstructorParameters<MiniflareModule["Miniflare"]>[0] {
    const resources = this.#resources;
    this.#boundStorage = this.#storageKey();
    const storage =
      resources && !resources.empty()
        ? {
            kvNamespaces: Object.fromEntries(resources.kvNamespaces().map((ns) => [kvHostName(ns.id), ns.id])),
            d1Databases: Object.fromEntries(resources.d1Databases().map((db) => [d1HostName(db.uuid), db.uuid])),
            r2Buckets: Object.fromEntries(resources.r2Buckets().map((b) => [r2HostName(b.name), b.name])),
          }
        : {};
    return {
      modules: [{ type: "ESModule", path: "host.js", contents: HOST_WORKER }],
      compatibilityDate: "2025-01-01",
      // ctx.exports: the host hands loaded Workers stubs of its own storage entrypoints.
      compatibilityFlags: ["enable_ctx_exports"],
      workerLoaders: { LOADER: {} },
      // Durable Objects of loaded Workers run as facets of these host objects (SQLite-backed, persisted).
      durableObjects: { [DO_HOST_BINDING]: { className: "HostObject", useSQLite: true } },
      ...(this.#persistDir === undefined ? {} : { defaultPersistRoot: this.#persistDir }),
      serviceBindings: { CODE: (request: Request) => this.#serveCode(request) },
      ...storage,
      // `cf: false` uses Miniflare's placeholder `request.cf`: no fetch of cf.json, fully offline.
      cf: false,
      log: forwardingLog(miniflare, this.#logger),
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => this.#forwardOutput(stdout, stderr),
    };
  }

  #storageKey(): string {
    const r = this.#resources;
    if (!r) return "";
    return JSON.stringify([r.kvNamespaces().map((n) => n.id), r.d1Databases().map((d) => d.uuid), r.r2Buckets().map((b) => b.name)]);
  }

  /** Answers the host worker's request for a version's code. */
  #serveCode(request: Request): Response {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/current/")) return this.#currentVersion(decodeURIComponent(path.slice("/current/".length)));
    const id = decodeURIComponent(path.slice(1));
    const version = this.#live.get(id);
    if (!version) return new Response(`Version ${id} is not deployed`, { status: 404 });
    return Response.json(loaderSpecFor(version, this.#logger, this.#resources));
  }

  /**
   * The version a script's Durable Objects run: its newest live version (during a gradual
   * deployment Cloudflare assigns each object one of the two; here all objects move at once).
   */
  #currentVersion(script: string): Response {
    const versions = [...this.#live.values()].filter((v) => v.script === script);
    const newest = versions.reduce<VersionRecord | undefined>((a, v) => (a && a.number > v.number ? a : v), undefined);
    if (!newest) return new Response(`No version of ${script} is deployed: its Durable Objects cannot run`, { status: 404 });
    return Response.json({ versionId: newest.id, generation: this.#generation(script) ?? "" });
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

/** The part of a D1 database binding the sandbox API uses (Miniflare's proxy of the host's binding). */
export interface D1Like {
  prepare(sql: string): {
    bind(...params: unknown[]): {
      all(): Promise<{ results: Array<Record<string, unknown>>; success: boolean; meta: Record<string, unknown> }>;
      raw(options: { columnNames: true }): Promise<unknown[][]>;
    };
  };
}

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
