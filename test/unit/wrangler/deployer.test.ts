import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CancelledError, DeployError } from "../../../src/core/errors.js";
import type { ReleaseVersion } from "../../../src/core/types.js";
import type { FetchLike } from "../../../src/providers/cloudflare/api.js";
import { WranglerDeployer, type UploadContents } from "../../../src/providers/wrangler/deployer.js";
import { EARLY_READ_MAX_AGE_MS, WranglerTargets } from "../../../src/providers/wrangler/targets.js";
import { FakeRunner, memoryLogger, type Scripted } from "./fake-runner.js";

const release: ReleaseVersion = {
  version: "1.2.3",
  tag: "v1.2.3",
  finalTag: "v1.2.3",
  prerelease: false,
  source: "ref",
  sha: "abc123",
};
const request = { release, message: "git:abc123" };
const prod = { environment: "production" };
const signal = new AbortController().signal;
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const BASE = "http://api.test/client/v4";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "deployer-unit-"));
  await writeFile(join(dir, "wrangler.toml"), 'name = "w"\nmain = "src/index.js"\n[env.staging]\n[env.production]\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface ApiCall {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** A `fetch` answering API requests with `answer(call)`: a status and a JSON (or raw text) body. */
function fakeApi(
  answer: (call: ApiCall) => { status?: number; json?: unknown; text?: string } = () => ({ json: { success: true, result: {} } }),
) {
  const calls: ApiCall[] = [];
  const fetch: FetchLike = async (url, init) => {
    const call = {
      method: init.method ?? "GET",
      url,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const reply = answer(call);
    return new Response(reply.text ?? JSON.stringify(reply.json), { status: reply.status ?? 200 });
  };
  return { fetch, calls };
}

const ok = (result: unknown) => ({ json: { success: true, errors: [], messages: [], result } });
const apiError = (status: number, code: number, message: string) => ({
  status,
  json: { success: false, errors: [{ code, message }], messages: [], result: null },
});

function setup(...script: Scripted[]) {
  return setupWith(fakeApi(), ...script);
}

function setupWith(api: ReturnType<typeof fakeApi>, ...script: Scripted[]) {
  return setupContents(api, undefined, ...script);
}

/** What the deployer reads through: the project in `dir`, the fake API, and (for early reads) a clock. */
function targetsFor(api: ReturnType<typeof fakeApi>, now?: () => number): WranglerTargets {
  return new WranglerTargets({
    workingDirectory: dir,
    env: { CLOUDFLARE_API_BASE_URL: BASE },
    apiToken: "tok-secret",
    accountId: ACCOUNT,
    fetch: api.fetch,
    ...(now ? { now } : {}),
  });
}

function setupContents(api: ReturnType<typeof fakeApi>, contents: UploadContents | undefined, ...script: Scripted[]) {
  const runner = new FakeRunner(...script);
  const logger = memoryLogger();
  const targets = targetsFor(api);
  const deployer = new WranglerDeployer({ runner, targets, logger, ...(contents ? { contents } : {}) });
  return { runner, deployer, logger, api };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

const failed = (code: number | undefined, message: string, stderr = ""): Scripted => ({
  exitCode: 1,
  stderr,
  entries: [{ type: "command-failed", ...(code === undefined ? {} : { code }), message }],
});

describe("WranglerDeployer.deploy", () => {
  it("runs deploy with env, tag and message, and reads the version and URL from the output file", async () => {
    const { runner, deployer } = setup({
      entries: [{ type: "deploy", version_id: "ver-1", targets: ["https://w.example.workers.dev"] }],
      stdout: "Current Version ID: not-this-one\n",
    });
    const outcome = await deployer.deploy({ environment: "staging" }, request, signal);
    expect(runner.lastArgs).toEqual(["deploy", "--env", "staging", "--tag", "v1.2.3", "--message", "git:abc123"]);
    expect(runner.calls[0]!.options?.signal).toBe(signal);
    expect(outcome).toEqual({ versionId: "ver-1", url: "https://w.example.workers.dev" });
  });

  it("falls back to stdout when the output file has no deploy entry", async () => {
    const stdout = "Uploaded w (0.1 sec)\nDeployed w triggers (0.01 sec)\n  https://w.acct.workers.dev\nCurrent Version ID: ver-2";
    const { deployer } = setup({ stdout });
    expect(await deployer.deploy(prod, request, signal)).toEqual({ versionId: "ver-2", url: "https://w.acct.workers.dev" });
  });

  it("fails with wrangler's own words and the version already created", async () => {
    const { deployer } = setup({
      exitCode: 1,
      stdout: "Uploaded w (0.1 sec)\nCurrent Version ID: ver-3\n",
      stderr: "line 1\n✘ [ERROR] A request to the Cloudflare API (/accounts/x/workers/subdomain) failed.\n",
      entries: [{ type: "command-failed", code: 10013, message: "A request to the Cloudflare API failed." }],
    });
    const error = await caught(deployer.deploy(prod, request, signal));
    expect(error).toBeInstanceOf(DeployError);
    const deployError = error as DeployError;
    expect(deployError.command).toBe("wrangler deploy --env production --tag v1.2.3 --message git:abc123");
    expect(deployError.exitCode).toBe(1);
    expect(deployError.versionId).toBe("ver-3");
    expect(deployError.detail).toContain("A request to the Cloudflare API failed. [code: 10013]");
    expect(deployError.detail).toContain("(/accounts/x/workers/subdomain) failed.");
    expect(deployError.message).toContain("exited with code 1: A request to the Cloudflare API failed.");
  });

  it("does not repeat a message stderr already holds, and heads the error with the ✘ line, not a warning", async () => {
    const stderr = "▲ [WARNING] A fetch request failed, likely due to a connectivity issue.\n\n✘ [ERROR] fetch failed\n";
    const error = (await caught(
      setup({ exitCode: 1, stderr, entries: [{ type: "command-failed", message: "fetch failed" }] }).deployer.deploy(prod, request, signal),
    )) as DeployError;
    expect(error.detail).toBe("▲ [WARNING] A fetch request failed, likely due to a connectivity issue.\n✘ [ERROR] fetch failed");
    expect(error.message).toMatch(/exited with code 1: fetch failed$/);
    const noEntry = (await caught(setup({ exitCode: 1, stderr }).deployer.deploy(prod, request, signal))) as DeployError;
    expect(noEntry.message).toMatch(/exited with code 1: fetch failed$/);
  });

  it("fails when wrangler exits 0 without naming a version", async () => {
    const error = await caught(setup({ stdout: "something else" }).deployer.deploy(prod, request, signal));
    expect((error as DeployError).message).toMatch(/exited 0 but reported no version id/);
  });

  it("says a command timed out", async () => {
    const error = await caught(setup({ exitCode: undefined, timedOut: true, durationMs: 600000 }).deployer.deploy(prod, request, signal));
    expect((error as DeployError).message).toMatch(/timed out after 600000 ms/);
  });

  it.each<[string, Scripted, boolean]>([
    [
      "a dropped connection",
      { exitCode: 1, stderr: "✘ [ERROR] fetch failed\n", entries: [{ type: "command-failed", message: "fetch failed" }] },
      true,
    ],
    [
      "an HTML 502",
      {
        exitCode: 1,
        stderr:
          "✘ [ERROR] Received a malformed response from the API\n  <html>Bad Gateway</html>\n  GET /accounts/x/workers/services/w -> 502 Bad Gateway\n",
      },
      true,
    ],
    ["an API error answered with 5xx (code 10013)", failed(10013, "A request to the Cloudflare API failed."), true],
    ["a timeout", { exitCode: undefined, timedOut: true, durationMs: 600000 }, true],
    ["an authentication error", failed(10000, "Authentication error"), false],
    ["an unknown version", failed(10025, "Version not found"), false],
    [
      "a malformed 404",
      { exitCode: 1, stderr: "✘ [ERROR] Received a malformed response from the API\n  GET /accounts/x -> 404 Not Found\n" },
      false,
    ],
  ])("marks %s as transient: %s", async (_what, result, transient) => {
    const error = (await caught(setup(result).deployer.deploy(prod, request, signal))) as DeployError;
    expect(error).toBeInstanceOf(DeployError);
    expect(error.transient).toBe(transient);
  });

  it("turns a cancelled command into a CancelledError", async () => {
    const error = await caught(setup({ exitCode: undefined, cancelled: true, signal: "SIGTERM" }).deployer.deploy(prod, request, signal));
    expect(error).toBeInstanceOf(CancelledError);
  });
});

describe("WranglerDeployer.upload and shift", () => {
  it("uploads a version and reads its preview URL", async () => {
    const { runner, deployer } = setup({ entries: [{ type: "version-upload", version_id: "ver-9", preview_url: "https://p.dev" }] });
    expect(await deployer.upload(prod, request, signal)).toEqual({ versionId: "ver-9", previewUrl: "https://p.dev" });
    expect(runner.lastArgs).toEqual(["versions", "upload", "--env", "production", "--tag", "v1.2.3", "--message", "git:abc123"]);
  });

  it("shifts traffic with --yes, always", async () => {
    const { runner, deployer } = setup({ entries: [{ type: "version-deploy", deployment_id: "dep-1" }] });
    const split = [
      { versionId: "new", percentage: 10 },
      { versionId: "old", percentage: 90 },
    ];
    await deployer.shift(prod, split, "canary 10%", signal);
    expect(runner.lastArgs).toEqual(["versions", "deploy", "new@10", "old@90", "--yes", "--message", "canary 10%", "--env", "production"]);
  });

  it("treats exit 0 without a version-deploy entry as nothing deployed", async () => {
    const error = await caught(setup({}).deployer.shift(prod, [{ versionId: "a", percentage: 100 }], "m", signal));
    expect((error as DeployError).message).toMatch(/reported no deployment/);
  });

  it("refuses an allocation that does not add up to 100 without running wrangler", async () => {
    const { runner, deployer } = setup();
    const error = await caught(
      deployer.shift(
        prod,
        [
          { versionId: "a", percentage: 60 },
          { versionId: "b", percentage: 30 },
        ],
        "m",
        signal,
      ),
    );
    expect((error as DeployError).detail).toBe("percentages add up to 90, not 100");
    expect(runner.calls).toEqual([]);
  });
});

describe("WranglerDeployer.restore", () => {
  it("restores urgently with one API request and no wrangler process", async () => {
    const api = fakeApi(() => ok({ id: "dep-9" }));
    const { runner, deployer } = setupWith(api);
    await deployer.restore(prod, [{ versionId: "ver-1", percentage: 100 }], "cancelled: restore", signal, { urgent: true });
    expect(runner.calls).toEqual([]);
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]).toMatchObject({
      method: "POST",
      url: `${BASE}/accounts/${ACCOUNT}/workers/scripts/w-production/deployments`,
      body: {
        strategy: "percentage",
        versions: [{ version_id: "ver-1", percentage: 100 }],
        annotations: { "workers/message": "cancelled: restore" },
      },
    });
    expect(api.calls[0]?.headers["authorization"]).toBe("Bearer tok-secret");
  });

  it("refuses an urgent restore of a bad allocation without a request", async () => {
    const api = fakeApi();
    const error = await caught(setupWith(api).deployer.restore(prod, [{ versionId: "a", percentage: 50 }], "m", signal, { urgent: true }));
    expect((error as DeployError).detail).toBe("percentages add up to 50, not 100");
    expect(api.calls).toEqual([]);
  });

  it("restores a split with versions deploy --yes when not urgent", async () => {
    const { runner, deployer } = setup({ entries: [{ type: "version-deploy", deployment_id: "dep-1" }] });
    await deployer.restore(
      prod,
      [
        { versionId: "a", percentage: 70 },
        { versionId: "b", percentage: 30 },
      ],
      "restore split",
      signal,
    );
    expect(runner.lastArgs).toEqual(["versions", "deploy", "a@70", "b@30", "--yes", "--message", "restore split", "--env", "production"]);
  });

  it("rolls back to an explicit id with a one-line message of at most 120 characters", async () => {
    const { runner, deployer } = setup({});
    await deployer.restore(prod, [{ versionId: "ver-1", percentage: 100 }], `health gate failed:\n${"x".repeat(200)}`, signal);
    const args = runner.lastArgs;
    expect(args.slice(0, 2)).toEqual(["rollback", "ver-1"]);
    expect(args.slice(-2)).toEqual(["--env", "production"]);
    const message = args[args.indexOf("--message") + 1]!;
    expect(message).toMatch(/^health gate failed: x+…$/);
    expect(message).toHaveLength(120);
  });
});

describe("WranglerDeployer.status", () => {
  const deployment = {
    id: "dep-7",
    created_on: "2026-01-01T00:00:00Z",
    annotations: { "workers/message": "canary" },
    versions: [
      { version_id: "a", percentage: 90 },
      { version_id: "b", percentage: 10 },
    ],
  };

  it("reads the live allocation with one API request and no wrangler process", async () => {
    const api = fakeApi(() => ok({ deployments: [deployment] }));
    const { runner, deployer } = setupWith(api);
    expect(await deployer.status(prod, signal)).toEqual({
      deploymentId: "dep-7",
      createdOn: "2026-01-01T00:00:00Z",
      allocation: [
        { versionId: "a", percentage: 90 },
        { versionId: "b", percentage: 10 },
      ],
    });
    expect(runner.calls).toEqual([]);
    expect(api.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      `GET ${BASE}/accounts/${ACCOUNT}/workers/scripts/w-production/deployments`,
    ]);
  });

  it.each([10007, 10090])("returns null for a Worker that does not exist (code %i)", async (code) => {
    const { deployer } = setupWith(fakeApi(() => apiError(404, code, "This Worker does not exist on your account.")));
    expect(await deployer.status(prod, signal)).toBeNull();
  });

  it("returns null for a Worker with no deployments", async () => {
    expect(await setupWith(fakeApi(() => ok({ deployments: [] }))).deployer.status(prod, signal)).toBeNull();
  });

  it("throws on any other failure, with the API's words and no secret", async () => {
    const error = await caught(setupWith(fakeApi(() => apiError(403, 10000, "Authentication error"))).deployer.status(prod, signal));
    expect(error).toBeInstanceOf(DeployError);
    const deployError = error as DeployError;
    expect(deployError.detail).toContain("Authentication error [code: 10000]");
    expect(deployError.command).toBe("GET /accounts/…/workers/scripts/w-production/deployments");
    expect(deployError.transient).toBe(false);
    expect(`${deployError.message}${deployError.detail}`).not.toContain("tok-secret");
  });

  it("throws a DeployError when the result has an unexpected shape", async () => {
    const error = await caught(setupWith(fakeApi(() => ok({ nothing: true }))).deployer.status(prod, signal));
    expect((error as DeployError).message).toMatch(/cannot read/);
  });
});

