/**
 * wrangler's machine-readable output file (`WRANGLER_OUTPUT_FILE_PATH`): one JSON object per
 * line. Only the fields shipline reads are declared; wrangler adds fields freely, and entry
 * types this file does not know are kept as `other` rather than rejected.
 */
import { z } from "zod";

const base = { version: z.number().optional(), timestamp: z.string().optional() };

const sessionEntry = z.object({
  ...base,
  type: z.literal("wrangler-session"),
  wrangler_version: z.string().optional(),
  command_line_args: z.array(z.string()).optional(),
  log_file_path: z.string().optional(),
});

const deployEntry = z.object({
  ...base,
  type: z.literal("deploy"),
  worker_name: z.string().optional(),
  worker_tag: z.string().nullish(),
  // `null` for `--dry-run`.
  version_id: z.string().nullish(),
  // Absent for `--dry-run`.
  targets: z.array(z.string()).optional(),
  wrangler_environment: z.string().optional(),
});

const versionUploadEntry = z.object({
  ...base,
  type: z.literal("version-upload"),
  worker_name: z.string().optional(),
  worker_tag: z.string().nullish(),
  version_id: z.string().nullish(),
  preview_url: z.string().nullish(),
  preview_alias_url: z.string().nullish(),
  wrangler_environment: z.string().optional(),
});

const versionDeployEntry = z.object({
  ...base,
  type: z.literal("version-deploy"),
  worker_name: z.string().optional(),
  worker_tag: z.string().nullish(),
  deployment_id: z.string().nullish(),
  // Always `{}` in wrangler 4.86 (a Map serialised by JSON.stringify): never read the split here.
  version_traffic: z.unknown().optional(),
});

const commandFailedEntry = z.object({
  ...base,
  type: z.literal("command-failed"),
  // Only present when the error carried a Cloudflare API error code.
  code: z.number().optional(),
  message: z.string().optional(),
});

/** The entry types shipline understands, discriminated by `type`. */
export const knownEntrySchema = z.discriminatedUnion("type", [
  sessionEntry,
  deployEntry,
  versionUploadEntry,
  versionDeployEntry,
  commandFailedEntry,
]);

export type KnownEntry = z.infer<typeof knownEntrySchema>;
export type SessionEntry = z.infer<typeof sessionEntry>;
export type DeployEntry = z.infer<typeof deployEntry>;
export type VersionUploadEntry = z.infer<typeof versionUploadEntry>;
export type VersionDeployEntry = z.infer<typeof versionDeployEntry>;
export type CommandFailedEntry = z.infer<typeof commandFailedEntry>;

/** An entry of a type shipline does not read, or of a known type whose shape changed. */
export interface OtherEntry {
  readonly type: "other";
  readonly originalType: string;
  readonly raw: unknown;
}

export type OutputEntry = KnownEntry | OtherEntry;

const KNOWN_TYPES: ReadonlySet<string> = new Set<string>(knownEntrySchema.options.map((option) => option.shape.type.value));

/** Parses one ND-JSON line; `undefined` for blank or non-JSON lines (a torn last line when killed). */
export function parseOutputLine(line: string): OutputEntry | undefined {
  if (line.trim() === "") return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const type = (raw as { type?: unknown }).type;
  const originalType = typeof type === "string" ? type : "";
  if (KNOWN_TYPES.has(originalType)) {
    const parsed = knownEntrySchema.safeParse(raw);
    if (parsed.success) return parsed.data;
  }
  return { type: "other", originalType, raw };
}

/** Parses the whole output file's text into entries, in file order. */
export function parseOutputFile(text: string): OutputEntry[] {
  return text
    .split(/\r?\n/)
    .map(parseOutputLine)
    .filter((entry): entry is OutputEntry => entry !== undefined);
}

/** The last entry of a given type, if any. */
export function findEntry<T extends KnownEntry["type"]>(
  entries: readonly OutputEntry[],
  type: T,
): Extract<KnownEntry, { type: T }> | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry?.type === type) return entry as Extract<KnownEntry, { type: T }>;
  }
  return undefined;
}
