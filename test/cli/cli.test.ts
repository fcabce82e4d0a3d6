import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, writeSampleWorker, type Sandbox } from "../../src/sandbox/index.js";
import { commandLine, descendants, statOf, watchTree } from "../support/processes.js";
import { ensureBuilt, git, shipline, type CliOptions, type CliRun } from "./support.js";

/** A token the sandbox accepts; it must never be printed. */
const TOKEN = "cf-cli-secret-7d41c0a9e2";
/** The requests that change what production serves. */
const PRODUCTION_DEPLOYMENTS = /\/workers\/scripts\/sample-worker-production\/deployments$/;

/** The test's own process group: the CLI runs in it (a terminal does not detach it either). */
const OWN_GROUP = statOf(process.pid)?.pgid ?? -1;

/** Pids of live processes whose working directory is `dir` (or below it). */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/**
 * The built CLI against the local Workers sandbox with the real wrangler (shipline's own, found
 * from the install folder since the project has none). One production history per file: the
 * tests build on each other.
 */
describe("shipline release / rollback / check / plan end to end", () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let firstVersion = "";

  const urls = () => ({
    staging: sandbox.workerUrl("sample-worker-staging"),
    production: sandbox.workerUrl("sample-worker-production"),
  });
  const gates = [
    "--health-path",
    "/api/health",
    "--health-interval",
    "150ms",
    "--health-count",
    "2",
    "--smoke-interval",
    "150ms",
    "--smoke-count",
    "2",
  ];
  /** `shipline release` against the sandbox's Workers with `gateFlags`, then `args`. */
  const releaseWith = (gateFlags: readonly string[], args: readonly string[], options: Omit<CliOptions, "cwd" | "env"> = {}) =>
    shipline(
      [
        "release",
        "--staging-url",
        urls().staging,
        "--production-url",
        urls().production,
        "--cloudflare-api-token",
        TOKEN,
        ...gateFlags,
        ...args,
      ],
      { cwd: dir, env, ...options },
    );
  const release = (...args: string[]) => releaseWith(gates, args);
  const live = () => sandbox.script("sample-worker-production")?.deployments[0]?.versions.map((v) => v.versionId) ?? [];
  const commit = async (label: string, health: "healthy" | "unhealthy") => {
    await writeSampleWorker(dir, { label, health: { production: health } });
    git(dir, "add", "--all");
    git(dir, "commit", "--quiet", "--message", label);
  };
  const noSecret = (run: CliRun) => {
    expect(run.stdout).not.toContain(TOKEN);
    expect(run.stderr).not.toContain(TOKEN);
  };

  beforeAll(async () => {
    ensureBuilt();
    sandbox = await startSandbox();
    dir = await mkdtemp(join(tmpdir(), "shipline-cli-"));
    const { CLOUDFLARE_API_TOKEN: _token, ...wranglerEnv } = sandbox.wranglerEnv();
    env = { ...wranglerEnv, XDG_CONFIG_HOME: join(dir, ".xdg") };
    git(dir, "init", "--quiet");
    await writeSampleWorker(dir, { label: "v1.0.0" });
    git(dir, "add", "--all");
    git(dir, "commit", "--quiet", "--message", "v1.0.0");
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("releases v1.0.0: --json stdout is only the result, progress lines go to stderr, the tag is in git", async () => {
    const run = await release("--version", "v1.0.0", "--json", "--summary", "summary.md");
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ result: "released", success: true, exitCode: 0 });
    expect(report.outputs).toMatchObject({ result: "released", version: "1.0.0", "release-tag": "v1.0.0", "approval-status": "skipped" });
    firstVersion = report.outputs["production-version-id"];
    expect(live()).toEqual([firstVersion]);
    expect(git(dir, "tag", "--list")).toBe("v1.0.0");
    expect(git(dir, "rev-parse", "v1.0.0^{commit}")).toBe(git(dir, "rev-parse", "HEAD"));
    expect(run.stderr).toMatch(/\[\s+\d+\.\ds\] ✔ Smoke gate on staging \(2 measurements, p95 \d+ms\)/);
    expect(run.stderr).toMatch(/\[\s+\d+\.\ds\] ✔ Health gate on production \(health\) \(2 measurements, p95 \d+ms\)/);
    const summary = readFileSync(join(dir, "summary.md"), "utf8");
    expect(summary).toContain("## shipline: ✅ Released v1.0.0");
    expect(JSON.parse(readFileSync(report.outputs["health-report"], "utf8")).gates).toHaveLength(2);
    noSecret(run);
    expect(summary).not.toContain(TOKEN);
  });

  it("takes the version from the release tag at HEAD when --version is not given", async () => {
    await commit("v1.1.0", "healthy");
    git(dir, "tag", "v1.1.0");
    const run = await release();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^✔ shipline: released \(\d+(\.\d)?m?s\)\. v1\.1\.0 is live on production/);
    expect(run.stdout).toContain("version: 1.1.0");
    expect(live()).not.toEqual([firstVersion]);
    noSecret(run);
  });

  it("rolls production back to a release tag and proves it healthy (exit 0, as the action's rollback mode)", async () => {
    const run = await shipline(
      [
        "rollback",
        "--rollback-reason",
        "v1.1.0 breaks checkout",
        "--rollback-target",
        "v1.0.0",
        "--production-url",
        urls().production,
        "--health-path",
        "/api/health",
        "--health-interval",
        "150ms",
        "--health-count",
        "2",
        "--json",
      ],
      { cwd: dir, env: { ...env, CLOUDFLARE_API_TOKEN: TOKEN } },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.result).toBe("rolled-back");
    expect(report.outputs["rollback-version-id"]).toBe(firstVersion);
    expect(live()).toEqual([firstVersion]);
    expect(git(dir, "log", "--notes=shipline", "--format=%N", "-1", "v1.1.0")).toContain("v1.1.0 breaks checkout");
    noSecret(run);
  });

  it("catches a broken release with --bump minor, rolls it back, tags nothing, and exits 1", async () => {
    await commit("v1.2.0", "unhealthy");
    const before = live();
    const run = await release("--bump", "minor");
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^✖ shipline: rolled-back/);
    expect(run.stdout).toContain("version: 1.2.0");
    expect(run.stderr).toMatch(/health #1 ✖ GET \/api\/health 503/);
    expect(run.stderr).toMatch(/✔ Health gate on the restored production/);
    expect(live()).toEqual(before);
    expect(git(dir, "tag", "--list").split("\n")).toEqual(["v1.0.0", "v1.1.0"]);
  });

  it("refuses approval: prompt without a terminal before anything is deployed", async () => {
    const writes = sandbox.writesTo(/^sample-worker/).length;
    const run = await release("--version", "v9.0.0", "--approval", "prompt");
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/✖ shipline: failed/);
    expect(run.stderr + run.stdout).toContain("standard input is not a terminal");
    expect(sandbox.writesTo(/^sample-worker/).length).toBe(writes);
  });

  it("check <url>: passes against the healthy Worker, fails against a broken path, printing each measurement", async () => {
    const ok = await shipline([
      "check",
      `${urls().production}/api/health`,
      "--health-interval",
      "100ms",
      "--health-count",
      "3",
      "--health-expect-json",
      '{"data":{"status":"healthy"}}',
    ]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^✔ passed: 3 measurements \(3 successful, 0 failed, 0 errors\), p50 \d+ms, p95 \d+ms/);
    expect(ok.stderr.match(/check #\d ✔ GET \/sample-worker-production\/api\/health 200/g)).toHaveLength(3);

    const bad = await shipline(["check", urls().production, "--health-path", "/missing", "--health-interval", "100ms", "--json"]);
    expect(bad.exitCode).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.outcome).toBe("failed");
    expect(report.report.reason).toContain("got 404");
  });

  it("plan prints what a release would do and changes nothing", async () => {
    const writes = sandbox.requests.length;
    const run = await shipline(["plan", "--version", "v2.0.0", "--strategy", "gradual", "--rollout-steps", "25,100"], { cwd: dir, env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("Release: v2.0.0");
    expect(run.stdout).toContain("25% → 100%");
    expect(run.stdout).toContain("Nothing was deployed or changed.");
    expect(sandbox.requests.length).toBe(writes);
    const json = await shipline(["plan", "--version", "v2.0.0", "--json"], { cwd: dir, env });
    expect(JSON.parse(json.stdout)).toMatchObject({ result: "planned", outputs: { version: "2.0.0" } });
    expect(json.stderr).toContain("Release: v2.0.0");
  });
  it("a cancel whose restore is held past the cleanup budget: rollback-failed in --json and --summary, the command to run by hand, no child left", async () => {
    await commit("v1.9.0", "healthy");
    const anchor = live();
    let signalledAt = 0;
    let stderrSoFar = "";
    const run = await releaseWith(
      ["--health-path", "/api/health", "--health-interval", "1s", "--health-count", "6", "--smoke-count", "1"],
      ["--version", "v1.9.0", "--json", "--summary", "cancelled.md"],
      {
        timeoutMs: 60_000,
        onStart: (child) =>
          child.stderr?.on("data", (chunk: Buffer) => {
            stderrSoFar += chunk.toString();
            if (signalledAt || !/▸ Health gate on production/.test(stderrSoFar)) return;
            // The restore the cancel sends is held for 8 s: longer than the 4.5 s the cleanup has.
            sandbox.faults.add({ method: "POST", path: PRODUCTION_DEPLOYMENTS, status: 0, delayMs: 8_000, times: 1 });
            signalledAt = Date.now();
            setTimeout(() => child.kill("SIGINT"), 300);
          }),
      },
    );
    const exitMs = Date.now() - signalledAt;
    expect(signalledAt, run.stderr).toBeGreaterThan(0);
    // Within the runner's budget after a cancel (SIGKILL at 10 s): the restore is given up at 4.5 s.
    expect(exitMs).toBeLessThan(10_000);
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ success: false, result: "rollback-failed", outputs: { result: "rollback-failed" } });
    expect(report.message).toMatch(/cancelled during the health gate\. The rollback did not take effect/);
    expect(report.manualCommand).toBe(`npx wrangler rollback ${anchor[0]} --message "restore after v1.9.0" --env production`);
    expect(run.stderr).toMatch(/✖ Read production back: serves /);
    const summary = readFileSync(join(dir, "cancelled.md"), "utf8");
    expect(summary).toContain("Rollback failed v1.9.0");
    expect(summary).toContain(report.manualCommand);
    // No wrangler (nor anything it started) is left running in the project.
    expect(processesIn(dir)).toEqual([]);
    expect(git(dir, "tag", "--list").split("\n")).not.toContain("v1.9.0");
    // The held restore lands once the sandbox lets it through: production goes back to the anchor.
    await waitFor(() => live().join() === anchor.join(), 15_000);
    noSecret(run);
  }, 70_000);

  it("past the hard deadline (a rollback that neither finishes nor stops): --json and --summary say so with the command to run by hand, nothing outlives the CLI", async () => {
    // A held restore alone does not get here: the cleanup gives it up at 4.5 s and reports (the
    // test above). What the hard deadline (6 s) is for is a child that does not stop when told:
    // the automatic `wrangler rollback` is frozen (SIGSTOP, as a hung process), the restore the
    // cancel sends beside it is held by the API, and the run is cancelled (production only:
    // staging adds nothing here but time).
    await commit("v1.10.0", "unhealthy");
    const anchor = live();
    let signalledAt = 0;
    let frozen = 0;
    let stderrSoFar = "";
    let tree: ReturnType<typeof watchTree> | undefined;
    const startedAt = Date.now();
    try {
      const run = await releaseWith(gates, ["--version", "v1.10.0", "--stages", "production", "--json", "--summary", "cut-off.md"], {
        timeoutMs: 60_000,
        onStart: (child) => {
          tree = watchTree(child.pid ?? -1, 50);
          child.stderr?.on("data", (chunk: Buffer) => {
            stderrSoFar += chunk.toString();
            if (frozen || !/▸ Roll back production to /.test(stderrSoFar)) return;
            frozen = -1;
            // The restore the cancel sends beside the automatic rollback (and the rollback's own) is held by Cloudflare for 8 s.
            sandbox.faults.add({ method: "POST", path: PRODUCTION_DEPLOYMENTS, status: 0, delayMs: 8_000, times: 2 });
            void freezeThenCancel(
              child.pid ?? -1,
              (pgid) => (frozen = pgid),
              () => {
                signalledAt = Date.now();
                child.kill("SIGINT");
                // Ctrl-C pressed again: the cleanup goes on, and the hard deadline still ends it.
                setTimeout(() => child.exitCode === null && child.kill("SIGINT"), 1_000);
              },
            );
          });
        },
      });
      const exitMs = Date.now() - signalledAt;
      console.info(`CLI hard deadline: start → SIGINT ${signalledAt - startedAt} ms, SIGINT → exit ${exitMs} ms`);
      tree?.stop();
      expect(frozen, run.stderr).toBeGreaterThan(0);
      expect(signalledAt, run.stderr).toBeGreaterThan(0);
      expect(run.stderr).toContain("SIGINT received: cancelling");
      expect(run.stderr).toContain("SIGINT received again: cleanup is already running");
      expect(run.stderr).toContain("Cleanup did not finish in time; stopping every child process and exiting at the CLI's hard deadline");
      // The hard deadline is 6 s after the signal; a terminal's user (or a runner) waits no longer than 10 s.
      expect(exitMs, run.stderr).toBeLessThan(10_000);
      expect(run.exitCode, run.stderr).toBe(1);
      const report = JSON.parse(run.stdout);
      const manual = `npx wrangler rollback ${anchor[0]} --message "restore after a cancelled run" --env production`;
      expect(report).toMatchObject({ success: false, exitCode: 1, result: "rollback-failed", outputs: { result: "rollback-failed" } });
      expect(report.message).toMatch(
        /^Cancelled, and the cleanup did not finish before the CLI's hard deadline \(6 s after the signal\): production may serve an unproven version/,
      );
      expect(report.manualCommand).toBe(manual);
      const summary = readFileSync(join(dir, "cut-off.md"), "utf8");
      expect(summary).toContain("cleanup did not finish");
      expect(summary).toMatch(/\| Roll back production to [^|]+\| 🛑 cancelled \|[^|]+\| cut off at the hard deadline \|/);
      expect(summary).toContain(manual);
      expect(summary).not.toContain(TOKEN);
      expect(readFileSync(report.outputs["health-report"], "utf8")).not.toContain(TOKEN);
      noSecret(run);
      // Nothing the CLI started is left, the frozen wrangler included (SIGTERM cannot stop it: only SIGKILL does).
      let left = tree?.survivors([OWN_GROUP]) ?? [];
      for (let i = 0; i < 25 && left.length > 0; i++) {
        await new Promise((done) => setTimeout(done, 40));
        left = tree?.survivors([OWN_GROUP]) ?? [];
      }
      expect(left, JSON.stringify(left)).toEqual([]);
      expect(processesIn(dir)).toEqual([]);
      expect(git(dir, "tag", "--list").split("\n")).not.toContain("v1.10.0");
      // The restore request the cancel sent is the anchor: it lands once the sandbox lets it through.
      await waitFor(() => live().join() === anchor.join(), 15_000);
    } finally {
      tree?.stop();
      sandbox.faults.clear();
      // Never leave a stopped group behind, whatever failed above.
      if (frozen > 0) {
        try {
          process.kill(-frozen, "SIGKILL");
        } catch {
          // gone, as it should be
        }
      }
    }
  }, 90_000);
});

/**
 * Stops (SIGSTOP) the process group of the `wrangler rollback` below `root` once it has
 * started: a child that answers no SIGTERM, as a hung one does. Then cancels the run.
 */
async function freezeThenCancel(root: number, onFrozen: (pgid: number) => void, cancel: () => void): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const pid = descendants(root).find((p) => /wrangler(\.js|-dist\/cli\.js) rollback /.test(commandLine(p)));
    const pgid = pid === undefined ? undefined : statOf(pid)?.pgid;
    if (pgid !== undefined && pgid !== OWN_GROUP) {
      process.kill(-pgid, "SIGSTOP");
      onFrozen(pgid);
      cancel();
      return;
    }
    await new Promise((done) => setTimeout(done, 25));
  }
  cancel();
}