describe("WranglerDeployer.deployments and versions", () => {
  it("lists deployments newest first with their messages", async () => {
    const older = { id: "d1", created_on: "2026-01-01T00:00:00Z", versions: [{ version_id: "a", percentage: 100 }] };
    const newer = {
      id: "d2",
      created_on: "2026-01-02T00:00:00Z",
      annotations: { "workers/message": "Rollback" },
      versions: [{ version_id: "b", percentage: 100 }],
    };
    const { runner, deployer } = setupWith(fakeApi(() => ok({ deployments: [older, newer] })));
    const list = await deployer.deployments(prod, signal);
    expect(list.map((d) => d.deploymentId)).toEqual(["d2", "d1"]);
    expect(list[0]!.message).toBe("Rollback");
    expect(runner.calls).toEqual([]);
  });

  it("lists deployable versions newest first with release tags from annotations", async () => {
    const versions = [
      { id: "v2", metadata: { created_on: "2026-01-02T00:00:00Z" }, annotations: { "workers/triggered_by": "secret" } },
      {
        id: "v1",
        metadata: { created_on: "2026-01-01T00:00:00Z" },
        annotations: { "workers/tag": "v1.0.0", "workers/message": "git:aaa" },
      },
    ];
    const api = fakeApi(() => ok({ items: versions }));
    const { runner, deployer } = setupWith(api);
    expect(await deployer.versions(prod, signal)).toEqual([
      { versionId: "v2", createdOn: "2026-01-02T00:00:00Z" },
      { versionId: "v1", tag: "v1.0.0", message: "git:aaa", createdOn: "2026-01-01T00:00:00Z" },
    ]);
    expect(api.calls[0]?.url).toBe(`${BASE}/accounts/${ACCOUNT}/workers/scripts/w-production/versions?deployable=true`);
    expect(runner.calls).toEqual([]);
  });

  it("returns no versions for a Worker that does not exist", async () => {
    expect(await setupWith(fakeApi(() => apiError(404, 10007, "not found"))).deployer.versions(prod, signal)).toEqual([]);
  });
});

