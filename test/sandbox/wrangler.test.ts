/**
 * The real wrangler 4 CLI against the sandbox: first deploy, second deploy, versions upload,
 * a 10/90 split, status and list as JSON, rollback, and an injected API fault.
 * The steps build on each other (one sandbox, one fixture project), so they run in order.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, writeSampleWorker, type Sandbox } from "../../src/sandbox/index.js";
import { entryOf, runWrangler } from "./run-wrangler.js";

const SCRIPT = "sample-worker-production";
const ENV = ["--env", "production"];

let sandbox: Sandbox;
let dir: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = await mkdtemp(join(tmpdir(), "shipline-sandbox-fixture-"));
  await writeSampleWorker(dir, { label: "v1" });
});
afterAll(async () => {
  await sandbox?.stop();
});

const wrangler = (...args: string[]) => runWrangler(sandbox, dir, args);

/** Which fixture labels answer `count` requests to the production Worker. */
async function labels(count: number, headers: Record<string, string> = {}): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${sandbox.workerUrl(SCRIPT)}/api/health`, { headers });
    expect(await response.json()).toEqual({ success: true, data: { status: "healthy" } });
    const label = response.headers.get("x-sample-label") ?? "none";
    seen[label] = (seen[label] ?? 0) + 1;
  }
  return seen;
}

describe.sequential("wrangler against the sandbox", () => {
  it("reports a Worker that does not exist yet with code 10007", async () => {
    const run = await wrangler("deployments", "status", "--json", ...ENV);
    expect(run.code).toBe(1);
    expect(entryOf(run, "command-failed")).toMatchObject({ code: 10007 });
  });

  it("first deploy: legacy upload, live at once, reported in the output file", async () => {
    const run = await wrangler("deploy", ...ENV, "--tag", "v1.0.0", "--message", "git:1111111");
    expect(run.code, run.stderr).toBe(0);
    const deploy = entryOf(run, "deploy");
    expect(deploy).toMatchObject({ worker_name: SCRIPT, targets: [`https://${SCRIPT}.shipline-sandbox.workers.dev`] });
    ids.v1 = String(deploy?.version_id);
    expect(sandbox.requests.some((r) => r.method === "PUT" && r.path.endsWith(`/scripts/${SCRIPT}`))).toBe(true);
    expect(sandbox.script(SCRIPT)?.versions[0]?.annotations).toMatchObject({ "workers/tag": "v1.0.0", "workers/message": "git:1111111" });
    expect(await labels(2)).toEqual({ v1: 2 });
  });

  it("second deploy goes through the Versions API and replaces the live code", async () => {
    await writeSampleWorker(dir, { label: "v2" });
    const run = await wrangler("deploy", ...ENV, "--tag", "v1.1.0");
    expect(run.code, run.stderr).toBe(0);
    ids.v2 = String(entryOf(run, "deploy")?.version_id);
    expect(entryOf(run, "deploy")?.worker_tag).toBe(sandbox.script(SCRIPT)?.tag);
    const posted = sandbox.requests.filter((r) => r.method === "POST" && r.script === SCRIPT).map((r) => r.path.split("/").pop());
    expect(posted).toEqual(expect.arrayContaining(["versions", "deployments"]));
    expect(await labels(2)).toEqual({ v2: 2 });
  });

  it("versions upload stores a version without deploying it", async () => {
    await writeSampleWorker(dir, { label: "v3" });
    const run = await wrangler("versions", "upload", ...ENV, "--tag", "v1.2.0", "--message", "git:3333333");
    expect(run.code, run.stderr).toBe(0);
    ids.v3 = String(entryOf(run, "version-upload")?.version_id);
    expect(sandbox.script(SCRIPT)?.versions.map((v) => v.id)).toEqual([ids.v1, ids.v2, ids.v3]);
    expect(await labels(2)).toEqual({ v2: 2 });
  });

  it("versions deploy splits traffic 10/90 and honours the version override header", async () => {
    const run = await wrangler("versions", "deploy", `${ids.v3}@10`, `${ids.v2}@90`, "--yes", "--message", "canary 10%", ...ENV);
    expect(run.code, run.stderr).toBe(0);
    expect(entryOf(run, "version-deploy")?.deployment_id).toBe(sandbox.script(SCRIPT)?.deployments[0]?.id);
    expect(await labels(20)).toEqual({ v3: 2, v2: 18 });
    const pinned = { "Cloudflare-Workers-Version-Overrides": `${SCRIPT}="${ids.v3}"` };
    expect(await labels(5, pinned)).toEqual({ v3: 5 });
  });

  it("deployments status --json shows the split, newest deployment first", async () => {
    const run = await wrangler("deployments", "status", "--json", ...ENV);
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as {
      versions: Array<{ version_id: string; percentage: number }>;
      annotations: Record<string, string>;
    };
    expect(status.versions).toEqual([
      { version_id: ids.v3, percentage: 10 },
      { version_id: ids.v2, percentage: 90 },
    ]);
    expect(status.annotations["workers/message"]).toBe("canary 10%");
  });

  it("versions list --json carries the release tag annotation of every version", async () => {
    const run = await wrangler("versions", "list", "--json", ...ENV);
    expect(run.code, run.stderr).toBe(0);
    const versions = JSON.parse(run.stdout) as Array<{ id: string; annotations: Record<string, string> }>;
    expect(versions.map((v) => [v.id, v.annotations["workers/tag"]])).toEqual([
      [ids.v1, "v1.0.0"],
      [ids.v2, "v1.1.0"],
      [ids.v3, "v1.2.0"],
    ]);
  });

  it("rollback to an explicit id makes that version's code answer everything", async () => {
    const run = await wrangler("rollback", String(ids.v1), "--message", "canary failed", ...ENV);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Current Version ID: ${ids.v1}`);
    expect(sandbox.script(SCRIPT)?.deployments[0]).toMatchObject({
      annotations: { "workers/message": "canary failed" },
      versions: [{ versionId: ids.v1, percentage: 100 }],
    });
    expect(await labels(10)).toEqual({ v1: 10 });
  });

  it("a failing POST deployments makes wrangler exit 1 and changes nothing", async () => {
    sandbox.faults.add({ method: "POST", path: /\/deployments$/, status: 500, times: 1 });
    const run = await wrangler("versions", "deploy", `${ids.v3}@100`, "--yes", ...ENV);
    expect(run.code).toBe(1);
    expect(entryOf(run, "command-failed")).toMatchObject({ code: 10013 });
    expect(sandbox.script(SCRIPT)?.deployments[0]?.versions).toEqual([{ versionId: ids.v1, percentage: 100 }]);
    expect(await labels(2)).toEqual({ v1: 2 });
  });

  it("records writes per script, so a test can prove another Worker was never touched", () => {
    expect(sandbox.writesTo(/-staging$/)).toEqual([]);
    expect(sandbox.writesTo(SCRIPT).map((r) => r.method)).toContain("PUT");
    expect(sandbox.requests.every((r) => r.api || r.path === "/wrangler")).toBe(true);
  });
});
