/**
 * A fake GitHub REST API on 127.0.0.1 for tests: deployments, issues and comments, teams,
 * users, git refs and tags, releases. State lives in memory and tests read or change it.
 * Behaves like GitHub where shipline depends on it: pagination `link` headers, ETags with
 * free 304s, rate-limit headers and budget, 403 "Resource not accessible by integration".
 * Plus fault injection and a request log. Use `baseUrl: fake.url` (unit tests) or
 * `GITHUB_API_URL=fake.url` (a child process).
 */
import { createHash } from "node:crypto";
import { type IncomingMessage, type ServerResponse, STATUS_CODES, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type FakeComment,
  type FakeReply,
  type FakeRequest,
  type FakeState,
  type PermissionFamily,
  type Route,
  type RouteContext,
  emptyState,
  notFound,
} from "./github-fake/core.js";
import { deploymentRoutes } from "./github-fake/deployments.js";
import { gitRoutes } from "./github-fake/git.js";
import { addIssueComment, issueRoutes } from "./github-fake/issues.js";
import { releaseRoutes } from "./github-fake/releases.js";

export type * from "./github-fake/core.js";

export interface GitHubFakeOptions {
  /** Requests per hour (GITHUB_TOKEN: 1000). */
  readonly rateLimit?: number;
  /** `owner/repo`: requests for any other repository answer 404. Default: any repository. */
  readonly repository?: string;
  /** Web root used in `html_url`s. Default `https://github.com`. */
  readonly serverUrl?: string;
  /** Author of everything the token creates. Default `github-actions[bot]`. */
  readonly botLogin?: string;
  /** Epoch ms for timestamps and the rate-limit window. Default `Date.now`. */
  readonly now?: () => number;
}

/** An injected failure: the next `times` matching requests get this answer instead. */
export interface FaultSpec {
  readonly method?: string;
  /** Exact decoded path (no query), or a pattern tested against it. */
  readonly path: RegExp | string;
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default `{ message: <status text> }`. */
  readonly body?: unknown;
  /** Default: every matching request until `faults.clear()`. */
  readonly times?: number;
}

export interface DenyOptions {
  /** Only this token is refused. Default: every token. */
  readonly token?: string;
  /** `write` refuses only non-GET requests (a `read` permission). Default `all`. */
  readonly access?: "write" | "all";
}

type Hook = (request: FakeRequest) => void | Promise<void>;

const ROUTES: readonly Route[] = [...deploymentRoutes, ...issueRoutes, ...gitRoutes, ...releaseRoutes];
const HOUR_MS = 3_600_000;

/** The running fake. */
export class GitHubFake {
  readonly state: FakeState = emptyState();
  /** Every request received, oldest first. */
  readonly requests: FakeRequest[] = [];
  readonly faults = {
    add: (fault: FaultSpec): void => void this.#faults.push({ ...fault, left: fault.times ?? Infinity }),
    clear: (): void => void this.#faults.splice(0),
  };
  #url = "";
  #server = createServer((req, res) => void this.#serve(req, res));
  #faults: Array<FaultSpec & { left: number }> = [];
  #hooks: Hook[] = [];
  #denied: Array<DenyOptions & { family: PermissionFamily }> = [];
  #lastId = 1000;
  #used = 0;
  #windowStart: number;
  readonly #options: GitHubFakeOptions;
  readonly #now: () => number;

  constructor(options: GitHubFakeOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#windowStart = this.#now();
  }

  /** Base URL, no trailing slash. */
  get url(): string {
    return this.#url;
  }

  /** Requests counted against the hourly budget (304 answers are free, as on GitHub). */
  get rateLimitUsed(): number {
    return this.#used;
  }

