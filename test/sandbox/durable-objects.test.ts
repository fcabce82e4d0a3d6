/**
 * Durable Objects through the real wrangler against the sandbox: a Worker whose
 * `[[durable_objects.bindings]]` names its own class, created by a `new_sqlite_classes`
 * migration, runs its objects with storage that persists across requests and across a new
 * version of the Worker (Cloudflare runs a new version against the same objects); the account's
 * namespaces list it until `wrangler delete`, and a Worker made again under the name starts afresh.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { callApi, uploadVersion } from "./direct-api.js";
import { runWrangler } from "./run-wrangler.js";

/** The object counts hits in SQL (RPC method) and fetches in the key-value API (fetch handler). */
function worker(version: string): string {
  return `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, version TEXT NOT NULL)");
  }
  hit() {
    this.ctx.storage.sql.exec("INSERT INTO hits (version) VALUES (?)", ${JSON.stringify(version)});
    return this.ctx.storage.sql.exec("SELECT version FROM hits ORDER BY id").toArray().map((row) => row.version);
  }
  async fetch(request) {
    const fetches = ((await this.ctx.storage.get("fetches")) ?? 0) + 1;
    await this.ctx.storage.put("fetches", fetches);
    return Response.json({ fetches, name: this.ctx.id.name, path: new URL(request.url).pathname });
  }
}
export default { async fetch(request, env) {
  const id = env.COUNTER.idFromName("main");
  const hits = await env.COUNTER.get(id).hit();
  const again = env.COUNTER.get(env.COUNTER.idFromString(id.toString()));
  const fetched = await (await again.fetch(request)).json();
  const other = await env.COUNTER.getByName("other").fetch("https://object/other");
  return Response.json({ version: ${JSON.stringify(version)}, hits, fetched, other: await other.json() });
} };
`;
}

const CONFIG =
  'name = "counter-worker"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n' +
  '[[durable_objects.bindings]]\nname = "COUNTER"\nclass_name = "Counter"\n' +
  '[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Counter"]\n';

let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = await mkdtemp(join(tmpdir(), "shipline-sandbox-do-"));
  await mkdir(join(dir, "src"));
  await writeFile(join(dir, "wrangler.toml"), CONFIG);
});
afterAll(async () => {
  await sandbox?.stop();
});

async function deploy(version: string): Promise<void> {
  await writeFile(join(dir, "src", "index.js"), worker(version));
  const run = await runWrangler(sandbox, dir, ["deploy"]);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
}

describe.sequential("Durable Object bindings", () => {
  it("runs the Worker's own class with persisted storage, across requests and a new version", async () => {
    await deploy("v1");
    const url = `${sandbox.workerUrl("counter-worker")}/count`;
    const first = await (await fetch(url)).json();
    expect(first).toEqual({
      version: "v1",
      hits: ["v1"],
      fetched: { fetches: 1, name: "main", path: "/count" },
      other: { fetches: 1, name: "other", path: "/other" },
    });
    expect(await (await fetch(url)).json()).toMatchObject({ hits: ["v1", "v1"], fetched: { fetches: 2 }, other: { fetches: 2 } });

    // A second deploy: wrangler sends no migration again (the script reports tag v1, so it
    // uploads through the versions API), and the new version's code runs against the same objects.
    await deploy("v2");
    const uploads = sandbox.requests.filter(
      (r) =>
        (r.method === "PUT" && r.path.endsWith("/scripts/counter-worker")) ||
        (r.method === "POST" && r.path.endsWith("/scripts/counter-worker/versions")),
    );
    expect(uploads.map((r) => (r.body as { metadata: { migrations?: unknown } }).metadata.migrations)).toEqual([
      { new_tag: "v1", steps: [{ new_sqlite_classes: ["Counter"] }] },
      undefined,
    ]);
    expect(await (await fetch(url)).json()).toMatchObject({
      version: "v2",
      hits: ["v1", "v1", "v2"],
      fetched: { fetches: 3, name: "main" },
    });

    const listed = await callApi<Array<Record<string, unknown>>>(sandbox, "GET", "/workers/durable_objects/namespaces");
    expect(listed.envelope.result).toEqual([
      expect.objectContaining({ name: "counter-worker_Counter", script: "counter-worker", class: "Counter", use_sqlite: true }),
    ]);

    // Newer wrangler's `delete` reads the namespaces (and, as the Worker owns one, the Containers list).
    const deleted = await runWrangler(sandbox, dir, ["delete", "--force"]);
    expect(deleted.code, `${deleted.stdout}\n${deleted.stderr}`).toBe(0);
    expect((await callApi(sandbox, "GET", "/workers/durable_objects/namespaces")).envelope.result).toEqual([]);
    expect(sandbox.warnings).toEqual([]);

    // As on Cloudflare, a binding to a class no migration created is refused at upload.
    await expect(
      uploadVersion(sandbox, "counter-worker", worker("v3"), {
        bindings: [{ name: "COUNTER", type: "durable_object_namespace", class_name: "Counter" }],
      }),
    ).rejects.toThrow(/10061.*class 'Counter' that is not currently configured to implement Durable Objects/);

    // Migrations ride a script upload (wrangler deploy), never a version upload: Cloudflare refuses those.
    await expect(
      uploadVersion(sandbox, "counter-worker", worker("v3"), {
        bindings: [{ name: "COUNTER", type: "durable_object_namespace", class_name: "Counter" }],
        migrations: { new_tag: "v1", steps: [{ new_sqlite_classes: ["Counter"] }] },
      }),
    ).rejects.toThrow(/migrations cannot be applied by uploading a version/);

    // Made again under the same name, the Worker starts with new objects, as on Cloudflare.
    await deploy("v3");
    expect(await (await fetch(url)).json()).toMatchObject({ version: "v3", hits: ["v3"], fetched: { fetches: 1 } });
  });
});
