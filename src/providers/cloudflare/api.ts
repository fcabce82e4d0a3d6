/**
 * A small client for the Cloudflare API requests shipline makes itself: reading what a Worker
 * serves (the requests `wrangler deployments status|list --json` and `versions list --json`
 * make) and the one-request restore (the POST `wrangler rollback` / `versions deploy` send).
 * Everything else stays with wrangler.
 *
 * Like wrangler's `fetchResult`, an answer is judged by the envelope's `success`, not by the
 * HTTP status; a body that is not JSON (an HTML 502 from a proxy) is an error of its own.
 * Failures are `DeployError`s whose `command` names the request without the account id or
 * any credential, and whose `transient` says whether a retry may help (HTTP 5xx or 429,
 * dropped or refused connections, timeouts). A cancelled caller gets a `CancelledError`.
 */
import type { z } from "zod";
import { CancelledError, DeployError } from "../../core/errors.js";
import type { Allocation, DeploymentInfo, Millis, VersionInfo } from "../../core/types.js";
import { describeNetworkError } from "../http/network-error.js";
import { nodeHttpRequest, type HttpAnswer, type HttpRequestInit } from "../http/node-transport.js";
import { deploymentMessage } from "../wrangler/commands.js";
import type { Envelope } from "./shapes.js";

/**
 * The response schemas (zod), loaded with the first answer rather than at start: the action's
 * first request goes out before the rest of it loads, and zod is a large part of that rest.
 */
let shapesModule: Promise<typeof import("./shapes.js")> | undefined;
let shapesNotBefore: Promise<unknown> | undefined;
const shapes = () => (shapesModule ??= (shapesNotBefore ?? Promise.resolve()).then(() => import("./shapes.js")));

/**
 * Holds the schemas' loading (and so the reading of every answer) until `ready` settles: the
 * action's head start spawns wrangler first, and the early read's answer waits the few
 * milliseconds that takes rather than putting zod's load in front of the spawn. No effect once
 * the schemas are loaded.
 */
export function loadSchemasAfter(ready: Promise<unknown>): void {
  if (shapesModule) return;
  shapesNotBefore = ready.then(noop, noop);
}

function noop(): void {}

/** `fetch` as the client calls it (node-transport.ts by default; tests inject one; proxies swap in undici's). */
export type FetchLike = (url: string, init: HttpRequestInit) => Promise<HttpAnswer>;

/** Credentials, as wrangler sends them: an API token, or a global API key with its email. */
export type CloudflareAuth =
  { readonly kind: "token"; readonly token: string } | { readonly kind: "key"; readonly key: string; readonly email: string };

/** A Worker script in an account. */
export interface WorkerRef {
  readonly accountId: string;
  readonly script: string;
}

export interface CloudflareAccount {
  readonly id: string;
  readonly name: string;
}

export interface CloudflareApiOptions {
  /** API base including `/client/v4`, e.g. `https://api.cloudflare.com/client/v4`. */
  readonly baseUrl: string;
  /** `undefined`: every request fails at once with a `DeployError` that says what to set. */
  readonly auth: CloudflareAuth | undefined;
  /** Said when `auth` is missing (why none was found). */
  readonly missingAuthHint?: string;
  /** @default nodeHttpRequest */
  readonly fetch?: FetchLike;
  /** Per request. @default 10000 */
  readonly timeoutMs?: Millis;
  /** Extra request headers (wrangler's `Cf-Trace-Id`). */
  readonly headers?: Readonly<Record<string, string>>;
}

export const DEFAULT_API_TIMEOUT_MS = 10_000;

/** Error codes by which the API says a Worker does not exist (script 10007, service 10090). */
export const WORKER_NOT_FOUND_CODES: ReadonlySet<number> = new Set([10007, 10090]);

/** "The secrets changed since this version": `wrangler rollback` confirms and re-posts with `?force=true`. */
export const SECRETS_CHANGED_CODE = 10220;

