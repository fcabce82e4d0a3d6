import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  bunLockedWrangler,
  chooseWranglerSpec,
  npmLockSubset,
  npmLockedWrangler,
  pnpmLockedWrangler,
  readProjectWranglerFacts,
  yarnLockedWrangler,
} from "../../../src/providers/wrangler/lockfile.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "lockfile-test-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function files(base: string, tree: Record<string, string>): Promise<void> {
  for (const [path, contents] of Object.entries(tree)) {
    await mkdir(dirname(join(base, path)), { recursive: true });
    await writeFile(join(base, path), contents);
  }
}

const entry = (version: string, extra: Record<string, unknown> = {}) => ({
  version,
  resolved: `https://registry.npmjs.org/x/-/x-${version}.tgz`,
  integrity: `sha512-${version}`,
  ...extra,
});

/** A workspace lockfile: the root pins wrangler 4.86.0, packages/api its own 4.80.0, beside an unrelated package. */
const NPM_LOCK = JSON.stringify({
  name: "app",
  lockfileVersion: 3,
  requires: true,
  packages: {
    "": { name: "app", workspaces: ["packages/*"], devDependencies: { wrangler: "4.86.0" } },
    "node_modules/wrangler": entry("4.86.0", {
      dev: true,
      dependencies: { esbuild: "0.27.3", blake3: "^1" },
      optionalDependencies: { fsevents: "~2.3.2" },
      peerDependencies: { "@cloudflare/workers-types": "^4" },
    }),
    "node_modules/wrangler/node_modules/blake3": entry("1.0.0", { dev: true }),
    "node_modules/esbuild": entry("0.27.3", { dev: true, optionalDependencies: { "@esbuild/linux-x64": "0.27.3" } }),
    "node_modules/@esbuild/linux-x64": entry("0.27.3", { devOptional: true, optional: false }),
    "node_modules/blake3": entry("2.0.0", { dev: true }),
    "node_modules/left-pad": entry("1.3.0"),
    "node_modules/api": { resolved: "packages/api", link: true },
    "packages/api": { name: "api", devDependencies: { wrangler: "4.80.0" } },
    "packages/api/node_modules/wrangler": entry("4.80.0", { dev: true, dependencies: { esbuild: "0.27.3" } }),
  },
});

describe("npm's lockfile", () => {
  it("finds the wrangler Node would load from the working directory", () => {
    expect(npmLockedWrangler(NPM_LOCK, "")).toEqual({ key: "node_modules/wrangler", version: "4.86.0" });
    expect(npmLockedWrangler(NPM_LOCK, "packages/api")).toEqual({ key: "packages/api/node_modules/wrangler", version: "4.80.0" });
    // A workspace without its own wrangler uses the hoisted one.
    expect(npmLockedWrangler(NPM_LOCK, "packages/web")).toEqual({ key: "node_modules/wrangler", version: "4.86.0" });
    expect(npmLockedWrangler(JSON.stringify({ lockfileVersion: 1, dependencies: { wrangler: { version: "3.1.0" } } }), "")).toEqual({
      key: "",
      version: "3.1.0",
    });
    expect(npmLockedWrangler(JSON.stringify({ lockfileVersion: 3, packages: { "": {} } }), "")).toBeUndefined();
  });

  it("cuts wrangler and exactly what it resolves to, not dev, with optional kept optional", () => {
    const subset = npmLockSubset(NPM_LOCK, "node_modules/wrangler")!;
    expect(subset.packageJson).toEqual({ name: "shipline-wrangler", private: true, dependencies: { wrangler: "4.86.0" } });
    const packages = subset.packageLock["packages"] as Record<string, Record<string, unknown>>;
    expect(Object.keys(packages).sort()).toEqual([
      "",
      "node_modules/@esbuild/linux-x64",
      "node_modules/esbuild",
      "node_modules/wrangler",
      "node_modules/wrangler/node_modules/blake3",
    ]);
    expect(packages[""]).toEqual({ name: "shipline-wrangler", dependencies: { wrangler: "4.86.0" } });
    expect(packages["node_modules/wrangler"]).not.toHaveProperty("dev");
    expect(packages["node_modules/@esbuild/linux-x64"]).toMatchObject({ optional: true, integrity: "sha512-0.27.3" });
    expect(packages["node_modules/@esbuild/linux-x64"]).not.toHaveProperty("devOptional");
    expect(subset.packageLock).toMatchObject({ lockfileVersion: 3, requires: true });
  });

  it("rebases a workspace's own wrangler to the root of the cut", () => {
    const subset = npmLockSubset(NPM_LOCK, "packages/api/node_modules/wrangler")!;
    const packages = subset.packageLock["packages"] as Record<string, Record<string, unknown>>;
    expect(Object.keys(packages).sort()).toEqual(
      ["", "node_modules/esbuild", "node_modules/wrangler", "node_modules/@esbuild/linux-x64"].sort(),
    );
    expect(packages["node_modules/wrangler"]!["version"]).toBe("4.80.0");
  });

  it("gives no cut when a required dependency is missing or linked", () => {
    const missing = JSON.parse(NPM_LOCK) as { packages: Record<string, unknown> };
    delete missing.packages["node_modules/esbuild"];
    expect(npmLockSubset(JSON.stringify(missing), "node_modules/wrangler")).toBeUndefined();
    const linked = JSON.parse(NPM_LOCK) as { packages: Record<string, unknown> };
    linked.packages["node_modules/esbuild"] = { resolved: "vendor/esbuild", link: true };
    expect(npmLockSubset(JSON.stringify(linked), "node_modules/wrangler")).toBeUndefined();
  });
});

