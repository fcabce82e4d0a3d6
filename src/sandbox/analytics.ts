/**
 * `POST /graphql`: the GraphQL Analytics API's Workers dataset, answered from the traffic the
 * sandbox served. It reads the query shipline (and most hand-written scripts) send:
 * `viewer { accounts(filter: { accountTag }) { workersInvocationsAdaptive(limit, filter: {
 * scriptName, datetime_geq, datetime_leq }) { dimensions { scriptVersion scriptName } sum {
 * requests errors } avg { sampleInterval } quantiles { wallTimeP50 … } } } }`, with values as
 * `$variables` or literals. Anything else is answered with a GraphQL error and reported as
 * unsupported, never with made-up figures.
 *
 * Figures: each request on the traffic port is one invocation, never sampled (sampleInterval
 * 1); errors are exceptions and 5xx answers (workerd answers an uncaught exception with a 500;
 * note that Cloudflare's own `errors` counts failed invocations, not a 5xx a Worker returns on
 * purpose); wall time is the request's time in the sandbox, in microseconds, quantiles by
 * nearest rank. A request counts once `ingestionDelayMs` has passed, as Cloudflare's arrive
 * about a minute late. Answers come with HTTP 200 and `{ data, errors }`, as the API's do.
 */
import type { ApiCall, ApiReply } from "./router.js";
import type { Envelope } from "./shapes.js";
import type { TrafficRecord } from "./types.js";

export interface AnalyticsDeps {
  readonly accountId: string;
  readonly traffic: readonly TrafficRecord[];
  /** How long after a request it appears in the analytics. */
  readonly ingestionDelayMs: () => number;
  readonly unsupported: (message: string) => void;
}

const DATASET = "workersInvocationsAdaptive";
const DIMENSIONS = new Set(["scriptVersion", "scriptName"]);
const SUMS = new Set(["requests", "errors"]);
const QUANTILE = /^wallTimeP(25|50|75|90|95|99|999)$/;

/** Answers one GraphQL request. */
export function answerGraphql(deps: AnalyticsDeps, call: ApiCall): ApiReply {
  const body = (call.json ?? {}) as { query?: unknown; variables?: unknown };
  const query = typeof body.query === "string" ? body.query : "";
  const variables = (typeof body.variables === "object" && body.variables !== null ? body.variables : {}) as Record<string, unknown>;
  try {
    const rows = run(deps, query, variables);
    return graphql({ data: { viewer: { accounts: rows === null ? [] : [{ [DATASET]: rows }] } }, errors: null });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.unsupported(`sandbox: POST /graphql: ${message}`);
    return graphql({
      data: null,
      errors: [{ message, path: ["viewer"], extensions: { code: "sandbox-unsupported", timestamp: new Date().toISOString() } }],
    });
  }
}

function graphql(body: unknown): ApiReply {
  // The GraphQL API answers outside the REST envelope; the server sends the body as it is.
  return { status: 200, body: body as Envelope };
}

