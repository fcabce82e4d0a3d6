/**
 * Finds the wrangler to run: the project's own when it satisfies `wrangler-version`, else one
 * installed into a cache directory outside the project, with the package manager and the
 * wrangler version the project's lockfile names (lockfile.ts). No wrangler process is spawned
 * here, and the user's package.json, lockfile and node_modules are never touched.
 */
import { constants } from "node:fs";
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { delimiter, dirname, join, relative, resolve, isAbsolute } from "node:path";
import semver from "semver";
import { CancelledError, ConfigError, DeployError } from "../../core/errors.js";
import { formatDuration } from "../../core/parse.js";
import type { Clock, Logger } from "../../core/ports.js";
import type { Millis } from "../../core/types.js";
import { systemClock } from "../system/clock.js";
import { startChild } from "../system/process-tree.js";
import type { BaseEnv } from "./env.js";
import {
  chooseWranglerSpec,
  readProjectWranglerFacts,
  type NpmLockSubset,
  type PackageManagerName,
  type WranglerChoice,
} from "./lockfile.js";
import { describeCommand, lastLines, stripAnsi } from "./text.js";

export type { PackageManagerName } from "./lockfile.js";

export interface LocatedWrangler {
  /** Path to `wrangler/bin/wrangler.js`. */
  readonly binJs: string;
  readonly version: string;
  readonly source: "project" | "installed";
}

/**
 * Runs `npm <args>` in `cwd`; injected so tests need no network. Resolves with the exit code and
 * output. It should stop npm when `signal` aborts (the install timed out or the run was cancelled).
 */
export type NpmRunner = (
  args: readonly string[],
  options: { cwd: string; signal?: AbortSignal | undefined },
) => Promise<{ exitCode: number | undefined; output: string }>;

/** Runs `<program> <args>` in `cwd` for any of the package managers; otherwise as NpmRunner. */
export type InstallRunner = (
  program: PackageManagerName,
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
  /** Runs npm (when `run` is not given). */
  readonly npm?: NpmRunner;
  /** Runs whichever package manager installs wrangler. @default the program from PATH */
  readonly run?: InstallRunner;
  /**
   * Whether a package manager can be run. @default a look-up on PATH, or "yes" for every program
   * when `run` is given.
   */
  readonly hasPackageManager?: (name: PackageManagerName) => Promise<boolean>;
  readonly logger?: Pick<Logger, "info" | "debug" | "warn">;
  readonly signal?: AbortSignal;
  /** Longest an `npm install` may take. @default DEFAULT_INSTALL_TIMEOUT_MS */
  readonly installTimeoutMs?: Millis;
  /** Clock of the install timeout. @default systemClock */
  readonly clock?: Clock;
}

export const DEFAULT_WRANGLER_RANGE = "4";

/**
 * Longest an install of wrangler may take. A cold `npm install wrangler@4` (wrangler, esbuild
 * and the workerd binary, about 100 MB) takes 15-60 s on a hosted runner; five minutes covers a
 * slow registry or mirror, and fails a stuck install long before the job's own time limit.
 */
export const DEFAULT_INSTALL_TIMEOUT_MS: Millis = 5 * 60_000;

