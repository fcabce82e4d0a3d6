/**
 * JSON shapes the sandbox answers with, modelled on the Cloudflare API objects wrangler 4
 * reads (wrangler.md section 2.8 lists the minimal ones; these are fuller so that
 * wrangler's human output is complete too).
 */
import type { BindingRecord, DeploymentRecord, ScriptRecord, VersionRecord } from "./store.js";
import { migrationTag } from "./durable-objects.js";

/** The author every record shows: there is one (fake) user. */
export const SANDBOX_USER = { id: "5a2d0c4b1e8f4a7d9c3b6e1f0a2d4c6b", email: "sandbox@shipline.local" } as const;

/** The Cloudflare response envelope. */
export interface Envelope {
  success: boolean;
  errors: Array<{ code: number; message: string }>;
  messages: unknown[];
  result: unknown;
  result_info?: unknown;
}

/** A successful envelope around `result`. */
export function ok(result: unknown, resultInfo?: unknown): Envelope {
  const envelope: Envelope = { success: true, errors: [], messages: [], result };
  if (resultInfo !== undefined) envelope.result_info = resultInfo;
  return envelope;
}

/** A failed envelope with one error. */
export function fail(code: number, message: string): Envelope {
  return { success: false, errors: [{ code, message }], messages: [], result: null };
}

/** A version as `GET versions/<id>` returns it. */
export function versionJson(version: VersionRecord): Record<string, unknown> {
  return {
    id: version.id,
    number: version.number,
    metadata: {
      author_email: SANDBOX_USER.email,
      author_id: SANDBOX_USER.id,
      created_on: version.createdOn,
      modified_on: version.createdOn,
      source: "wrangler",
      has_preview: false,
    },
    annotations: { ...version.annotations },
    resources: {
      bindings: version.bindings.map(publicBinding),
      script: { etag: version.etag, handlers: ["fetch"], last_deployed_from: "wrangler" },
      script_runtime: {
        compatibility_date: version.compatibilityDate,
        compatibility_flags: [...version.compatibilityFlags],
        usage_model: "standard",
        limits: { cpu_ms: 30_000 },
      },
    },
    startup_time_ms: 1,
  };
}

/** A deployment as `GET deployments` lists it. */
export function deploymentJson(deployment: DeploymentRecord): Record<string, unknown> {
  return {
    id: deployment.id,
    source: "wrangler",
    strategy: "percentage",
    author_email: SANDBOX_USER.email,
    created_on: deployment.createdOn,
    annotations: { ...deployment.annotations },
    versions: deployment.versions.map((v) => ({ ...v })),
  };
}

/** The script part of a service, as `GET services/<name>` and the legacy upload return it. */
export function scriptJson(script: ScriptRecord): Record<string, unknown> {
  const latest = script.versions.at(-1);
  return {
    id: script.name,
    tag: script.tag,
    tags: [...script.tags],
    etag: latest?.etag ?? "",
    handlers: ["fetch"],
    last_deployed_from: "wrangler",
    created_on: script.createdOn,
    modified_on: script.modifiedOn,
    compatibility_date: latest?.compatibilityDate,
    compatibility_flags: [...(latest?.compatibilityFlags ?? [])],
    usage_model: "standard",
    has_modules: latest ? !latest.serviceWorker : true,
    // wrangler sends only the migrations after this tag (absent before the first migration).
    migration_tag: migrationTag(script),
  };
}

/** `GET services/<name>`. */
export function serviceJson(script: ScriptRecord): Record<string, unknown> {
  return {
    id: script.name,
    default_environment: {
      environment: "production",
      created_on: script.createdOn,
      modified_on: script.modifiedOn,
      script: scriptJson(script),
    },
    created_on: script.createdOn,
    modified_on: script.modifiedOn,
  };
}

/** `GET scripts/<name>/settings`: the settings of the version serving most traffic. */
export function settingsJson(script: ScriptRecord, current: VersionRecord | undefined): Record<string, unknown> {
  return {
    bindings: (current?.bindings ?? []).map(publicBinding),
    compatibility_date: current?.compatibilityDate,
    compatibility_flags: [...(current?.compatibilityFlags ?? [])],
    usage_model: "standard",
    placement: {},
    tags: [...script.tags],
    tail_consumers: [],
    logpush: false,
    observability: { enabled: false },
  };
}

/** Bindings as the API shows them: secret values are never returned. */
function publicBinding(binding: BindingRecord): Record<string, unknown> {
  if (binding.type !== "secret_text") return { ...binding };
  return { name: binding.name, type: binding.type };
}
