/**
 * Turning a failed wrangler result into an error that says what wrangler said: the
 * `command-failed` entry, the tail of stderr, and any version the command created before
 * it failed (a partial deploy can already be live).
 */
import { CancelledError, DeployError } from "../../core/errors.js";
import { findEntry } from "./output.js";
import type { WranglerResult } from "./runner.js";
import { lastLines } from "./text.js";

const STDERR_TAIL_LINES = 15;
const STDOUT_TAIL_LINES = 10;
const CURRENT_VERSION_LINE = /^Current Version ID: (\S+)$/m;
const UPLOADED_VERSION_LINE = /^Worker Version ID: (\S+)$/m;

/** Error codes by which wrangler (and the API) say a Worker does not exist. */
export const WORKER_NOT_FOUND_CODES: ReadonlySet<number> = new Set([10007, 10090]);

/** Whether the command ran to completion with exit code 0. */
export function succeeded(result: WranglerResult): boolean {
  return result.exitCode === 0 && !result.timedOut && !result.cancelled;
}

/** The version id the command reported (output file first, stdout as a fallback), if any. */
export function reportedVersionId(result: WranglerResult): string | undefined {
  const entry = findEntry(result.entries, "deploy") ?? findEntry(result.entries, "version-upload");
  if (entry?.version_id) return entry.version_id;
  return (CURRENT_VERSION_LINE.exec(result.stdout) ?? UPLOADED_VERSION_LINE.exec(result.stdout))?.[1];
}

/** Whether wrangler failed because the Worker does not exist (codes 10007/10090). */
export function isWorkerMissing(result: WranglerResult): boolean {
  const code = findEntry(result.entries, "command-failed")?.code;
  return code !== undefined && WORKER_NOT_FOUND_CODES.has(code);
}

/** Whether wrangler failed because the Worker exists but was never deployed. */
export function hasNoDeployments(result: WranglerResult): boolean {
  const message = findEntry(result.entries, "command-failed")?.message ?? "";
  return /has no deployments/i.test(message) || /has no deployments/i.test(result.stderr);
}

/** wrangler's own words about a failure: the `command-failed` message, then the tail of stderr. */
export function failureDetail(result: WranglerResult): string {
  const failed = findEntry(result.entries, "command-failed");
  const parts: string[] = [];
  const stderrTail = lastLines(result.stderr, STDERR_TAIL_LINES);
  // stderr usually repeats the message already; the entry adds the API error code.
  if (failed?.message && !stderrTail.includes(failed.message)) parts.push(withCode(failed.message, failed.code));
  if (stderrTail) parts.push(stderrTail);
  // Auth errors (code 10000) print their diagnosis on stdout.
  if (parts.length === 0 || failed?.code === 10000) {
    const stdoutTail = lastLines(result.stdout, STDOUT_TAIL_LINES);
    if (stdoutTail) parts.push(stdoutTail);
  }
  return parts.join("\n") || `no output (exit code ${String(result.exitCode)})`;
}

/** One line saying what went wrong: the `command-failed` message, else wrangler's `✘ [ERROR]` line. */
export function failureHeadline(result: WranglerResult, detail: string): string {
  const failed = findEntry(result.entries, "command-failed");
  if (failed?.message) return withCode(failed.message, failed.code);
  const errorLine = result.stderr.split(/\r?\n/).find((line) => /^\s*✘/.test(line));
  const line = errorLine ?? detail.split("\n", 1)[0] ?? "";
  // Drop wrangler's "✘ [ERROR]" marker: the message says it already.
  return line.replace(/^\s*✘\s*(\[ERROR\]\s*)?/, "").trim();
}

function withCode(message: string, code: number | undefined): string {
  return code === undefined ? message : `${message} [code: ${code}]`;
}

/** The error for a failed command; `CancelledError` when the run's signal stopped it. */
export function failureError(command: string, result: WranglerResult, summary?: string): Error {
  const versionId = reportedVersionId(result);
  if (result.cancelled) {
    return new CancelledError(`${command} was cancelled${versionId ? ` (it had reported version ${versionId})` : ""}`);
  }
  const detail = failureDetail(result);
  return new DeployError(`${command} ${summary ?? outcome(result)}: ${failureHeadline(result, detail)}`, {
    command,
    ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
    detail,
    ...(versionId ? { versionId } : {}),
  });
}

function outcome(result: WranglerResult): string {
  if (result.timedOut) return `timed out after ${result.durationMs} ms`;
  if (result.exitCode === undefined) return result.signal ? `was killed by ${result.signal}` : "could not start";
  return `exited with code ${result.exitCode}`;
}
