import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction, type ActionRun, type RunActionOptions } from "../support/action-harness.js";
import { cancelWhen } from "../support/cancel.js";
import { startGitHubFake, type GitHubFake } from "../support/github-fake.js";
import { alive } from "../support/processes.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const HOST = join(ROOT, "examples/hosts/blue-green");
const GITHUB_TOKEN = "ghs_e2eTestToken0123456789";
const DISPATCH = { ref: "refs/heads/main", sha: "f".repeat(40), eventName: "workflow_dispatch" };

/** The example host's scripts as the command deployer's commands (lists: paths may hold spaces). */
const hostCommands = (script: (role: string) => string[]) =>
  ["deploy", "status", "restore"].map((role) => `  ${role}: ${JSON.stringify(script(role))}`).join("\n");

/**
 * `deployer: { kind: command }` end to end: the built action drives the blue-green example host
 * (real processes, real HTTP on 127.0.0.1, no Cloudflare, no wrangler) through one production
 * history: v1.0.0 and v1.1.0 released, v1.2.0 broken and rolled back, v1.3.0 cancelled in its
 * health gate, an emergency rollback to the tag v1.0.0, then commands that print garbage or hang.
 */
describe("command deployer end to end (blue-green example host)", () => {
  let github: GitHubFake;
  let workspace: string;
  let hostDir: string;
  const released: Record<string, string> = {};

  const run = (
    tag: string,
    inputs: Record<string, string> = {},
    options: Partial<Pick<RunActionOptions, "env" | "github" | "onStdout">> = {},
  ) =>
    runAction({
      workspace,
      inputs: {
        "github-token": GITHUB_TOKEN,
        "health-path": "/health",
        "health-interval": "100ms",
        "health-count": "3",
        "health-timeout": "3s",
        "smoke-interval": "100ms",
        "smoke-count": "2",
        "version-header": "x-version-id",
        ...inputs,
      },
      env: { SHIPLINE_HOST_DIR: hostDir, ...options.env },
      github: { apiUrl: github.url, ref: `refs/tags/${tag}`, sha: tag.replace(/\D/g, "").padEnd(40, "0"), ...options.github },
      ...(options.onStdout ? { onStdout: options.onStdout } : {}),
    });

  /** The version production's proxy answers with now, asked over HTTP. */
  const proxyUrl = async (): Promise<string> =>
    (JSON.parse(await readFile(join(hostDir, "production", "state.json"), "utf8")) as { proxy: { url: string } }).proxy.url;
  const answering = async (): Promise<string | null> => {
    const response = await fetch(`${await proxyUrl()}/health`);
    await response.text();
    return response.headers.get("x-version-id");
  };

  /** The release's health in production (staging stays healthy, so the smoke gate passes). */
  const writeApp = async (productionHealth: number) =>
    writeFile(join(workspace, "app", "health.json"), JSON.stringify({ status: { production: productionHealth } }));
  const errorLine = (r: ActionRun) => r.stdout.split("\n").find((line) => line.startsWith("::error::")) ?? "";

  beforeAll(async () => {
    github = await startGitHubFake();
    workspace = await mkdtemp(join(tmpdir(), "shipline-e2e-host-"));
    hostDir = join(workspace, "..", `${workspace.split("/").pop()}-host`);
    await cp(join(HOST, "app"), join(workspace, "app"), { recursive: true });
    await cp(join(HOST, "blue-green.json"), join(workspace, "blue-green.json"));
    await mkdir(join(workspace, ".github"));
    const real = (role: string) => ["node", join(HOST, `${role}.mjs`)];
    await writeFile(
      join(workspace, ".github", "shipline.yml"),
      `approval: { mode: none }\ndeployer:\n  kind: command\n${hostCommands(real)}\n  timeout: 20s\n`,
    );
    // The same host behind a wrapper that misbehaves in production as TEST_FAULT says.
    await writeFile(
      join(workspace, "faulty.mjs"),
      [
        "const role = process.argv[2];",
        'const fault = process.env.SHIPLINE_ENVIRONMENT === "production" ? process.env.TEST_FAULT : undefined;',
        'if (fault === `${role}:garbage`) { console.log("Deploying... done!"); console.log("<html>502 Bad Gateway</html>"); process.exit(0); }',
        'if (fault === `${role}:hang`) { (await import("node:fs")).writeFileSync("hung.pid", String(process.pid)); setInterval(() => {}, 1000); }',
        `else await import(${JSON.stringify(`${HOST}/`)} + role + ".mjs");`,
      ].join("\n"),
    );
    await writeFile(
      join(workspace, ".github", "faulty.yml"),
      `approval: { mode: none }\ndeployer:\n  kind: command\n${hostCommands((role) => ["node", "faulty.mjs", role])}\n  timeout: 3s\n`,
    );
  }, 30_000);

  afterAll(async () => {
    if (hostDir) execFileSync(process.execPath, [join(HOST, "stop.mjs")], { env: { ...process.env, SHIPLINE_HOST_DIR: hostDir } });
    await github?.stop();
    await Promise.all([workspace, hostDir].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("releases through staging, smoke and the health gate, tags, and serves the release over HTTP", async () => {
    let result: ActionRun | undefined;
    for (const tag of ["v1.0.0", "v1.1.0"]) {
      result = await run(tag);
      expect(result.outputs["result"], result.stdout).toBe("released");
      released[tag] = result.outputs["production-version-id"] ?? "";
      expect(github.state.refs.has(`refs/tags/${tag}`)).toBe(true);
    }
    expect(released["v1.0.0"]).toMatch(/^r1-v1\.0\.0$/);
    expect(released["v1.1.0"]).toMatch(/^r2-v1\.1\.0$/);
    expect(await answering()).toBe(released["v1.1.0"]);
    expect(result?.stdout).not.toMatch(/wrangler/i);
  }, 60_000);

  it("rolls back to a release tag by workflow_dispatch: a switch back to the slot that still runs it", async () => {
    const inputs = {
      mode: "rollback",
      "rollback-target": "v1.0.0",
      "rollback-reason": "v1.1.0 slows checkout",
      "production-url": await proxyUrl(),
    };
    const result = await run("", inputs, { github: DISPATCH });
    expect(result.outputs["result"], result.stdout).toBe("rolled-back");
    expect(result.outputs["rollback-version-id"]).toBe(released["v1.0.0"]);
    expect(result.outputs["previous-version-id"]).toBe(released["v1.1.0"]);
    expect(result.stdout).toContain("restore.mjs");
    expect(result.summary).toMatch(/rollback-health \| production \| ✅ passed/);
    expect(await answering()).toBe(released["v1.0.0"]);
    expect(github.state.releases.find((r) => r.tag_name === "v1.1.0")?.body).toMatch(/Rolled back.*v1\.1\.0 slows checkout/s);
  }, 30_000);

  it("rolls a broken release back to the anchor by the restore command, reads it back, and tags nothing", async () => {
    await writeApp(500);
    const result = await run("v1.2.0");
    await writeApp(200);
    expect(result.outputs["result"], result.stdout).toBe("rolled-back");
    expect(result.outputs["rollback-version-id"]).toBe(released["v1.0.0"]);
    expect(result.outputs["production-version-id"]).toMatch(/-v1\.2\.0$/);
    expect(result.stdout).toMatch(/health #\d+ failed: GET \/health 500/);
    expect(result.stdout).toMatch(/\$ node \S+restore\.mjs/);
    expect(result.summary).toMatch(/rollback-health \| production \| ✅ passed/);
    expect(github.state.refs.has("refs/tags/v1.2.0")).toBe(false);
    expect(await answering()).toBe(released["v1.0.0"]);
  }, 30_000);

  it("restores the anchor when the run is cancelled during the health gate", async () => {
    const cancel = cancelWhen(/::group::Health gate on production/, { delayMs: 300 });
    const result = await run("v1.3.0", { "health-count": "50", "health-interval": "200ms" }, { onStdout: cancel.onStdout });
    expect(cancel.sentAt).toBeGreaterThan(0);
    expect(result.stdout).toContain("SIGINT received: cancelling");
    expect(result.outputs["result"], result.stdout).toBe("rolled-back");
    expect(result.outputs["rollback-version-id"]).toBe(released["v1.0.0"]);
    expect(github.state.refs.has("refs/tags/v1.3.0")).toBe(false);
    expect(await answering()).toBe(released["v1.0.0"]);
  }, 30_000);

  it("fails clearly on a status command that prints garbage, before production is touched", async () => {
    const state = await readFile(join(hostDir, "production", "state.json"), "utf8");
    const result = await run("v1.4.0", { config: ".github/faulty.yml" }, { env: { TEST_FAULT: "status:garbage" } });
    expect(result.outputs["result"], result.stdout).toBe("failed");
    expect(result.exitCode).toBe(1);
    expect(errorLine(result)).toMatch(/production was not touched/);
    expect(errorLine(result)).toMatch(/The status command `node faulty\.mjs status` \(production\) did not print one JSON document/);
    expect(errorLine(result)).toContain("Deploying... done!");
    expect(await readFile(join(hostDir, "production", "state.json"), "utf8")).toBe(state);
    expect(await answering()).toBe(released["v1.0.0"]);
  }, 30_000);

  it("stops a deploy command that hangs (its whole process group) and leaves production serving the anchor", async () => {
    const result = await run("v1.5.0", { config: ".github/faulty.yml" }, { env: { TEST_FAULT: "deploy:hang" } });
    expect(result.outputs["result"], result.stdout).toMatch(/^(failed|rolled-back)$/);
    expect(result.exitCode).toBe(1);
    expect(errorLine(result)).toMatch(
      /The deploy command `node faulty\.mjs deploy` \(production\) did not finish within 3 s and was stopped/,
    );
    const hung = Number(await readFile(join(workspace, "hung.pid"), "utf8"));
    expect(alive(hung)).toBe(false);
    expect(github.state.refs.has("refs/tags/v1.5.0")).toBe(false);
    expect(await answering()).toBe(released["v1.0.0"]);
  }, 30_000);
});
