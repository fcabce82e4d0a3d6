import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, DeployError } from "../../../src/core/errors.js";
import { installDirFor, locateWrangler, npmInstallArgs, type NpmRunner } from "../../../src/providers/wrangler/locate.js";

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
    expect(found).toEqual({ binJs: join(installDir, "node_modules", "wrangler", "bin", "wrangler.js"), version: "4.90.0", source: "installed" });
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
    const error = await locateWrangler({ workingDirectory: root, range: "latest!", cacheDir: join(root, "..", "c") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("wrangler-version");
    expect((error as ConfigError).message).toContain('"latest!"');
  });
});

describe("installDirFor", () => {
  it("gives each range its own safe folder name", () => {
    expect(installDirFor("/cache", "^4.20 || >=5")).toBe(join("/cache", "wrangler", "4.20_5"));
    expect(installDirFor("/cache", "4")).toBe(join("/cache", "wrangler", "4"));
    expect(installDirFor("/cache", "../..")).toBe(join("/cache", "wrangler", "default")); // never escapes the cache
  });
});
