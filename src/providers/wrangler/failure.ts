/**
 * Turning a failed wrangler result into an error that says what wrangler said: the
 * `command-failed` entry, the tail of stderr, any version the command created before it
 * failed (a partial deploy can already be live), and whether the failure looks passing.
 */
import { CancelledError, DeployError } from "../../core/errors.js";
import { isTransientStatus } from "../cloudflare/api.js";
import { findEntry } from "./output.js";
import type { WranglerResult } from "./runner.js";
import { lastLines } from "./text.js";

const STDERR_TAIL_LINES = 15;
const STDOUT_TAIL_LINES = 10;
const CURRENT_VERSION_LINE = /^Current Version ID: (\S+)$/m;
const UPLOADED_VERSION_LINE = /^Worker Version ID: (\S+)$/m;

/**
 * API error codes that come with server-side trouble rather than a bad request: 10013 ("An
 * unknown error has occurred", what the API answers 5xx failures with) and 971 (throttled).
 * wrangler prints an envelope error's code but not its HTTP status. (Inference from the API's
 * answers, not a documented list.)
 */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([10013, 971]);

// undici's "fetch failed" and the connection errors behind it, as wrangler prints them.
const NETWORK_FAILURE =
  /\bfetch failed\b|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|socket hang up|other side closed|UND_ERR_[A-Z_]+/;
// "Received a malformed response from the API" is followed by "GET /accounts/… -> 502 Bad Gateway".
const RESPONSE_STATUS = /-> (\d{3})\b/g;

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

/**
 * Whether a failed command looks passing, so that a retry may succeed: it timed out, lost its
 * connection ("fetch failed"), got a non-JSON 5xx/429 answer, or an error code the API gives
 * server-side failures. Auth errors, unknown versions and bad input are not.
 */
export function isTransientFailure(result: WranglerResult): boolean {
  if (result.cancelled) return false;
  if (result.timedOut) return true;
  const failed = findEntry(result.entries, "command-failed");
  if (failed?.code !== undefined && TRANSIENT_CODES.has(failed.code)) return true;
  const text = `${failed?.message ?? ""}\n${result.stderr}`;
  if (NETWORK_FAILURE.test(text)) return true;
  return [...text.matchAll(RESPONSE_STATUS)].some((match) => isTransientStatus(Number(match[1])));
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
    return new CancelledError(`${command} was cancelled${versionId ? ` (it had reported version ${versionId})` : ""}`, {
      ...(versionId ? { versionId } : {}),
    });
  }
  const detail = failureDetail(result);
  return new DeployError(`${command} ${summary ?? outcome(result)}: ${failureHeadline(result, detail)}`, {
    command,
    ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
    detail,
    ...(versionId ? { versionId } : {}),
    transient: isTransientFailure(result),
  });
}

function outcome(result: WranglerResult): string {
  if (result.timedOut) return `timed out after ${result.durationMs} ms`;
  if (result.exitCode === undefined) return result.signal ? `was killed by ${result.signal}` : "could not start";
  return `exited with code ${result.exitCode}`;
}
