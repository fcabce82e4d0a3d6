import type { Allocation, DeploymentInfo, LiveState } from "./types.js";

/** `a1b2c3d4@100%` or `a1b2c3d4@10% + e5f6a7b8@90%`. */
export function describeAllocation(allocation: Allocation | undefined): string {
  if (!allocation || allocation.length === 0) return "nothing";
  return allocation.map((share) => `${share.versionId}@${share.percentage}%`).join(" + ");
}

/** Whether two allocations route traffic the same way (order-insensitive; 0% shares ignored). */
export function sameAllocation(a: Allocation, b: Allocation): boolean {
  const norm = (x: Allocation) =>
    x
      .filter((s) => s.percentage > 0)
      .map((s) => `${s.versionId}@${s.percentage}`)
      .sort()
      .join(",");
  return norm(a) === norm(b);
}

/** The version that serves all traffic, when one does. */
export function soleVersion(allocation: Allocation | undefined): string | undefined {
  if (!allocation) return undefined;
  const live = allocation.filter((s) => s.percentage > 0);
  return live.length === 1 && live[0]?.percentage === 100 ? live[0].versionId : undefined;
}

/** The version with the largest share (the "previous version" of a split anchor). */
export function mainVersion(allocation: Allocation | undefined): string | undefined {
  if (!allocation || allocation.length === 0) return undefined;
  return [...allocation].sort((a, b) => b.percentage - a.percentage)[0]?.versionId;
}

/**
 * Whether `live` serves a version that is neither in the anchor nor ours: someone else
 * deployed in the meantime, and rolling back would throw their work away.
 */
export function isForeign(live: LiveState | null, anchor: LiveState | null, ours: readonly string[]): boolean {
  if (!live) return false;
  const known = new Set([...(anchor?.allocation.map((s) => s.versionId) ?? []), ...ours]);
  return live.allocation.some((s) => s.percentage > 0 && !known.has(s.versionId));
}

/**
 * The newest deployment made after the anchor's that serves a version neither in the anchor
 * nor ours: someone else deployed between the rollback anchor and now, even if this run's own
 * deploy has replaced it since. `undefined` when nobody did, or when the anchor's deployment
 * is not in `history` (newest first) and only the live state can tell.
 */
export function foreignSince(history: readonly DeploymentInfo[], anchor: LiveState, ours: readonly string[]): DeploymentInfo | undefined {
  if (!anchor.deploymentId) return undefined;
  const index = history.findIndex((d) => d.deploymentId === anchor.deploymentId);
  if (index < 0) return undefined;
  return history.slice(0, index).find((d) => isForeign(d, anchor, ours));
}
