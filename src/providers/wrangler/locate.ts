/**
 * Finds the wrangler to run: the project's own when it satisfies `wrangler-version`, else one
 * installed into a cache directory outside the project. No wrangler process is spawned here,
 * and the user's package.json and lockfile are never touched.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, isAbsolute } from "node:path";
import semver from "semver";
import { CancelledError, ConfigError, DeployError } from "../../core/errors.js";
import { formatDuration } from "../../core/parse.js";
import type { Clock, Logger } from "../../core/ports.js";
import type { Millis } from "../../core/types.js";
import { systemClock } from "../system/clock.js";
import { startChild } from "../system/process-tree.js";
import type { BaseEnv } from "./env.js";
import { describeCommand, lastLines, stripAnsi } from "./text.js";

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

/** The cache folder for a range: one per range, so `4` and `^3.90` do not replace each other. */
export function installDirFor(cacheDir: string, range: string): string {
  const safe = range.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "default";
  return join(resolve(cacheDir), "wrangler", safe);
}

async function installWrangler(options: LocateOptions & { range: string }, why: string): Promise<LocatedWrangler> {
  const dir = installDirFor(options.cacheDir, options.range);
  assertOutside(dir, resolve(options.workingDirectory));
  const cached = await readWranglerPackage(join(dir, "node_modules", "wrangler"));
  if (cached && semver.satisfies(cached.version, options.range)) {
    // The caller says which wrangler it uses, once.
    options.logger?.debug(`Found wrangler ${cached.version} in ${dir}`);
    return { ...cached, source: "installed" };
  }
  await runNpmInstall(dir, options, why);
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
  return ["install", "--prefix", dir, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", `wrangler@${range}`];
}

async function runNpmInstall(dir: string, options: LocateOptions & { range: string }, why: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  // A package.json of its own anchors npm in `dir`, so it never walks up into a project.
  await writeFile(join(dir, "package.json"), `${JSON.stringify({ name: "shipline-wrangler", private: true })}\n`);
  const args = npmInstallArgs(dir, options.range);
  const timeoutMs = options.installTimeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS;
  options.logger?.info(
    `${capitalise(why)}: installing wrangler@${options.range} into ${dir} (npm install, up to ${formatDuration(timeoutMs)})…`,
  );
  const npm = options.npm ?? defaultNpmRunner(process.env);
  const command = describeCommand("npm", args);
  const ended = await withTimeout((signal) => npm(args, { cwd: dir, signal }), {
    timeoutMs,
    clock: options.clock ?? systemClock,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (ended.kind === "cancelled") {
    throw new CancelledError(`The install of wrangler@${options.range} into ${dir} was cancelled.`, { cause: options.signal?.reason });
  }
  if (ended.kind === "timed-out") {
    throw new DeployError(
      `npm did not install wrangler@${options.range} within ${formatDuration(timeoutMs)}: it was stopped. ` +
        "Check the network and the npm registry (npm config get registry), or add wrangler to the project's devDependencies so no install is needed.",
      { command, detail: `timed out after ${formatDuration(timeoutMs)} installing into ${dir}` },
    );
  }
  const result = ended.value;
  if (result.exitCode !== 0) {
    throw new DeployError(`npm could not install wrangler@${options.range}`, {
      command,
      ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
      detail: lastLines(stripAnsi(result.output), 20),
    });
  }
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
  return async (args, { cwd, signal }) => {
    const result = await startChild("npm", args, { cwd, env, all: true, shell: process.platform === "win32", signal }).result;
    return { exitCode: result.exitCode, output: result.all || (result.startError?.message ?? "") };
  };
}
