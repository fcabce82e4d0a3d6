import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox, writeSampleWorker } from "../../src/sandbox/index.js";
import type { Sandbox, SampleWorkerOptions, SandboxOptions } from "../../src/sandbox/index.js";
import { startGitHubFake, type GitHubFake } from "./github-fake.js";
import { linkWrangler, runAction, type ActionRun, type RunActionOptions } from "./action-harness.js";

export const API_TOKEN = "cf-sandbox-token-5f1e9a";
export const GITHUB_TOKEN = "ghs_e2eTestToken0123456789";

/** A sandboxed Cloudflare, a fake GitHub, and a Worker project whose own wrangler is the one under test. */
export interface World {
  readonly sandbox: Sandbox;
  readonly github: GitHubFake;
  readonly workspace: string;
  /** Rewrites the Worker's code (a new label is a new script; health per environment). */
  writeWorker(options: SampleWorkerOptions): Promise<void>;
  /** Runs the built action with test-sized gates plus `inputs`. */
  run(
    inputs?: Record<string, string>,
    options?: Partial<RunActionOptions> & { ref?: string; sha?: string; actor?: string; eventName?: string },
  ): Promise<ActionRun>;
  /** Runs a first healthy release (v1.0.0) and returns the production version it made live. */
  releaseFirst(sha?: string): Promise<string>;
  /** The version ids the live deployment of an environment serves. */
  live(environment: string): Promise<string[]>;
  /** Writes (POST/PUT/PATCH/DELETE) the sandbox received for an environment's Worker so far. */
  writes(environment: string): number;
  /** API requests the sandbox received so far. */
  apiCalls(): number;
  stop(): Promise<void>;
}

export async function createWorld(sandboxOptions: SandboxOptions = {}): Promise<World> {
  const sandbox = await startSandbox(sandboxOptions);
  const github = await startGitHubFake();
  const workspace = await mkdtemp(join(tmpdir(), "shipline-e2e-"));
  const project = await writeSampleWorker(workspace, { label: "v1" });
  await linkWrangler(workspace);
  const { CLOUDFLARE_API_TOKEN: _token, CLOUDFLARE_ACCOUNT_ID: _account, ...wranglerEnv } = sandbox.wranglerEnv();
  const worker = (environment: string) => project.workerName(environment);
  const world: World = {
    sandbox,
    github,
    workspace,
    async writeWorker(options) {
      await writeSampleWorker(workspace, options);
    },
    run(inputs = {}, options = {}) {
      return runAction({
        workspace,
        inputs: {
          "cloudflare-api-token": API_TOKEN,
          "cloudflare-account-id": sandbox.accountId,
          "github-token": GITHUB_TOKEN,
          "staging-url": sandbox.workerUrl(worker("staging")),
          "production-url": sandbox.workerUrl(worker("production")),
          "health-path": "/api/health",
          "health-interval": "100ms",
          "health-count": "3",
          "health-timeout": "3s",
          "smoke-interval": "100ms",
          "smoke-count": "2",
          ...inputs,
        },
        env: { ...wranglerEnv, ...options.env },
        github: {
          apiUrl: github.url,
          ref: options.ref ?? "refs/tags/v1.0.0",
          sha: options.sha ?? "a".repeat(40),
          actor: options.actor ?? "octocat",
          eventName: options.eventName ?? "push",
          ...options.github,
        },
        onStart: options.onStart,
        onStdout: options.onStdout,
        timeoutMs: options.timeoutMs,
      });
    },
    async releaseFirst(sha = "1".repeat(40)) {
      const first = await world.run({}, { ref: "refs/tags/v1.0.0", sha });
      if (first.outputs["result"] !== "released") throw new Error(`the first release failed:\n${first.stdout}`);
      return first.outputs["production-version-id"] ?? "";
    },
    async live(environment) {
      const view = sandbox.script(worker(environment));
      const current = view?.deployments[0];
      return current ? current.versions.map((v) => v.versionId) : [];
    },
    writes(environment) {
      return sandbox.writesTo(worker(environment)).length;
    },
    apiCalls() {
      return sandbox.requests.filter((r) => r.api).length;
    },
    async stop() {
      await Promise.allSettled([sandbox.stop(), github.stop()]);
      await rm(workspace, { recursive: true, force: true });
    },
  };
  return world;
}
