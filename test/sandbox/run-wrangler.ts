/**
 * Runs the real wrangler CLI against a sandbox, the way shipline does: stdin ignored, CI=true,
 * a fresh output file per command, a scratch XDG_CONFIG_HOME, Node started on wrangler's
 * bundle directly (`wranglerLaunch`) and its compile cache where shipline keeps it.
 */
import { NODE, WRANGLER_MODULES } from "../support/action-harness.js";
import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wranglerLaunch } from "../../src/providers/wrangler/runner.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { NODE_OPTIONS_ENV } from "../support/node-options.js";

// The same runtime and wrangler as the end-to-end tests (CI's Node 24 leg uses the newest wrangler).
const WRANGLER_BIN = join(WRANGLER_MODULES, "wrangler/bin/wrangler.js");
const COMPILE_CACHE = join(tmpdir(), "shipline-node-compile-cache");

export interface WranglerRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The ND-JSON entries of WRANGLER_OUTPUT_FILE_PATH. */
  readonly entries: Array<Record<string, unknown>>;
}

/** Runs `wrangler <args>` in `cwd` against `sandbox`; `input` is written to its stdin (`secret put` reads it). */
export async function runWrangler(sandbox: Sandbox, cwd: string, args: string[], input?: string): Promise<WranglerRun> {
  const scratch = await mkdtemp(join(tmpdir(), "shipline-wrangler-"));
  const outputFile = join(scratch, "output.json");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    ...NODE_OPTIONS_ENV,
    HOME: scratch,
    TMPDIR: scratch,
    ...sandbox.wranglerEnv(),
    CI: "true",
    XDG_CONFIG_HOME: scratch,
    WRANGLER_OUTPUT_FILE_PATH: outputFile,
    NODE_COMPILE_CACHE: COMPILE_CACHE,
  };
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const child = execFile(NODE, [...wranglerLaunch(WRANGLER_BIN), ...args], { cwd, env, maxBuffer: 16 << 20 }, (error, out, err) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: out, stderr: err });
    });
    child.stdin?.end(input);
  });
  const entries = await readFile(outputFile, "utf8")
    .then((text) =>
      text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    )
    .catch(() => []);
  return { code, stdout, stderr, entries };
}

/** The output-file entry of a given type (e.g. `deploy`, `version-upload`). */
export function entryOf(run: WranglerRun, type: string): Record<string, unknown> | undefined {
  return run.entries.find((e) => e.type === type);
}
