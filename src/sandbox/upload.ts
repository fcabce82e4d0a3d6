/**
 * Parses a Worker upload (`PUT scripts/<name>` or `POST scripts/<name>/versions`): a multipart
 * form with a `metadata` JSON part and one part per module, named by the module's path.
 */
import type { BindingRecord, ModuleRecord, UploadedWorker } from "./store.js";

/** Why an upload was rejected; the API answers 400 with this code. */
export class UploadRejected extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** Summary of an upload for the request log (module contents left out). */
export interface UploadSummary {
  readonly metadata: unknown;
  readonly parts: ReadonlyArray<{ name: string; type: string; size: number }>;
}

interface UploadMetadata {
  main_module?: string;
  body_part?: string;
  bindings?: BindingRecord[];
  compatibility_date?: string;
  compatibility_flags?: string[];
  annotations?: Record<string, string>;
  keep_bindings?: string[];
  migrations?: unknown;
}

/** Reads the multipart form of an upload into modules and metadata. */
export async function parseUpload(form: FormData): Promise<{ upload: UploadedWorker; summary: UploadSummary }> {
  const metadata = await readMetadata(form);
  const modules: ModuleRecord[] = [];
  const parts: Array<{ name: string; type: string; size: number }> = [];
  for (const [field, value] of form.entries()) {
    if (field === "metadata" || typeof value === "string") continue;
    const contents = new Uint8Array(await value.arrayBuffer());
    // The part's file name is the module path; wrangler also sets the field name to it.
    const name = value.name || field;
    const type = value.type.split(";")[0]?.trim() ?? "";
    parts.push({ name, type, size: contents.byteLength });
    modules.push({ name, type, contents });
  }
  const upload = toUploadedWorker(metadata, modules);
  return { upload, summary: { metadata: redactSecrets(metadata), parts } };
}

/** The request log is inspectable by anything holding the sandbox: secret values stay out of it. */
function redactSecrets(metadata: UploadMetadata): UploadMetadata {
  const bindings = metadata.bindings?.map((b) => (b.type === "secret_text" ? { ...b, text: "[redacted]" } : b));
  return bindings ? { ...metadata, bindings } : metadata;
}

async function readMetadata(form: FormData): Promise<UploadMetadata> {
  const part = form.get("metadata");
  if (part === null) throw new UploadRejected("Missing metadata part in the upload", 10021);
  const text = typeof part === "string" ? part : await part.text();
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
    return parsed as UploadMetadata;
  } catch {
    throw new UploadRejected("The metadata part is not a JSON object", 10021);
  }
}

function toUploadedWorker(metadata: UploadMetadata, modules: ModuleRecord[]): UploadedWorker {
  const mainModule = metadata.main_module ?? metadata.body_part;
  if (!mainModule) throw new UploadRejected("The metadata names no main_module or body_part", 10021);
  if (!modules.some((m) => m.name === mainModule)) {
    throw new UploadRejected(`No such module "${mainModule}" in the upload`, 10021);
  }
  return {
    mainModule,
    serviceWorker: metadata.main_module === undefined,
    modules,
    bindings: (metadata.bindings ?? []).filter(isBinding),
    compatibilityDate: metadata.compatibility_date,
    compatibilityFlags: metadata.compatibility_flags ?? [],
    annotations: pickAnnotations(metadata.annotations),
    keepBindings: metadata.keep_bindings ?? [],
    ...(metadata.migrations === undefined ? {} : { migrations: metadata.migrations }),
  };
}

function isBinding(value: unknown): value is BindingRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.name === "string" && typeof record.type === "string";
}

/** Only string annotations are kept; the platform sets `workers/triggered_by` itself. */
function pickAnnotations(annotations: Record<string, unknown> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (typeof value === "string" && key !== "workers/triggered_by") kept[key] = value;
  }
  return kept;
}
