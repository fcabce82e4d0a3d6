/**
 * What a project's lockfile says about installing wrangler: which package manager it belongs to
 * (as cloudflare/wrangler-action decides), which wrangler version it pins for the working
 * directory, and, for npm, the part of the lockfile that pins wrangler and everything it needs.
 * Only reads: nothing here writes into the project.
 */
import { readFile, readdir } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import semver from "semver";

export type PackageManagerName = "npm" | "pnpm" | "yarn" | "bun";

/** Lockfile names and their package manager, in wrangler-action's order of precedence (npm, yarn, pnpm, bun). */
export const LOCKFILES: ReadonlyArray<{ readonly file: string; readonly packageManager: PackageManagerName }> = [
  { file: "package-lock.json", packageManager: "npm" },
  { file: "npm-shrinkwrap.json", packageManager: "npm" },
  { file: "yarn.lock", packageManager: "yarn" },
  { file: "pnpm-lock.yaml", packageManager: "pnpm" },
  { file: "bun.lock", packageManager: "bun" },
  { file: "bun.lockb", packageManager: "bun" },
];

export interface ProjectLock {
  readonly packageManager: PackageManagerName;
  /** Absolute path of the lockfile. */
  readonly lockfile: string;
  /** The wrangler version the lockfile pins for the working directory, when it can be read. */
  readonly lockedVersion?: string;
  /** npm only: a lockfile holding just wrangler at `lockedVersion` and what it depends on. */
  readonly npmSubset?: NpmLockSubset;
}

export interface NpmLockSubset {
  readonly packageJson: Record<string, unknown>;
  readonly packageLock: Record<string, unknown>;
}

export interface ProjectWranglerFacts {
  /** The lockfile nearest the working directory (walking up to the repository root), if any. */
  readonly lock?: ProjectLock;
  /** The wrangler range the nearest package.json that names wrangler declares, and which file. */
  readonly declared?: { readonly range: string; readonly file: string };
}

/**
 * Reads the lockfile and package.json nearest `workingDirectory`: walks up until a folder holds a
 * lockfile, stopping after the repository root (a folder with `.git`) or the filesystem root.
 * Several lockfiles in one folder: the one of package.json's `packageManager` field, else the
 * first in LOCKFILES' order. Never throws on unreadable or odd files: it then knows less.
 */
export async function readProjectWranglerFacts(workingDirectory: string): Promise<ProjectWranglerFacts> {
  const start = resolve(workingDirectory);
  let declared: ProjectWranglerFacts["declared"];
  for (let dir = start; ; dir = dirname(dir)) {
    const names = new Set(await readdir(dir).catch(() => [] as string[]));
    const manifest = names.has("package.json") ? await readJson(join(dir, "package.json")) : undefined;
    if (!declared) {
      const range = declaredWranglerRange(manifest);
      if (range !== undefined) declared = { range, file: join(dir, "package.json") };
    }
    const present = LOCKFILES.filter((l) => names.has(l.file));
    if (present.length > 0) {
      const wanted = packageManagerField(manifest);
      const chosen = present.find((l) => l.packageManager === wanted) ?? present[0]!;
      const lockfile = join(dir, chosen.file);
      const importer = relative(dir, start).split(sep).join("/");
      const lock = await readLock(chosen.packageManager, lockfile, importer, declared?.range);
      return declared ? { lock, declared } : { lock };
    }
    if (names.has(".git") || dirname(dir) === dir) return declared ? { declared } : {};
  }
}

async function readLock(packageManager: PackageManagerName, lockfile: string, importer: string, declared?: string): Promise<ProjectLock> {
  const text = lockfile.endsWith(".lockb") ? undefined : await readFile(lockfile, "utf8").catch(() => undefined);
  if (text === undefined) return { packageManager, lockfile };
  try {
    switch (packageManager) {
      case "npm": {
        const found = npmLockedWrangler(text, importer);
        if (!found) return { packageManager, lockfile };
        const npmSubset = npmLockSubset(text, found.key);
        return { packageManager, lockfile, lockedVersion: found.version, ...(npmSubset ? { npmSubset } : {}) };
      }
      case "pnpm":
        return withVersion({ packageManager, lockfile }, await pnpmLockedWrangler(text, importer));
      case "yarn":
        return withVersion({ packageManager, lockfile }, yarnLockedWrangler(text, declared));
      case "bun":
        return withVersion({ packageManager, lockfile }, bunLockedWrangler(text));
    }
  } catch {
    return { packageManager, lockfile };
  }
}

function withVersion(lock: ProjectLock, version: string | undefined): ProjectLock {
  return version ? { ...lock, lockedVersion: version } : lock;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch {
    return undefined;
  }
}

