import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../support/e2e-world.js";

const STAGING = "/workers/scripts/sample-worker-staging";
const PRODUCTION = "/workers/scripts/sample-worker-production";

/** wrangler failing at each stage: every failure has a defined outcome, and nothing is lost. */
describe("wrangler failing at each stage", () => {
  let world: World;
  let stable: string;
  let release = 0;
  const next = () => `v1.${++release}.0`;

  beforeAll(async () => {
    world = await createWorld();
    stable = await world.releaseFirst();
  });
  afterEach(() => world.sandbox.faults.clear());
  afterAll(async () => {
    await world.stop();
  });

  it("staging upload failing (5xx, retried by wrangler): stops with wrangler's own error, production untouched", async () => {
    const tag = next();
    await world.writeWorker({ label: tag });
    world.sandbox.faults.add({ method: "POST", path: `${STAGING}/versions`, status: 500 });
    const before = world.writes("production");
    const run = await world.run({}, { ref: `refs/tags/${tag}` });
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.stdout).toMatch(/::error::shipline: failed\. Staging deploy failed: .*A request to the Cloudflare API .* failed/);
    expect(world.writes("production")).toBe(before);
    expect(run.summary).toMatch(/Deploy v1\.\d\.0 to staging \| ❌ failed/);
  });

  it("anchor read failing: stops before production is touched", async () => {
    const tag = next();
    await world.writeWorker({ label: tag });
    world.sandbox.faults.add({ method: "GET", path: `${PRODUCTION}/deployments`, status: 502, rawBody: "<html>Bad Gateway</html>" });
    const before = world.writes("production");
    const run = await world.run({}, { ref: `refs/tags/${tag}` });
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.stdout).toMatch(/Could not read what production serves, so production was not touched/);
    expect(run.stdout).toMatch(/malformed response/i);
    expect(world.writes("production")).toBe(before);
    expect(await world.live("production")).toEqual([stable]);
  });

  it("production deployment refused after the upload: reads production back, finds it unchanged, no rollback", async () => {
    const tag = next();
    await world.writeWorker({ label: tag });
    world.sandbox.faults.add({
      method: "POST",
      path: `${PRODUCTION}/deployments`,
      status: 200,
      body: { success: false, errors: [{ code: 10021, message: "deployment refused" }], messages: [], result: null },
    });
    const run = await world.run({}, { ref: `refs/tags/${tag}` });
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.stdout).toMatch(/Production was not changed: it still serves/);
    expect(run.stdout).not.toMatch(/::group::Roll back/);
    expect(await world.live("production")).toEqual([stable]);
  });

  it("warns up front when wrangler.toml's account_id overrides cloudflare-account-id, and stops on the auth error before any deploy", async () => {
    const tag = next();
    await world.writeWorker({ label: tag });
    const toml = join(world.workspace, "wrangler.toml");
    const original = await readFile(toml, "utf8");
    await writeFile(toml, `account_id = "${"f".repeat(32)}"\n${original}`);
    try {
      const before = world.writes("production");
      const staging = world.writes("staging");
      const run = await world.run({}, { ref: `refs/tags/${tag}` });
      expect(run.outputs["result"], run.stdout).toBe("failed");
      expect(run.stdout).toMatch(/::warning::wrangler\.toml sets account_id f{32}, which differs from the cloudflare-account-id input/);
      // Production's first read, made with the account wrangler would use, is refused before anything is deployed.
      expect(run.stdout).toMatch(/Could not read what production serves, so production was not touched: .*Authentication error/);
      expect(world.writes("staging")).toBe(staging);
      expect(world.writes("production")).toBe(before);
    } finally {
      await writeFile(toml, original);
    }
  });

  it("rollback failing: rollback-failed, loudly, with the command to run by hand", async () => {
    const tag = next();
    await world.writeWorker({ label: tag, health: { production: "unhealthy" } });
    const run = await world.run(
      {},
      {
        ref: `refs/tags/${tag}`,
        // Once the new version is live and being judged, every later deployment write fails.
        onStdout: (text) => {
          if (text.includes("::group::Health gate on production")) {
            world.sandbox.faults.add({ method: "POST", path: `${PRODUCTION}/deployments`, status: 500 });
          }
        },
      },
    );
    expect(run.outputs["result"], run.stdout).toBe("rollback-failed");
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::shipline: rollback-failed\..*Run by hand: npx wrangler rollback/s);
    expect(run.summary).toContain("### 🚨 Production needs a human");
    expect(run.summary).toContain(`npx wrangler rollback ${stable}`);
    expect(run.summary).toMatch(/Read production back \| ❌ failed/);
    expect(await world.live("production")).not.toEqual([stable]);
  });
});
