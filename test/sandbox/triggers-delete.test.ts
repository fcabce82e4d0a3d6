/**
 * Cron triggers and `wrangler delete` through the real wrangler against the sandbox. The
 * sandbox stores schedules but does not fire them: it says so in its warnings.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { runWrangler } from "./run-wrangler.js";

let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = await mkdtemp(join(tmpdir(), "shipline-sandbox-cron-"));
  await mkdir(join(dir, "src"));
  await writeFile(join(dir, "src", "index.js"), "export default { fetch() { return new Response('ok'); }, scheduled() {} };\n");
  await writeFile(
    join(dir, "wrangler.toml"),
    'name = "cron-worker"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n[triggers]\ncrons = ["*/5 * * * *", "0 3 * * *"]\n',
  );
});
afterAll(async () => {
  await sandbox?.stop();
});

describe.sequential("cron triggers and wrangler delete", () => {
  it("deploy sets the cron schedules", async () => {
    const run = await runWrangler(sandbox, dir, ["deploy"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/schedule: \*\/5 \* \* \* \*/);
    expect(sandbox.warnings).toEqual([
      "sandbox: cron-worker has cron triggers (*/5 * * * *, 0 3 * * *), which the sandbox stores but never fires: its scheduled() handler does not run here",
    ]);
  });

  it("triggers deploy replaces them", async () => {
    await writeFile(
      join(dir, "wrangler.toml"),
      'name = "cron-worker"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n[triggers]\ncrons = ["0 4 * * *"]\n',
    );
    const run = await runWrangler(sandbox, dir, ["triggers", "deploy"]);
    expect(run.code, run.stderr).toBe(0);
    const account = sandbox.accountId;
    const listed = await fetch(`${sandbox.apiBaseUrl}/accounts/${account}/workers/scripts/cron-worker/schedules`, {
      headers: { authorization: "Bearer any" },
    });
    expect(((await listed.json()) as { result: { schedules: Array<{ cron: string }> } }).result.schedules.map((s) => s.cron)).toEqual([
      "0 4 * * *",
    ]);
  });

  it("wrangler delete removes the Worker", async () => {
    const run = await runWrangler(sandbox, dir, ["delete", "--force"]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(sandbox.script("cron-worker")).toBeUndefined();
    expect(sandbox.warnings.filter((w) => !w.includes("cron triggers"))).toEqual([]);
    expect((await fetch(sandbox.workerUrl("cron-worker"))).status).toBe(404);
  });
});