const USER_AGENT = "shipline";
const BODY_SNIPPET = 200;

type Answer =
  | { readonly ok: true; readonly status: number; readonly result: unknown; readonly resultInfo?: Record<string, unknown> }
  | { readonly ok: false; readonly status: number; readonly codes: readonly number[]; readonly detail: string };

interface Call {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly query?: URLSearchParams;
  readonly body?: unknown;
}

/** The Cloudflare API requests shipline makes without wrangler. */
export class CloudflareApi {
  readonly #options: CloudflareApiOptions;
  readonly #fetch: FetchLike;

  constructor(options: CloudflareApiOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? nodeHttpRequest;
  }

  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /** A Worker's deployments, newest first; `[]` when the Worker does not exist or was never deployed. */
  async deployments(worker: WorkerRef, signal: AbortSignal): Promise<DeploymentInfo[]> {
    const call: Call = { method: "GET", path: `${scriptPath(worker)}/deployments` };
    const answer = await this.#send(call, signal);
    if (!answer.ok && isMissing(answer)) return [];
    const { toDeployments, deploymentsResultSchema } = await shapes();
    return toDeployments(this.#result(call, answer, deploymentsResultSchema));
  }

  /** A Worker's deployable versions with their release tags, newest first; `[]` when the Worker does not exist. */
  async versions(worker: WorkerRef, signal: AbortSignal): Promise<VersionInfo[]> {
    const call: Call = { method: "GET", path: `${scriptPath(worker)}/versions`, query: new URLSearchParams({ deployable: "true" }) };
    const answer = await this.#send(call, signal);
    if (!answer.ok && isMissing(answer)) return [];
    const { toVersions, versionsResultSchema } = await shapes();
    return toVersions(this.#result(call, answer, versionsResultSchema));
  }

  /**
   * The names of a Worker's secrets (`GET …/secrets`, the request `wrangler secret list`
   * makes; the API returns names and types, never values); `null` when the Worker does not exist.
   */
  async secretNames(worker: WorkerRef, signal: AbortSignal): Promise<string[] | null> {
    const call: Call = { method: "GET", path: `${scriptPath(worker)}/secrets` };
    const answer = await this.#send(call, signal);
    if (!answer.ok && isMissing(answer)) return null;
    const { secretsResultSchema } = await shapes();
    return this.#result(call, answer, secretsResultSchema).map((secret) => secret.name);
  }

  /**
   * Routes a Worker's traffic to `allocation` with one request: the body `wrangler rollback`
   * (one version at 100%) and `wrangler versions deploy` send, the message cut as shipline cuts
   * it for them. When the API refuses a rollback because secrets changed since that version
   * (10220), it posts again with `?force=true`, as non-interactive `wrangler rollback` does.
   */
  async deploy(worker: WorkerRef, allocation: Allocation, message: string, signal: AbortSignal): Promise<{ deploymentId: string }> {
    const body = {
      strategy: "percentage",
      versions: allocation.map((share) => ({ version_id: share.versionId, percentage: share.percentage })),
      annotations: { "workers/message": deploymentMessage(message) },
    };
    const call: Call = { method: "POST", path: `${scriptPath(worker)}/deployments`, body };
    let answer = await this.#send(call, signal);
    const rollback = allocation.length === 1 && allocation[0]?.percentage === 100;
    if (!answer.ok && rollback && answer.codes.includes(SECRETS_CHANGED_CODE)) {
      answer = await this.#send({ ...call, query: new URLSearchParams({ force: "true" }) }, signal);
    }
    const { deploymentCreatedSchema } = await shapes();
    return { deploymentId: this.#result(call, answer, deploymentCreatedSchema).id };
  }

  /** Every account the credentials reach (`GET /memberships`, all pages), as wrangler lists them to pick one. */
  async memberships(signal: AbortSignal): Promise<CloudflareAccount[]> {
    const accounts: CloudflareAccount[] = [];
    for (let page = 1; ; page++) {
      const call: Call = { method: "GET", path: "/memberships", query: new URLSearchParams({ page: String(page) }) };
      const answer = await this.#send(call, signal);
      const { membershipsResultSchema } = await shapes();
      const result = this.#result(call, answer, membershipsResultSchema);
      accounts.push(...result.map((m) => ({ id: m.account.id, name: m.account.name ?? "" })));
      if (!answer.ok || !hasMorePages(answer.resultInfo) || result.length === 0) return accounts;
    }
  }

  /**
   * `POST /graphql` (the GraphQL Analytics API). Its answer is `{ data, errors }`, not an API
   * envelope, and a refused query (a token without Account Analytics Read) comes with HTTP 200
   * and `errors`: any error in the answer fails the call, naming its message and code.
   */
  async graphql(query: string, variables: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    const command = "POST /graphql";
    const { status, text } = await this.#exchange({ method: "POST", path: "/graphql", body: { query, variables } }, signal);
    let json: { data?: unknown; errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> | null };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      const snippet = text.replace(/\s+/g, " ").trim().slice(0, BODY_SNIPPET);
      throw new DeployError(`${command} received a malformed response (HTTP ${status}, not JSON)`, {
        command,
        detail: snippet || "(empty body)",
        transient: isTransientStatus(status),
      });
    }
    const errors = Array.isArray(json.errors) ? json.errors : [];
    if (errors.length > 0 || status >= 400 || json.data === undefined || json.data === null) {
      const detail =
        errors.map((e) => `${String(e.message ?? "error")}${e.extensions?.code ? ` [${String(e.extensions.code)}]` : ""}`).join("; ") ||
        `HTTP ${status} without data`;
      throw new DeployError(`${command} failed (HTTP ${status}): ${detail}`, {
        command,
        detail,
        transient: isTransientStatus(status),
      });
    }
    return json.data;
  }

  /** `GET /accounts/…/workers/scripts/x/deployments`: the request without the account id. */
  describe(method: string, path: string): string {
    return `${method} ${path.replace(/^\/accounts\/[^/]+/, "/accounts/…")}`;
  }

  async #send(call: Call, signal: AbortSignal): Promise<Answer> {
    const command = this.describe(call.method, call.path);
    const { response, text } = await this.#exchange(call, signal);
    return readAnswer(command, response, text, (await shapes()).envelopeSchema);
  }

  /** One request and its answer's text; no credentials, a timeout or a dropped connection throw. */
  async #exchange(call: Call, signal: AbortSignal): Promise<{ response: HttpAnswer; status: number; text: string }> {
    const command = this.describe(call.method, call.path);
    if (signal.aborted) throw new CancelledError(`${command} was cancelled`);
    const auth = this.#options.auth;
    if (!auth) {
      const hint = this.#options.missingAuthHint ?? "";
      throw new DeployError(
        `${command}: no Cloudflare credentials: set the cloudflare-api-token input or CLOUDFLARE_API_TOKEN${hint ? ` (${hint})` : ""}`,
        {
          command,
          detail: "no CLOUDFLARE_API_TOKEN, and no CLOUDFLARE_API_KEY with CLOUDFLARE_EMAIL",
        },
      );
    }
    const url = `${this.#options.baseUrl}${call.path}${call.query ? `?${call.query.toString()}` : ""}`;
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_API_TIMEOUT_MS;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    let response: HttpAnswer;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method: call.method,
        headers: requestHeaders(auth, call.body !== undefined, this.#options.headers),
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
        signal: AbortSignal.any([signal, timeout.signal]),
        redirect: "manual",
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw new CancelledError(`${command} was cancelled`, { cause: error });
      const what = timeout.signal.aborted ? `timed out after ${timeoutMs} ms` : `failed: ${describeNetworkError(error)}`;
      throw new DeployError(`${command} ${what}`, { command, detail: what, transient: true, cause: error });
    } finally {
      clearTimeout(timer);
    }
    return { response, status: response.status, text };
  }

