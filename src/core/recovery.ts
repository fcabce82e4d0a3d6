/**
 * The recovery rule: when production may serve something unproven, what to do. One pure
 * function over what is known; the automatic rollback, the cancel path and the emergency
 * rollback all act on its answer through one restore executor (restore.ts).
 */
import { sameAllocation, soleVersion } from "./allocation.js";
import { normaliseVersionId } from "./version-id.js";
import type { Allocation, DeploymentInfo, LiveState, RollbackPolicy, VersionInfo } from "./types.js";

/** Why production may be unproven. */
export type RecoveryCause =
  /** The health gate (or a rollout step's gate) failed. */
  | "gate-failed"
  /** A write to production failed; it may or may not have changed what serves. */
  | "deploy-failed"
  /** The run was cancelled after production was (or may have been) touched. */
  | "cancelled"
  /** The gate passed, but another version was live by its end: the gate did not judge this release. */
  | "not-judged";

export interface RecoveryFacts {
  readonly cause: RecoveryCause;
  readonly policy: RollbackPolicy;
  /** What production served before this run touched it; `null` for a first deploy. */
  readonly anchor: LiveState | null;
  /** What production serves now: `null` for no deployment, `undefined` when unknown (unread or unreadable). */
  readonly live: LiveState | null | undefined;
  /** Production's deployments, newest first, when they were read. */
  readonly history?: readonly DeploymentInfo[];
  /** Whether this run uploaded a version (by id, or by its release tag and `git:<sha>` message). */
  readonly ours: (versionId: string) => boolean;
}

/** The one thing to do. */
export type RecoveryAction =
  /** Production still serves exactly the anchor: nothing went live. */
  | { readonly kind: "unchanged"; readonly serving: LiveState | null }
  /** `rollback: off`: report, leave production as it is. */
  | { readonly kind: "leave" }
  /** Nothing served before this run: nothing to roll back to. */
  | { readonly kind: "first-deploy" }
  /**
   * Someone else deployed since the anchor: live now, or between the anchor and this run's
   * deploy (which replaced it). Rolling back would throw their work away: a human decides.
   */
  | { readonly kind: "someone-else"; readonly theirs: LiveState; readonly when: "live" | "before-ours" }
  /** Put the anchor back, read it back, and prove it: with the health gate, or (cancelled) by the read-back alone. */
  | { readonly kind: "restore"; readonly to: Allocation; readonly verify: "health" | "read-back" };

/** Decides what to do about production. Unknown facts never block a restore of a known anchor. */
export function decideRecovery(facts: RecoveryFacts): RecoveryAction {
  const { anchor, live } = facts;
  if (live !== undefined && sameState(live, anchor)) return { kind: "unchanged", serving: live };
  const known = (id: string) => facts.ours(id) || (anchor?.allocation.some((s) => s.versionId === id) ?? false);
  if (live && servesOther(live, known)) return { kind: "someone-else", theirs: live, when: "live" };
  const between = anchor && facts.history ? foreignSince(facts.history, anchor, known) : undefined;
  if (between) return { kind: "someone-else", theirs: between, when: "before-ours" };
  if (facts.policy === "off" && facts.cause !== "cancelled") return { kind: "leave" };
  if (!anchor) return { kind: "first-deploy" };
  return { kind: "restore", to: anchor.allocation, verify: facts.cause === "cancelled" ? "read-back" : "health" };
}

/** Whether a state serves a version `known` does not recognise. */
export function servesOther(state: LiveState, known: (id: string) => boolean): boolean {
  return state.allocation.some((s) => s.percentage > 0 && !known(s.versionId));
}

/**
 * The newest deployment after the anchor's that serves a version neither in the anchor nor
 * ours. `undefined` when there is none, or when the anchor's deployment is not in `history`.
 */
export function foreignSince(
  history: readonly DeploymentInfo[],
  anchor: LiveState,
  known: (id: string) => boolean,
): DeploymentInfo | undefined {
  if (!anchor.deploymentId) return undefined;
  const index = history.findIndex((d) => d.deploymentId === anchor.deploymentId);
  if (index < 0) return undefined;
  return history.slice(0, index).find((d) => servesOther(d, known));
}

function sameState(a: LiveState | null, b: LiveState | null): boolean {
  if (a === null || b === null) return a === b;
  return sameAllocation(a.allocation, b.allocation);
}

