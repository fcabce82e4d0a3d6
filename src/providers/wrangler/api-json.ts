/**
 * The `--json` output of `deployments status|list` and `versions list`: raw Cloudflare API
 * objects, mapped here to shipline's domain types. Only the fields shipline reads are
 * required; the rest pass through unchecked.
 */
import { z } from "zod";
import type { DeploymentInfo, LiveState, VersionInfo } from "../../core/types.js";

const annotations = z.record(z.string(), z.unknown()).nullish();

const deploymentSchema = z.object({
  id: z.string(),
  created_on: z.string().optional(),
  annotations,
  versions: z.array(z.object({ version_id: z.string(), percentage: z.number() })),
});

const versionSchema = z.object({
  id: z.string(),
  metadata: z.object({ created_on: z.string().optional() }).optional(),
  annotations,
});

type RawDeployment = z.infer<typeof deploymentSchema>;

/** Parses `deployments status --json` stdout into what production serves now. */
export function parseStatusJson(stdout: string): LiveState {
  return toLiveState(deploymentSchema.parse(JSON.parse(stdout)));
}

/** Parses `deployments list --json` stdout (oldest first) into deployments, newest first. */
export function parseDeploymentsJson(stdout: string): DeploymentInfo[] {
  const raw = z.array(deploymentSchema).parse(JSON.parse(stdout));
  return sortNewestFirst(raw.map(toDeploymentInfo));
}

/** Parses `versions list --json` stdout (oldest first) into versions with their release tags, newest first. */
export function parseVersionsJson(stdout: string): VersionInfo[] {
  const raw = z.array(versionSchema).parse(JSON.parse(stdout));
  return sortNewestFirst(
    raw.map((version) => {
      const tag = annotationText(version.annotations, "workers/tag");
      const message = annotationText(version.annotations, "workers/message");
      const createdOn = version.metadata?.created_on;
      return {
        versionId: version.id,
        ...(tag ? { tag } : {}),
        ...(message ? { message } : {}),
        ...(createdOn ? { createdOn } : {}),
      };
    }),
  );
}

function toLiveState(raw: RawDeployment): LiveState {
  return {
    deploymentId: raw.id,
    allocation: raw.versions.map((share) => ({ versionId: share.version_id, percentage: share.percentage })),
    ...(raw.created_on ? { createdOn: raw.created_on } : {}),
  };
}

function toDeploymentInfo(raw: RawDeployment): DeploymentInfo {
  const message = annotationText(raw.annotations, "workers/message");
  return { ...toLiveState(raw), ...(message ? { message } : {}) };
}

function annotationText(values: Record<string, unknown> | null | undefined, key: string): string | undefined {
  const value = values?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

// wrangler sorts oldest first by created_on; reversing its order would also work, but sorting
// keeps the result right if a future wrangler stops re-sorting. Stable for equal timestamps.
function sortNewestFirst<T extends { createdOn?: string }>(items: T[]): T[] {
  return items
    .map((item, index) => ({ item, index, at: item.createdOn ? Date.parse(item.createdOn) : Number.NaN }))
    .sort((a, b) => compareDesc(a.at, b.at) || b.index - a.index)
    .map(({ item }) => item);
}

function compareDesc(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return 0;
  return b - a;
}
