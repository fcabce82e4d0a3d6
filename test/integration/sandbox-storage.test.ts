/**
 * The sandbox's storage endpoints and bindings through the API directly (no wrangler, fast):
 * refusals, SQL errors, the data a Worker's bindings share with the API, persistence across a
 * restart with the same `persistDir`. No wrangler here, so it runs once (not on the Node 24 leg).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { callApi, deploySplit, uploadVersion } from "../sandbox/direct-api.js";

const DB = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const WORKER = `export default { async fetch(request, env) {
  const url = new URL(request.url);
  if (url.pathname === "/r2") {
    await env.FILES.put("a.txt", "r2 text", { customMetadata: { by: "worker" } });
    const object = await env.FILES.get("a.txt");
    const listed = await env.FILES.list();
    return Response.json({ text: await object.text(), size: await object.size, keys: listed.objects.map((o) => o.key), head: (await env.FILES.head("a.txt")).customMetadata });
  }
  await env.CACHE.put("k", JSON.stringify({ n: 1 }), { metadata: { m: true } });
  // batch() takes awaited statements in the sandbox (a pending RPC result cannot be passed on).
  const [, b] = await env.DB.batch([await env.DB.prepare("INSERT INTO t (v) VALUES (?)").bind("from batch"), await env.DB.prepare("SELECT v FROM t ORDER BY id")]);
  return Response.json({ kv: await env.CACHE.get("k", "json"), meta: (await env.CACHE.getWithMetadata("k")).metadata, rows: b.results.map((r) => r.v), first: await env.DB.prepare("SELECT count(*) AS n FROM t").first("n") });
} };`;

let sandbox: Sandbox;
let persistDir: string;
let kvId: string;

beforeAll(async () => {
  persistDir = await mkdtemp(join(tmpdir(), "shipline-sandbox-persist-"));
  sandbox = await startSandbox({ persistDir, resources: { d1Databases: [{ name: "app", id: DB }] } });
});
afterAll(async () => {
  await sandbox?.stop();
  await rm(persistDir, { recursive: true, force: true });
});

describe.sequential("storage through the API", () => {
  it("creates and lists KV namespaces, D1 databases and R2 buckets, refusing a taken name or a bad one", async () => {
    const created = await callApi<{ id: string; title: string }>(sandbox, "POST", "/storage/kv/namespaces", { title: "cache" });
    expect(created.status).toBe(200);
    kvId = created.envelope.result.id;
    expect(kvId).toMatch(/^[0-9a-f]{32}$/);
    expect((await callApi(sandbox, "POST", "/storage/kv/namespaces", { title: "cache" })).envelope.errors[0]?.code).toBe(10014);
    expect((await callApi(sandbox, "GET", "/storage/kv/namespaces")).envelope.result).toEqual([
      { id: kvId, title: "cache", supports_url_encoding: true },
    ]);
    expect((await callApi(sandbox, "POST", "/d1/database", { name: "app" })).envelope.errors[0]?.code).toBe(7502);
    const byName = await callApi<Array<{ uuid: string }>>(sandbox, "GET", "/d1/database?name=app");
    expect(byName.envelope.result.map((db) => db.uuid)).toEqual([DB]);
    expect((await callApi(sandbox, "GET", "/d1/database/nope")).status).toBe(404);
    expect((await callApi(sandbox, "POST", "/r2/buckets", { name: "Bad_Name" })).status).toBe(400);
    expect((await callApi(sandbox, "POST", "/r2/buckets", { name: "files" })).status).toBe(200);
    expect((await callApi(sandbox, "GET", "/r2/buckets/files")).status).toBe(200);
  });

  it("answers a failing query with 400 and the database's message, and a good one with its rows", async () => {
    const bad = await callApi(sandbox, "POST", `/d1/database/${DB}/query`, { sql: "SELECT * FROM missing" });
    expect(bad.status).toBe(400);
    expect(bad.envelope.errors[0]?.message).toMatch(/no such table: missing/);
    const good = await callApi(sandbox, "POST", `/d1/database/${DB}/query`, {
      sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES (?)",
      params: ["from the API"],
    });
    expect(good.envelope).toMatchObject({ success: true, result: [{ success: true, results: [] }] });
    const raw = await callApi(sandbox, "POST", `/d1/database/${DB}/raw`, { sql: "SELECT id, v FROM t" });
    expect(raw.envelope.result).toEqual([expect.objectContaining({ results: { columns: ["id", "v"], rows: [[1, "from the API"]] } })]);
  });

  it("refuses an upload binding a namespace the account lacks; a Worker's KV, D1 and R2 share the data with the API", async () => {
    await expect(
      uploadVersion(sandbox, "store", WORKER, { bindings: [{ name: "CACHE", type: "kv_namespace", namespace_id: "f".repeat(32) }] }),
    ).rejects.toThrow(/10041.*KV namespace 'f+' \(binding CACHE\) is not valid/);
    await expect(
      uploadVersion(sandbox, "store", WORKER, { bindings: [{ name: "DB", type: "d1", id: "11111111-2222-3333-4444-555555555555" }] }),
    ).rejects.toThrow(/D1 database '11111111-2222-3333-4444-555555555555' \(binding DB\) was not found/);
    expect(sandbox.script("store")).toBeUndefined();
    const bindings = [
      { name: "CACHE", type: "kv_namespace", namespace_id: kvId },
      { name: "DB", type: "d1", id: DB },
      { name: "FILES", type: "r2_bucket", bucket_name: "files" },
    ];
    const version = await uploadVersion(sandbox, "store", WORKER, { bindings });
    expect((await deploySplit(sandbox, "store", [[version, 100]])).status).toBe(200);
    expect(await (await fetch(sandbox.workerUrl("store"))).json()).toEqual({
      kv: { n: 1 },
      meta: { m: true },
      rows: ["from the API", "from batch"],
      first: 2,
    });
    expect(await (await fetch(`${sandbox.workerUrl("store")}/r2`)).json()).toEqual({
      text: "r2 text",
      size: 7,
      keys: ["a.txt"],
      head: { by: "worker" },
    });
    expect(sandbox.warnings).toEqual([]);
  });

  it("keeps the data and the resources in persistDir: a new sandbox on it finds both", async () => {
    await sandbox.stop();
    sandbox = await startSandbox({ persistDir });
    const listed = await callApi<Array<{ id: string }>>(sandbox, "GET", "/storage/kv/namespaces");
    expect(listed.envelope.result.map((ns) => ns.id)).toEqual([kvId]);
    const rows = await callApi(sandbox, "POST", `/d1/database/${DB}/query`, { sql: "SELECT v FROM t ORDER BY id" });
    expect(rows.envelope.result).toEqual([expect.objectContaining({ results: [{ v: "from the API" }, { v: "from batch" }] })]);
  });
});
