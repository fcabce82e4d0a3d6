import { describe, expect, it } from "vitest";
import { CancelledError, DeployError } from "../../../src/core/errors.js";
import type { ReleaseVersion } from "../../../src/core/types.js";
import { WranglerDeployer } from "../../../src/providers/wrangler/deployer.js";
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

function setup(...script: Scripted[]) {
  const runner = new FakeRunner(...script);
  const logger = memoryLogger();
  const deployer = new WranglerDeployer({ runner, logger });
  return { runner, deployer, logger };
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
    const error = await caught(deployer.shift(prod, [{ versionId: "a", percentage: 60 }, { versionId: "b", percentage: 30 }], "m", signal));
    expect((error as DeployError).detail).toBe("percentages add up to 90, not 100");
    expect(runner.calls).toEqual([]);
  });
});

describe("WranglerDeployer.restore", () => {
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
    versions: [
      { version_id: "a", percentage: 90 },
      { version_id: "b", percentage: 10 },
    ],
  };

  it("maps deployments status --json to the live allocation", async () => {
    const { runner, deployer } = setup({ stdout: JSON.stringify(deployment) });
    expect(await deployer.status(prod, signal)).toEqual({
      deploymentId: "dep-7",
      createdOn: "2026-01-01T00:00:00Z",
      allocation: [
        { versionId: "a", percentage: 90 },
        { versionId: "b", percentage: 10 },
      ],
    });
    expect(runner.lastArgs).toEqual(["deployments", "status", "--json", "--env", "production"]);
  });

  it.each([10007, 10090])("returns null for a Worker that does not exist (code %i)", async (code) => {
    expect(await setup(failed(code, "This Worker does not exist on your account.")).deployer.status(prod, signal)).toBeNull();
  });

  it("returns null for a Worker with no deployments", async () => {
    const result = failed(undefined, "The Worker w-production has no deployments.", "✘ [ERROR] The Worker w-production has no deployments.");
    expect(await setup(result).deployer.status(prod, signal)).toBeNull();
  });

  it("throws on any other failure, without parsing stdout", async () => {
    const error = await caught(setup({ ...failed(10000, "Authentication error"), stdout: "\n" }).deployer.status(prod, signal));
    expect(error).toBeInstanceOf(DeployError);
    expect((error as DeployError).detail).toContain("Authentication error [code: 10000]");
  });

  it("throws a DeployError when stdout is not the expected JSON", async () => {
    const error = await caught(setup({ stdout: "-- START CF API REQUEST: GET http://x\n{}" }).deployer.status(prod, signal));
    expect((error as DeployError).message).toMatch(/cannot read/);
  });
});

describe("WranglerDeployer.deployments and versions", () => {
  it("lists deployments newest first with their messages", async () => {
    const oldest = { id: "d1", created_on: "2026-01-01T00:00:00Z", versions: [{ version_id: "a", percentage: 100 }] };
    const newest = {
      id: "d2",
      created_on: "2026-01-02T00:00:00Z",
      annotations: { "workers/message": "Rollback" },
      versions: [{ version_id: "b", percentage: 100 }],
    };
    const { runner, deployer } = setup({ stdout: JSON.stringify([oldest, newest]) });
    const list = await deployer.deployments(prod, signal);
    expect(list.map((d) => d.deploymentId)).toEqual(["d2", "d1"]);
    expect(list[0]!.message).toBe("Rollback");
    expect(runner.lastArgs).toEqual(["deployments", "list", "--json", "--env", "production"]);
  });

  it("lists versions newest first with release tags from annotations", async () => {
    const versions = [
      { id: "v1", metadata: { created_on: "2026-01-01T00:00:00Z" }, annotations: { "workers/tag": "v1.0.0", "workers/message": "git:aaa" } },
      { id: "v2", metadata: { created_on: "2026-01-02T00:00:00Z" }, annotations: { "workers/triggered_by": "secret" } },
    ];
    const { deployer } = setup({ stdout: JSON.stringify(versions) });
    expect(await deployer.versions(prod, signal)).toEqual([
      { versionId: "v2", createdOn: "2026-01-02T00:00:00Z" },
      { versionId: "v1", tag: "v1.0.0", message: "git:aaa", createdOn: "2026-01-01T00:00:00Z" },
    ]);
  });

  it("returns no versions for a Worker that does not exist", async () => {
    expect(await setup(failed(10007, "not found")).deployer.versions(prod, signal)).toEqual([]);
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
