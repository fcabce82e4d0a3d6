/**
 * The argv of every wrangler command shipline runs, in one place, so tests can pin them and
 * the manual restore command a human pastes matches what shipline itself would run. (Reads
 * of what a Worker serves are API requests, not wrangler commands: see ../cloudflare/api.ts.)
 */
import type { Allocation } from "../../core/types.js";
import { clampMessage, describeCommand } from "./text.js";

/** wrangler's rollback prompt says 120 characters at most; the same bound suits deployment messages. */
export const MAX_MESSAGE_LENGTH = 120;

/** `wrangler deploy`: upload and deploy at 100%, tagged with the release, with the run's vars. */
export function deployArgs(environment: string, tag: string, message: string, vars: Readonly<Record<string, string>> = {}): string[] {
  return ["deploy", "--env", environment, "--tag", tag, "--message", message, ...varArgs(vars)];
}

/** `wrangler versions upload`: a new version without traffic, with the run's vars. */
export function uploadArgs(environment: string, tag: string, message: string, vars: Readonly<Record<string, string>> = {}): string[] {
  return ["versions", "upload", "--env", environment, "--tag", tag, "--message", message, ...varArgs(vars)];
}

/**
 * `--var=KEY:VALUE` per var (wrangler splits at the first `:`, so a value may hold more).
 * The `=` form keeps a value that starts with `-` from being read as a flag.
 */
export function varArgs(vars: Readonly<Record<string, string>>): string[] {
  return Object.entries(vars).map(([key, value]) => `--var=${key}:${value}`);
}

/**
 * `wrangler versions deploy a@p [b@q] --yes`. `--yes` is not optional: without it wrangler
 * prompts, and with stdin closed it exits 0 having deployed nothing.
 */
export function shiftArgs(environment: string, allocation: Allocation, message: string): string[] {
  const specs = allocation.map((share) => `${share.versionId}@${share.percentage}`);
  return ["versions", "deploy", ...specs, "--yes", "--message", deploymentMessage(message), "--env", environment];
}

/** `wrangler rollback <id>` with an explicit id (wrangler's own "previous" guess can be wrong). */
export function rollbackArgs(environment: string, versionId: string, message: string): string[] {
  return ["rollback", versionId, "--message", deploymentMessage(message), "--env", environment];
}

/** A deployment message wrangler accepts: one line, at most 120 characters, never empty. */
export function deploymentMessage(message: string): string {
  return clampMessage(message, MAX_MESSAGE_LENGTH) || "shipline";
}

/** The command that puts `allocation` back, as a human runs it from the project folder. */
export function manualRestoreArgs(environment: string, allocation: Allocation, message: string): string[] {
  const only = allocation.length === 1 ? allocation[0] : undefined;
  if (only && only.percentage === 100) return rollbackArgs(environment, only.versionId, message);
  return shiftArgs(environment, allocation, message);
}

/** `npx wrangler …` for a report, quoted for a POSIX shell. */
export function manualCommand(args: readonly string[]): string {
  return describeCommand("npx wrangler", args);
}

/** Checks an allocation before wrangler sees it: one or two versions, percentages in 0-100 summing to 100. */
export function allocationProblem(allocation: Allocation): string | undefined {
  if (allocation.length < 1 || allocation.length > 2) {
    return `an allocation names one or two versions, got ${allocation.length}`;
  }
  for (const share of allocation) {
    if (!/^[A-Za-z0-9-]+$/.test(share.versionId)) return `"${share.versionId}" is not a version id`;
    if (!Number.isFinite(share.percentage) || share.percentage < 0 || share.percentage > 100) {
      return `percentage ${share.percentage} of ${share.versionId} is outside 0-100`;
    }
  }
  const total = allocation.reduce((sum, share) => sum + share.percentage, 0);
  if (Math.abs(total - 100) > 1e-9) return `percentages add up to ${total}, not 100`;
  return undefined;
}
