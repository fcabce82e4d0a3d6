/**
 * One check of a gate: which URL it probes and whether a response meets its expectations.
 * Re-exported by `gate.ts`, which is where callers import it from.
 */
import { ConfigError } from "./errors.js";
import { jsonSubset } from "./json-subset.js";
import { statusMatches } from "./parse.js";
import type { ProbeResponse } from "./ports.js";
import type { CheckResult, CheckSpec, MeasurementOutcome } from "./types.js";
import { normaliseVersionId } from "./version-id.js";

/** Longest excerpt of a body or JSON value quoted in a reason. */
const EXCERPT_CHARS = 200;

/**
 * The URL a check probes: a full `url` wins; else `path` is appended to the base URL keeping the
 * base's own path and query (`https://x.dev/app?k=1` + `/api?v=2` → `https://x.dev/app/api?k=1&v=2`).
 */
export function checkUrl(baseUrl: string, check: CheckSpec): string {
  if (check.url) return check.url;
  const url = parseBaseUrl(baseUrl);
  if (!check.path) return url.href;
  const hashAt = check.path.indexOf("#");
  const beforeHash = hashAt >= 0 ? check.path.slice(0, hashAt) : check.path;
  const queryAt = beforeHash.indexOf("?");
  const path = queryAt >= 0 ? beforeHash.slice(0, queryAt) : beforeHash;
  const query = queryAt >= 0 ? beforeHash.slice(queryAt + 1) : "";
  if (path !== "") url.pathname = `${url.pathname.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  url.search = [url.search.slice(1), query].filter((part) => part !== "").join("&");
  url.hash = hashAt >= 0 ? check.path.slice(hashAt) : "";
  return url.href;
}

function parseBaseUrl(baseUrl: string): URL {
  const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new ConfigError("url", `Invalid base URL "${baseUrl}": expected an absolute http(s) URL.`);
  }
  return url;
}

/** Which version an answer must come from (SPEC section 5, Which version answered). */
export interface VersionRule {
  /** Response header naming the version that answered (`version-header`), any case. */
  readonly header: string;
  /** The version being judged; without it answers are only attributed, never rejected. */
  readonly expected?: string;
}

/**
 * Judges one response against a check's expectations, in order status, JSON, body text.
 * `reason` says what was expected and what came back; the check's name is in `check`.
 * With a `version` rule the result records the version the answer named, and an answer from
 * a version other than the expected one is an `error` whatever it said: it is no evidence
 * about the version being judged, either way. An answer without the header is judged as usual.
 */
export function evaluate(check: CheckSpec, response: ProbeResponse, url: string, version?: VersionRule): CheckResult {
  const base = { check: check.name, url, latencyMs: response.latencyMs };
  if (response.kind === "error") return { ...base, outcome: "error", reason: response.error };
  const answeredBy = version === undefined ? undefined : answeringVersion(response, version.header);
  const answered = { ...base, status: response.status, ...(answeredBy === undefined ? {} : { versionId: answeredBy }) };
  const expected = version?.expected === undefined ? undefined : normaliseVersionId(version.expected);
  if (answeredBy !== undefined && expected !== undefined && answeredBy !== expected) {
    return { ...answered, outcome: "error", reason: otherVersionReason(answeredBy, expected) };
  }
  const reason = expectationProblem(check, response);
  const outcome: MeasurementOutcome = reason === undefined ? "successful" : "failed";
  return { ...answered, outcome, ...(reason === undefined ? {} : { reason }) };
}

/** `answered by version <x>, not <expected> — …`: why an answer from another version is no evidence. */
export function otherVersionReason(answeredBy: string, expected: string): string {
  return (
    `answered by version ${answeredBy}, not ${expected} — the Cloudflare-Workers-Version-Overrides pin ` +
    "did not reach the Worker, or another deploy is live"
  );
}

type HttpResponse = Extract<ProbeResponse, { kind: "response" }>;

/** The normalised version id an answer names in `header`; `undefined` when absent or blank. */
function answeringVersion(response: HttpResponse, header: string): string | undefined {
  const wanted = header.toLowerCase();
  const value = Object.entries(response.headers).find(([name]) => name.toLowerCase() === wanted)?.[1];
  if (value === undefined || value.trim() === "") return undefined;
  return normaliseVersionId(value);
}

function expectationProblem(check: CheckSpec, response: HttpResponse): string | undefined {
  const { status, json, body } = check.expect;
  if (!statusMatches(status, response.status)) {
    return `expected status ${status.text}, got ${response.status}${replyHint(response)}`;
  }
  if (json !== undefined) {
    const problem = jsonProblem(json, response);
    if (problem !== undefined) return problem + cutNote(response);
  }
  if (body !== undefined && !response.body.includes(body)) {
    return `expected the body to contain ${JSON.stringify(body)}, got ${excerpt(response.body)}${cutNote(response)}`;
  }
  return undefined;
}

/** Why a body judged on its start may have fallen short: the probe read only so many bytes. */
function cutNote(response: HttpResponse): string {
  return response.bodyCutAt === undefined ? "" : ` (body cut at ${response.bodyCutAt} bytes: raise health-max-body-bytes)`;
}

function jsonProblem(expected: unknown, response: HttpResponse): string | undefined {
  let actual: unknown;
  try {
    actual = JSON.parse(response.body);
  } catch {
    const type = response.headers["content-type"];
    return `expected a JSON body, got ${excerpt(response.body)}${type ? ` (content-type ${type})` : ""}`;
  }
  const match = jsonSubset(expected, actual);
  if (match.ok) return undefined;
  const got = match.actual === undefined ? "nothing (missing)" : shortJson(match.actual);
  return `expected JSON ${match.path} to contain ${shortJson(match.expected)}, got ${got}`;
}

/** What a wrong status came with: where a redirect points, or the start of the body. */
function replyHint(response: HttpResponse): string {
  const location = response.headers["location"];
  if (location) return ` (location: ${location})`;
  return response.body.trim() === "" ? "" : `: ${excerpt(response.body)}`;
}

/**
 * The body as it reads, whitespace folded and cut, between backticks: not JSON-quoted, so that a
 * JSON body reads as itself in the log, the summary and the health report (which quotes it once).
 */
function excerpt(body: string): string {
  const text = body.replace(/\s+/g, " ").trim();
  if (text === "") return "an empty body";
  const cut = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
  return `\`${cut.replace(/`/g, "'")}\``;
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}
