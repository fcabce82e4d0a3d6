/**
 * WranglerDeployer driving the real wrangler (the project's node_modules/wrangler) against the
 * local Cloudflare API sandbox. The steps share one sandbox and run in order, like a release.
 * Reads go to the API without a wrangler process: every read step counts spawns.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeployError } from "../../src/core/errors.js";
import type { ReleaseVersion } from "../../src/core/types.js";
import { WranglerDeployer } from "../../src/providers/wrangler/deployer.js";
import { locateWrangler, type LocatedWrangler } from "../../src/providers/wrangler/locate.js";
import type { SpawnEvent } from "../../src/providers/wrangler/runner.js";
import { startSandbox, writeSampleWorker, type Sandbox, type SampleWorkerProject } from "../../src/sandbox/index.js";
import { memoryLogger } from "../unit/wrangler/fake-runner.js";
import { NODE_OPTIONS_ENV } from "../support/node-options.js";

const STEP_TIMEOUT = 120_000;
const prod = { environment: "production" };
const staging = { environment: "staging" };
const signal = new AbortController().signal;

function release(version: string): { release: ReleaseVersion; message: string } {
  const sha = `sha${version.replaceAll(".", "")}`;
  return {
    release: { version, tag: `v${version}`, finalTag: `v${version}`, prerelease: false, source: "input", sha },
    message: `git:${sha}`,
  };
}

let sandbox: Sandbox;
let dir: string;
let project: SampleWorkerProject;
let deployer: WranglerDeployer;
let located: LocatedWrangler;
const spawns: SpawnEvent[] = [];
const logger = memoryLogger();

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = await mkdtemp(join(tmpdir(), "wrangler-deployer-it-"));
  project = await writeSampleWorker(join(dir, "worker"), { label: "v1" });
  located = await locateWrangler({ workingDirectory: process.cwd(), cacheDir: join(dir, "cache") });
  const { CLOUDFLARE_API_TOKEN: apiToken, CLOUDFLARE_ACCOUNT_ID: accountId, ...sandboxEnv } = sandbox.wranglerEnv();
  deployer = new WranglerDeployer({
    wrangler: located,
    workingDirectory: project.dir,
    // Credentials come through the options, as the action passes its inputs.
    env: { PATH: process.env.PATH, ...NODE_OPTIONS_ENV, HOME: process.env.HOME, XDG_CONFIG_HOME: join(dir, "xdg"), ...sandboxEnv },
    apiToken,
    accountId,
    logger,
    timeoutMs: 90_000,
    onSpawn: (event) => spawns.push(event),
  });
}, STEP_TIMEOUT);

afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.sequential("WranglerDeployer against the sandbox", () => {
  let v1 = "";
  let v2 = "";

  it("uses the project's own wrangler", () => {
    expect(located.source).toBe("project");
    expect(located.version).toMatch(/^4\./);
  });

  it(
    "reads no live state before the first deploy, without starting wrangler",
    async () => {
      const before = spawns.length;
      expect(await deployer.status(prod, signal)).toBeNull();
      expect(await deployer.deployments(prod, signal)).toEqual([]);
      expect(await deployer.versions(prod, signal)).toEqual([]);
      expect(spawns.length).toBe(before);
    },
    STEP_TIMEOUT,
  );

  it(
    "deploys the first version and reports its id and URL",
    async () => {
      const outcome = await deployer.deploy(prod, release("1.0.0"), signal);
      v1 = outcome.versionId;
      expect(v1).toMatch(/^[0-9a-f-]{36}$/);
      expect(outcome.url).toContain(project.workerName("production"));
      expect(await deployer.status(prod, signal)).toMatchObject({ allocation: [{ versionId: v1, percentage: 100 }] });
    },
    STEP_TIMEOUT,
  );

  it(
    "uploads a second version and shifts 10% of traffic to it",
    async () => {
      await writeSampleWorker(project.dir, { label: "v2" });
      v2 = (await deployer.upload(prod, release("1.1.0"), signal)).versionId;
      expect(v2).not.toBe(v1);
      await deployer.shift(
        prod,
        [
          { versionId: v2, percentage: 10 },
          { versionId: v1, percentage: 90 },
        ],
        "canary 10%",
        signal,
      );
      const before = spawns.length;
      const live = await deployer.status(prod, signal);
      expect(spawns.length).toBe(before);
      expect(live?.deploymentId).toBe(sandbox.script(project.workerName("production"))?.deployments[0]?.id);
      expect([...(live?.allocation ?? [])].sort((a, b) => a.percentage - b.percentage)).toEqual([
        { versionId: v2, percentage: 10 },
        { versionId: v1, percentage: 90 },
      ]);
    },
    STEP_TIMEOUT,
  );

  it(
    "pins probes to one version of the 10%/90% split with pinHeaders",
    async () => {
      const url = `${sandbox.workerUrl(project.workerName("production"))}/api/health`;
      await sandbox.settled();
      const answered = async (headers: Record<string, string>) => {
        const ids: string[] = [];
        for (let i = 0; i < 10; i++) ids.push((await fetch(url, { headers })).headers.get("x-worker-version-id") ?? "");
        return ids;
      };
      expect(await answered(deployer.pinHeaders(prod, v2))).toEqual(new Array(10).fill(v2));
      expect(await answered(deployer.pinHeaders(prod, v1))).toEqual(new Array(10).fill(v1));
      // Unpinned, the split shows: one answer in ten from the canary.
      expect((await answered({})).filter((id) => id === v2)).toHaveLength(1);
    },
    STEP_TIMEOUT,
  );

  it(
    "rolls back to the first version",
    async () => {
      await deployer.restore(prod, [{ versionId: v1, percentage: 100 }], "health gate failed on v1.1.0", signal);
      const live = await deployer.status(prod, signal);
      expect(live?.allocation).toEqual([{ versionId: v1, percentage: 100 }]);
      const [newest] = await deployer.deployments(prod, signal);
      expect(newest?.message).toBe("health gate failed on v1.1.0");
    },
    STEP_TIMEOUT,
  );

  it(
    "lists versions with their release tags, newest first",
    async () => {
      const versions = await deployer.versions(prod, signal);
      expect(versions.map((v) => [v.versionId, v.tag, v.message])).toEqual([
        [v2, "v1.1.0", "git:sha110"],
        [v1, "v1.0.0", "git:sha100"],
      ]);
    },
    STEP_TIMEOUT,
  );

  it(
    "surfaces wrangler's own error text when the API fails",
    async () => {
      sandbox.faults.add({ method: "POST", path: /\/deployments$/, status: 500, times: 1 });
      const error = await deployer.shift(prod, [{ versionId: v2, percentage: 100 }], "promote", signal).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeployError);
      const deployError = error as DeployError;
      expect(deployError.exitCode).toBe(1);
      expect(deployError.command).toBe(`wrangler versions deploy ${v2}@100 --yes --message promote --env production`);
      expect(deployError.detail).toContain("Injected fault: HTTP 500");
      expect(deployError.transient).toBe(true);
      // Nothing changed: the rollback still stands.
      expect((await deployer.status(prod, signal))?.allocation).toEqual([{ versionId: v1, percentage: 100 }]);
    },
    STEP_TIMEOUT,
  );

  it(
    "restores urgently with exactly one API request and no wrangler process",
    async () => {
      const script = project.workerName("production");
      const [spawnsBefore, requestsBefore] = [spawns.length, sandbox.requests.length];
      await deployer.restore(prod, [{ versionId: v2, percentage: 100 }], "cancelled: restore the anchor", signal, { urgent: true });
      expect(spawns.length).toBe(spawnsBefore);
      const sent = sandbox.requests.slice(requestsBefore);
      expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
        `POST /accounts/${sandbox.accountId}/workers/scripts/${script}/deployments`,
      ]);
      expect(sent[0]?.body).toEqual({
        strategy: "percentage",
        versions: [{ version_id: v2, percentage: 100 }],
        annotations: { "workers/message": "cancelled: restore the anchor" },
      });
      expect((await deployer.status(prod, signal))?.allocation).toEqual([{ versionId: v2, percentage: 100 }]);
      // Back to v1 the way wrangler does it, for the steps that follow.
      await deployer.restore(prod, [{ versionId: v1, percentage: 100 }], "health gate failed on v1.1.0", signal);
      expect(spawns.length).toBe(spawnsBefore + 1);
    },
    STEP_TIMEOUT,
  );

  it("kept the token out of every command line", () => {
    const token = sandbox.wranglerEnv().CLOUDFLARE_API_TOKEN!;
    expect(spawns.length).toBeGreaterThanOrEqual(5);
    for (const event of spawns) expect(event.args.join(" ")).not.toContain(token);
    expect(logger.lines.join("\n")).not.toContain(token);
  });

  it(
    "treats a Worker with versions but no deployment as nothing to restore",
    async () => {
      await deployer.upload(staging, release("1.2.0"), signal);
      expect(await deployer.status(staging, signal)).toBeNull();
    },
    STEP_TIMEOUT,
  );
});