describe("WranglerDeployer.deployments after an early read", () => {
  const deployment = (id: string) => ({ id, created_on: "2026-01-01T00:00:00Z", versions: [{ version_id: id, percentage: 100 }] });

  function early(now: () => number) {
    let served = "v1";
    const api = fakeApi(() => ok({ deployments: [deployment(served)] }));
    const targets = targetsFor(api, now);
    const deployer = new WranglerDeployer({ runner: new FakeRunner(), targets, logger: memoryLogger() });
    return { api, targets, deployer, serve: (id: string) => (served = id) };
  }

  it("hands the early read to the first read of that environment only, then reads anew", async () => {
    const { api, targets, deployer, serve } = early(() => 1_000);
    void targets.startEarlyRead("production", signal);
    await vi.waitFor(() => expect(api.calls).toHaveLength(1));
    serve("v2");
    expect((await deployer.deployments(prod, signal)).map((d) => d.deploymentId)).toEqual(["v1"]);
    expect(api.calls).toHaveLength(1);
    expect((await deployer.deployments(prod, signal)).map((d) => d.deploymentId)).toEqual(["v2"]);
    expect(api.calls).toHaveLength(2);
  });

  it("is not handed to another environment, nor once it is older than EARLY_READ_MAX_AGE_MS", async () => {
    let now = 1_000;
    const { api, targets, deployer, serve } = early(() => now);
    await targets.startEarlyRead("production", signal);
    serve("v2");
    expect((await deployer.deployments({ environment: "staging" }, signal)).map((d) => d.deploymentId)).toEqual(["v2"]);
    now += EARLY_READ_MAX_AGE_MS + 1;
    expect((await deployer.deployments(prod, signal)).map((d) => d.deploymentId)).toEqual(["v2"]);
    expect(api.calls).toHaveLength(3);
  });

  it("passes the early read's failure to its taker", async () => {
    const api = fakeApi(() => apiError(403, 10000, "Authentication error"));
    const targets = targetsFor(api);
    const deployer = new WranglerDeployer({ runner: new FakeRunner(), targets, logger: memoryLogger() });
    void targets.startEarlyRead("production", signal);
    expect(String(await caught(deployer.deployments(prod, signal)))).toContain("Authentication error");
    expect(api.calls).toHaveLength(1);
  });
});

