import type { Allocation } from "./types.js";
import { normaliseVersionId } from "./version-id.js";

/** `a1b2c3d4@100%` or `a1b2c3d4@10% + e5f6a7b8@90%`. */
export function describeAllocation(allocation: Allocation | undefined): string {
  if (!allocation || allocation.length === 0) return "nothing";
  return allocation.map((share) => `${share.versionId}@${share.percentage}%`).join(" + ");
}

/** Whether two allocations route traffic the same way (order-, case- and hyphen-insensitive; 0% shares ignored). */
export function sameAllocation(a: Allocation, b: Allocation): boolean {
  const norm = (x: Allocation) =>
    x
      .filter((s) => s.percentage > 0)
      .map((s) => `${normaliseVersionId(s.versionId)}@${s.percentage}`)
      .sort()
      .join(",");
  return norm(a) === norm(b);
}

/** The version that serves all traffic, when one does. */
export function soleVersion(allocation: Allocation | undefined): string | undefined {
  const live = allocation?.filter((s) => s.percentage > 0) ?? [];
  return live.length === 1 && live[0]?.percentage === 100 ? live[0].versionId : undefined;
}

/** The version with the largest share (the "previous version" of a split anchor). */
export function mainVersion(allocation: Allocation | undefined): string | undefined {
  if (!allocation || allocation.length === 0) return undefined;
  return [...allocation].sort((a, b) => b.percentage - a.percentage)[0]?.versionId;
}
