import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, writeSampleWorker, type Sandbox } from "../../src/sandbox/index.js";
import { linkWrangler, runAction, type ActionRun } from "../support/action-harness.js";
import { startGitHubFake, type GitHubFake } from "../support/github-fake.js";
import { API_TOKEN, GITHUB_TOKEN } from "../support/e2e-world.js";
import { runWrangler } from "../sandbox/run-wrangler.js";

const WORKERS = ["api", "web"] as const;

interface WorkerRow {
  readonly name: string;
  readonly result: string;
  readonly productionVersionId?: string;
  readonly previousVersionId?: string;
  readonly rollbackVersionId?: string;
}

/**
 * A release of two Workers (config key `workers`) end to end: the built action, the real
 * wrangler, the sandbox. Each Worker starts with a version deployed by hand (v0); v1.0.0 ships
 * both; v1.1.0 breaks the second Worker's production health, so its gate fails and both Workers
 * are restored, the last deployed first. Then `mode: rollback` puts both back on v0.
 */
describe("several Workers in one release end to end", () => {
  let sandbox: Sandbox;
  let github: GitHubFake;
  let workspace: string;
  /** Each Worker's production version before shipline's first release, and after v1.0.0. */
  const v0: string[] = [];
  const v1: string[] = [];

  const dir = (name: string) => join(workspace, "apps", name);
  const live = (script: string) => sandbox.script(script)?.deployments[0]?.versions.map((v) => v.versionId) ?? [];
  const rows = (run: ActionRun) => JSON.parse(run.outputs["workers"] || "[]") as WorkerRow[];
  const release = (tag: string, inputs: Record<string, string> = {}, dispatch = false) => {
    const { CLOUDFLARE_API_TOKEN: _t, CLOUDFLARE_ACCOUNT_ID: _a, ...env } = sandbox.wranglerEnv();
    return runAction({
      workspace,
      inputs: {
        "cloudflare-api-token": API_TOKEN,
        "cloudflare-account-id": sandbox.accountId,
        "github-token": GITHUB_TOKEN,
        "health-path": "/api/health",
        "health-interval": "100ms",
        "health-count": "2",
        "health-timeout": "3s",
        "smoke-interval": "100ms",
        "smoke-count": "1",
        ...inputs,
      },
      env,
      github: {
        apiUrl: github.url,
        ref: dispatch ? "refs/heads/main" : `refs/tags/${tag}`,
        sha: tag === "v1.0.0" ? "1".repeat(40) : "2".repeat(40),
        actor: "octocat",
        eventName: dispatch ? "workflow_dispatch" : "push",
      },
    });
  };

  beforeAll(async () => {
    sandbox = await startSandbox();
    github = await startGitHubFake();
    workspace = await mkdtemp(join(tmpdir(), "shipline-e2e-workers-"));
    const entries = WORKERS.map(
      (name) =>
        `  - name: ${name}\n    working-directory: apps/${name}\n` +
        `    staging: { url: "${sandbox.workerUrl(`${name}-staging`)}" }\n` +
        `    production: { url: "${sandbox.workerUrl(`${name}-production`)}" }\n`,
    );
    await mkdir(join(workspace, ".github"), { recursive: true });
    await writeFile(join(workspace, ".github", "shipline.yml"), `workers:\n${entries.join("")}`);
    // v0: what each Worker served before shipline, deployed with wrangler itself.
    for (const name of WORKERS) {
      await writeSampleWorker(dir(name), { name, label: `${name}-v0` });
      await linkWrangler(dir(name));
    }
    const deployed = await Promise.all(WORKERS.map((name) => runWrangler(sandbox, dir(name), ["deploy", "--env", "production"])));
    for (const [index, name] of WORKERS.entries()) {
      expect(deployed[index]?.code, deployed[index]?.stderr).toBe(0);
      v0.push(live(`${name}-production`)[0] ?? "");
      await writeSampleWorker(dir(name), { name, label: `${name}-v1` });
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([sandbox?.stop(), github?.stop()]);
    await rm(workspace, { recursive: true, force: true });
  });

  it("releases both, then restores both in reverse order when the second Worker's health gate fails", async () => {
    // v1.0.0: production only, in order, each with its health gate.
    const first = await release("v1.0.0", { stages: "production" });
    expect(first.outputs["result"], first.stdout).toBe("released");
    const released = rows(first);
    v1.push(...released.map((w) => w.productionVersionId ?? ""));
    expect(released.map((w) => w.previousVersionId)).toEqual(v0);
    expect(released.map((w) => `${w.name}:${w.result}`)).toEqual(["api:released", "web:released"]);
    expect(live("api-production")).toEqual([v1[0]]);
    expect(live("web-production")).toEqual([v1[1]]);
    expect(first.outputs["production-version-id"]).toBe(v1[0]);
    expect(github.state.refs.has("refs/tags/v1.0.0")).toBe(true);
    expect(first.summary).toMatch(/\| api \| ✅ released \|/);
    expect(first.summary).toMatch(/\| web \| ✅ released \|/);

    // v1.1.0: both pass staging; api goes live healthy, web's production health fails.
    await writeSampleWorker(dir("api"), { name: "api", label: "api-v2" });
    await writeSampleWorker(dir("web"), { name: "web", label: "web-v2", health: { production: "unhealthy" } });
    const writesBefore = sandbox.writesTo(/-production$/).length;
    const second = await release("v1.1.0");
    expect(second.outputs["result"], second.stdout).toBe("rolled-back");
    expect(second.exitCode).toBe(1);
    const v2 = rows(second);
    expect(v2.map((w) => `${w.name}:${w.result}`)).toEqual(["api:rolled-back", "web:rolled-back"]);
    for (const [index, w] of v2.entries()) {
      expect(w.previousVersionId).toBe(v1[index]);
      expect(w.rollbackVersionId).toBe(v1[index]);
      expect(w.productionVersionId).not.toBe(v1[index]);
    }
    // Read back from the platform itself: each Worker serves its v1.0.0 version again.
    expect(live("api-production")).toEqual([v1[0]]);
    expect(live("web-production")).toEqual([v1[1]]);
    // Production writes in order: api deployed, web deployed and restored, then api restored last.
    const order = sandbox
      .writesTo(/-production$/)
      .slice(writesBefore)
      .map((r) => r.script)
      .filter((script, i, all) => script !== all[i - 1]);
    expect(order).toEqual(["api-production", "web-production", "api-production"]);
    // Each restored Worker passed its own health gate again.
    expect(second.summary).toMatch(/rollback-health \| web\/production \| ✅ passed/);
    expect(second.summary).toMatch(/rollback-health \| api\/production \| ✅ passed/);
    expect(second.summary).toMatch(/health \| web\/production \| ❌ failed/);
    expect(second.summary).toMatch(/\| api \| ↩️ rolled-back \|/);
    expect(second.summary).toMatch(/\| web \| ↩️ rolled-back \|/);
    expect(github.state.refs.has("refs/tags/v1.1.0")).toBe(false);
    // Each Worker's production Deployment records live in an environment of its own.
    const environments = new Set(github.state.deployments.map((d) => d.environment));
    expect([...environments].sort()).toEqual(["production/api", "production/web", "staging/api", "staging/web"]);
  }, 180_000);

  it("rolls both back with mode: rollback, the last deployed first, each to its own previous stable version", async () => {
    // Each serves v1.0.0 again; the default target skips v1.1.0 (shipline rolled back from it): v0.
    expect([live("api-production"), live("web-production")]).toEqual([[v1[0]], [v1[1]]]);
    const writesBefore = sandbox.writesTo(/-production$/).length;
    const records = github.state.deployments.length;
    const run = await release("v1.0.0", { mode: "rollback", "rollback-reason": "errors after v1.0.0" }, true);
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.exitCode).toBe(0);
    const back = rows(run);
    expect(back.map((w) => `${w.name}:${w.result}:${w.previousVersionId}:${w.rollbackVersionId}`)).toEqual([
      `api:rolled-back:${v1[0]}:${v0[0]}`,
      `web:rolled-back:${v1[1]}:${v0[1]}`,
    ]);
    // Read from the platform itself: each Worker serves its v0 again; web was rolled back first.
    expect(live("api-production")).toEqual([v0[0]]);
    expect(live("web-production")).toEqual([v0[1]]);
    const order = sandbox
      .writesTo(/-production$/)
      .slice(writesBefore)
      .map((r) => r.script)
      .filter((script, i, all) => script !== all[i - 1]);
    expect(order).toEqual(["web-production", "api-production"]);
    // Each restored version passed its own health gate; the summary has a row per Worker.
    expect(run.summary).toMatch(/## shipline: ↩️ Emergency rollback of api, web/);
    expect(run.summary).toMatch(/rollback-health \| web\/production \| ✅ passed/);
    expect(run.summary).toMatch(/rollback-health \| api\/production \| ✅ passed/);
    expect(run.summary).toMatch(/\| api \| ↩️ rolled-back \|/);
    expect(run.summary).toMatch(/\| web \| ↩️ rolled-back \|/);
    const added = github.state.deployments.slice(records);
    expect(added.map((d) => `${d.environment}:${github.deploymentState(d.id)}`)).toEqual([
      "production/web:success",
      "production/api:success",
    ]);
  }, 120_000);
});
