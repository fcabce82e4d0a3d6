/**
 * An in-memory stand-in for the few GitHub REST endpoints the publisher calls, served through
 * an injected `fetch` (see notes/github-actions.md section 12). Behaves like GitHub where the
 * publisher depends on it: 404 for missing refs, 422 for existing refs and missing commits,
 * 403 "Resource not accessible by integration" without write access, Link-header pagination.
 */
import { getOctokit } from "@actions/github";
import type { Logger } from "../../../src/core/ports.js";

export interface FakeRelease {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  prerelease: boolean;
  make_latest?: string;
  generate_release_notes?: boolean;
  html_url: string;
}

type RefTarget = { type: "commit" | "tag"; sha: string };

export class FakeRepo {
  readonly commits = new Set<string>();
  /** Tag name → what refs/tags/<name> points at. */
  readonly refs = new Map<string, RefTarget>();
  /** Annotated tag objects by their sha. */
  readonly tagObjects = new Map<string, RefTarget>();
  readonly releases: FakeRelease[] = [];
  /** Every request, as `METHOD /path`. */
  readonly requests: string[] = [];
  /** Whether the token has contents: write. */
  canWrite = true;
  /** `permissions` in GET /repos (only user tokens get it). */
  userPermissions: { push: boolean } | undefined = undefined;
  /** Simulates the create-release 404 for changed workflow files. */
  workflowTrap = false;
  /** Called before each request is served: lets a test change the state mid-run (races). */
  onRequest: ((request: string) => void) | undefined = undefined;
  #nextId = 1;

  /** Adds a lightweight tag at a (new) commit. */
  tag(name: string, sha: string): void {
    this.commits.add(sha);
    this.refs.set(name, { type: "commit", sha });
  }

  /** Adds an annotated tag: the ref points at a tag object that points at the commit. */
  annotatedTag(name: string, sha: string, objectSha: string): void {
    this.commits.add(sha);
    this.tagObjects.set(objectSha, { type: "commit", sha });
    this.refs.set(name, { type: "tag", sha: objectSha });
  }

  addRelease(tag: string, body: string): FakeRelease {
    const release = {
      id: this.#nextId++,
      tag_name: tag,
      name: tag,
      body,
      prerelease: false,
      html_url: `https://github.test/o/r/releases/tag/${tag}`,
    };
    this.releases.push(release);
    return release;
  }