const DEPENDENCY_FIELDS = ["devDependencies", "dependencies", "optionalDependencies"] as const;

/** The range a package.json gives wrangler, when it is a semver range (not a tag, path or URL). */
export function declaredWranglerRange(manifest: unknown): string | undefined {
  if (!isRecord(manifest)) return undefined;
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest[field];
    const range = isRecord(deps) ? deps["wrangler"] : undefined;
    if (typeof range === "string") {
      const spec = range.startsWith("npm:wrangler@") ? range.slice("npm:wrangler@".length) : range;
      return semver.validRange(spec) === null ? undefined : spec;
    }
  }
  return undefined;
}

function packageManagerField(manifest: unknown): string | undefined {
  const field = isRecord(manifest) ? manifest["packageManager"] : undefined;
  return typeof field === "string" ? field.split("@")[0] : undefined;
}

/** Where npm's lockfile (v2/v3 `packages`, or v1 `dependencies`) has wrangler for `importer` ("" for the root). */
export function npmLockedWrangler(text: string, importer: string): { key: string; version: string } | undefined {
  const lock = JSON.parse(text) as unknown;
  if (!isRecord(lock)) return undefined;
  const packages = lock["packages"];
  if (isRecord(packages)) {
    const segments = importer === "" ? [] : importer.split("/");
    for (let n = segments.length; n >= 0; n--) {
      const key = [...segments.slice(0, n), "node_modules", "wrangler"].join("/");
      const version = versionOf(packages[key]);
      if (version) return { key, version };
    }
    return undefined;
  }
  const version = versionOf(isRecord(lock["dependencies"]) ? lock["dependencies"]["wrangler"] : undefined);
  return version ? { key: "", version } : undefined;
}

function versionOf(entry: unknown): string | undefined {
  const version = isRecord(entry) ? entry["version"] : undefined;
  return typeof version === "string" && semver.valid(version) !== null ? version : undefined;
}

/**
 * The lockfile of a project whose only dependency is wrangler, cut from the project's npm
 * lockfile (v2/v3): wrangler's entry at `key` and every entry Node's resolution reaches from it,
 * rebased to the root. `npm ci` installs it without resolving anything. Undefined when the cut
 * is not clean: a linked (workspace) package, a dependency the lockfile lacks, or two entries
 * that would land on one path after rebasing.
 */
export function npmLockSubset(text: string, key: string): NpmLockSubset | undefined {
  const lock = JSON.parse(text) as Record<string, unknown>;
  const packages = lock["packages"];
  if (!isRecord(packages) || key === "") return undefined;
  const wrangler = packages[key];
  const version = versionOf(wrangler);
  if (!version) return undefined;
  const reached = new Set<string>();
  const queue = [key];
  while (queue.length > 0) {
    const at = queue.pop()!;
    if (reached.has(at)) continue;
    const entry = packages[at];
    if (!isRecord(entry) || entry["link"] === true) return undefined;
    reached.add(at);
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies"] as const) {
      const deps = entry[field];
      if (!isRecord(deps)) continue;
      for (const name of Object.keys(deps)) {
        const found = resolveFrom(packages, at, name);
        // An optional or peer dependency the project did not install is not needed either.
        if (found) queue.push(found);
        else if (field === "dependencies") return undefined;
      }
    }
  }
  // The folder wrangler's resolution starts from: "" at the root, "packages/api" in a workspace.
  const base = key.slice(0, -"node_modules/wrangler".length).replace(/\/$/, "");
  const rebased: Record<string, unknown> = {};
  for (const at of [...reached].sort()) {
    const target = base !== "" && at.startsWith(`${base}/`) ? at.slice(base.length + 1) : at;
    if (target in rebased) return undefined;
    rebased[target] = withoutDevFlags(packages[at] as Record<string, unknown>);
  }
  const name = "shipline-wrangler";
  const packageJson = { name, private: true, dependencies: { wrangler: version } };
  const packageLock = {
    name,
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name, dependencies: { wrangler: version } }, ...rebased },
  };
  return { packageJson, packageLock };
}

/** Node's lookup of `name` from the package at `from`: its own node_modules, then each parent's. */
function resolveFrom(packages: Record<string, unknown>, from: string, name: string): string | undefined {
  for (let base = from; ;) {
    const candidate = `${base === "" ? "" : `${base}/`}node_modules/${name}`;
    if (candidate in packages) return candidate;
    if (base === "") return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut < 0 ? (base.startsWith("node_modules/") ? "" : parentFolder(base)) : base.slice(0, cut);
  }
}

function parentFolder(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut < 0 ? "" : path.slice(0, cut);
}

