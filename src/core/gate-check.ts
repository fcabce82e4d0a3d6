/**
 * One check of a gate: which URL it probes and whether a response meets its expectations.
 * Re-exported by `gate.ts`, which is where callers import it from.
 */
import { ConfigError } from "./errors.js";
import { jsonSubset } from "./json-subset.js";
import { statusMatches } from "./parse.js";
import type { ProbeResponse } from "./ports.js";
import type { CheckResult, CheckSpec, MeasurementOutcome } from "./types.js";

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

/**
 * Judges one response against a check's expectations, in order status, JSON, body text.
 * `reason` says what was expected and what came back; the check's name is in `check`.
 */
export function evaluate(check: CheckSpec, response: ProbeResponse, url: string): CheckResult {
  const base = { check: check.name, url, latencyMs: response.latencyMs };
  if (response.kind === "error") return { ...base, outcome: "error", reason: response.error };
  const reason = expectationProblem(check, response);
  const outcome: MeasurementOutcome = reason === undefined ? "successful" : "failed";
  return { ...base, outcome, status: response.status, ...(reason === undefined ? {} : { reason }) };
}

type HttpResponse = Extract<ProbeResponse, { kind: "response" }>;

function expectationProblem(check: CheckSpec, response: HttpResponse): string | undefined {
  const { status, json, body } = check.expect;
  if (!statusMatches(status, response.status)) {
    return `expected status ${status.text}, got ${response.status}${replyHint(response)}`;
  }
  if (json !== undefined) {
    const problem = jsonProblem(json, response);
    if (problem !== undefined) return problem;
  }
  if (body !== undefined && !response.body.includes(body)) {
    return `expected the body to contain ${JSON.stringify(body)}, got ${excerpt(response.body)}`;
  }
  return undefined;
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

function excerpt(body: string): string {
  const text = body.replace(/\s+/g, " ").trim();
  if (text === "") return "an empty body";
  return JSON.stringify(text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text);
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}
