/**
 * Building blocks of the fake GitHub API: its in-memory state, the route table type, and
 * reply helpers (pagination, GitHub-shaped errors). The server itself is in ../github-fake.ts.
 */
import { createHash } from "node:crypto";

/** One request as the fake received it (path decoded, headers lower-cased). */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Parsed JSON body, the raw text when it is not JSON, or undefined when empty. */
  readonly body: any;
  readonly headers: Readonly<Record<string, string>>;
  /** The token of the `authorization` header, if any. */
  readonly token: string | undefined;
}

export interface FakeReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Which `permissions:` entry a route belongs to, for `denyPermission`. */
export type PermissionFamily = "deployments" | "issues" | "contents" | "members" | "metadata";

export interface FakeDeploymentStatus {
  readonly id: number;
  readonly state: string;
  readonly description: string;
  readonly environment_url: string;
  readonly log_url: string;
  readonly created_at: string;
}

export interface FakeDeployment {
  readonly id: number;
  readonly ref: string;
  readonly sha: string;
  readonly environment: string;
  readonly description: string | null;
  readonly production_environment: boolean;
  readonly transient_environment: boolean;
  readonly task: string;
  readonly payload: unknown;
  readonly creator: string;
  readonly created_at: string;
  /** Oldest first. */
  readonly statuses: FakeDeploymentStatus[];
}

export interface FakeComment {
  readonly id: number;
  body: string;
  readonly user: string;
  readonly created_at: string;
  updated_at: string;
}

export interface FakeIssue {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  state_reason: string | null;
  assignees: string[];
  labels: string[];
  readonly user: string;
  readonly comments: FakeComment[];
  readonly created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface FakeRef {
  readonly ref: string;
  sha: string;
  /** `tag` when it points at an annotated tag object. */
  type: "commit" | "tag";
}

export interface FakeTagObject {
  readonly sha: string;
  readonly tag: string;
  readonly message: string;
  readonly object: { readonly sha: string; readonly type: string };
  readonly tagger?: unknown;
}

export interface FakeRelease {
  readonly id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  make_latest: string | undefined;
  readonly created_at: string;
  published_at: string | null;
}

/** A team's members, or the status its member list answers with (403/404). */
export type FakeTeam = { readonly members: readonly string[] } | { readonly status: number };

/** Everything the fake stores; tests may read and change it directly. One repository's worth. */
export interface FakeState {
  readonly deployments: FakeDeployment[];
  readonly issues: FakeIssue[];
  /** By full ref name, `refs/tags/v1.2.3`. */
  readonly refs: Map<string, FakeRef>;
  /** Annotated tag objects by their sha. */
  readonly tagObjects: Map<string, FakeTagObject>;
  readonly releases: FakeRelease[];
  /** By `org/slug`. */
  readonly teams: Map<string, FakeTeam>;
  /** Logins that `GET /users/{login}` answers 404 for (every other login exists). */
  readonly missingUsers: Set<string>;
}

/** What a route handler gets. */
export interface RouteContext {
  readonly req: FakeRequest;
  readonly params: Readonly<Record<string, string>>;
  readonly state: FakeState;
  /** Next id shared by every kind of object, like GitHub's large unique ids. */
  nextId(): number;
  /** ISO time from the fake's clock. */
  now(): string;
  /** Web root for `html_url`s, e.g. `https://github.com`. */
  readonly serverUrl: string;
  /** The fake's own base URL, for `url` fields. */
  readonly apiUrl: string;
  /** Login of the token's owner (author of what the token creates). */
  readonly botLogin: string;
}

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly family: PermissionFamily;
  handle(ctx: RouteContext): FakeReply;
}

/** Defines a route from a template: `:name` is one segment, `:name*` the rest of the path. */
export function route(method: string, template: string, family: PermissionFamily, handle: (ctx: RouteContext) => FakeReply): Route {
  const source = template.replace(/:(\w+)\*/g, "(?<$1>.+)").replace(/:(\w+)/g, "(?<$1>[^/]+)");
  return { method, pattern: new RegExp(`^${source}/?$`), family, handle };
}

/** A successful JSON reply. */
export function ok(body: unknown, status = 200): FakeReply {
  return { status, body };
}

export function notFound(): FakeReply {
  return { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
}

/** GitHub's 422 shape: `Validation Failed` with an `errors` list. */
export function invalid(resource: string, field: string, code: string, message?: string): FakeReply {
  const error = { resource, field, code, ...(message ? { message } : {}) };
  return { status: 422, body: { message: "Validation Failed", errors: [error] } };
}

/** A 422 with only a message, as several git endpoints answer. */
export function unprocessable(message: string): FakeReply {
  return { status: 422, body: { message } };
}

/** One page of `items` by `per_page` (default 30, capped at `max`) and `page`, with a `link` header. */
export function paginate(ctx: RouteContext, items: readonly unknown[], max = 100): FakeReply {
  const perPage = Math.min(max, Math.max(1, Number(ctx.req.query["per_page"] ?? 30) || 30));
  const page = Math.max(1, Number(ctx.req.query["page"] ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = pageLinks(ctx, page, last);
  return { status: 200, body: slice, headers: link ? { link } : {} };
}

function pageLinks(ctx: RouteContext, page: number, last: number): string {
  const at = (n: number) => {
    const url = new URL(ctx.apiUrl + ctx.req.path);
    for (const [key, value] of Object.entries(ctx.req.query)) url.searchParams.set(key, value);
    url.searchParams.set("page", String(n));
    return url.toString();
  };
  const links: string[] = [];
  if (page < last) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
  if (page > 1) links.push(`<${at(1)}>; rel="first"`, `<${at(page - 1)}>; rel="prev"`);
  return links.join(", ");
}

/** A stable fake git object id. */
export function fakeSha(...parts: string[]): string {
  return createHash("sha1").update(parts.join("\0")).digest("hex");
}

export function isSha(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{40}$/.test(value);
}

export function userJson(login: string): Record<string, unknown> {
  return { login, id: Number.parseInt(fakeSha(login).slice(0, 8), 16), type: login.endsWith("[bot]") ? "Bot" : "User" };
}

/** The empty state of a fresh fake. */
export function emptyState(): FakeState {
  return {
    deployments: [],
    issues: [],
    refs: new Map(),
    tagObjects: new Map(),
    releases: [],
    teams: new Map(),
    missingUsers: new Set(),
  };
}
