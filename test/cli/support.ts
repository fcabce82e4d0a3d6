/**
 * Running the built CLI (`node lib/cli/bin.js`) as a user would, and a Worker project in a git
 * repository for it to release.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_OPTIONS_ENV } from "../support/node-options.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(ROOT, "lib/cli/bin.js");
/** Another Node (CI runs the suite again under Node 24), else this one. */
export const NODE = process.env["SHIPLINE_TEST_NODE"] || process.execPath;

export interface CliRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** Text written to stdin (then closed); stdin is an empty pipe otherwise. */
  readonly input?: string;
  readonly timeoutMs?: number;
  readonly onStart?: (child: ChildProcess) => void;
}

/** Compiles src/ to lib/ when any source file is newer than the CLI entry (or it is missing). */
export function ensureBuilt(): void {
  const built = existsSync(BIN) ? statSync(BIN).mtimeMs : 0;
  if (newestSource(join(ROOT, "src")) <= built) return;
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], {
    cwd: ROOT,
    stdio: "inherit",
  });
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `shipline <args>` and collects what it printed. */
export async function shipline(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(NODE, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env["PATH"] ?? "", ...NODE_OPTIONS_ENV, HOME: process.env["HOME"] ?? "/tmp", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  options.onStart?.(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin?.end(options.input ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
  const exitCode = await new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  clearTimeout(timer);
  return { exitCode, stdout, stderr, durationMs: Date.now() - started };
}

/** Runs git in `cwd` with a fixed identity; returns its output. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "tag.gpgSign=false", "-c", "commit.gpgSign=false", ...args],
    {
      cwd,
      encoding: "utf8",
    },
  ).trim();
}
