/**
 * Public types of the local Cloudflare API sandbox.
 * Pure data: the sandbox's servers, store and runtime live in the other files of this folder.
 */

import type { SandboxResourceSeed } from "./resources.js";

/** Where the sandbox's diagnostics go (a subset of shipline's Logger port, so either fits). */
export interface SandboxLogger {
  debug(message: string): void;
  warn(message: string): void;
}

export interface SandboxOptions {
  /** Port of the API server on 127.0.0.1. @default 0 (a free port) */
  port?: number;
  /** Port of the Worker traffic server on 127.0.0.1. @default 0 (a free port) */
  trafficPort?: number;
  /** Account id (32 hex chars) the sandbox answers for. @default a random one */
  accountId?: string;
  /** The account's workers.dev subdomain, shown in wrangler's deploy URLs. @default "shipline-sandbox" */
  subdomain?: string;
  /**
   * How long after a request the GraphQL Analytics API (`POST /graphql`) counts it (Cloudflare:
   * about a minute). An analytics outage is a fault rule on path `/graphql`. @default 0
   */
  analyticsDelayMs?: number;
  /** Diagnostics (unsupported bindings, Worker console output, runtime loads). @default silent */
  logger?: SandboxLogger;
  /**
   * KV namespaces, D1 databases and R2 buckets that exist from the start, e.g. under the ids a
   * project's wrangler config already names (an upload binding an unknown one is refused, as
   * Cloudflare refuses it). More are made through the API (`wrangler kv namespace create`, …).
   */
  resources?: SandboxResourceSeed;
  /**
   * Directory for the KV, D1, R2 and Durable Object data (Miniflare's local storage) and the list of resources:
   * a later sandbox on the same directory finds both again. @default a temporary directory, removed at stop
   */
  persistDir?: string;
}

/**
 * One request the API server received.
 * `path` is relative to the API base (`/accounts/<id>/workers/...`, no `/client/v4`) when the
 * request was under the base, and the raw path (`/wrangler`) with `api: false` otherwise.
 */
export interface RecordedRequest {
  /** 1-based arrival order. */
  readonly seq: number;
  /** Epoch milliseconds when the request arrived. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly api: boolean;
  readonly query: Readonly<Record<string, string>>;
  /** Parsed JSON body; for multipart uploads `{ metadata, parts: [{ name, type, size }] }`. */
  readonly body?: unknown;
  /** Worker script the path targets (`/workers/scripts/<name>/...` or `/workers/services/<name>`). */
  readonly script?: string;
  /** HTTP status the sandbox answered with (set once answered). */
  readonly status?: number;
  /** True when a fault rule produced the answer. */
  readonly faulted?: boolean;
  /** The credentials the request carried: a Bearer token or a global key with email; absent when none. */
  readonly auth?: "token" | "key";
}

/**
 * Makes matching API requests fail. `path` is matched against the recorded `path` (relative to
 * the API base, without query): a string matches when it is contained in the path, a RegExp
 * when it tests true. `method` is case-insensitive; absent means any method.
 */
export interface FaultRule {
  method?: string;
  path: RegExp | string;
  status: number;
  /** JSON body. @default a Cloudflare error envelope with code 10013 */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many requests fail before the rule expires. @default unlimited */
  times?: number;
  /** Non-JSON body (e.g. a 502 HTML page); wins over `body`. */
  rawBody?: string;
  /**
   * Holds the request this long before answering (a slow API). With `status` 0 the request is
   * then answered as usual: a slow success, e.g. a rollback still in flight when a cancel comes.
   */
  delayMs?: number;
}

export interface VersionView {
  readonly id: string;
  /** 1-based per script. */
  readonly number: number;
  readonly createdOn: string;
  /** `workers/tag`, `workers/message`, `workers/triggered_by`, ... */
  readonly annotations: Readonly<Record<string, string>>;
  readonly mainModule: string;
  readonly compatibilityDate?: string;
  readonly compatibilityFlags: readonly string[];
  /** Bindings as uploaded in the metadata (secret values included: this is a local test tool). */
  readonly bindings: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly modules: ReadonlyArray<{ readonly name: string; readonly type: string; readonly size: number }>;
}

export interface DeploymentView {
  readonly id: string;
  readonly createdOn: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly versions: ReadonlyArray<{ readonly versionId: string; readonly percentage: number }>;
}

export interface ScriptView {
  readonly name: string;
  /** 32-hex script tag (`worker_tag` in wrangler's output file). */
  readonly tag: string;
  readonly createdOn: string;
  /** Oldest first. */
  readonly versions: readonly VersionView[];
  /** Newest first, like the API. */
  readonly deployments: readonly DeploymentView[];
  /** Tags set through `PATCH script-settings`. */
  readonly tags: readonly string[];
}

/** One request served on the traffic port. */
export interface TrafficRecord {
  readonly at: number;
  readonly script: string;
  /** Path the Worker saw (script prefix stripped), with query. */
  readonly path: string;
  /** Version that answered; absent when nothing was deployed. */
  readonly versionId?: string;
  readonly status: number;
  readonly ms: number;
}

/**
 * One load in the Workers runtime: the runtime's own start (once, at the first deployment), or
 * a version's first request, whose latency includes loading the version into a new isolate.
 */
export interface RuntimeLoad {
  readonly kind: "runtime-start" | "version-load";
  readonly at: number;
  readonly ms: number;
  readonly versionIds: readonly string[];
  /** Set when the runtime failed to start. */
  readonly error?: string;
}

export interface Sandbox {
  /** `http://127.0.0.1:<port>/client/v4` (no trailing slash). */
  readonly apiBaseUrl: string;
  /** `http://127.0.0.1:<trafficPort>`: `/<script>/<path>` reaches the script's live deployment. */
  readonly trafficBaseUrl: string;
  readonly accountId: string;
  /** Base URL serving the live deployment of a Worker script. Known before the script exists. */
  workerUrl(scriptName: string): string;
  /** Environment pointing wrangler at the sandbox with zero external traffic. */
  wranglerEnv(): Record<string, string>;
  /** Every request the API server received, in arrival order. */
  readonly requests: ReadonlyArray<RecordedRequest>;
  /**
   * What the sandbox could not do as Cloudflare would, in order: requests it has no route for,
   * bindings it cannot give a Worker. Each is also sent to the logger as a warning.
   */
  readonly warnings: ReadonlyArray<string>;
  /** Every request served on the traffic port, in order (the newest 10 000). */
  readonly traffic: ReadonlyArray<TrafficRecord>;
  /** Runtime start and version loads, in order: how long a new deployment took to become servable. */
  readonly loads: ReadonlyArray<RuntimeLoad>;
  /** Fault injection for tests: make matching API requests fail. */
  readonly faults: { add(rule: FaultRule): void; clear(): void };
  /** Read-only snapshot of a script, or undefined when it does not exist. */
  script(name: string): ScriptView | undefined;
  /** Snapshots of every script, in creation order. */
  scripts(): ScriptView[];
  /** Write requests (anything but GET/HEAD) that targeted a matching script: `writesTo(/-production$/)`. */
  writesTo(script: string | RegExp): RecordedRequest[];
  /** Resolves when the runtime serves every deployment made so far. */
  settled(): Promise<void>;
  /** Closes both servers and every workerd process. Idempotent. */
  stop(): Promise<void>;
}