  #result<T>(call: Call, answer: Answer, schema: z.ZodType<T>): T {
    const command = this.describe(call.method, call.path);
    if (!answer.ok) {
      const headline = answer.detail.split("\n", 1)[0] ?? "";
      throw new DeployError(`${command} failed (HTTP ${answer.status}): ${headline}`, {
        command,
        detail: answer.detail,
        transient: isTransientStatus(answer.status),
      });
    }
    const parsed = schema.safeParse(answer.result);
    if (!parsed.success) {
      throw new DeployError(`${command} answered with a result shipline cannot read`, {
        command,
        detail: `${parsed.error.message}\nresult starts with: ${JSON.stringify(answer.result)?.slice(0, BODY_SNIPPET)}`,
      });
    }
    return parsed.data;
  }
}

function scriptPath(worker: WorkerRef): string {
  return `/accounts/${encodeURIComponent(worker.accountId)}/workers/scripts/${encodeURIComponent(worker.script)}`;
}

function requestHeaders(auth: CloudflareAuth, json: boolean, extra: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const headers: Record<string, string> = { "User-Agent": USER_AGENT, ...extra };
  if (json) headers["Content-Type"] = "application/json";
  if (auth.kind === "token") headers["Authorization"] = `Bearer ${auth.token}`;
  else {
    headers["X-Auth-Key"] = auth.key;
    headers["X-Auth-Email"] = auth.email;
  }
  return headers;
}

