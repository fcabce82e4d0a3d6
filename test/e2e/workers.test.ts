import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, writeSampleWorker, type Sandbox } from "../../src/sandbox/index.js";
import { linkWrangler, runAction, type ActionRun } from "../support/action-harness.js";
import { startGitHubFake, type GitHubFake } from "../support/github-fake.js";
import { API_TOKEN, GITHUB_TOKEN } from "../support/e2e-world.js";

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
 * wrangler, the sandbox. v1.0.0 ships both; v1.1.0 breaks the second Worker's production
 * health, so its gate fails and both Workers are restored, the last deployed first.
 */
describe("several Workers in one release end to end", () => {
  let sandbox: Sandbox;
  let github: GitHubFake;
  let workspace: string;

  const dir = (name: string) => join(workspace, "apps", name);
  const live = (script: string) => sandbox.script(script)?.deployments[0]?.versions.map((v) => v.versionId) ?? [];
  const rows = (run: ActionRun) => JSON.parse(run.outputs["workers"] || "[]") as WorkerRow[];
  const release = (tag: string, inputs: Record<string, string> = {}) => {
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
        ref: `refs/tags/${tag}`,
        sha: tag === "v1.0.0" ? "1".repeat(40) : "2".repeat(40),
        actor: "octocat",
        eventName: "push",
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
    for (const name of WORKERS) {
      await writeSampleWorker(dir(name), { name, label: `${name}-v1` });
      await linkWrangler(dir(name));
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([sandbox?.stop(), github?.stop()]);
    await rm(workspace, { recursive: true, force: true });
  });

  it("releases both, then restores both in reverse order when the second Worker's health gate fails", async () => {
    // v1.0.0: production only (each Worker's first deploy), in order, each with its health gate.
    const first = await release("v1.0.0", { stages: "production" });
    expect(first.outputs["result"], first.stdout).toBe("released");
    const v1 = rows(first);
    expect(v1.map((w) => `${w.name}:${w.result}`)).toEqual(["api:released", "web:released"]);
    expect(live("api-production")).toEqual([v1[0]?.productionVersionId]);
    expect(live("web-production")).toEqual([v1[1]?.productionVersionId]);
    expect(first.outputs["production-version-id"]).toBe(v1[0]?.productionVersionId);
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
      expect(w.previousVersionId).toBe(v1[index]?.productionVersionId);
      expect(w.rollbackVersionId).toBe(v1[index]?.productionVersionId);
      expect(w.productionVersionId).not.toBe(v1[index]?.productionVersionId);
    }
    // Read back from the platform itself: each Worker serves its v1.0.0 version again.
    expect(live("api-production")).toEqual([v1[0]?.productionVersionId]);
    expect(live("web-production")).toEqual([v1[1]?.productionVersionId]);
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
});