/** The dataset's rows, or `null` for another account (the API lists no such account). */
function run(deps: AnalyticsDeps, query: string, variables: Record<string, unknown>): Array<Record<string, unknown>> | null {
  const datasets = [...query.matchAll(/\b(\w+(?:Adaptive|Groups)\w*)\s*\(/g)].map((m) => m[1]);
  if (datasets.length !== 1 || datasets[0] !== DATASET) {
    throw new Error(`the sandbox answers only the ${DATASET} dataset (the query asks for ${datasets.join(", ") || "none"})`);
  }
  const account = value(/accounts\s*\(\s*filter\s*:\s*\{\s*accountTag\s*:\s*([^\s,}]+)/.exec(query)?.[1], variables);
  if (account !== deps.accountId) return null;
  const args = /workersInvocationsAdaptive\s*\(([\s\S]*?)\)\s*\{/.exec(query)?.[1] ?? "";
  const filter = /filter\s*:\s*\{([^}]*)\}/.exec(args)?.[1] ?? "";
  const bounds: Record<string, string | undefined> = {};
  for (const m of filter.matchAll(/(\w+)\s*:\s*([^\s,}]+)/g)) bounds[m[1]!] = value(m[2], variables);
  const known = new Set(["scriptName", "datetime_geq", "datetime_leq", "datetime_gt", "datetime_lt"]);
  const unknown = Object.keys(bounds).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new Error(`the sandbox does not filter by ${unknown.join(", ")}`);
  const limit = Number(/limit\s*:\s*(\d+)/.exec(args)?.[1] ?? "10000");
  const fields = {
    dimensions: block(query, "dimensions"),
    sum: block(query, "sum"),
    avg: block(query, "avg"),
    quantiles: block(query, "quantiles"),
  };
  const bad = [
    ...fields.dimensions.filter((f) => !DIMENSIONS.has(f)).map((f) => `dimension ${f}`),
    ...fields.sum.filter((f) => !SUMS.has(f)).map((f) => `sum ${f}`),
    ...fields.avg.filter((f) => f !== "sampleInterval").map((f) => `avg ${f}`),
    ...fields.quantiles.filter((f) => !QUANTILE.test(f)).map((f) => `quantile ${f}`),
  ];
  if (bad.length > 0) throw new Error(`the sandbox does not count ${bad.join(", ")} (yet)`);
  const visibleUntil = Date.now() - deps.ingestionDelayMs();
  const time = (key: string) => (bounds[key] === undefined ? undefined : Date.parse(bounds[key]));
  const [geq, leq, gt, lt] = ["datetime_geq", "datetime_leq", "datetime_gt", "datetime_lt"].map(time);
  const second = (at: number) => Math.floor(at / 1000) * 1000;
  const served = deps.traffic.filter(
    (t) =>
      t.versionId !== undefined &&
      t.at <= visibleUntil &&
      (bounds["scriptName"] === undefined || t.script === bounds["scriptName"]) &&
      (geq === undefined || second(t.at) >= geq) &&
      (leq === undefined || second(t.at) <= leq) &&
      (gt === undefined || second(t.at) > gt) &&
      (lt === undefined || second(t.at) < lt),
  );
  const groups = new Map<string, TrafficRecord[]>();
  for (const t of served) {
    const key = fields.dimensions.map((d) => (d === "scriptVersion" ? t.versionId : t.script)).join("\u0000");
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()].slice(0, limit).map((records) => rowOf(records, fields));
}

function rowOf(
  records: readonly TrafficRecord[],
  fields: Record<"dimensions" | "sum" | "avg" | "quantiles", string[]>,
): Record<string, unknown> {
  const first = records[0]!;
  const row: Record<string, unknown> = {};
  if (fields.dimensions.length > 0) {
    row["dimensions"] = Object.fromEntries(fields.dimensions.map((d) => [d, d === "scriptVersion" ? first.versionId : first.script]));
  }
  const sums: Record<string, number> = { requests: records.length, errors: records.filter((r) => r.status >= 500).length };
  if (fields.sum.length > 0) row["sum"] = Object.fromEntries(fields.sum.map((f) => [f, sums[f]]));
  if (fields.avg.length > 0) row["avg"] = { sampleInterval: 1 };
  if (fields.quantiles.length > 0) {
    const sorted = records.map((r) => r.ms * 1000).sort((a, b) => a - b);
    row["quantiles"] = Object.fromEntries(
      fields.quantiles.map((f) => {
        const digits = QUANTILE.exec(f)![1]!;
        const p = digits === "999" ? 0.999 : Number(digits) / 100;
        return [f, sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0];
      }),
    );
  }
  return row;
}

/** The field names inside `name { … }` (first occurrence). */
function block(query: string, name: string): string[] {
  const found = new RegExp(`\\b${name}\\s*\\{([^{}]*)\\}`).exec(query);
  return found ? found[1]!.split(/[\s,]+/).filter(Boolean) : [];
}

/** A literal (`"x"` or a bare word) or a `$variable`'s value. */
function value(token: string | undefined, variables: Record<string, unknown>): string | undefined {
  if (token === undefined) return undefined;
  if (token.startsWith("$")) {
    const v = variables[token.slice(1)];
    return typeof v === "string" ? v : undefined;
  }
  return token.replace(/^"|"$/g, "");
}