/** In the project wrangler is often a devDependency; in the cut it is the only dependency, so not dev. */
function withoutDevFlags(entry: Record<string, unknown>): Record<string, unknown> {
  const { dev: _dev, devOptional, ...rest } = entry;
  return devOptional === true ? { ...rest, optional: true } : rest;
}

/**
 * The wrangler version pnpm-lock.yaml (v5 to v9) pins for `importer`. The YAML parser loads
 * only here, for a pnpm project: this module is part of what the action's head start loads
 * before it spawns wrangler.
 */
export async function pnpmLockedWrangler(text: string, importer: string): Promise<string | undefined> {
  const { parse: parseYaml } = await import("yaml");
  const lock = parseYaml(text) as unknown;
  if (!isRecord(lock)) return undefined;
  const importers = lock["importers"];
  const project = isRecord(importers) ? importers[importer === "" ? "." : importer] : lock;
  if (!isRecord(project)) return undefined;
  for (const field of DEPENDENCY_FIELDS) {
    const deps = project[field];
    const entry = isRecord(deps) ? deps["wrangler"] : undefined;
    const raw = isRecord(entry) ? entry["version"] : entry;
    if (typeof raw === "string" || typeof raw === "number") {
      // "4.86.0(@cloudflare/workers-types@4.2)" (v6+) or "4.86.0_abc" (v5): the version is the first part.
      const version = String(raw).split(/[(_]/)[0]!;
      return semver.valid(version) === null ? undefined : version;
    }
  }
  return undefined;
}

/**
 * The wrangler version yarn.lock (classic or berry) pins: the entry whose descriptors include the
 * range package.json declares, else the newest wrangler in the file.
 */
export function yarnLockedWrangler(text: string, declared?: string): string | undefined {
  const entries: Array<{ specs: string[]; version: string }> = [];
  let specs: string[] | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    if (!/^\s/.test(line)) {
      const descriptors = line.replace(/:\s*$/, "").split(",");
      const wrangler = descriptors
        .map((d) => d.trim().replace(/^"|"$/g, ""))
        .filter((d) => d.startsWith("wrangler@"))
        .map((d) => d.slice("wrangler@".length).replace(/^npm:/, ""));
      specs = wrangler.length > 0 ? wrangler : undefined;
      continue;
    }
    const version = specs && /^\s+version:?\s+"?([^"\s]+)"?\s*$/.exec(line)?.[1];
    if (specs && version && semver.valid(version) !== null) {
      entries.push({ specs, version });
      specs = undefined;
    }
  }
  const matching = declared !== undefined ? entries.find((e) => e.specs.includes(declared)) : undefined;
  if (matching) return matching.version;
  return entries.map((e) => e.version).sort(semver.rcompare)[0];
}

/** The wrangler version bun.lock (text, Bun 1.2+) pins. bun.lockb is binary: not read. */
export function bunLockedWrangler(text: string): string | undefined {
  const lock = parseJsonc(text, [], { allowTrailingComma: true }) as unknown;
  const packages = isRecord(lock) ? lock["packages"] : undefined;
  const entry = isRecord(packages) ? packages["wrangler"] : undefined;
  const id = Array.isArray(entry) ? entry[0] : undefined;
  if (typeof id !== "string" || !id.startsWith("wrangler@")) return undefined;
  const version = id.slice("wrangler@".length);
  return semver.valid(version) === null ? undefined : version;
}

export interface WranglerChoice {
  /** What to install: an exact version or a range. */
  readonly spec: string;
  /** Why, for the log. */
  readonly reason: string;
}

/**
 * Which wrangler to install, given the `wrangler-version` range: the version the lockfile pins
 * when it satisfies the range (what the project tested with, and what its lockfile can install
 * without resolving); else the range package.json declares when it lies within the input's;
 * else the input's range.
 */
export function chooseWranglerSpec(range: string, facts: ProjectWranglerFacts): WranglerChoice {
  const locked = facts.lock?.lockedVersion;
  const lockName = facts.lock ? basename(facts.lock.lockfile) : "";
  if (locked && semver.satisfies(locked, range)) {
    return { spec: locked, reason: `the version ${lockName} pins` };
  }
  const declared = facts.declared?.range;
  if (declared !== undefined && semver.validRange(declared) !== null && safeSubset(declared, range)) {
    return { spec: declared, reason: `the range ${facts.declared!.file} declares` };
  }
  const why = locked ? ` (${lockName} pins ${locked}, outside it)` : "";
  return { spec: range, reason: `the wrangler-version range${why}` };
}

function safeSubset(sub: string, range: string): boolean {
  try {
    return semver.subset(sub, range);
  } catch {
    return false;
  }
}

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
