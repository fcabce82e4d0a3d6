/**
 * Durable Object bindings in the sandbox, without the runtime: how a version's binding becomes
 * the loader spec (marker + shim main module), the shim's namespace objects run in Node against
 * a recording RPC stand-in, and the migrations that decide which classes a script implements.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { SHIM_MAIN } from "../../../src/sandbox/durable-object-shim.js";
import { applyMigrations, namespacesJson, planDurableObjects, migrationTag } from "../../../src/sandbox/durable-objects.js";
import { SandboxStore, type BindingRecord, type UploadedWorker, type VersionRecord } from "../../../src/sandbox/store.js";
import { DO_HOST_BINDING, STORAGE_MARKER, loaderSpecFor } from "../../../src/sandbox/worker-options.js";

const USER_MODULE = `export class Counter {
  constructor(ctx, env) { this.env = env; }
  kind() { return typeof this.env.COUNTER.idFromName; }
}
export class Other {}
export const answer = 42;
export default {
  label: "handlers",
  async fetch(request, env) {
    const id = env.COUNTER.idFromName("main");
    const stub = env.COUNTER.get(id);
    return {
      self: this.label,
      plain: env.PLAIN,
      id: id.toString(),
      name: id.name,
      sameId: env.COUNTER.idFromString(id.toString()).equals(id),
      otherClassId: env.SECOND.idFromName("main").toString(),
      called: await stub.increment(2, "x"),
      fetched: await stub.fetch("https://object/path", { method: "POST" }),
      byName: await env.COUNTER.getByName("main").increment(),
      unique: env.COUNTER.newUniqueId().toString(),
      awaitable: typeof stub.then,
    };
  },
};
`;

function version(bindings: BindingRecord[], script = "app"): VersionRecord {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    number: 1,
    script,
    createdOn: "2026-01-01T00:00:00.000Z",
    etag: "e",
    mainModule: "index.js",
    serviceWorker: false,
    modules: [{ name: "index.js", type: "application/javascript+module", contents: new TextEncoder().encode(USER_MODULE) }],
    bindings,
    compatibilityDate: "2025-01-01",
    compatibilityFlags: [],
    annotations: {},
    keepBindings: [],
  };
}

const OWN: BindingRecord[] = [
  { name: "COUNTER", type: "durable_object_namespace", class_name: "Counter" },
  { name: "SECOND", type: "durable_object_namespace", class_name: "Other", script_name: "app" },
  { name: "PLAIN", type: "plain_text", text: "p" },
];

describe("loaderSpecFor with Durable Object bindings", () => {
  it("marks each binding to the Worker's own class for the host's namespace entrypoint, behind a shim main module", () => {
    const spec = loaderSpecFor(version(OWN));
    expect(spec.env.COUNTER).toEqual({ [STORAGE_MARKER]: { kind: "do", hostName: DO_HOST_BINDING, script: "app", className: "Counter" } });
    expect(spec.env.SECOND).toEqual({ [STORAGE_MARKER]: { kind: "do", hostName: DO_HOST_BINDING, script: "app", className: "Other" } });
    expect(spec.mainModule).toBe(SHIM_MAIN);
    expect(Object.keys(spec.modules).sort()).toEqual([SHIM_MAIN, "index.js"].sort());
    expect(spec.modules[SHIM_MAIN]).toEqual({ js: expect.stringContaining('export * from "./index.js"') });
  });

  it("leaves a binding to another Worker's class out with a warning, and keeps the Worker's own main module", () => {
    const warnings: string[] = [];
    const spec = loaderSpecFor(version([{ name: "REMOTE", type: "durable_object_namespace", class_name: "Room", script_name: "chat" }]), {
      debug: () => undefined,
      warn: (m) => warnings.push(m),
    });
    expect(spec.env).toEqual({});
    expect(spec.mainModule).toBe("index.js");
    expect(warnings).toEqual([expect.stringMatching(/binding REMOTE of type durable_object_namespace is not supported/)]);
  });

  it("gives handlers and the bound classes namespace objects whose stubs call the host entrypoint (run in Node)", async () => {
    const spec = loaderSpecFor(version(OWN));
    const dir = await mkdtemp(join(tmpdir(), "shipline-do-shim-"));
    await writeFile(join(dir, "index.js"), USER_MODULE);
    await writeFile(join(dir, SHIM_MAIN), (spec.modules[SHIM_MAIN] as { js: string }).js);
    const shim = (await import(pathToFileURL(join(dir, SHIM_MAIN)).href)) as Record<string, unknown>;

    const calls: unknown[][] = [];
    const rpc = {
      objectCall: async (...args: unknown[]) => (calls.push(["call", ...args]), calls.length),
      objectFetch: async (hex: string, name: string | undefined, request: Request) => {
        calls.push(["fetch", hex, name, request.method, request.url]);
        return "response";
      },
    };
    const env = { COUNTER: rpc, SECOND: rpc, PLAIN: "p" };
    const handlers = shim.default as { fetch(request: Request, env: unknown, ctx: unknown): Promise<Record<string, unknown>> };
    const seen = await handlers.fetch(new Request("https://w/"), env, {});
    expect(seen).toMatchObject({ self: "handlers", plain: "p", name: "main", sameId: true, fetched: "response", awaitable: "undefined" });
    expect(seen.id).toMatch(/^[0-9a-f]{64}$/);
    expect(seen.unique).toMatch(/^[0-9a-f]{64}$/);
    expect(seen.otherClassId).not.toBe(seen.id);
    expect(calls).toEqual([
      ["call", seen.id, "main", "increment", [2, "x"]],
      ["fetch", seen.id, "main", "POST", "https://object/path"],
      ["call", seen.id, "main", "increment", []],
    ]);
    // Same name, same id, in a later request too.
    expect((await handlers.fetch(new Request("https://w/"), env, {})).id).toBe(seen.id);

    // The bound classes get the same env; others are re-exported untouched.
    const Counter = shim.Counter as new (ctx: unknown, env: unknown) => { kind(): string };
    expect(Counter.name).toBe("Counter");
    expect(new Counter({}, env).kind()).toBe("function");
    expect(shim.answer).toBe(42);
    const namespace = (new Counter({}, env) as unknown as { env: { COUNTER: { idFromString(s: string): unknown } } }).env.COUNTER;
    expect(() => namespace.idFromString("not-an-id")).toThrow(/Invalid Durable Object ID/);
  });
});

describe("Durable Object migrations", () => {
  const none = { tag: undefined, classes: [] };

  it("applies steps in order: new (SQLite or not), renamed, deleted; the new tag becomes the script's", () => {
    const applied = applyMigrations(none, {
      new_tag: "v3",
      steps: [
        { new_sqlite_classes: ["Counter"], new_classes: ["Legacy"] },
        { renamed_classes: [{ from: "Counter", to: "Tally" }] },
        { deleted_classes: ["Legacy"] },
      ],
    });
    expect(applied).toEqual({ tag: "v3", classes: [{ name: "Tally", sqlite: true }] });
    expect(applyMigrations(applied, undefined)).toBe(applied);
  });

  it("refuses an old_tag that is not the script's tag, a class made twice, an unknown rename or delete, and transfers", () => {
    const current = { tag: "v1", classes: [{ name: "Counter", sqlite: true }] };
    expect(() => applyMigrations(current, { new_tag: "v2", steps: [] })).toThrow(
      /old_tag null is not the script's current migration tag "v1"/,
    );
    expect(() => applyMigrations(current, { old_tag: "v1", new_tag: "v2", steps: [{ new_classes: ["Counter"] }] })).toThrow(
      /class Counter already exists/,
    );
    expect(() => applyMigrations(current, { old_tag: "v1", steps: [{ renamed_classes: [{ from: "Nope", to: "X" }] }] })).toThrow(
      /cannot rename Nope to X/,
    );
    expect(() => applyMigrations(current, { old_tag: "v1", steps: [{ deleted_classes: ["Nope"] }] })).toThrow(/class Nope does not exist/);
    expect(() => applyMigrations(current, { old_tag: "v1", steps: [{ transferred_classes: [{}] }] })).toThrow(/not supported/);
  });

  it("refuses a binding to a class no migration created; records migrations only when committed", () => {
    const store = new SandboxStore();
    const upload = (bindings: BindingRecord[], migrations?: unknown): UploadedWorker => ({
      mainModule: "index.js",
      serviceWorker: false,
      modules: [],
      bindings,
      compatibilityFlags: [],
      annotations: {},
      keepBindings: [],
      ...(migrations === undefined ? {} : { migrations }),
    });
    const binding: BindingRecord = { name: "COUNTER", type: "durable_object_namespace", class_name: "Counter" };
    expect(() => planDurableObjects(store, "app", upload([binding]))).toThrow(/class 'Counter' that is not currently configured/);
    // Another Worker's class is not checked here (the upload warns that the sandbox does not run it).
    expect(() => planDurableObjects(store, "app", upload([{ ...binding, script_name: "other" }]))).not.toThrow();

    const first = upload([binding], { new_tag: "v1", steps: [{ new_sqlite_classes: ["Counter"] }] });
    const commit = planDurableObjects(store, "app", first);
    store.addVersion("app", first, "upload");
    expect(migrationTag(store.get("app")!)).toBeUndefined();
    commit();
    expect(migrationTag(store.get("app")!)).toBe("v1");
    expect(() => planDurableObjects(store, "app", upload([binding]))).not.toThrow();
    expect(namespacesJson(store)).toEqual([
      { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: "app_Counter", script: "app", class: "Counter", use_sqlite: true },
    ]);
  });
});
