import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, createWorld, type World } from "../support/e2e-world.js";
import type { ActionRun } from "../support/action-harness.js";
import { SAMPLE_MIGRATION } from "../../src/sandbox/index.js";

/**
 * Secrets, vars, required secrets, a D1 database and the commands around production, end to
 * end: the built action drives the real wrangler against the sandbox, whose Workers read their
 * secrets and their D1 binding at run time. The sample Worker's health check needs the secrets
 * it is told to need and its migrated database, so a release without either cannot pass a
 * gate. The runs build on each other (one history).
 */
const VALUES = {
  API_KEY: "e2e-api-key-value-3c9d51",
  API_KEY_ROTATED: "e2e-api-key-rotated-77b0e2",
  DB_URL: "postgres://app:e2e-db-pass-a41f@db.internal/app",
};
const sha = (text: string) => createHash("sha256").update(text).digest("hex");
/** One D1 database per environment; staging's was migrated earlier, production's is migrated before production. */
const D1 = { staging: "3f0b6c1e-8d2a-4c57-9e41-6a7d2b90c4f3", production: "a8e41d27-5c3b-4f96-b0d8-1c6e9f2a7b45" };

/**
 * Watches every process's command line (/proc/<pid>/cmdline) while a run goes on; `stop`
 * resolves with the values seen in any of them.
 */
function watchArgv(values: readonly string[]): { stop(): Promise<string[]> } {
  const found = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const pid of await readdir("/proc").catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue;
        const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
        for (const value of values) if (cmdline.includes(value)) found.add(value);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...found];
    },
  };
}

