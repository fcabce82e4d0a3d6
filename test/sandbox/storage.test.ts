/**
 * KV, D1 and R2 through the real wrangler against the sandbox: `kv namespace create`,
 * `d1 migrations apply --remote`, `d1 execute --remote --command`, then a deployed Worker
 * whose bindings reach the same data (Miniflare's local storage).
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { runWrangler } from "./run-wrangler.js";

const DB_ID = "5b0c2a8e-3f41-4d7a-9c16-2e8f0a4b7d31";
const WORKER = `export default { async fetch(request, env) {
  await env.CACHE.put("greeting", "hello from kv");
  await env.BUCKET.put("note.txt", "hello from r2");
  const notes = await env.DB.prepare("SELECT body FROM notes WHERE id > ? ORDER BY id").bind(0).all();
  return Response.json({
    notes: notes.results.map((row) => row.body),
    kv: await env.CACHE.get("greeting"),
    r2: await (await env.BUCKET.get("note.txt")).text(),
  });
} };
`;

let sandbox: Sandbox;
let dir: string;

function config(kvId?: string): string {
  return (
    'name = "storage-worker"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n' +
    `[[d1_databases]]\nbinding = "DB"\ndatabase_name = "app-db"\ndatabase_id = "${DB_ID}"\n` +
    '[[r2_buckets]]\nbinding = "BUCKET"\nbucket_name = "app-files"\n' +
    (kvId ? `[[kv_namespaces]]\nbinding = "CACHE"\nid = "${kvId}"\n` : "")
  );
}

beforeAll(async () => {
  sandbox = await startSandbox({ resources: { d1Databases: [{ name: "app-db", id: DB_ID }], r2Buckets: ["app-files"] } });
  dir = await mkdtemp(join(tmpdir(), "shipline-sandbox-storage-"));
  await mkdir(join(dir, "src"));
  await mkdir(join(dir, "migrations"));
  await writeFile(join(dir, "src", "index.js"), WORKER);
  await writeFile(
    join(dir, "migrations", "0001_notes.sql"),
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\nINSERT INTO notes (body) VALUES ('from the migration');\n",
  );
  await writeFile(join(dir, "wrangler.toml"), config());
});
afterAll(async () => {
  await sandbox?.stop();
});

describe.sequential("storage bindings and the wrangler commands that manage them", () => {
  it("d1 migrations apply --remote runs the migration and records it in d1_migrations", async () => {
    const run = await runWrangler(sandbox, dir, ["d1", "migrations", "apply", "DB", "--remote"]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/0001_notes\.sql.*✅/s);
    const queries = sandbox.requests.filter((r) => r.path === `/accounts/${sandbox.accountId}/d1/database/${DB_ID}/query`);
    expect(queries.every((r) => r.status === 200)).toBe(true);
    expect(queries.length).toBeGreaterThanOrEqual(3);
  });

  it("d1 execute --remote --command writes to and reads from the same database", async () => {
    const run = await runWrangler(sandbox, dir, [
      "d1",
      "execute",
      "DB",
      "--remote",
      "--json",
      "--command",
      "INSERT INTO notes (body) VALUES ('from execute'); SELECT name FROM d1_migrations",
    ]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ success: true, results: [{ name: "0001_notes.sql" }] })]);
  });

  it("kv namespace create makes a namespace; a Worker bound to all three reads the same data", async () => {
    const created = await runWrangler(sandbox, dir, ["kv", "namespace", "create", "CACHE"]);
    expect(created.code, `${created.stdout}\n${created.stderr}`).toBe(0);
    const kvId = /"?id"?\s*[=:]\s*"([0-9a-f]{32})"/.exec(created.stdout)?.[1];
    expect(kvId, created.stdout).toBeDefined();
    await writeFile(join(dir, "wrangler.toml"), config(kvId));
    const deployed = await runWrangler(sandbox, dir, ["deploy"]);
    expect(deployed.code, `${deployed.stdout}\n${deployed.stderr}`).toBe(0);
    const response = await fetch(sandbox.workerUrl("storage-worker"));
    expect(await response.json()).toEqual({ notes: ["from the migration", "from execute"], kv: "hello from kv", r2: "hello from r2" });
    expect(sandbox.warnings).toEqual([]);
  });
});