/** Returns the wrangler to use, installing one outside the project when the project has none that fits. */
export async function locateWrangler(options: LocateOptions): Promise<LocatedWrangler> {
  const range = validRange(options.range ?? DEFAULT_WRANGLER_RANGE);
  const project = await findProjectWrangler(resolve(options.workingDirectory));
  if (project && semver.satisfies(project.version, range)) return { ...project, source: "project" };
  const found = project ? ` (its wrangler ${project.version} at ${project.binJs} does not)` : "";
  const why = `no wrangler in ${resolve(options.workingDirectory)} satisfies "${range}"${found}`;
  return installWrangler({ ...options, range }, why);
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

/**
 * The cache folder for a version or range and a package manager: one per pair, so `4` and
 * `^3.90`, or npm's and pnpm's layouts, do not replace each other.
 */
export function installDirFor(cacheDir: string, range: string, packageManager: PackageManagerName = "npm"): string {
  const safe = range.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "default";
  return join(resolve(cacheDir), "wrangler", packageManager === "npm" ? safe : `${safe}-${packageManager}`);
}

async function installWrangler(options: LocateOptions & { range: string }, why: string): Promise<LocatedWrangler> {
  const facts = await readProjectWranglerFacts(options.workingDirectory);
  const choice = chooseWranglerSpec(options.range, facts);
  const packageManager = await pickPackageManager(facts.lock?.packageManager ?? "npm", facts.lock?.lockfile, options);
  const dir = installDirFor(options.cacheDir, choice.spec, packageManager);
  assertOutside(dir, resolve(options.workingDirectory));
  const fits = (found: { version: string } | undefined) =>
    found !== undefined && semver.satisfies(found.version, options.range) && semver.satisfies(found.version, choice.spec);
  const cached = await readWranglerPackage(join(dir, "node_modules", "wrangler"));
  if (fits(cached)) {
    // The caller says which wrangler it uses, once.
    options.logger?.debug(`Found wrangler ${cached!.version} in ${dir}`);
    return { ...cached!, source: "installed" };
  }
  const subset = packageManager === "npm" && facts.lock?.lockedVersion === choice.spec ? facts.lock.npmSubset : undefined;
  const plan = installPlan(packageManager, dir, choice.spec, subset);
  await runInstall(dir, plan, choice, options, why);
  const installed = await readWranglerPackage(join(dir, "node_modules", "wrangler"));
  if (!fits(installed)) {
    throw new DeployError(`${plan.program} installed no wrangler satisfying "${choice.spec}" in ${dir}`, {
      command: describeCommand(plan.program, plan.args),
      detail: installed ? `found ${installed.version}` : "node_modules/wrangler is missing",
    });
  }
  options.logger?.info(`Installed wrangler ${installed!.version} into ${dir}`);
  return { ...installed!, source: "installed" };
}

/** The lockfile's package manager when it can be run; else npm, said loudly (it ships with Node). */
async function pickPackageManager(
  named: PackageManagerName,
  lockfile: string | undefined,
  options: LocateOptions,
): Promise<PackageManagerName> {
  if (named === "npm") return "npm";
  const has = options.hasPackageManager ?? (options.run ? async () => true : (name: PackageManagerName) => onPath(name, process.env));
  if (await has(named)) return named;
  options.logger?.warn(
    `${lockfile ?? "The project's lockfile"} says the project uses ${named}, but ${named} is not on PATH: installing wrangler with npm instead. ` +
      `Set ${named} up in an earlier step (or add wrangler to the project's devDependencies and install it) to install it the project's way.`,
  );
  return "npm";
}

/** Whether `program` is an executable file in one of PATH's folders. */
export async function onPath(program: string, env: BaseEnv): Promise<boolean> {
  const folders = (env["PATH"] ?? env["Path"] ?? "").split(delimiter).filter((f) => f !== "");
  const names = process.platform === "win32" ? [`${program}.cmd`, `${program}.exe`, program] : [program];
  for (const folder of folders) {
    for (const name of names) {
      try {
        await access(join(folder, name), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

/** What to write into the install folder, and the command that installs wrangler there. */
export interface InstallPlan {
  readonly program: PackageManagerName;
  readonly args: readonly string[];
  /** File name → contents, written into the install folder first. */
  readonly files: Readonly<Record<string, string>>;
  /** For the log: how it installs. */
  readonly how: string;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
/** A package.json of its own anchors the package manager in the install folder, so it never walks up into a project. */
const ANCHOR = json({ name: "shipline-wrangler", private: true });

/**
 * How `packageManager` installs wrangler `spec` into `dir`. Install scripts are skipped: wrangler
 * runs without them (workerd's and esbuild's JS find their platform binaries), and no third-party
 * script runs in the release's environment.
 */
export function installPlan(packageManager: PackageManagerName, dir: string, spec: string, subset?: NpmLockSubset): InstallPlan {
  switch (packageManager) {
    case "npm":
      if (subset) {
        return {
          program: "npm",
          args: ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
          files: { "package.json": json(subset.packageJson), "package-lock.json": json(subset.packageLock) },
          how: "npm ci, from the lockfile's own entries for wrangler",
        };
      }
      return { program: "npm", args: npmInstallArgs(dir, spec), files: { "package.json": ANCHOR }, how: "npm install" };
    case "pnpm":
      return {
        program: "pnpm",
        args: ["add", "--ignore-scripts", ...preferOffline(spec), `wrangler@${spec}`],
        files: { "package.json": ANCHOR },
        how: "pnpm add",
      };
    case "yarn":
      // Classic reads .yarnrc, berry .yarnrc.yml (node_modules, not Plug'n'Play, so wrangler has a path); the
      // empty yarn.lock makes the folder a project of its own for berry.
      return {
        program: "yarn",
        args: ["add", `wrangler@${spec}`],
        files: {
          "package.json": ANCHOR,
          "yarn.lock": "",
          ".yarnrc": "ignore-scripts true\n",
          ".yarnrc.yml": "nodeLinker: node-modules\nenableScripts: false\n",
        },
        how: "yarn add",
      };
    case "bun":
      // Bun runs no dependency's install script unless the project trusts it.
      return { program: "bun", args: ["add", `wrangler@${spec}`], files: { "package.json": ANCHOR }, how: "bun add" };
  }
}

/** An exact version resolves the same from cached metadata: no need to ask the registry again. */
function preferOffline(spec: string): string[] {
  return semver.valid(spec) === null ? [] : ["--prefer-offline"];
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

/** npm arguments that install into `dir` alone: no package.json edit, no lockfile, no audit, no install scripts. */
export function npmInstallArgs(dir: string, range: string): string[] {
  return [
    "install",
    "--prefix",
    dir,
    "--no-save",
    "--no-package-lock",
    "--no-audit",
    "--no-fund",
    "--ignore-scripts",
    ...preferOffline(range),
    "--loglevel=error",
    `wrangler@${range}`,
  ];
}

async function runInstall(
  dir: string,
  plan: InstallPlan,
  choice: WranglerChoice,
  options: LocateOptions & { range: string },
  why: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, contents] of Object.entries(plan.files)) await writeFile(join(dir, name), contents);
  const timeoutMs = options.installTimeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS;
  options.logger?.info(
    `${capitalise(why)}: installing wrangler@${choice.spec} (${choice.reason}) into ${dir} (${plan.how}, up to ${formatDuration(timeoutMs)})…`,
  );
  const run = installRunner(options);
  const command = describeCommand(plan.program, plan.args);
  const ended = await withTimeout((signal) => run(plan.program, plan.args, { cwd: dir, signal }), {
    timeoutMs,
    clock: options.clock ?? systemClock,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (ended.kind === "cancelled") {
    throw new CancelledError(`The install of wrangler@${choice.spec} into ${dir} was cancelled.`, { cause: options.signal?.reason });
  }
  if (ended.kind === "timed-out") {
    throw new DeployError(
      `${plan.program} did not install wrangler@${choice.spec} within ${formatDuration(timeoutMs)}: it was stopped. ` +
        `Check the network and the registry (${plan.program} config get registry), or add wrangler to the project's devDependencies so no install is needed.`,
      { command, detail: `timed out after ${formatDuration(timeoutMs)} installing into ${dir}` },
    );
  }
  const result = ended.value;
  if (result.exitCode !== 0) {
    throw new DeployError(`${plan.program} could not install wrangler@${choice.spec}`, {
      command,
      ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
      detail: lastLines(stripAnsi(result.output), 20),
    });
  }
}

function installRunner(options: LocateOptions): InstallRunner {
  if (options.run) return options.run;
  const npm = options.npm ?? defaultNpmRunner(process.env);
  const others = defaultInstallRunner(process.env);
  return (program, args, runOptions) => (program === "npm" ? npm(args, runOptions) : others(program, args, runOptions));
}

type Ended<T> = { readonly kind: "done"; readonly value: T } | { readonly kind: "timed-out" } | { readonly kind: "cancelled" };

/**
 * Runs `work` with a signal that aborts when `timeoutMs` passes (on `clock`) or `signal` aborts.
 * Returns at once on either, without waiting for `work`: a runner that ignores its signal cannot
 * hold the run (the default runner's npm is stopped through process-tree.ts all the same).
 */
async function withTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  limits: { readonly timeoutMs: Millis; readonly clock: Clock; readonly signal?: AbortSignal },
): Promise<Ended<T>> {
  if (limits.signal?.aborted) return { kind: "cancelled" };
  const stop = new AbortController();
  const timers = new AbortController();
  let onCancel: (() => void) | undefined;
  const cancelled = new Promise<Ended<T>>((resolve) => {
    onCancel = () => resolve({ kind: "cancelled" });
    limits.signal?.addEventListener("abort", onCancel, { once: true });
  });
  const timedOut = limits.clock.sleep(limits.timeoutMs, timers.signal).then(
    (): Ended<T> => ({ kind: "timed-out" }),
    () => new Promise<never>(() => undefined),
  );
  const working = work(stop.signal).then((value): Ended<T> => ({ kind: "done", value }));
  // After a timeout or a cancel, how the abandoned work ends is nobody's concern.
  working.catch(() => undefined);
  try {
    const ended = await Promise.race([working, timedOut, cancelled]);
    if (ended.kind !== "done")
      stop.abort(limits.signal?.aborted ? limits.signal.reason : new Error(`timed out after ${formatDuration(limits.timeoutMs)}`));
    return ended;
  } finally {
    timers.abort();
    if (onCancel) limits.signal?.removeEventListener("abort", onCancel);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Runs the real `npm` from PATH (no shell on POSIX; Windows needs one for `npm.cmd`), stopped when `signal` aborts. */
export function defaultNpmRunner(env: BaseEnv): NpmRunner {
  const run = defaultInstallRunner(env);
  return (args, options) => run("npm", args, options);
}

/** Runs the real package manager from PATH, as defaultNpmRunner runs npm. */
export function defaultInstallRunner(env: BaseEnv): InstallRunner {
  return async (program, args, { cwd, signal }) => {
    const result = await startChild(program, args, { cwd, env, all: true, shell: process.platform === "win32", signal }).result;
    return { exitCode: result.exitCode, output: result.all || (result.startError?.message ?? "") };
  };
}