describe("WranglerDeployer.pinHeaders", () => {
  it("names the environment's Worker and the version, as Cloudflare-Workers-Version-Overrides wants", () => {
    const { deployer } = setup();
    expect(deployer.pinHeaders(prod, "ver-1")).toEqual({ "Cloudflare-Workers-Version-Overrides": 'w-production="ver-1"' });
    expect(deployer.pinHeaders({ environment: "staging" }, "ver-2")).toEqual({
      "Cloudflare-Workers-Version-Overrides": 'w-staging="ver-2"',
    });
  });
});

describe("WranglerDeployer.manualRestoreCommand", () => {
  const { deployer } = setup();

  it("uses rollback for a single version", () => {
    expect(deployer.manualRestoreCommand(prod, [{ versionId: "ver-1", percentage: 100 }], 'restore "v1.2.2"')).toBe(
      'npx wrangler rollback ver-1 --message "restore \\"v1.2.2\\"" --env production',
    );
  });

  it("uses versions deploy --yes for a split", () => {
    const split = [
      { versionId: "a", percentage: 70 },
      { versionId: "b", percentage: 30 },
    ];
    expect(deployer.manualRestoreCommand(prod, split, "restore split")).toBe(
      'npx wrangler versions deploy a@70 b@30 --yes --message "restore split" --env production',
    );
  });
});

