/**
 * What the sandbox cannot do yet is said loudly, never answered with a silent success: a
 * binding it cannot give the Worker (Analytics Engine, another Worker's Durable Objects, …) is named in
 * `sandbox.warnings` and the logger, and an endpoint it lacks (`queues create`) fails in
 * wrangler with a message naming it (a KV, D1 or R2 binding to a resource the account lacks is
 * refused, as Cloudflare refuses it: test/integration/sandbox-storage.test.ts).
 * And wrangler's own `secrets.required` check works against it as against Cloudflare (10057).
 * All with the real wrangler.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { runWrangler } from "./run-wrangler.js";

const WORKER = `export default { async fetch(request, env) {
  return Response.json({ events: typeof env.EVENTS, apiKey: typeof env.API_KEY });
} };
`;

let sandbox: Sandbox;
const logged: string[] = [];

async function project(name: string, extra: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `shipline-sandbox-${name}-`));
  await mkdir(join(dir, "src"));
  await writeFile(join(dir, "src", "index.js"), WORKER);
  await writeFile(join(dir, "wrangler.toml"), `name = "${name}"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n${extra}`);
  return dir;
}

beforeAll(async () => {
  sandbox = await startSandbox({ logger: { debug: () => undefined, warn: (message) => logged.push(message) } });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe.sequential("what the sandbox does not support is never silent", () => {
  it("names a binding it cannot provide, in sandbox.warnings and the logger, while the deploy goes through", async () => {
    const dir = await project(
      "bound-worker",
      '[[analytics_engine_datasets]]\nbinding = "EVENTS"\ndataset = "events"\n' +
        '[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\nscript_name = "chat-worker"\n',
    );
    const run = await runWrangler(sandbox, dir, ["deploy"]);
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.warnings.join("\n")).toMatch(
      /bound-worker was uploaded with binding EVENTS of type analytics_engine, which shipline's sandbox does not provide/,
    );
    expect(sandbox.warnings.join("\n")).toMatch(
      /binding ROOM to Durable Object class Room of another Worker \(script_name chat-worker\), which shipline's sandbox does not provide/,
    );
    expect(logged).toEqual(sandbox.warnings);
    // As the warning says: the Worker runs without it.
    const seen = await (await fetch(sandbox.workerUrl("bound-worker"))).json();
    expect(seen).toEqual({ events: "undefined", apiKey: "undefined" });
  });

  it("fails `queues create` with a message naming the unsupported request, and records it", async () => {
    const dir = await project("queue-worker", "");
    const before = sandbox.warnings.length;
    const run = await runWrangler(sandbox, dir, ["queues", "create", "jobs"]);
    expect(run.code).toBe(1);
    expect(`${run.stdout}\n${run.stderr}`).toMatch(
      /No route for that URI: shipline's sandbox does not support POST \/accounts\/…\/queues .*\[code: 7000\]/,
    );
    expect(sandbox.warnings.slice(before).join("\n")).toMatch(/POST \/accounts\/…\/queues.*code 7000/);
  });

  it("refuses a deploy whose secrets.required names a secret the Worker lacks (10057), as Cloudflare does", async () => {
    const dir = await project("required-worker", "");
    expect((await runWrangler(sandbox, dir, ["deploy"])).code).toBe(0);
    await writeFile(
      join(dir, "wrangler.toml"),
      'name = "required-worker"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\nsecrets = { required = ["API_KEY"] }\n',
    );
    const refused = await runWrangler(sandbox, dir, ["deploy"]);
    expect(refused.code).toBe(1);
    expect(`${refused.stdout}\n${refused.stderr}`).toMatch(/required secrets have not been set: API_KEY/);
    expect(sandbox.requests.some((r) => r.status === 400 && r.path.endsWith("/scripts/required-worker/versions"))).toBe(true);

    // Given with the deploy it passes, and a later deploy inherits it.
    const file = join(dir, "secrets.json");
    await writeFile(file, JSON.stringify({ API_KEY: "required-value-1" }));
    expect((await runWrangler(sandbox, dir, ["deploy", "--secrets-file", file])).code).toBe(0);
    const later = await runWrangler(sandbox, dir, ["deploy"]);
    expect(later.code, later.stderr).toBe(0);
    const seen = (await (await fetch(sandbox.workerUrl("required-worker"))).json()) as { apiKey: string };
    expect(seen.apiKey).toBe("string");
  });
});
