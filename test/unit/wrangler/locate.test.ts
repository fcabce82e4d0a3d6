import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CancelledError, ConfigError, DeployError } from "../../../src/core/errors.js";
import {
  DEFAULT_INSTALL_TIMEOUT_MS,
  defaultNpmRunner,
  installDirFor,
  locateWrangler,
  npmInstallArgs,
  type NpmRunner,
} from "../../../src/providers/wrangler/locate.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { memoryLogger } from "../../support/logger.js";
import { groupMembers } from "../../support/processes.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "locate-test-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fakeWranglerPackage(parent: string, version: string): Promise<void> {
  const dir = join(parent, "node_modules", "wrangler");
  await mkdir(join(dir, "bin"), { recursive: true });
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "wrangler", version, bin: { wrangler: "./bin/wrangler.js" } }));
  await writeFile(join(dir, "bin", "wrangler.js"), "");
}

/** An npm that "installs" the given version where --prefix points, and records its calls. */
function fakeNpm(version: string, exitCode = 0) {
  const calls: Array<{ args: readonly string[]; cwd: string }> = [];
  const npm: NpmRunner = async (args, { cwd }) => {
    calls.push({ args, cwd });
    const prefix = args[args.indexOf("--prefix") + 1]!;
    if (exitCode === 0) await fakeWranglerPackage(prefix, version);
    return { exitCode, output: exitCode === 0 ? "added 35 packages" : "\u001b[31mnpm error\u001b[0m code E404\nnpm error 404 Not Found" };
  };
  return { npm, calls };
}