describe("WranglerDeployer logging", () => {
  it("prints the command and wrangler's warnings, never hiding them", async () => {
    const { deployer, logger } = setup({
      stderr: "▲ [WARNING] Could not apply service and environment tags.",
      entries: [{ type: "deploy", version_id: "ver-1" }],
    });
    await deployer.deploy(prod, request, signal);
    expect(logger.lines).toContain("info $ wrangler deploy --env production --tag v1.2.3 --message git:abc123");
    expect(logger.lines).toContain("info ▲ [WARNING] Could not apply service and environment tags.");
  });
});

describe("secrets and vars carried by every version", () => {
  const contents = { secrets: { API_KEY: "deployer-secret-41d2" }, vars: { LOG_LEVEL: "debug", ODD: "-x:y" } };
  const deployed: Scripted = { entries: [{ type: "deploy", version: 1, version_id: "v-new", targets: ["https://w.dev"] }] };
  const uploaded: Scripted = { entries: [{ type: "version-upload", version: 1, version_id: "v-up" }] };

  it("deploy and versions upload pass vars as --var=KEY:VALUE and the secrets to the runner, logging names only", async () => {
    const { runner, deployer, logger } = setupContents(fakeApi(), contents, deployed, uploaded);
    await deployer.deploy(prod, request, signal);
    await deployer.upload(prod, request, signal);
    for (const call of runner.calls) {
      expect(call.args.slice(-2)).toEqual(["--var=LOG_LEVEL:debug", "--var=ODD:-x:y"]);
      expect(call.options?.secrets).toEqual(contents.secrets);
      expect(call.args.join(" ")).not.toContain("deployer-secret-41d2");
    }
    expect(logger.lines.join("\n")).toContain("--secrets-file <file with API_KEY>");
    expect(logger.lines.join("\n")).not.toContain("deployer-secret-41d2");
  });

  it("traffic shifts and rollbacks carry no secrets: they deploy versions already uploaded", async () => {
    const { runner, deployer } = setupContents(fakeApi(), contents, { entries: [{ type: "version-deploy", version: 1 }] }, {});
    await deployer.shift(prod, [{ versionId: "abc", percentage: 100 }], "m", signal);
    await deployer.restore(prod, [{ versionId: "abc", percentage: 100 }], "m", signal);
    expect(runner.calls.map((c) => c.options?.secrets)).toEqual([undefined, undefined]);
  });

  it("lists a Worker's secret names with GET …/secrets, and null for a Worker that does not exist", async () => {
    const api = fakeApi((call) =>
      call.url.includes("/w-production/")
        ? ok([{ name: "API_KEY", type: "secret_text" }])
        : apiError(404, 10007, "This Worker does not exist on your account."),
    );
    const { deployer } = setupWith(api);
    expect(await deployer.secretNames(prod, signal)).toEqual({ where: "the Worker w-production (--env production)", names: ["API_KEY"] });
    expect(await deployer.secretNames({ environment: "staging" }, signal)).toMatchObject({ names: null });
    expect(api.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      `GET ${BASE}/accounts/${ACCOUNT}/workers/scripts/w-production/secrets`,
      `GET ${BASE}/accounts/${ACCOUNT}/workers/scripts/w-staging/secrets`,
    ]);
  });
});