describe("secrets, vars, required secrets and commands around production, end to end", () => {
  let world: World;
  let production: string[];

  beforeAll(async () => {
    world = await createWorld({
      resources: { d1Databases: Object.entries(D1).map(([environment, id]) => ({ name: `sample-worker-${environment}`, id })) },
    });
    await world.writeWorker({ label: "v1", secrets: ["API_KEY"], d1: D1 });
    expect(await query(D1.staging, SAMPLE_MIGRATION.sql)).toBe(200);
  });
  afterAll(async () => {
    await world.stop();
  });

  /** Runs SQL in a sandbox D1 database through the API (what `wrangler d1 execute --remote` does); returns the status. */
  async function query(database: string, sql: string): Promise<number> {
    const url = `${world.sandbox.apiBaseUrl}/accounts/${world.sandbox.accountId}/d1/database/${database}/query`;
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ sql }),
    });
    return response.status;
  }

  /** What a Worker sees: its vars, a hash per secret (null when unset). */
  async function seen(environment: string, vars: string[], secrets: string[]) {
    const url = `${world.sandbox.workerUrl(`sample-worker-${environment}`)}/api/config?vars=${vars.join(",")}&secrets=${secrets.join(",")}`;
    return (await (await fetch(url)).json()) as { vars: Record<string, unknown>; secrets: Record<string, unknown> };
  }

  /** Every place a run could leak a value: log (except the runner's mask commands), stderr, summary, outputs, health report. */
  async function leaks(run: ActionRun, values: readonly string[]): Promise<string[]> {
    const report = run.outputs["health-report"] ? await readFile(run.outputs["health-report"], "utf8") : "";
    const logged = run.stdout
      .split("\n")
      .filter((line) => !line.startsWith("::add-mask::"))
      .join("\n");
    const places = { log: logged, stderr: run.stderr, summary: run.summary, outputs: JSON.stringify(run.outputs), report };
    return Object.entries(places).flatMap(([place, text]) => values.filter((v) => text.includes(v)).map((v) => `${v} in ${place}`));
  }

  it("uploads the secret with the version to staging and production, passes vars, runs the commands around production", async () => {
    const before =
      "node_modules/.bin/wrangler d1 migrations apply DB --remote --env production && " +
      "node_modules/.bin/wrangler secret list --env staging > before-secrets.json && " +
      `node -e 'require("fs").writeFileSync("before-env.json", JSON.stringify({ token: require("crypto").createHash("sha256").update(process.env.CLOUDFLARE_API_TOKEN ?? "").digest("hex"), version: process.env.SHIPLINE_VERSION, environment: process.env.SHIPLINE_ENVIRONMENT, id: process.env.SHIPLINE_VERSION_ID }))'`;
    const argv = watchArgv([VALUES.API_KEY]);
    const after = `node -e 'require("fs").writeFileSync("after-env.json", JSON.stringify({ id: process.env.SHIPLINE_VERSION_ID, tag: process.env.SHIPLINE_TAG }))'`;
    const run = await world.run(
      { secrets: "API_KEY", vars: "LOG_LEVEL=debug\nREGION=eu:west", "before-production": before, "after-release": after },
      { ref: "refs/tags/v1.0.0", env: { API_KEY: VALUES.API_KEY } },
    );
    expect(await argv.stop()).toEqual([]);
    expect(run.outputs["result"], run.stdout).toBe("released");
    production = await world.live("production");
    for (const environment of ["staging", "production"]) {
      expect(await seen(environment, ["LOG_LEVEL", "REGION"], ["API_KEY"])).toEqual({
        vars: { LOG_LEVEL: "debug", REGION: "eu:west" },
        secrets: { API_KEY: sha(VALUES.API_KEY) },
      });
    }
    // The secret is a binding of the released version itself, not a later edit.
    const version = world.sandbox.script("sample-worker-production")?.versions.at(-1);
    expect(version?.id).toBe(run.outputs["production-version-id"]);
    expect(version?.bindings.find((b) => b.name === "API_KEY")).toMatchObject({ type: "secret_text" });
    expect(version?.annotations).toMatchObject({ "workers/tag": "v1.0.0" });

    // before-production ran with wrangler's environment before production existed; after-release after it.
    expect(JSON.parse(await readFile(join(world.workspace, "before-env.json"), "utf8"))).toEqual({
      token: sha(API_TOKEN),
      version: "1.0.0",
      environment: "production",
      id: "",
    });
    // wrangler, run by the command with the same credentials and API, listed staging's secrets.
    expect(JSON.parse(await readFile(join(world.workspace, "before-secrets.json"), "utf8"))).toEqual([
      { name: "API_KEY", type: "secret_text" },
    ]);
    expect(JSON.parse(await readFile(join(world.workspace, "after-env.json"), "utf8"))).toEqual({
      id: run.outputs["production-version-id"],
      tag: "v1.0.0",
    });
    expect(run.summary).toContain("`wrangler rollback` does not undo what before-production changed");

    // The migration ran through the sandbox's D1 API before the first production write, and the
    // production Worker's binding reads what it made (its health gate passed on it).
    const productionDb = `/d1/database/${D1.production}/query`;
    const migrated = world.sandbox.requests.filter((r) => r.path.endsWith(productionDb) && r.status === 200);
    const firstProductionWrite = world.sandbox.writesTo("sample-worker-production")[0];
    expect(migrated.length).toBeGreaterThanOrEqual(3);
    expect(migrated.every((r) => r.seq < (firstProductionWrite?.seq ?? 0))).toBe(true);
    // Without the migrated table the health check fails, so the gates did read the database.
    expect(await query(D1.staging, "DROP TABLE health_checks")).toBe(200);
    const unmigrated = await fetch(`${world.sandbox.workerUrl("sample-worker-staging")}/api/health`);
    expect(unmigrated.status).toBe(503);
    expect(await unmigrated.json()).toMatchObject({
      data: { database: expect.stringMatching(/not migrated: .*no such table: health_checks/) },
    });
    expect(await query(D1.staging, SAMPLE_MIGRATION.sql)).toBe(200);

    expect(run.stdout).toContain("--secrets-file <file with API_KEY>");
    expect(run.stdout).toContain(`::add-mask::${VALUES.API_KEY}`);
    expect(await leaks(run, [VALUES.API_KEY, API_TOKEN])).toEqual([]);
    expect(JSON.stringify(world.sandbox.requests)).not.toContain(VALUES.API_KEY);
  });

  it("fails at the smoke gate, production untouched, when the Worker needs a secret the release does not bring", async () => {
    await world.writeWorker({ label: "v1.1.0", secrets: ["API_KEY", "DB_URL"], d1: D1 });
    const writes = world.writes("production");
    const run = await world.run({ secrets: "API_KEY" }, { ref: "refs/tags/v1.1.0", env: { API_KEY: VALUES.API_KEY } });
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.stdout).toMatch(/Smoke gate failed on staging: .*503/);
    expect(world.writes("production")).toBe(writes);
    expect(await world.live("production")).toEqual(production);
  });

  it("stops before anything is deployed when a secret's value is missing from the step's environment", async () => {
    const writes = { staging: world.writes("staging"), production: world.writes("production") };
    const run = await world.run({ secrets: "API_KEY,DB_URL" }, { ref: "refs/tags/v1.1.0", env: { API_KEY: VALUES.API_KEY } });
    expect(run.outputs["result"]).toBe("failed");
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/Input `secrets` names DB_URL, but the environment has no value for it/);
    expect({ staging: world.writes("staging"), production: world.writes("production") }).toEqual(writes);
    expect(await leaks(run, [VALUES.API_KEY])).toEqual([]);
  });

  it("stops before production, untouched, when a required secret is missing on the production Worker", async () => {
    // Staging gets DB_URL by hand; production does not have it.
    const staging = await world.run(
      { secrets: "API_KEY,DB_URL", stages: "staging" },
      {
        ref: "refs/tags/v1.1.0",
        env: { API_KEY: VALUES.API_KEY, DB_URL: VALUES.DB_URL },
      },
    );
    expect(staging.outputs["result"], staging.stdout).toBe("released");
    const writes = world.writes("production");
    const run = await world.run(
      { secrets: "API_KEY", "required-secrets": "API_KEY,DB_URL" },
      { ref: "refs/tags/v1.1.0", env: { API_KEY: VALUES.API_KEY } },
    );
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.stdout).toMatch(/the Worker sample-worker-production \(--env production\) lacks DB_URL/);
    expect(run.stdout).not.toMatch(/sample-worker-staging \(--env staging\) lacks/);
    expect(run.summary).toMatch(/Check required secrets/);
    expect(world.writes("production")).toBe(writes);
    expect(await world.live("production")).toEqual(production);
  });

  it("stops with production untouched when before-production fails", async () => {
    const writes = world.writes("production");
    const run = await world.run(
      { secrets: "API_KEY,DB_URL", "before-production": "echo 'migration 0002 failed' >&2; exit 3" },
      { ref: "refs/tags/v1.1.0", env: { API_KEY: VALUES.API_KEY, DB_URL: VALUES.DB_URL } },
    );
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.stdout).toMatch(/before-production exited with 3: migration 0002 failed; production was not touched/);
    expect(world.writes("production")).toBe(writes);
    expect(await world.live("production")).toEqual(production);
  });

  it("gradual: the rotated and the new secret ride the uploaded version through every step", async () => {
    const argv = watchArgv([VALUES.API_KEY_ROTATED, VALUES.DB_URL]);
    const run = await world.run(
      { secrets: "API_KEY,DB_URL", strategy: "gradual", "rollout-steps": "50,100" },
      { ref: "refs/tags/v1.1.0", env: { API_KEY: VALUES.API_KEY_ROTATED, DB_URL: VALUES.DB_URL } },
    );
    expect(await argv.stop()).toEqual([]);
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(await world.live("production")).toEqual([run.outputs["production-version-id"]]);
    expect((await seen("production", [], ["API_KEY", "DB_URL"])).secrets).toEqual({
      API_KEY: sha(VALUES.API_KEY_ROTATED),
      DB_URL: sha(VALUES.DB_URL),
    });
    // No secret edit on the live Worker (Cloudflare refuses one mid-rollout, 10215): only uploads and deployments.
    const edits = world.sandbox.requests.filter((r) => r.path.includes("/secrets") && r.method !== "GET");
    expect(edits).toEqual([]);
    expect(await leaks(run, [VALUES.API_KEY_ROTATED, VALUES.DB_URL])).toEqual([]);
  });
});
