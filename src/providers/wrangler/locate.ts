/**
 * Finds the wrangler to run: the project's own when it satisfies `wrangler-version`, else one
 * installed into a cache directory outside the project. No wrangler process is spawned here,
 * and the user's package.json and lockfile are never touched.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, isAbsolute } from "node:path";
import semver from "semver";
import { execa } from "execa";
import { ConfigError, DeployError } from "../../core/errors.js";
import type { Logger } from "../../core/ports.js";
import type { BaseEnv } from "./env.js";
import { describeCommand, lastLines, stripAnsi } from "./text.js";

export interface LocatedWrangler {
  /** Path to `wrangler/bin/wrangler.js`. */
  readonly binJs: string;
  readonly version: string;
  readonly source: "project" | "installed";
}

/** Runs `npm <args>` in `cwd`; injected so tests need no network. Resolves with the exit code and output. */
export type NpmRunner = (
  args: readonly string[],
  options: { cwd: string; signal?: AbortSignal | undefined },
) => Promise<{ exitCode: number | undefined; output: string }>;

export interface LocateOptions {
  /** Folder holding the Worker's wrangler config; the search walks up from here. */
  readonly workingDirectory: string;
  /** The `wrangler-version` input, a semver range. @default "4" */
  readonly range?: string;
  /** Tool cache root (e.g. `RUNNER_TOOL_CACHE`); installs go to `<cacheDir>/wrangler/<range>`. */
  readonly cacheDir: string;
  readonly npm?: NpmRunner;
  readonly logger?: Pick<Logger, "info" | "debug">;
  readonly signal?: AbortSignal;
}

export const DEFAULT_WRANGLER_RANGE = "4";

/** Returns the wrangler to use, installing one outside the project when the project has none that fits. */
export async function locateWrangler(options: LocateOptions): Promise<LocatedWrangler> {
  const range = validRange(options.range ?? DEFAULT_WRANGLER_RANGE);
  const project = await findProjectWrangler(resolve(options.workingDirectory));
  if (project && semver.satisfies(project.version, range)) {
    options.logger?.info(`Using the project's wrangler ${project.version} (${project.binJs})`);
    return { ...project, source: "project" };
  }
  if (project) {
    options.logger?.info(`The project's wrangler ${project.version} does not satisfy "${range}"`);
  }
  return installWrangler({ ...options, range });
}

function validRange(range: string): string {
  const trimmed = range.trim();
  if (trimmed === "" || semver.validRange(trimmed) === null) {
    throw new ConfigError(
      "wrangler-version",
      `wrangler-version: "${range}" is not a semver range; expected e.g. "4", "^4.20.0" or "4.86.0"`,
    );
  }
  return trimmed;
}

/**
 * The nearest `node_modules/wrangler` from `start` upwards, as Node's resolution (and
 * `npx wrangler`) would pick it, so workspaces hoisting wrangler to the root are found.
 */
export async function findProjectWrangler(start: string): Promise<Omit<LocatedWrangler, "source"> | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    const found = await readWranglerPackage(join(dir, "node_modules", "wrangler"));
    if (found) return found;
    if (dirname(dir) === dir) return undefined;
  }
}

async function readWranglerPackage(packageDir: string): Promise<Omit<LocatedWrangler, "source"> | undefined> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8"));
  } catch {
    return undefined;
  }
  const { version, bin } = manifest as { version?: unknown; bin?: unknown };
  if (typeof version !== "string" || semver.valid(version) === null) return undefined;
  return { binJs: join(packageDir, binPath(bin)), version };
}

function binPath(bin: unknown): string {
  if (typeof bin === "string") return bin;
  const named = (bin as Record<string, unknown> | undefined)?.wrangler;
  return typeof named === "string" ? named : "bin/wrangler.js";
}

/** The cache folder for a range: one per range, so `4` and `^3.90` do not replace each other. */
export function installDirFor(cacheDir: string, range: string): string {
  const safe = range.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "default";
  return join(resolve(cacheDir), "wrangler", safe);
}

async function installWrangler(options: LocateOptions & { range: string }): Promise<LocatedWrangler> {
  const dir = installDirFor(options.cacheDir, options.range);
  assertOutside(dir, resolve(options.workingDirectory));
  const cached = await readWranglerPackage(join(dir, "node_modules", "wrangler"));
  if (cached && semver.satisfies(cached.version, options.range)) {
    options.logger?.info(`Using wrangler ${cached.version} from ${dir}`);
    return { ...cached, source: "installed" };
  }
  await runNpmInstall(dir, options);
  const installed = await readWranglerPackage(join(dir, "node_modules", "wrangler"));
  if (!installed || !semver.satisfies(installed.version, options.range)) {
    throw new DeployError(`npm installed no wrangler satisfying "${options.range}" in ${dir}`, {
      command: `npm install wrangler@${options.range}`,
      detail: installed ? `found ${installed.version}` : "node_modules/wrangler is missing",
    });
  }
  options.logger?.info(`Installed wrangler ${installed.version} into ${dir}`);
  return { ...installed, source: "installed" };
}

function assertOutside(dir: string, project: string): void {
  const rel = relative(project, dir);
  if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) {
    throw new ConfigError(
      "wrangler-version",
      `the wrangler install folder ${dir} lies inside the project ${project}; pass a tool cache outside it`,
    );
  }
}

/** npm arguments that install into `dir` alone: no package.json edit, no lockfile, no audit. */
export function npmInstallArgs(dir: string, range: string): string[] {
  return [
    "install",
    "--prefix",
    dir,
    "--no-save",
    "--no-package-lock",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    `wrangler@${range}`,
  ];
}

async function runNpmInstall(dir: string, options: LocateOptions & { range: string }): Promise<void> {
  await mkdir(dir, { recursive: true });
  // A package.json of its own anchors npm in `dir`, so it never walks up into a project.
  await writeFile(join(dir, "package.json"), `${JSON.stringify({ name: "shipline-wrangler", private: true })}\n`);
  const args = npmInstallArgs(dir, options.range);
  options.logger?.info(`Installing wrangler@${options.range} into ${dir}`);
  const npm = options.npm ?? defaultNpmRunner(process.env);
  const result = await npm(args, { cwd: dir, signal: options.signal });
  if (result.exitCode !== 0) {
    throw new DeployError(`npm could not install wrangler@${options.range}`, {
      command: describeCommand("npm", args),
      ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
      detail: lastLines(stripAnsi(result.output), 20),
    });
  }
}

/** Runs the real `npm` from PATH (no shell on POSIX; Windows needs one for `npm.cmd`). */
export function defaultNpmRunner(env: BaseEnv): NpmRunner {
  return async (args, { cwd, signal }) => {
    const result = await execa("npm", [...args], {
      cwd,
      env: { ...env },
      extendEnv: false,
      stdin: "ignore",
      all: true,
      reject: false,
      shell: process.platform === "win32",
      ...(signal ? { cancelSignal: signal } : {}),
    });
    return { exitCode: result.exitCode, output: String(result.all ?? "") };
  };
}
