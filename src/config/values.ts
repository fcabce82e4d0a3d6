/**
 * Parsers for single setting values, shared by inputs (always text) and the config file (YAML
 * types). Each failure is a `ConfigError` that names the input or key, the value, and what is
 * accepted (SPEC section 2).
 */
import semver from "semver";
import { ConfigError } from "../core/errors.js";
import { parseDuration, parseStatusMatcher } from "../core/parse.js";
import type { Millis, StatusMatcher } from "../core/types.js";
import type { InputKind } from "./inputs.js";

/** Where a value came from: the error key and how messages name it. */
export interface Origin {
  readonly key: string;
  readonly label: string;
}

/** Origin of an action input (`health-interval`). */
export function fromInput(name: string): Origin {
  return { key: name, label: `Input \`${name}\`` };
}

/** Origin of a config-file key (`production.health.interval`). */
export function fromConfig(path: string): Origin {
  return { key: path, label: `Config key \`${path}\`` };
}

/** Several configuration errors found in one pass; `errors` holds each specific one. */
export class ConfigErrors extends ConfigError {
  readonly errors: readonly ConfigError[];
  constructor(errors: readonly ConfigError[]) {
    const first = errors[0];
    super(first?.key ?? "config", `${errors.length} configuration errors:\n${errors.map((e) => `- ${e.message}`).join("\n")}`);
    this.errors = errors;
  }
}

/** Throws nothing when `errors` is empty, the error itself when there is one, else a `ConfigErrors`. */
export function throwCollected(errors: readonly ConfigError[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new ConfigErrors(errors);
}

/** Shows a value the way the user wrote it: strings quoted, YAML values as JSON. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "(nothing)";
  return JSON.stringify(value) ?? String(value);
}

/** The standard message: `Input \`x\` has the value "y": expected z.` */
export function invalid(origin: Origin, value: unknown, accepted: string): ConfigError {
  return new ConfigError(origin.key, `${origin.label} has the value ${show(value)}: expected ${accepted}.`);
}

export const ACCEPTED = {
  duration: "a duration such as 250ms, 10s, 2m or 1h",
  positiveDuration: "a duration above zero such as 250ms, 10s, 2m or 1h",
  boolean: "true or false",
  count: "a whole number of at least 1",
  nonNegativeInt: "a whole number of 0 or more",
  status: "HTTP status codes such as 200, 200-299 or 200,204 (each within 100-599)",
  url: "an absolute http:// or https:// URL such as https://example.com",
  path: "a URL path such as / or /api/health",
  steps: "increasing percentages between 1 and 100 ending at 100, such as 10,50,100",
  semverRange: "a semver range such as 4, ^4.20.0 or >=3.88 <5",
  approver: "GitHub logins and org/team slugs, comma-separated, such as alice,my-org/ops",
  json: 'JSON text such as {"status":"ok"}',
  names: "names of letters, digits and _ not starting with a digit (such as API_KEY), comma- or newline-separated, or a YAML list",
  vars: "KEY=value lines (KEY of letters, digits and _ not starting with a digit), or a YAML mapping of names to values",
  headerName:
    "an HTTP header name such as x-worker-version-id (letters, digits and -_.!#$%&'*+^`|~ only), or nothing to turn the check off",
} as const;

/** One of `values`. */
export function parseEnum<T extends string>(origin: Origin, raw: unknown, values: readonly T[]): T {
  if (typeof raw === "string" && (values as readonly string[]).includes(raw)) return raw as T;
  throw invalid(origin, raw, `one of ${values.join(", ")}`);
}

/** `true` or `false` (YAML booleans, or exactly that text). */
export function parseBoolean(origin: Origin, raw: unknown): boolean {
  if (raw === true || raw === "true") return true;
  if (raw === false || raw === "false") return false;
  throw invalid(origin, raw, ACCEPTED.boolean);
}

/** A duration in ms; `positive` rejects zero (timeouts). */
export function parseDurationValue(origin: Origin, raw: unknown, positive = false): Millis {
  const ms = typeof raw === "string" ? parseDuration(raw) : undefined;
  if (ms === undefined || (positive && ms <= 0)) {
    throw invalid(origin, raw, positive ? ACCEPTED.positiveDuration : ACCEPTED.duration);
  }
  return ms;
}

/** A whole number >= `min`, from a YAML integer or digits. */
export function parseInteger(origin: Origin, raw: unknown, min: number): number {
  const value = typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalid(origin, raw, min >= 1 ? ACCEPTED.count : ACCEPTED.nonNegativeInt);
  }
  return value;
}

/** Accepted statuses, from a YAML integer (`200`) or text (`200-299`, `200,204`). */
export function parseStatus(origin: Origin, raw: unknown): StatusMatcher {
  const text = typeof raw === "number" ? String(raw) : raw;
  const matcher = typeof text === "string" ? parseStatusMatcher(text) : undefined;
  if (!matcher) throw invalid(origin, raw, ACCEPTED.status);
  return matcher;
}