describe("pnpm, yarn and bun lockfiles", () => {
  it("pnpm-lock.yaml v9 per importer, and v5's single project", async () => {
    const v9 = [
      "lockfileVersion: '9.0'",
      "importers:",
      "  .:",
      "    devDependencies:",
      "      wrangler:",
      "        specifier: ^4.80.0",
      "        version: 4.86.0(@cloudflare/workers-types@4.20260401.0)",
      "  packages/api:",
      "    dependencies:",
      "      wrangler:",
      "        specifier: 4.70.1",
      "        version: 4.70.1",
      "packages:",
      "  wrangler@4.86.0:",
      "    resolution: {integrity: sha512-x}",
    ].join("\n");
    expect(await pnpmLockedWrangler(v9, "")).toBe("4.86.0");
    expect(await pnpmLockedWrangler(v9, "packages/api")).toBe("4.70.1");
    expect(await pnpmLockedWrangler(v9, "packages/web")).toBeUndefined();
    expect(await pnpmLockedWrangler("lockfileVersion: 5.4\ndevDependencies:\n  wrangler: 3.22.0_abc\n", "")).toBe("3.22.0");
  });

  it("yarn.lock, classic and berry: the entry package.json's range names, else the newest", () => {
    const classic = [
      "# yarn lockfile v1",
      "",
      '"@cloudflare/wrangler@^1.0.0":',
      '  version "1.21.0"',
      "",
      "wrangler@^3.0.0:",
      '  version "3.114.0"',
      "",
      "wrangler@^4.0.0, wrangler@^4.50.0:",
      '  version "4.86.0"',
      '  resolved "https://registry.yarnpkg.com/wrangler/-/wrangler-4.86.0.tgz"',
    ].join("\n");
    expect(yarnLockedWrangler(classic, "^3.0.0")).toBe("3.114.0");
    expect(yarnLockedWrangler(classic, "^4.50.0")).toBe("4.86.0");
    expect(yarnLockedWrangler(classic)).toBe("4.86.0");
    const berry = [
      "__metadata:",
      "  version: 8",
      "",
      '"wrangler@npm:^4.20.0":',
      "  version: 4.85.0",
      '  resolution: "wrangler@npm:4.85.0"',
    ].join("\n");
    expect(yarnLockedWrangler(berry, "^4.20.0")).toBe("4.85.0");
    expect(yarnLockedWrangler("# empty\n")).toBeUndefined();
  });

  it("bun.lock (JSON with trailing commas)", () => {
    const lock = '{\n  "lockfileVersion": 1,\n  "packages": {\n    "wrangler": ["wrangler@4.84.1", "", {}, "sha512-x"],\n  },\n}\n';
    expect(bunLockedWrangler(lock)).toBe("4.84.1");
    expect(bunLockedWrangler('{"packages": {}}')).toBeUndefined();
  });
});