describe("locateWrangler", () => {
  it("finds the project's wrangler by walking up from the working directory (monorepo)", async () => {
    await fakeWranglerPackage(root, "4.86.0");
    const workingDirectory = join(root, "packages", "worker");
    await mkdir(workingDirectory, { recursive: true });
    const { npm, calls } = fakeNpm("4.99.0");
    const found = await locateWrangler({ workingDirectory, cacheDir: join(root, "..", "cache-unused"), npm });
    expect(found).toEqual({ binJs: join(root, "node_modules", "wrangler", "bin", "wrangler.js"), version: "4.86.0", source: "project" });
    expect(calls).toEqual([]);
  });

  it("installs outside the project when the project's wrangler does not satisfy the range", async () => {
    const project = join(root, "project");
    await fakeWranglerPackage(project, "3.114.0");
    await writeFile(join(project, "package.json"), '{"name":"user-project"}');
    const cacheDir = join(root, "toolcache");
    const { npm, calls } = fakeNpm("4.90.0");
    const found = await locateWrangler({ workingDirectory: project, range: "^4.20", cacheDir, npm });
    const installDir = installDirFor(cacheDir, "^4.20");
    expect(found).toEqual({
      binJs: join(installDir, "node_modules", "wrangler", "bin", "wrangler.js"),
      version: "4.90.0",
      source: "installed",
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args).toEqual(npmInstallArgs(installDir, "^4.20"));
    expect(calls[0]!.args).toEqual(expect.arrayContaining(["--no-save", "--no-package-lock", "--prefix", installDir, "wrangler@^4.20"]));
    expect(calls[0]!.cwd).toBe(installDir);
    expect(relative(project, installDir).startsWith("..")).toBe(true);
    expect(await readFile(join(project, "package.json"), "utf8")).toBe('{"name":"user-project"}');
  });

  it("reuses an earlier install that satisfies the range", async () => {
    const cacheDir = join(root, "toolcache");
    await fakeWranglerPackage(installDirFor(cacheDir, "4"), "4.50.0");
    const { npm, calls } = fakeNpm("4.99.0");
    const found = await locateWrangler({ workingDirectory: join(root, "p"), cacheDir, npm });
    expect(found).toMatchObject({ version: "4.50.0", source: "installed" });
    expect(calls).toEqual([]);
  });

  it("reinstalls when the cached install no longer satisfies the range", async () => {
    const cacheDir = join(root, "toolcache");
    await fakeWranglerPackage(installDirFor(cacheDir, "4.86.0"), "4.85.0");
    const { npm, calls } = fakeNpm("4.86.0");
    const found = await locateWrangler({ workingDirectory: join(root, "p"), range: "4.86.0", cacheDir, npm });
    expect(found.version).toBe("4.86.0");
    expect(calls).toHaveLength(1);
  });

  it("reports npm's own error when the install fails", async () => {
    const { npm } = fakeNpm("4.0.0", 1);
    const error = await locateWrangler({ workingDirectory: join(root, "p"), cacheDir: join(root, "c"), npm }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect((error as DeployError).detail).toBe("npm error code E404\nnpm error 404 Not Found");
    expect((error as DeployError).command).toMatch(/^npm install --prefix .* wrangler@4$/);
  });

  it("fails when npm installs a version outside the range", async () => {
    const { npm } = fakeNpm("3.0.0");
    await expect(locateWrangler({ workingDirectory: join(root, "p"), cacheDir: join(root, "c"), npm })).rejects.toThrow(
      /no wrangler satisfying "4"/,
    );
  });

  it("refuses a cache folder inside the project", async () => {
    const { npm, calls } = fakeNpm("4.0.0");
    const error = await locateWrangler({ workingDirectory: root, cacheDir: join(root, ".cache"), npm }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(calls).toEqual([]);
  });

  it("rejects a range that is not semver, naming the input", async () => {
    const error = await locateWrangler({ workingDirectory: root, range: "latest!", cacheDir: join(root, "..", "c") }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("wrangler-version");
    expect((error as ConfigError).message).toContain('"latest!"');
  });
});

describe("installing wrangler: timeout, cancel, and what it says", () => {
  /** An npm that never answers, whatever happens to its signal. */
  const hangingNpm = () => {
    const signals: AbortSignal[] = [];
    const npm: NpmRunner = (_args, { signal }) => {
      if (signal) signals.push(signal);
      return new Promise(() => undefined);
    };
    return { npm, signals };
  };

  /** An npm that runs until its signal aborts, then ends the way a killed npm does. */
  const stoppableNpm = () => {
    const stopped: string[] = [];
    const npm: NpmRunner = (_args, { signal }) =>
      new Promise((resolve) => {
        signal?.addEventListener("abort", () => {
          stopped.push(String(signal.reason));
          resolve({ exitCode: undefined, output: "npm http fetch GET https://registry.npmjs.org/wrangler" });
        });
      });
    return { npm, stopped };
  };

  it("says before it starts what it installs, where and why", async () => {
    const project = join(root, "project");
    await fakeWranglerPackage(project, "3.114.0");
    const logger = memoryLogger();
    const { npm } = fakeNpm("4.90.0");
    await locateWrangler({ workingDirectory: project, cacheDir: join(root, "c"), npm, logger });
    const dir = installDirFor(join(root, "c"), "4");
    expect(logger.lines[0]).toBe(
      `info: No wrangler in ${project} satisfies "4" (its wrangler 3.114.0 at ${join(project, "node_modules", "wrangler", "bin", "wrangler.js")} does not): installing wrangler@4 into ${dir} (npm install, up to 5m)…`,
    );
    expect(logger.lines.at(-1)).toBe(`info: Installed wrangler 4.90.0 into ${dir}`);
  });

  it("gives up after the default five minutes on the injected clock, even when npm never answers", async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const { npm, signals } = hangingNpm();
    const error = await locateWrangler({ workingDirectory: join(root, "p"), cacheDir: join(root, "c"), npm, clock }).catch(
      (e: unknown) => e,
    );
    expect(DEFAULT_INSTALL_TIMEOUT_MS).toBe(5 * 60_000);
    expect(clock.now() - t0).toBe(DEFAULT_INSTALL_TIMEOUT_MS);
    expect(error).toBeInstanceOf(DeployError);
    expect((error as DeployError).message).toMatch(/^npm did not install wrangler@4 within 5m: it was stopped\./);
    expect((error as DeployError).command).toMatch(/^npm install --prefix .* wrangler@4$/);
    // The runner was told to stop its npm.
    expect(signals[0]?.aborted).toBe(true);
  });

  it("stops an npm that honours its signal when a caller-given timeout passes", async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const { npm, stopped } = stoppableNpm();
    const logger = memoryLogger();
    const error = await locateWrangler({
      workingDirectory: join(root, "p"),
      cacheDir: join(root, "c"),
      npm,
      clock,
      logger,
      installTimeoutMs: 90_000,
    }).catch((e: unknown) => e);
    expect(clock.now() - t0).toBe(90_000);
    expect(error).toBeInstanceOf(DeployError);
    expect((error as DeployError).message).toContain("within 1m30s");
    expect(stopped).toEqual(["Error: timed out after 1m30s"]);
    expect(logger.lines[0]).toContain("(npm install, up to 1m30s)…");
  });

  /** A clock whose time stands still: its sleeps end only when aborted (recorded). */
  const frozenClock = () => {
    const sleeps: Array<{ ms: number; ended: boolean }> = [];
    const clock = {
      now: () => 0,
      sleep: (ms: number, signal?: AbortSignal) =>
        new Promise<void>((_resolve, reject) => {
          const sleep = { ms, ended: false };
          sleeps.push(sleep);
          signal?.addEventListener("abort", () => ((sleep.ended = true), reject(signal.reason)), { once: true });
        }),
    };
    return { clock, sleeps };
  };

  it("stops npm at once when the run is cancelled", async () => {
    const { npm, stopped } = stoppableNpm();
    const { clock } = frozenClock();
    const controller = new AbortController();
    const pending = locateWrangler({
      workingDirectory: join(root, "p"),
      cacheDir: join(root, "c"),
      npm,
      signal: controller.signal,
      clock,
    }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort(new CancelledError("cancelled by SIGINT"));
    const error = await pending;
    expect(error).toBeInstanceOf(CancelledError);
    expect(stopped).toEqual(["CancelledError: cancelled by SIGINT"]);
  });

  it.runIf(process.platform === "linux")("the real runner's npm and everything it started are stopped on timeout", async () => {
    // An `npm` on PATH that starts two children and hangs, like a stalled install script.
    const bin = join(root, "bin");
    await mkdir(bin, { recursive: true });
    const pids = join(root, "npm.pid");
    await writeFile(join(bin, "npm"), `#!/bin/sh\necho $$ > ${pids}\nsleep 30 & sleep 30 & wait\n`, { mode: 0o755 });
    const npm = defaultNpmRunner({ PATH: `${bin}:${process.env["PATH"] ?? ""}` });
    const error = await locateWrangler({ workingDirectory: join(root, "p"), cacheDir: join(root, "c"), npm, installTimeoutMs: 500 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeployError);
    const group = Number(await readFile(pids, "utf8"));
    expect(group).toBeGreaterThan(0);
    for (let i = 0; i < 100 && groupMembers(group).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(groupMembers(group)).toEqual([]);
  });

  it("a finished install clears its timeout", async () => {
    const { clock, sleeps } = frozenClock();
    const { npm } = fakeNpm("4.90.0");
    await locateWrangler({ workingDirectory: join(root, "p"), cacheDir: join(root, "c"), npm, clock });
    expect(sleeps).toEqual([{ ms: DEFAULT_INSTALL_TIMEOUT_MS, ended: true }]);
  });
});

describe("installDirFor", () => {
  it("gives each range its own safe folder name", () => {
    expect(installDirFor("/cache", "^4.20 || >=5")).toBe(join("/cache", "wrangler", "4.20_5"));
    expect(installDirFor("/cache", "4")).toBe(join("/cache", "wrangler", "4"));
    expect(installDirFor("/cache", "../..")).toBe(join("/cache", "wrangler", "default")); // never escapes the cache
  });
});
