/**
 * Worker version ids as they reach shipline from different places (wrangler's output, the API,
 * a response header the Worker sets): Cloudflare's ids are UUIDs that may come with or without
 * hyphens and in any case, so ids are compared in one normal form.
 */

const HEX32 = /^[0-9a-f]{32}$/;

/**
 * The normal form of a version id: a UUID as lower-case `8-4-4-4-12` whether it came with
 * hyphens or without; any other id (another host's) trimmed and lower-cased.
 */
export function normaliseVersionId(id: string): string {
  const text = id.trim().toLowerCase();
  const hex = text.replace(/-/g, "");
  if (!HEX32.test(hex)) return text;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether two ids name the same version (never when either is missing). */
export function sameVersionId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normaliseVersionId(a) === normaliseVersionId(b);
}