describe("readProjectWranglerFacts", () => {
  it("walks up from a workspace to the lockfile at the repository root", async () => {
    await files(root, {
      ".git/HEAD": "ref: refs/heads/main\n",
      "package.json": JSON.stringify({ name: "app", devDependencies: { wrangler: "4.86.0" } }),
      "package-lock.json": NPM_LOCK,
      "packages/api/package.json": JSON.stringify({ name: "api", devDependencies: { wrangler: "4.80.0" } }),
    });
    const facts = await readProjectWranglerFacts(join(root, "packages", "api"));
    expect(facts.lock).toMatchObject({ packageManager: "npm", lockfile: join(root, "package-lock.json"), lockedVersion: "4.80.0" });
    expect(facts.lock?.npmSubset).toBeDefined();
    expect(facts.declared).toEqual({ range: "4.80.0", file: join(root, "packages", "api", "package.json") });
  });

  it("stops at the repository root", async () => {
    await files(root, { "package-lock.json": NPM_LOCK, "repo/.git/HEAD": "x", "repo/worker/wrangler.toml": "" });
    expect(await readProjectWranglerFacts(join(root, "repo", "worker"))).toEqual({});
  });

  it("with several lockfiles, follows package.json's packageManager, else wrangler-action's order", async () => {
    const pnpmLock =
      "lockfileVersion: '9.0'\nimporters:\n  .:\n    devDependencies:\n      wrangler:\n        specifier: 4.86.0\n        version: 4.86.0\n";
    await files(root, {
      "a/package.json": JSON.stringify({ packageManager: "pnpm@9.15.0" }),
      "a/package-lock.json": "{}",
      "a/pnpm-lock.yaml": pnpmLock,
      "b/yarn.lock": "",
      "b/pnpm-lock.yaml": pnpmLock,
      "c/bun.lockb": "\u0000binary",
    });
    expect((await readProjectWranglerFacts(join(root, "a"))).lock).toEqual({
      packageManager: "pnpm",
      lockfile: join(root, "a", "pnpm-lock.yaml"),
      lockedVersion: "4.86.0",
    });
    expect((await readProjectWranglerFacts(join(root, "b"))).lock).toEqual({
      packageManager: "yarn",
      lockfile: join(root, "b", "yarn.lock"),
    });
    expect((await readProjectWranglerFacts(join(root, "c"))).lock).toEqual({
      packageManager: "bun",
      lockfile: join(root, "c", "bun.lockb"),
    });
  });

  it("knows less, without failing, when the lockfile is not what it claims", async () => {
    await files(root, { "package-lock.json": "{not json", "package.json": '{"devDependencies":{"wrangler":"latest"}}' });
    expect(await readProjectWranglerFacts(root)).toEqual({ lock: { packageManager: "npm", lockfile: join(root, "package-lock.json") } });
  });
});

describe("chooseWranglerSpec", () => {
  const lock = (lockedVersion?: string) => ({
    packageManager: "npm" as const,
    lockfile: "/p/package-lock.json",
    ...(lockedVersion ? { lockedVersion } : {}),
  });
  const declared = (range: string) => ({ range, file: "/p/package.json" });

  it("installs the version the lockfile pins when it satisfies wrangler-version", () => {
    expect(chooseWranglerSpec("4", { lock: lock("4.86.0"), declared: declared("^4.80.0") })).toEqual({
      spec: "4.86.0",
      reason: "the version package-lock.json pins",
    });
  });

  it("else the range package.json declares, when it lies within wrangler-version", () => {
    expect(chooseWranglerSpec("4", { lock: lock("3.114.0"), declared: declared("^4.80.0") })).toEqual({
      spec: "^4.80.0",
      reason: "the range /p/package.json declares",
    });
  });

  it("else wrangler-version itself", () => {
    expect(chooseWranglerSpec(">=4.90.0", { lock: lock("4.86.0"), declared: declared("^4.80.0") })).toEqual({
      spec: ">=4.90.0",
      reason: "the wrangler-version range (package-lock.json pins 4.86.0, outside it)",
    });
    expect(chooseWranglerSpec("4", {})).toEqual({ spec: "4", reason: "the wrangler-version range" });
  });
});