// ---------------------------------------------------------------------------------------------
// Whose version: annotations

/** What this run uploaded: ids it was told, and the annotations every upload of it carries. */
export interface RunUploads {
  readonly ids: readonly string[];
  /** The release tag every upload carries (`--tag`). */
  readonly tag: string;
  /** The message every upload carries (`--message git:<sha>`). */
  readonly message: string;
}

/**
 * Recognises this run's versions: by id when the deployer reported it, else by the release
 * tag and `git:<sha>` message it was uploaded with (a deploy that failed or was cancelled
 * before reporting its id is still ours, never "someone else's").
 */
export function oursBy(uploads: RunUploads, versions: readonly VersionInfo[] = []): (versionId: string) => boolean {
  const ids = new Set(uploads.ids.map(normaliseVersionId));
  for (const v of versions) if (v.tag === uploads.tag && v.message === uploads.message) ids.add(normaliseVersionId(v.versionId));
  return (versionId) => ids.has(normaliseVersionId(versionId));
}

/** Version ids in `states` that `known` does not recognise (a versions read can tell whose they are). */
export function unrecognised(states: ReadonlyArray<LiveState | null | undefined>, known: (id: string) => boolean): string[] {
  const ids = states.flatMap((state) => state?.allocation.map((s) => s.versionId) ?? []);
  return [...new Set(ids.filter((id) => !known(id)))];
}

const ROLLED_BACK = /^shipline: rolled back ([^\s:]+)/;

/**
 * The deployment message of a restore: names the version rolled back from, so that a later
 * emergency rollback never picks it by default. At most 120 characters (wrangler's limit).
 */
export function rollbackMessage(from: string | undefined, why: string): string {
  const text = from ? `shipline: rolled back ${from}: ${why}` : `shipline: restored: ${why}`;
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= 120 ? line : `${line.slice(0, 119)}…`;
}

/** Versions shipline rolled back from, read from deployment messages. */
export function rolledBackFrom(history: readonly DeploymentInfo[]): Set<string> {
  const bad = new Set<string>();
  for (const d of history) {
    const id = ROLLED_BACK.exec(d.message ?? "")?.[1];
    if (id) bad.add(normaliseVersionId(id));
  }
  return bad;
}

/**
 * Earlier deployments that served one version at 100%, newest first, without the versions
 * in `exclude` nor the ones shipline rolled back from: what a human could restore instead.
 */
export function restoreCandidates(history: readonly DeploymentInfo[], exclude: readonly string[]): VersionCandidate[] {
  const skip = new Set([...exclude.map(normaliseVersionId), ...rolledBackFrom(history)]);
  const seen = new Set<string>();
  const found: VersionCandidate[] = [];
  for (const d of history) {
    const id = soleVersion(d.allocation);
    if (!id || skip.has(normaliseVersionId(id)) || seen.has(normaliseVersionId(id))) continue;
    seen.add(normaliseVersionId(id));
    found.push({ versionId: id, ...(d.createdOn ? { servedFrom: d.createdOn } : {}) });
  }
  return found;
}

export interface VersionCandidate {
  readonly versionId: string;
  /** When the deployment that served it was made (ISO 8601). */
  readonly servedFrom?: string;
}

/**
 * What to tell a human when the restored version is unhealthy too: earlier versions not known
 * to be bad (newest first) and the first of them to restore, never one shipline rolled back from.
 */
export function candidatesAdvice(
  history: readonly DeploymentInfo[],
  exclude: readonly string[],
): { readonly text: string; readonly first?: string } {
  const candidates = restoreCandidates(history, exclude);
  const first = candidates[0]?.versionId;
  if (!first) return { text: "No earlier version that served production alone is left that shipline has not seen fail: fix forward." };
  const listed = candidates
    .slice(0, 5)
    .map((c) => `${c.versionId}${c.servedFrom ? ` (served from ${c.servedFrom})` : ""}`)
    .join(", ");
  return { text: `Earlier versions not known to be bad, newest first: ${listed}.`, first };
}

/** Deployments made after the anchor's (all of them when the anchor's is not in `history`). */
export function sinceAnchor(history: readonly DeploymentInfo[], anchor: LiveState | null): readonly DeploymentInfo[] {
  const index = anchor?.deploymentId ? history.findIndex((d) => d.deploymentId === anchor.deploymentId) : -1;
  return index < 0 ? history : history.slice(0, index);
}
