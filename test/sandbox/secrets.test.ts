/**
 * Worker secrets through the real wrangler CLI against the sandbox: uploaded with a version
 * (`deploy` / `versions upload --secrets-file`), `secret put` (stdin), `secret bulk`, `secret
 * list`, `secret delete`, and the refusal of a secret edit while the latest version is not the
 * deployed one (code 10215). Every value must reach the Worker at run time and never the
 * sandbox's request log or wrangler's output. The steps build on each other, so they run in order.
 */
import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, writeSampleWorker, type Sandbox } from "../../src/sandbox/index.js";
import { entryOf, runWrangler, type WranglerRun } from "./run-wrangler.js";

const SCRIPT = "secret-worker-production";
const ENV = ["--env", "production"];
const VALUES = {
  API_KEY: "api-key-value-7f3a9c",
  API_KEY_2: "api-key-rotated-51be0d",
  DB_URL: "postgres://app:db-pass-2c81e4@db.internal/app",
  FROM_BULK: "bulk-only-value-9d04aa",
  GRADUAL: "gradual-value-e6a113",
};

let sandbox: Sandbox;
let dir: string;
const outputs: WranglerRun[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = await mkdtemp(join(tmpdir(), "shipline-sandbox-secrets-"));
  await writeSampleWorker(dir, { name: "secret-worker", label: "v1", secrets: ["API_KEY"] });
});
afterAll(async () => {
  await sandbox?.stop();
});

async function wrangler(args: string[], input?: string): Promise<WranglerRun> {
  const run = await runWrangler(sandbox, dir, args, input);
  outputs.push(run);
  return run;
}

async function secretsFile(name: string, values: Record<string, string>): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(values), { mode: 0o600 });
  return path;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** What the live Worker sees: a hash per secret (null when unset), and its health status. */
async function seen(...names: string[]): Promise<{ secrets: Record<string, string | null>; health: number }> {
  const base = sandbox.workerUrl(SCRIPT);
  const config = (await (await fetch(`${base}/api/config?secrets=${names.join(",")}`)).json()) as {
    secrets: Record<string, string | null>;
  };
  const health = (await fetch(`${base}/api/health`)).status;
  return { secrets: config.secrets, health };
}

async function listed(): Promise<string[]> {
  const run = await wrangler(["secret", "list", ...ENV]);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as Array<{ name: string }>).map((s) => s.name).sort();
}