  /** Requests that change something. */
  writes(): string[] {
    return this.requests.filter((r) => !r.startsWith("GET "));
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? "GET").toUpperCase();
    const path = decodeURIComponent(url.pathname);
    this.requests.push(`${method} ${path}`);
    this.onRequest?.(`${method} ${path}`);
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    return this.#route(method, path, url.searchParams, body);
  };

  #route(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): Response {
    const base = "/repos/o/r";
    if (!path.startsWith(base)) return json(404, { message: "Not Found" });
    const rest = path.slice(base.length);
    const key = `${method} ${rest.replace(/^(\/git\/ref\/tags\/|\/git\/refs\/tags\/|\/git\/tags\/|\/releases\/tags\/|\/releases\/)(.+)$/, "$1*")}`;
    const arg = /^\/(?:git\/ref\/tags|git\/refs\/tags|git\/tags|releases\/tags|releases)\/(.+)$/.exec(rest)?.[1] ?? "";
    switch (key) {
      case "GET ":
        return json(200, { full_name: "o/r", ...(this.userPermissions ? { permissions: this.userPermissions } : {}) });
      case "GET /tags":
        return this.#listTags(query);
      case "GET /git/ref/tags/*":
        return this.#getRef(arg);
      case "GET /git/tags/*": {
        const object = this.tagObjects.get(arg);
        return object ? json(200, { sha: arg, tag: "x", object }) : json(404, { message: "Not Found" });
      }
      case "POST /git/refs":
        return this.#createRef(String(body.ref), String(body.sha));
      case "PATCH /git/refs/tags/*":
        return this.#updateRef(arg, String(body.sha), body.force === true);
      case "DELETE /git/refs/tags/*":
        if (!this.canWrite) return denied();
        return this.refs.delete(arg) ? new Response(null, { status: 204 }) : json(422, { message: "Reference does not exist" });
      case "GET /releases/tags/*": {
        const release = this.releases.find((r) => r.tag_name === arg);
        return release ? json(200, release) : json(404, { message: "Not Found" });
      }
      case "POST /releases":
        return this.#createRelease(body);
      case "PATCH /releases/*":
        return this.#updateRelease(Number(arg), body);
      default:
        return json(404, { message: `Not Found (fake has no route for ${method} ${path})` });
    }
  }

  #listTags(query: URLSearchParams): Response {
    const perPage = Number(query.get("per_page") ?? 30);
    const page = Number(query.get("page") ?? 1);
    const names = [...this.refs.keys()];
    const slice = names.slice((page - 1) * perPage, page * perPage);
    const items = slice.map((name) => ({ name, commit: { sha: this.refs.get(name)?.sha } }));
    const headers: Record<string, string> = {};
    if (page * perPage < names.length) {
      headers.link = `<http://fake/repos/o/r/tags?per_page=${perPage}&page=${page + 1}>; rel="next"`;
    }
    return json(200, items, headers);
  }

  #getRef(name: string): Response {
    const target = this.refs.get(name);
    if (!target) return json(404, { message: "Not Found" });
    return json(200, { ref: `refs/tags/${name}`, object: target });
  }

  #createRef(ref: string, sha: string): Response {
    if (!this.canWrite) return denied();
    if (!ref.startsWith("refs/tags/")) return json(422, { message: "Reference name invalid" });
    const name = ref.slice("refs/tags/".length);
    if (!this.commits.has(sha)) return json(422, { message: "Object does not exist" });
    if (this.refs.has(name)) return json(422, { message: "Reference already exists" });
    this.refs.set(name, { type: "commit", sha });
    return json(201, { ref, object: { type: "commit", sha } });
  }

  #updateRef(name: string, sha: string, force: boolean): Response {
    if (!this.canWrite) return denied();
    if (!this.refs.has(name)) return json(422, { message: "Reference does not exist" });
    if (!force) return json(422, { message: "Update is not a fast forward" });
    this.refs.set(name, { type: "commit", sha });
    return json(200, { ref: `refs/tags/${name}`, object: { type: "commit", sha } });
  }

  #createRelease(body: Record<string, unknown>): Response {
    if (!this.canWrite) return denied();
    if (this.workflowTrap) return json(404, { message: "Not Found" });
    const tag = String(body.tag_name);
    if (this.releases.some((r) => r.tag_name === tag)) {
      return json(422, { message: "Validation Failed", errors: [{ resource: "Release", code: "already_exists", field: "tag_name" }] });
    }
    const release = this.addRelease(tag, String(body.body ?? ""));
    Object.assign(release, {
      name: String(body.name ?? tag),
      prerelease: body.prerelease === true,
      make_latest: body.make_latest as string | undefined,
      generate_release_notes: body.generate_release_notes === true,
    });
    return json(201, release);
  }

  #updateRelease(id: number, body: Record<string, unknown>): Response {
    if (!this.canWrite) return denied();
    const release = this.releases.find((r) => r.id === id);
    if (!release) return json(404, { message: "Not Found" });
    if (typeof body.body === "string") release.body = body.body;
    return json(200, release);
  }
}

function json(status: number, data: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), { status, headers: { "content-type": "application/json", ...headers } });
}

function denied(): Response {
  return json(403, { message: "Resource not accessible by integration" });
}

/** An Octokit whose requests go to `repo`. */
export function fakeClient(repo: FakeRepo): ReturnType<typeof getOctokit> {
  return getOctokit("fake-token", { baseUrl: "http://fake", request: { fetch: repo.fetch } });
}

/** A logger that keeps what it was told. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
    group: async (_name, fn) => fn(),
  };
}
