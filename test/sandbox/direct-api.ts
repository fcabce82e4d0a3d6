/**
 * Calls the sandbox API directly (without wrangler), for fast tests of single endpoints.
 */
import type { Sandbox } from "../../src/sandbox/index.js";

/** Any token works; a request without one fails as on the real API. */
export const AUTH = { authorization: "Bearer sandbox-test-token" } as const;

export interface Envelope<T = unknown> {
  success: boolean;
  errors: Array<{ code: number; message: string }>;
  result: T;
}

/** `method path` under `/accounts/<id>` with an optional JSON body; returns status and envelope. */
export async function callApi<T = unknown>(
  sandbox: Sandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; envelope: Envelope<T> }> {
  const response = await fetch(`${sandbox.apiBaseUrl}/accounts/${sandbox.accountId}${path}`, {
    method,
    headers: body === undefined ? AUTH : { ...AUTH, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, envelope: (await response.json()) as Envelope<T> };
}

/** Uploads a one-module Worker as a new version (`POST versions`) and returns its id. */
export async function uploadVersion(
  sandbox: Sandbox,
  script: string,
  source: string,
  metadata: Record<string, unknown> = {},
): Promise<string> {
  const form = new FormData();
  const fullMetadata = { main_module: "index.js", compatibility_date: "2025-01-01", bindings: [], ...metadata };
  form.set("metadata", new Blob([JSON.stringify(fullMetadata)], { type: "application/json" }), "metadata");
  form.set("index.js", new Blob([source], { type: "application/javascript+module" }), "index.js");
  const response = await fetch(`${sandbox.apiBaseUrl}/accounts/${sandbox.accountId}/workers/scripts/${script}/versions`, {
    method: "POST",
    headers: AUTH,
    body: form,
  });
  const envelope = (await response.json()) as Envelope<{ id: string }>;
  if (!envelope.success) throw new Error(`upload failed: ${JSON.stringify(envelope.errors)}`);
  return envelope.result.id;
}

/** Deploys a split (`POST deployments`) and returns the envelope. */
export async function deploySplit(sandbox: Sandbox, script: string, split: Array<[string, number]>) {
  return callApi<{ id: string }>(sandbox, "POST", `/workers/scripts/${script}/deployments`, {
    strategy: "percentage",
    versions: split.map(([version_id, percentage]) => ({ version_id, percentage })),
  });
}

/** A module Worker answering every request with `text`. */
export function constantWorker(text: string): string {
  return `export default { fetch() { return new Response(${JSON.stringify(text)}); } };`;
}
