/**
 * The Cloudflare API objects shipline reads (deployments, versions, memberships), mapped to
 * shipline's domain types. Only the fields shipline reads are required; the rest pass through
 * unchecked, so a fuller object from the real API parses as well as the minimal one.
 */
import { z } from "zod";
import type { DeploymentInfo, VersionInfo } from "../../core/types.js";

const annotations = z.record(z.string(), z.unknown()).nullish();

const deploymentSchema = z.object({
  id: z.string(),
  created_on: z.string().optional(),
  annotations,
  versions: z.array(z.object({ version_id: z.string(), percentage: z.number() })),
});

const versionSchema = z.object({
  id: z.string(),
  metadata: z.object({ created_on: z.string().optional() }).nullish(),
  annotations,
});

/** `GET …/workers/scripts/<name>/deployments`: `{ deployments: [...] }`. */
export const deploymentsResultSchema = z.object({ deployments: z.array(deploymentSchema) });

/** `GET …/workers/scripts/<name>/versions?deployable=true`: `{ items: [...] }`. */
export const versionsResultSchema = z.object({ items: z.array(versionSchema) });

/** `POST …/workers/scripts/<name>/deployments`: the new deployment (only its id is read). */
export const deploymentCreatedSchema = z.object({ id: z.string() });

/** `GET …/workers/scripts/<name>/secrets`: names and types only, never values. */
export const secretsResultSchema = z.array(z.object({ name: z.string(), type: z.string().optional() }));

/** `GET /memberships`: one entry per account the credentials reach. */
export const membershipsResultSchema = z.array(z.object({ account: z.object({ id: z.string(), name: z.string().optional() }) }));

/** The Cloudflare envelope; `result` is checked by the endpoint's own schema. */
export const envelopeSchema = z.object({
  success: z.boolean(),
  errors: z.array(z.object({ code: z.number().optional(), message: z.string().optional() }).passthrough()).nullish(),
  messages: z.array(z.unknown()).nullish(),
  result: z.unknown().optional(),
  result_info: z.record(z.string(), z.unknown()).nullish(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

/** Deployments newest first, with their allocation and `workers/message`. */
export function toDeployments(result: z.infer<typeof deploymentsResultSchema>): DeploymentInfo[] {
  return sortNewestFirst(
    result.deployments.map((raw) => {
      const message = annotationText(raw.annotations, "workers/message");
      return {
        deploymentId: raw.id,
        allocation: raw.versions.map((share) => ({ versionId: share.version_id, percentage: share.percentage })),
        ...(raw.created_on ? { createdOn: raw.created_on } : {}),
        ...(message ? { message } : {}),
      };
    }),
  );
}

/** Versions newest first, with the release tag (`workers/tag`) and message (`workers/message`). */
export function toVersions(result: z.infer<typeof versionsResultSchema>): VersionInfo[] {
  return sortNewestFirst(
    result.items.map((version) => {
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

function annotationText(values: Record<string, unknown> | null | undefined, key: string): string | undefined {
  const value = values?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

// The API lists newest first already; sorting by created_on keeps that true whatever order a
// response has. Stable: items with equal or missing timestamps keep the API's order.
function sortNewestFirst<T extends { createdOn?: string }>(items: T[]): T[] {
  return items
    .map((item, index) => ({ item, index, at: item.createdOn ? Date.parse(item.createdOn) : Number.NaN }))
    .sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) ? 0 : b.at - a.at) || a.index - b.index)
    .map(({ item }) => item);
}
