/**
 * The storage endpoints wrangler 4 uses: KV namespaces (`kv namespace create/list/delete`),
 * D1 databases (`d1 create/list/info`, and `d1 execute --remote --command` and
 * `d1 migrations apply --remote`, which both send SQL to `database/<id>/query`) and R2
 * buckets (`r2 bucket create/list`). The SQL runs in the same Miniflare D1 database that
 * deployed Workers bound to it see.
 */
import type { ApiCall, ApiReply } from "./router.js";
import type { Router } from "./router.js";
import { ResourceRefused, type D1DatabaseRecord, type SandboxResources } from "./resources.js";
import type { D1Like } from "./runtime.js";
import { fail, ok } from "./shapes.js";

export interface StorageDeps {
  readonly resources: SandboxResources;
  /** The Miniflare D1 database with this uuid. */
  readonly d1: (uuid: string) => Promise<D1Like>;
}

const KV = "/accounts/:account/storage/kv/namespaces";
const D1 = "/accounts/:account/d1/database";
const R2 = "/accounts/:account/r2/buckets";

/** D1's error code for a failed query (wrangler prints the message; the code is not confirmed). */
const D1_QUERY_FAILED = 7500;
const D1_NOT_FOUND = 7404;
const KV_NOT_FOUND = 10013;

/** Adds the KV, D1 and R2 routes. */
export function addStorageRoutes(router: Router, deps: StorageDeps): void {
  const { resources } = deps;
  router
    .on("GET", KV, (call) => page(resources.kvNamespaces().map(kvJson), call))
    .on("POST", KV, (call) => {
      const title = (call.json as { title?: unknown } | undefined)?.title;
      if (typeof title !== "string" || title.trim() === "") return badRequest(10019, 'A namespace needs { "title": <text> }');
      return created(() => kvJson(resources.createKv(title)));
    })
    .on("GET", `${KV}/:namespace`, (call) => {
      const ns = resources.kv(call.params.namespace ?? "");
      return ns ? reply(kvJson(ns)) : notFound(KV_NOT_FOUND, `namespace ${call.params.namespace} not found`);
    })
    .on("DELETE", `${KV}/:namespace`, (call) =>
      resources.deleteKv(call.params.namespace ?? "")
        ? reply(null)
        : notFound(KV_NOT_FOUND, `namespace ${call.params.namespace} not found`),
    )
    .on("GET", D1, (call) => {
      const name = call.query.get("name");
      const all = resources.d1Databases().filter((db) => name === null || db.name === name);
      return page(all.map(d1Json), call);
    })
    .on("POST", D1, (call) => {
      const name = (call.json as { name?: unknown } | undefined)?.name;
      if (typeof name !== "string" || name.trim() === "") return badRequest(7400, 'A database needs { "name": <text> }');
      return created(() => d1Json(resources.createD1(name)));
    })
    .on("GET", `${D1}/:database`, (call) => withDatabase(deps, call, (db) => reply(d1Json(db))))
    .on("DELETE", `${D1}/:database`, (call) => withDatabase(deps, call, (db) => (resources.deleteD1(db.uuid), reply(null))))
    .on("POST", `${D1}/:database/query`, (call) => withDatabase(deps, call, (db) => query(deps, db, call, "objects")))
    .on("POST", `${D1}/:database/raw`, (call) => withDatabase(deps, call, (db) => query(deps, db, call, "arrays")))
    .on("GET", R2, () =>
      reply({ buckets: resources.r2Buckets().map((b) => ({ name: b.name, creation_date: b.createdAt, location: "local" })) }),
    )
    .on("GET", `${R2}/:bucket`, (call) => {
      const bucket = resources.r2(call.params.bucket ?? "");
      if (!bucket) return notFound(10006, "The specified bucket does not exist.");
      return reply({ name: bucket.name, creation_date: bucket.createdAt, location: "local", storage_class: "Standard" });
    })
    .on("POST", R2, (call) => {
      const name = (call.json as { name?: unknown } | undefined)?.name;
      if (typeof name !== "string" || !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
        return badRequest(10005, `The bucket name "${String(name)}" is not valid`);
      }
      return created(() => {
        const bucket = resources.createR2(name);
        return { name: bucket.name, creation_date: bucket.createdAt, location: "local" };
      });
    });
}

/**
 * Runs the body's SQL (`{ sql, params? }`) in the database. Several statements in one `sql`
 * all run, in order; the answer holds the last statement's rows (the real API answers one
 * entry per statement: wrangler's migrations and `d1 execute --command` read only `success`
 * and the first entry's rows, so a migration file is fine; said in the README).
 */
async function query(deps: StorageDeps, db: D1DatabaseRecord, call: ApiCall, shape: "objects" | "arrays"): Promise<ApiReply> {
  const body = (call.json ?? {}) as { sql?: unknown; params?: unknown };
  if (typeof body.sql !== "string" || body.sql.trim() === "") return badRequest(7400, 'A query needs { "sql": <text> }');
  const params = Array.isArray(body.params) ? body.params : [];
  const started = Date.now();
  try {
    const statement = (await deps.d1(db.uuid)).prepare(body.sql).bind(...params);
    if (shape === "arrays") {
      const [columns = [], ...rows] = await statement.raw({ columnNames: true });
      return reply([{ results: { columns, rows }, success: true, meta: { duration: Date.now() - started } }]);
    }
    const result = await statement.all();
    return reply([{ results: result.results, success: result.success, meta: { ...result.meta, duration: Date.now() - started } }]);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/^D1_ERROR:\s*/, "");
    return badRequest(D1_QUERY_FAILED, message);
  }
}

function withDatabase(deps: StorageDeps, call: ApiCall, fn: (db: D1DatabaseRecord) => ApiReply | Promise<ApiReply>) {
  const db = deps.resources.d1(call.params.database ?? "");
  return db ? fn(db) : notFound(D1_NOT_FOUND, `The database ${call.params.database} could not be found`);
}

function kvJson(ns: { id: string; title: string }): Record<string, unknown> {
  return { id: ns.id, title: ns.title, supports_url_encoding: true };
}

function d1Json(db: D1DatabaseRecord): Record<string, unknown> {
  return { uuid: db.uuid, name: db.name, created_at: db.createdAt, version: "production", num_tables: null, file_size: null };
}

/** A paginated list (`?page=&per_page=`), as wrangler pages through KV and D1 lists. */
function page(items: unknown[], call: ApiCall): ApiReply {
  const perPage = Math.max(1, Number(call.query.get("per_page")) || 20);
  const number = Math.max(1, Number(call.query.get("page")) || 1);
  const slice = items.slice((number - 1) * perPage, number * perPage);
  const info = {
    page: number,
    per_page: perPage,
    count: slice.length,
    total_count: items.length,
    total_pages: Math.ceil(items.length / perPage),
  };
  return { status: 200, body: ok(slice, info) };
}

function created(make: () => unknown): ApiReply {
  try {
    return reply(make());
  } catch (error) {
    if (!(error instanceof ResourceRefused)) throw error;
    return badRequest(error.code, error.message);
  }
}

function reply(result: unknown): ApiReply {
  return { status: 200, body: ok(result) };
}

function badRequest(code: number, message: string): ApiReply {
  return { status: 400, body: fail(code, message) };
}

function notFound(code: number, message: string): ApiReply {
  return { status: 404, body: fail(code, message) };
}