describe.sequential("Worker secrets through wrangler against the sandbox", () => {
  it("deploy --secrets-file: the first version carries the secret, visible to the Worker at run time", async () => {
    const file = await secretsFile("first.json", { API_KEY: VALUES.API_KEY });
    const run = await wrangler(["deploy", ...ENV, "--secrets-file", file, "--var", "LOG_LEVEL:debug"]);
    expect(run.code, run.stderr).toBe(0);
    expect(entryOf(run, "deploy")).toMatchObject({ worker_name: SCRIPT });
    expect(await seen("API_KEY")).toEqual({ secrets: { API_KEY: sha(VALUES.API_KEY) }, health: 200 });
    const vars = (await (await fetch(`${sandbox.workerUrl(SCRIPT)}/api/config?vars=LOG_LEVEL`)).json()) as { vars: unknown };
    expect(vars.vars).toEqual({ LOG_LEVEL: "debug" });
    expect(await listed()).toEqual(["API_KEY"]);
  });

  it("secret put (value on stdin): a new version with the secret, deployed at 100%", async () => {
    const before = sandbox.script(SCRIPT)?.versions.length ?? 0;
    const run = await wrangler(["secret", "put", "DB_URL", ...ENV], VALUES.DB_URL);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Success! Uploaded secret DB_URL/);
    const script = sandbox.script(SCRIPT);
    expect(script?.versions).toHaveLength(before + 1);
    expect(script?.deployments[0]?.versions).toEqual([{ versionId: script?.versions.at(-1)?.id, percentage: 100 }]);
    expect(script?.versions.at(-1)?.annotations).toEqual({ "workers/triggered_by": "secret" });
    expect(await seen("API_KEY", "DB_URL")).toEqual({
      secrets: { API_KEY: sha(VALUES.API_KEY), DB_URL: sha(VALUES.DB_URL) },
      health: 200,
    });
    expect(await listed()).toEqual(["API_KEY", "DB_URL"]);
  });

  it("secret bulk: adds and replaces, keeping the secrets it does not name", async () => {
    const file = await secretsFile("bulk.json", { FROM_BULK: VALUES.FROM_BULK, API_KEY: VALUES.API_KEY_2 });
    const run = await wrangler(["secret", "bulk", file, ...ENV]);
    expect(run.code, run.stderr).toBe(0);
    // wrangler 4.86 says "uploaded" (PATCH …/settings); 4.16x says "created" (PATCH …/secrets-bulk).
    expect(run.stdout).toMatch(/2 secrets successfully (uploaded|created)/);
    expect(await seen("API_KEY", "DB_URL", "FROM_BULK")).toEqual({
      secrets: { API_KEY: sha(VALUES.API_KEY_2), DB_URL: sha(VALUES.DB_URL), FROM_BULK: sha(VALUES.FROM_BULK) },
      health: 200,
    });
    // The var of the first deploy is kept too: bulk names every existing binding to keep it.
    const vars = (await (await fetch(`${sandbox.workerUrl(SCRIPT)}/api/config?vars=LOG_LEVEL`)).json()) as { vars: unknown };
    expect(vars.vars).toEqual({ LOG_LEVEL: "debug" });
  });

  it("secret delete: gone from the list and from the Worker's env", async () => {
    const run = await wrangler(["secret", "delete", "FROM_BULK", ...ENV]);
    expect(run.code, run.stderr).toBe(0);
    expect(await listed()).toEqual(["API_KEY", "DB_URL"]);
    expect((await seen("FROM_BULK")).secrets).toEqual({ FROM_BULK: null });
  });

  it("refuses a secret edit while the latest version is only uploaded (10215), as Cloudflare does", async () => {
    const upload = await wrangler(["versions", "upload", ...ENV]);
    expect(upload.code, upload.stderr).toBe(0);
    const run = await wrangler(["secret", "put", "LATE", ...ENV], "late-value");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/latest version of your Worker isn't currently deployed/);
    expect(sandbox.requests.some((r) => r.method === "PUT" && r.path.endsWith("/secrets") && r.status === 400)).toBe(true);
  });

  it("versions upload --secrets-file: the secret rides the new version, inherited ones stay, live once it is deployed", async () => {
    const file = await secretsFile("gradual.json", { GRADUAL: VALUES.GRADUAL });
    const upload = await wrangler(["versions", "upload", ...ENV, "--secrets-file", file]);
    expect(upload.code, upload.stderr).toBe(0);
    const id = String(entryOf(upload, "version-upload")?.version_id);
    expect((await seen("GRADUAL")).secrets).toEqual({ GRADUAL: null });
    const deploy = await wrangler(["versions", "deploy", `${id}@100`, "--yes", ...ENV]);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(await seen("API_KEY", "DB_URL", "GRADUAL")).toEqual({
      secrets: { API_KEY: sha(VALUES.API_KEY_2), DB_URL: sha(VALUES.DB_URL), GRADUAL: sha(VALUES.GRADUAL) },
      health: 200,
    });
  });

  it("secret put on a Worker that does not exist: wrangler creates it (draft) and sets the secret", async () => {
    const run = await wrangler(["secret", "put", "API_KEY", "--env", "staging"], VALUES.API_KEY);
    expect(run.code, run.stderr).toBe(0);
    const list = await wrangler(["secret", "list", "--env", "staging"]);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(["API_KEY"]);
  });

  it("never shows a value in the sandbox's request log or in wrangler's output", () => {
    const log = JSON.stringify(sandbox.requests);
    const printed = outputs.map((run) => `${run.stdout}\n${run.stderr}`).join("\n");
    for (const value of Object.values(VALUES)) {
      expect(log).not.toContain(value);
      expect(printed).not.toContain(value);
    }
    expect(log).toContain("[redacted]");
  });
});