  /** Runs `hook` for every request before it is answered (it may change state or add faults). Returns an unsubscribe. */
  onRequest(hook: Hook): () => void {
    this.#hooks.push(hook);
    return () => void (this.#hooks = this.#hooks.filter((h) => h !== hook));
  }

  /** How many logged requests match `method` and `path` (exact or pattern). */
  count(method: string, path: RegExp | string): number {
    return this.requests.filter((r) => r.method === method && matches(path, r.path)).length;
  }

  /** Adds a comment to issue `issueNumber` as `login`, as if a person wrote it. */
  addComment(issueNumber: number, login: string, body: string): FakeComment {
    const issue = this.state.issues.find((i) => i.number === issueNumber);
    if (!issue) throw new Error(`fake GitHub: no issue #${issueNumber}`);
    return addIssueComment(this.#context(), issue, login, body);
  }

  /** Defines team `org/slug` with these member logins. */
  setTeam(org: string, slug: string, members: readonly string[]): void {
    this.state.teams.set(`${org}/${slug}`, { members: [...members] });
  }

  /** Makes the member list of team `org/slug` answer 403 or 404. */
  failTeam(org: string, slug: string, status: 403 | 404): void {
    this.state.teams.set(`${org}/${slug}`, { status });
  }

  /** Makes `GET /users/{login}` answer 404. */
  removeUser(login: string): void {
    this.state.missingUsers.add(login.toLowerCase());
  }

  /** Refuses a family of endpoints with 403 "Resource not accessible by integration". */
  denyPermission(family: PermissionFamily, options: DenyOptions = {}): void {
    this.#denied.push({ family, ...options });
  }

  /** Lifts every refusal of `family` (or of all families). */
  allowPermission(family?: PermissionFamily): void {
    this.#denied = family ? this.#denied.filter((d) => d.family !== family) : [];
  }

  /** The latest status of deployment `id`, if it has one. */
  deploymentState(id: number | string): string | undefined {
    return this.state.deployments.find((d) => d.id === Number(id))?.statuses.at(-1)?.state;
  }

  /** Starts listening on a free port of 127.0.0.1. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops the server, dropping kept-alive connections. */
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const request = await readRequest(req);
      this.requests.push(request);
      for (const hook of [...this.#hooks]) await hook(request);
      this.#send(res, request, this.#answer(request));
    } catch (error) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: `fake GitHub failed: ${String(error)}` }));
    }
  }

  #answer(request: FakeRequest): FakeReply & { free?: boolean } {
    const fault = this.#takeFault(request);
    if (fault) return fault;
    if (request.path === "/rate_limit") return { status: 200, body: this.#rateLimitBody(), free: true };
    if (this.#used >= this.#limit()) {
      return { status: 403, body: { message: "API rate limit exceeded for installation." }, free: true };
    }
    for (const route of ROUTES) {
      const match = route.method === request.method ? route.pattern.exec(request.path) : null;
      if (!match) continue;
      const params = match.groups ?? {};
      if (!this.#repositoryAllowed(params)) return notFound();
      if (this.#isDenied(route.family, request)) {
        return { status: 403, body: { message: "Resource not accessible by integration" } };
      }
      return route.handle({ ...this.#context(), req: request, params });
    }
    return notFound();
  }

  #takeFault(request: FakeRequest): FakeReply | undefined {
    const fault = this.#faults.find(
      (f) => f.left > 0 && (!f.method || f.method.toUpperCase() === request.method) && matches(f.path, request.path),
    );
    if (!fault) return undefined;
    fault.left -= 1;
    return {
      status: fault.status,
      body: fault.body ?? { message: STATUS_CODES[fault.status] ?? "Fault" },
      headers: fault.headers ?? {},
    };
  }

  #repositoryAllowed(params: Record<string, string>): boolean {
    const wanted = this.#options.repository;
    if (!wanted || params["owner"] === undefined) return true;
    return `${params["owner"]}/${params["repo"]}`.toLowerCase() === wanted.toLowerCase();
  }

  #isDenied(family: PermissionFamily, request: FakeRequest): boolean {
    return this.#denied.some(
      (d) =>
        d.family === family && (d.token === undefined || d.token === request.token) && (d.access !== "write" || request.method !== "GET"),
    );
  }

  #context(): Omit<RouteContext, "req" | "params"> {
    return {
      state: this.state,
      nextId: () => ++this.#lastId,
      now: () => new Date(this.#now()).toISOString(),
      serverUrl: this.#options.serverUrl ?? "https://github.com",
      apiUrl: this.#url,
      botLogin: this.#options.botLogin ?? "github-actions[bot]",
    };
  }

  #limit(): number {
    if (this.#now() - this.#windowStart >= HOUR_MS) {
      this.#windowStart = this.#now();
      this.#used = 0;
    }
    return this.#options.rateLimit ?? 1000;
  }

  #rateLimitHeaders(): Record<string, string> {
    const limit = this.#limit();
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - this.#used)),
      "x-ratelimit-reset": String(Math.ceil((this.#windowStart + HOUR_MS) / 1000)),
      "x-ratelimit-used": String(this.#used),
      "x-ratelimit-resource": "core",
    };
  }

  #rateLimitBody() {
    const h = this.#rateLimitHeaders();
    const core = {
      limit: Number(h["x-ratelimit-limit"]),
      remaining: Number(h["x-ratelimit-remaining"]),
      reset: Number(h["x-ratelimit-reset"]),
      used: Number(h["x-ratelimit-used"]),
    };
    return { resources: { core }, rate: core };
  }

  /** Writes the reply; a GET whose body matches `if-none-match` becomes a free 304. */
  #send(res: ServerResponse, request: FakeRequest, reply: FakeReply & { free?: boolean }): void {
    const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
    const headers: Record<string, string> = { ...reply.headers };
    let status = reply.status;
    if (request.method === "GET" && status === 200) {
      headers["etag"] = `W/"${createHash("sha1").update(text).digest("hex")}"`;
      if (request.headers["if-none-match"] === headers["etag"]) status = 304;
    }
    if (status !== 304 && !reply.free) this.#used += 1;
    Object.assign(headers, this.#rateLimitHeaders());
    if (status === 304 || text === "") {
      res.writeHead(status, headers).end();
      return;
    }
    res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8" }).end(text);
  }
}

/** Starts a fake GitHub API on a free loopback port. */
export async function startGitHubFake(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
  return new GitHubFake(options).listen();
}

function matches(pattern: RegExp | string, path: string): boolean {
  return typeof pattern === "string" ? pattern === path : pattern.test(path);
}

async function readRequest(req: IncomingMessage): Promise<FakeRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  const url = new URL(req.url ?? "/", "http://fake.invalid");
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(", ") : (value ?? "")]),
  );
  const auth = /^(?:token|bearer)\s+(.+)$/i.exec(headers["authorization"] ?? "");
  return {
    method: (req.method ?? "GET").toUpperCase(),
    path: decodeURIComponent(url.pathname),
    query: Object.fromEntries(url.searchParams),
    body: parseBody(raw),
    headers,
    token: auth?.[1],
  };
}

function parseBody(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
