import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CancelledError, ConfigError, DeployError } from "../../../src/core/errors.js";
import {
  DEFAULT_INSTALL_TIMEOUT_MS,
  defaultNpmRunner,
  installDirFor,
  installPlan,
  locateWrangler,
  npmInstallArgs,
  onPath,
  type InstallRunner,
  type NpmRunner,
  type PackageManagerName,
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
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const npm: NpmRunner = (_args, { signal }) =>
      new Promise((resolve) => {
        started();
        signal?.addEventListener("abort", () => {
          stopped.push(String(signal.reason));
          resolve({ exitCode: undefined, output: "npm http fetch GET https://registry.npmjs.org/wrangler" });
        });
      });
    return { npm, stopped, running };
  };

  it("says before it starts what it installs, where and why", async () => {
    const project = join(root, "project");
    await fakeWranglerPackage(project, "3.114.0");
    const logger = memoryLogger();
    const { npm } = fakeNpm("4.90.0");
    await locateWrangler({ workingDirectory: project, cacheDir: join(root, "c"), npm, logger });
    const dir = installDirFor(join(root, "c"), "4");
    expect(logger.lines[0]).toBe(
      `info: No wrangler in ${project} satisfies "4" (its wrangler 3.114.0 at ${join(project, "node_modules", "wrangler", "bin", "wrangler.js")} does not): installing wrangler@4 (the wrangler-version range) into ${dir} (npm install, up to 5m)…`,
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
    const { npm, stopped, running } = stoppableNpm();
    const { clock } = frozenClock();
    const controller = new AbortController();
    const pending = locateWrangler({
      workingDirectory: join(root, "p"),
      cacheDir: join(root, "c"),
      npm,
      signal: controller.signal,
      clock,
    }).catch((e: unknown) => e);
    // Cancelled while npm runs (not before it starts: on a busy machine that takes a while).
    await running;
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

describe("installing the way the project's lockfile says", () => {
  /** A runner for every package manager that "installs" `version` into its cwd, and records its calls. */
  function fakeRun(version: string) {
    const calls: Array<{ program: PackageManagerName; args: readonly string[]; cwd: string }> = [];
    const run: InstallRunner = async (program, args, { cwd }) => {
      calls.push({ program, args, cwd });
      await fakeWranglerPackage(cwd, version);
      return { exitCode: 0, output: "" };
    };
    return { run, calls };
  }

  /** Every file of the project, for proving it was not touched. */
  async function snapshot(dir: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
      const path = join(name.parentPath, name.name);
      out[relative(dir, path)] = await readFile(path, "utf8");
    }
    return out;
  }

  const npmLock = JSON.stringify({
    name: "app",
    lockfileVersion: 3,
    packages: {
      "": { name: "app", devDependencies: { wrangler: "^4.80.0" } },
      "node_modules/wrangler": { version: "4.86.0", resolved: "https://r/wrangler-4.86.0.tgz", integrity: "sha512-w", dev: true },
    },
  });

  it("npm: `npm ci` in the cache folder from the lockfile's own entries, at the pinned version", async () => {
    const project = join(root, "project");
    await mkdir(project, { recursive: true });
    await writeFile(join(project, "package.json"), '{"devDependencies":{"wrangler":"^4.80.0"}}');
    await writeFile(join(project, "package-lock.json"), npmLock);
    const before = await snapshot(project);
    const { run, calls } = fakeRun("4.86.0");
    const cacheDir = join(root, "cache");
    const found = await locateWrangler({ workingDirectory: project, cacheDir, run });
    const dir = installDirFor(cacheDir, "4.86.0");
    expect(found).toMatchObject({ version: "4.86.0", source: "installed" });
    expect(calls).toEqual([{ program: "npm", args: ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], cwd: dir }]);
    const written = JSON.parse(await readFile(join(dir, "package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
    expect(written.packages["node_modules/wrangler"]).toEqual({
      version: "4.86.0",
      resolved: "https://r/wrangler-4.86.0.tgz",
      integrity: "sha512-w",
    });
    expect(await snapshot(project)).toEqual(before);
  });

  it("pnpm: `pnpm add` of the pinned version in a cache folder of its own, the project untouched", async () => {
    const project = join(root, "project");
    await mkdir(project, { recursive: true });
    await writeFile(join(project, "package.json"), '{"devDependencies":{"wrangler":"^4.80.0"}}');
    await writeFile(
      join(project, "pnpm-lock.yaml"),
      "lockfileVersion: '9.0'\nimporters:\n  .:\n    devDependencies:\n      wrangler:\n        specifier: ^4.80.0\n        version: 4.86.0\n",
    );
    const before = await snapshot(project);
    const { run, calls } = fakeRun("4.86.0");
    const logger = memoryLogger();
    const cacheDir = join(root, "cache");
    await locateWrangler({ workingDirectory: project, cacheDir, run, logger });
    const dir = installDirFor(cacheDir, "4.86.0", "pnpm");
    expect(dir).toBe(join(cacheDir, "wrangler", "4.86.0-pnpm"));
    expect(calls).toEqual([{ program: "pnpm", args: ["add", "--ignore-scripts", "--prefer-offline", "wrangler@4.86.0"], cwd: dir }]);
    expect(logger.lines[0]).toContain("installing wrangler@4.86.0 (the version pnpm-lock.yaml pins)");
    expect(logger.lines[0]).toContain("(pnpm add, up to 5m)…");
    expect(await snapshot(project)).toEqual(before);
    // Installed once: the next run finds it in the cache.
    await locateWrangler({ workingDirectory: project, cacheDir, run });
    expect(calls).toHaveLength(1);
  });

  it("yarn on the lockfile but not on the machine: says so, and installs the pinned version with npm", async () => {
    const project = join(root, "project");
    await mkdir(project, { recursive: true });
    await writeFile(join(project, "yarn.lock"), 'wrangler@^4.0.0:\n  version "4.85.0"\n');
    const { run, calls } = fakeRun("4.85.0");
    const logger = memoryLogger();
    const asked: string[] = [];
    const hasPackageManager = async (name: PackageManagerName) => (asked.push(name), false);
    const cacheDir = join(root, "cache");
    await locateWrangler({ workingDirectory: project, cacheDir, run, logger, hasPackageManager });
    expect(asked).toEqual(["yarn"]);
    expect(logger.lines[0]).toBe(
      `warn: ${join(project, "yarn.lock")} says the project uses yarn, but yarn is not on PATH: installing wrangler with npm instead. ` +
        "Set yarn up in an earlier step (or add wrangler to the project's devDependencies and install it) to install it the project's way.",
    );
    expect(calls).toEqual([
      { program: "npm", args: npmInstallArgs(installDirFor(cacheDir, "4.85.0"), "4.85.0"), cwd: installDirFor(cacheDir, "4.85.0") },
    ]);
  });

  it("yarn and bun: the folder is made a project of its own, with node_modules and no install scripts", () => {
    const yarn = installPlan("yarn", "/c", "4.86.0");
    expect(yarn).toMatchObject({ program: "yarn", args: ["add", "wrangler@4.86.0"] });
    expect(Object.keys(yarn.files).sort()).toEqual([".yarnrc", ".yarnrc.yml", "package.json", "yarn.lock"]);
    expect(yarn.files[".yarnrc.yml"]).toContain("nodeLinker: node-modules");
    expect(installPlan("bun", "/c", "^4.80.0")).toMatchObject({ program: "bun", args: ["add", "wrangler@^4.80.0"] });
    // A range is resolved against the registry; only an exact version may trust cached metadata.
    expect(installPlan("pnpm", "/c", "^4.80.0").args).toEqual(["add", "--ignore-scripts", "wrangler@^4.80.0"]);
  });

  it("onPath finds an executable in PATH's folders only", async () => {
    const bin = join(root, "bin");
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, "pnpm"), "#!/bin/sh\n", { mode: 0o755 });
    await writeFile(join(bin, "yarn"), "not executable", { mode: 0o644 });
    expect(await onPath("pnpm", { PATH: bin })).toBe(true);
    expect(await onPath("bun", { PATH: bin })).toBe(false);
    if (process.platform !== "win32") expect(await onPath("yarn", { PATH: bin })).toBe(false);
  });
});