/** Reads a response as wrangler does: the envelope decides, the status only when the body is not JSON. */
function readAnswer(command: string, response: HttpAnswer, text: string, envelopeSchema: z.ZodType<Envelope>): Answer {
  const status = response.status;
  if (response.headers.get("cf-mitigated") === "challenge") {
    throw new DeployError(`${command} was blocked by Cloudflare's firewall (a WAF challenge page, HTTP ${status})`, {
      command,
      detail: `cf-ray: ${response.headers.get("cf-ray") ?? "unknown"}`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const snippet = text.replace(/\s+/g, " ").trim().slice(0, BODY_SNIPPET);
    throw new DeployError(`${command} received a malformed response (HTTP ${status} ${response.statusText}, not JSON)`, {
      command,
      detail: `${command} -> ${status} ${response.statusText}\n${snippet || "(empty body)"}`,
      transient: isTransientStatus(status),
    });
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    throw new DeployError(`${command} received a response that is not a Cloudflare API envelope (HTTP ${status})`, {
      command,
      detail: JSON.stringify(json).slice(0, BODY_SNIPPET),
      transient: isTransientStatus(status),
    });
  }
  const body: Envelope = envelope.data;
  if (body.success) return { ok: true, status, result: body.result, ...(body.result_info ? { resultInfo: body.result_info } : {}) };
  const errors = body.errors ?? [];
  const lines = [
    ...errors.map((e) => `${e.message ?? "error"}${e.code === undefined ? "" : ` [code: ${e.code}]`}`),
    ...(body.messages ?? []).map((m) => (typeof m === "string" ? m : JSON.stringify(m))),
  ];
  return {
    ok: false,
    status,
    codes: errors.flatMap((e) => (e.code === undefined ? [] : [e.code])),
    detail: lines.join("\n") || `HTTP ${status} with success: false and no error message`,
  };
}

function isMissing(answer: Answer & { ok: false }): boolean {
  return answer.codes.some((code) => WORKER_NOT_FOUND_CODES.has(code));
}

/** HTTP statuses after which a retry may succeed. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

// As wrangler's fetchPagedListResult: more pages while page * per_page < total_count.
function hasMorePages(info: Record<string, unknown> | undefined): boolean {
  const { page, per_page: perPage, total_count: total } = info ?? {};
  return typeof page === "number" && typeof perPage === "number" && typeof total === "number" && page * perPage < total;
}