const WITHOUT_CREDENTIALS =
  "without a user name or password (a URL with credentials cannot be probed and would show in logs and deployment records); " +
  'send credentials in a check\'s `headers` in the config file instead, e.g. `authorization: "Bearer ${{ env.HEALTH_TOKEN }}"`';

/**
 * An absolute http(s) URL without credentials, returned as written. `https://user:pass@host`
 * cannot be probed (fetch refuses it) and would carry the password into deployment records,
 * outputs, the summary and wrangler's arguments: it is refused, and no message repeats the
 * password (nor a lone user name, which is often a token).
 */
export function parseUrl(origin: Origin, raw: unknown): string {
  const shown = typeof raw === "string" ? redactUserinfo(raw) : raw;
  if (typeof raw === "string" && URL.canParse(raw)) {
    const url = new URL(raw);
    const web = (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
    if (web && (url.username !== "" || url.password !== "")) {
      throw invalid(origin, shown, `${ACCEPTED.url}, ${WITHOUT_CREDENTIALS}`);
    }
    if (web) return raw;
  }
  throw invalid(origin, shown, ACCEPTED.url);
}

/**
 * `raw` with the password of its `user:password@` part replaced by `***` (a user name alone
 * too), for messages; text without an `@` is returned unchanged. It errs on hiding: everything
 * from the scheme to the last `@` counts as user info, so a password holding `/` or `#` (which
 * makes the URL invalid) is not printed either.
 */
export function redactUserinfo(raw: string): string {
  const at = raw.lastIndexOf("@");
  if (at < 0) return raw;
  // The scheme is optional: `admin:secret@host` must not be printed either.
  const scheme = /^\s*(?:[a-z][a-z0-9+.-]*:)?[/\\]*/i.exec(raw)?.[0] ?? "";
  if (scheme.length > at) return raw;
  const userinfo = raw.slice(scheme.length, at);
  const colon = userinfo.indexOf(":");
  return `${scheme}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : "***"}${raw.slice(at)}`;
}

/** A URL path; a missing leading `/` is added, since `healthz` can only mean `/healthz`. */
export function parsePath(origin: Origin, raw: unknown): string {
  if (typeof raw !== "string" || raw === "" || /\s/.test(raw) || /^[a-z][a-z0-9+.-]*:/i.test(raw)) {
    throw invalid(origin, raw, `${ACCEPTED.path} (use \`url\` for a full URL)`);
  }
  return raw.startsWith("/") ? raw : `/${raw}`;
}

/** JSON text, parsed. */
export function parseJson(origin: Origin, raw: unknown): unknown {
  if (typeof raw === "string") {
    try {
      return JSON.parse(raw) as unknown;
    } catch (error) {
      const detail = error instanceof Error ? ` (${error.message})` : "";
      throw new ConfigError(
        origin.key,
        `${origin.label} has the value ${show(raw)}, which is not valid JSON${detail}: expected ${ACCEPTED.json}.`,
      );
    }
  }
  throw invalid(origin, raw, ACCEPTED.json);
}

// GitHub logins: alphanumerics and single inner hyphens, at most 39 characters.
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM_SLUG = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Approvers: a comma-separated text or a YAML list of logins and `org/team` slugs (`@` allowed). */
export function parseApprovers(origin: Origin, raw: unknown): string[] {
  const items = typeof raw === "string" ? raw.split(",") : Array.isArray(raw) ? raw : undefined;
  if (!items) throw invalid(origin, raw, ACCEPTED.approver);
  const result: string[] = [];
  for (const item of items) {
    const name = typeof item === "string" ? item.trim().replace(/^@/, "") : "";
    if (!isApprover(name)) {
      throw new ConfigError(
        origin.key,
        `${origin.label} has the value ${show(raw)}, whose entry ${show(item)} is not a GitHub login or org/team slug: expected ${ACCEPTED.approver}.`,
      );
    }
    if (!result.some((known) => known.toLowerCase() === name.toLowerCase())) result.push(name);
  }
  if (result.length === 0) throw invalid(origin, raw, ACCEPTED.approver);
  return result;
}

function isApprover(name: string): boolean {
  const [org, team, extra] = name.split("/");
  if (extra !== undefined || org === undefined) return false;
  return team === undefined ? LOGIN.test(org) : LOGIN.test(org) && TEAM_SLUG.test(team);
}

/** Rollout percentages: `10,50,100` or a YAML list; strictly increasing within 1-100, ending at 100. */
export function parseSteps(origin: Origin, raw: unknown): number[] {
  const items = typeof raw === "string" ? raw.split(",").map((s) => s.trim()) : Array.isArray(raw) ? raw : [];
  const steps = items.map((item) => (typeof item === "number" ? item : /^\d+$/.test(String(item)) ? Number(item) : NaN));
  const valid =
    steps.length > 0 &&
    steps.every((p, i) => Number.isInteger(p) && p >= 1 && p <= 100 && (i === 0 || p > (steps[i - 1] ?? 0))) &&
    steps.at(-1) === 100;
  if (!valid) throw invalid(origin, raw, ACCEPTED.steps);
  return steps;
}

/** A semver range (`4`, `^4.20.0`), as written. */
export function parseSemverRange(origin: Origin, raw: unknown): string {
  const text = typeof raw === "number" ? String(raw) : raw;
  if (typeof text === "string" && text.trim() !== "" && semver.validRange(text) !== null) return text;
  throw invalid(origin, raw, ACCEPTED.semverRange);
}

// Characters git forbids in ref names (git check-ref-format), plus whitespace.
const BAD_REF_CHARS = /[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{/;

/** A tag prefix: may be empty (tags such as `1.2.3`), never something git cannot put in a tag name. */
export function parseTagPrefix(origin: Origin, raw: unknown): string {
  if (typeof raw === "string" && !BAD_REF_CHARS.test(raw) && !raw.startsWith("/") && !raw.startsWith("-")) return raw;
  throw invalid(origin, raw, "a tag prefix such as v, release- or nothing (no spaces, no ~ ^ : ? * [ \\, no ..)");
}

/** RFC 9110 token characters: what an HTTP header name may contain. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A response header name, lower-cased; empty (turns its check off) stays empty. */
export function parseHeaderName(origin: Origin, raw: unknown): string {
  if (typeof raw === "string" && (raw.trim() === "" || HEADER_NAME.test(raw.trim()))) return raw.trim().toLowerCase();
  throw invalid(origin, raw, ACCEPTED.headerName);
}

/** A non-empty string. */
export function parseString(origin: Origin, raw: unknown): string {
  if (typeof raw === "string" && raw.trim() !== "") return raw;
  throw invalid(origin, raw, "a non-empty text");
}

/** A secret or var name: what wrangler binds on `env`, and what an environment variable may be called. */
export const BINDING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names (secrets): `A,B`, one per line, or a YAML list; duplicates dropped, order kept. */
export function parseNames(origin: Origin, raw: unknown): string[] {
  const items = typeof raw === "string" ? raw.split(/[,\n]/) : Array.isArray(raw) ? raw : undefined;
  if (!items) throw invalid(origin, raw, ACCEPTED.names);
  const names: string[] = [];
  for (const item of items) {
    const name = typeof item === "string" ? item.trim() : item;
    if (name === "" && typeof raw === "string") continue;
    if (typeof name !== "string" || !BINDING_NAME.test(name)) {
      throw new ConfigError(
        origin.key,
        `${origin.label} has the value ${show(raw)}, whose entry ${show(item)} is not a name: expected ${ACCEPTED.names}.`,
      );
    }
    if (!names.includes(name)) names.push(name);
  }
  if (names.length === 0) throw invalid(origin, raw, ACCEPTED.names);
  return names;
}

/**
 * Vars: `KEY=value` lines (the value is everything after the first `=`, kept as written) or a
 * YAML mapping whose values are text, numbers or booleans. Lines that are empty or start with
 * `#` are skipped.
 */
export function parseVars(origin: Origin, raw: unknown): Record<string, string> {
  const entries: Array<[unknown, unknown, unknown]> = [];
  if (typeof raw === "string") {
    for (const line of raw.split("\n")) {
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#")) continue;
      const eq = trimmed.indexOf("=");
      entries.push(eq < 0 ? [undefined, undefined, trimmed] : [trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1), trimmed]);
    }
  } else if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw)) entries.push([key, value, { [key]: value }]);
  } else {
    throw invalid(origin, raw, ACCEPTED.vars);
  }
  const vars: Record<string, string> = {};
  for (const [key, value, shown] of entries) {
    const text = typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
    if (typeof key !== "string" || !BINDING_NAME.test(key) || text === undefined) {
      throw new ConfigError(origin.key, `${origin.label} has the entry ${show(shown)}: expected ${ACCEPTED.vars}.`);
    }
    vars[key] = text;
  }
  if (Object.keys(vars).length === 0) throw invalid(origin, raw, ACCEPTED.vars);
  return vars;
}

/** Parses `raw` as `kind` says; the result type depends on the kind. */
export function parseByKind(kind: InputKind, origin: Origin, raw: unknown): unknown {
  switch (kind.type) {
    case "string":
    case "secret":
      return parseString(origin, raw);
    case "enum":
      return parseEnum(origin, raw, kind.values);
    case "boolean":
      return parseBoolean(origin, raw);
    case "duration":
      return parseDurationValue(origin, raw, kind.positive);
    case "count":
      return parseInteger(origin, raw, 1);
    case "non-negative-int":
      return parseInteger(origin, raw, 0);
    case "status":
      return parseStatus(origin, raw);
    case "url":
      return parseUrl(origin, raw);
    case "path":
      return parsePath(origin, raw);
    case "json":
      return parseJson(origin, raw);
    case "list":
      return parseApprovers(origin, raw);
    case "steps":
      return parseSteps(origin, raw);
    case "semver-range":
      return parseSemverRange(origin, raw);
    case "tag-prefix":
      return parseTagPrefix(origin, raw);
    case "header-name":
      return parseHeaderName(origin, raw);
    case "names":
      return parseNames(origin, raw);
    case "vars":
      return parseVars(origin, raw);
  }
}
