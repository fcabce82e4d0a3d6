/**
 * An in-memory GitHub answering the calls the issue approval makes: issues, comments (paged,
 * with ETags and 304s the way the REST API answers them), team members, and failures injected
 * with the headers GitHub sends. It keeps its own count of requests that would count against
 * the rate limit, so a test can check the approval's own counting against it.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../core/ports.js";
import type { ApprovalClient, GitHubResponse, IssueComment } from "../providers/github/approval-github-io.js";

export type FakeOperation = "create" | "createComment" | "update" | "listComments" | "listMembersInOrg";

/** An answer to inject instead of the normal one. */
export interface FakeFailure {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly message?: string;
}

/** Shaped like Octokit's `RequestError`: `status`, `response.headers`. */
export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly response: { readonly headers: Record<string, string>; readonly data: unknown } = { headers: {}, data: {} },
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export interface FakeIssue {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly assignees: readonly string[];
  readonly labels: readonly string[];
  readonly author: string;
  readonly htmlUrl: string;
  state: "open" | "closed";
  stateReason?: string;
  readonly comments: IssueComment[];
}

export interface FakeIssuesOptions {
  readonly clock: Clock;
  /** Login of the token (author of the issue and of the bot's comments). */
  readonly login?: string;
  /** Whether answers carry ETags and conditional requests get 304s (GitHub: yes). */
  readonly etags?: boolean;
  /** Teams as `org/slug` → member logins; a number is the status reading that team answers. */
  readonly teams?: Readonly<Record<string, readonly string[] | number>>;
  /** Logins that cannot be assigned (no repository access): creating with them answers 422. */
  readonly unassignable?: readonly string[];
}

interface Params {
  readonly headers?: Record<string, string>;
  readonly request?: { readonly signal?: AbortSignal };
  readonly [key: string]: unknown;
}

const RATE_LIMIT = 1000;

/** In-memory fake of the issue and team endpoints, with the rate-limit rules GitHub documents. */
export class FakeIssues implements ApprovalClient {
  readonly issues: FakeIssue[] = [];
  /** Every call in order, with the status it answered. */
  readonly calls: Array<{ readonly operation: FakeOperation; readonly status: number; readonly page?: number; readonly at: number }> = [];
  /** Answers that count against the rate limit (everything but 304). */
  counted = 0;
  notModified = 0;
  readonly login: string;
  #failures = new Map<FakeOperation, FakeFailure[]>();
  #commentId = 1;
  readonly #options: FakeIssuesOptions;

  constructor(options: FakeIssuesOptions) {
    this.#options = options;
    this.login = options.login ?? "github-actions[bot]";
  }

  /** Makes the next `times` calls of `operation` answer `failure`. */
  failNext(operation: FakeOperation, failure: FakeFailure, times = 1): void {
    const queue = this.#failures.get(operation) ?? [];
    for (let i = 0; i < times; i++) queue.push(failure);
    this.#failures.set(operation, queue);
  }

  /** The most recently opened issue. */
  get issue(): FakeIssue {
    const issue = this.issues.at(-1);
    if (!issue) throw new Error("no issue was opened");
    return issue;
  }

  /** A comment by `author` on the latest issue, created now. */
  addComment(author: string, body: string, issue: FakeIssue = this.issue): IssueComment {
    const comment = { id: this.#commentId++, user: { login: author }, body, created_at: new Date(this.#options.clock.now()).toISOString() };
    issue.comments.push(comment);
    return comment;
  }

  readonly rest = {
    issues: {
      create: (params: Params & { owner: string; repo: string; title: string; body: string; assignees?: string[]; labels?: string[] }) =>
        this.#answer("create", params, () => this.#create(params)),
      createComment: (params: Params & { issue_number: number; body: string }) =>
        this.#answer("createComment", params, () =>
          this.#ok({ id: this.addComment(this.login, params.body, this.#find(params.issue_number)).id }),
        ),
      update: (params: Params & { issue_number: number; state: "closed"; state_reason: "completed" | "not_planned" }) =>
        this.#answer("update", params, () => {
          const issue = this.#find(params.issue_number);
          issue.state = params.state;
          issue.stateReason = params.state_reason;
          return this.#ok({});
        }),
      listComments: (params: Params & { issue_number: number; per_page: number; page: number }) =>
        this.#answer("listComments", params, () => this.#page(this.#find(params.issue_number).comments, params)),
    },
    teams: {
      listMembersInOrg: (params: Params & { org: string; team_slug: string; per_page: number; page: number }) =>
        this.#answer("listMembersInOrg", params, () => {
          const team = this.#options.teams?.[`${params.org}/${params.team_slug}`] ?? 404;
          if (typeof team === "number") throw new FakeHttpError(team, team === 404 ? "Not Found" : "Forbidden");
          return this.#page(
            team.map((login) => ({ login })),
            params,
          );
        }),
    },
  };

  /** Runs one call: refuses an aborted signal, applies injected failures, counts the answer. */
  async #answer<T>(operation: FakeOperation, params: Params, handle: () => GitHubResponse<T>): Promise<GitHubResponse<T>> {
    await Promise.resolve();
    const page = typeof params["page"] === "number" ? params["page"] : undefined;
    const log = (status: number) => this.calls.push({ operation, status, at: this.#options.clock.now(), ...(page ? { page } : {}) });
    if (params.request?.signal?.aborted) {
      // Octokit rethrows fetch's AbortError; nothing reached the server.
      throw Object.assign(new Error("This operation was aborted"), { name: "AbortError", status: 500 });
    }
    const failure = this.#failures.get(operation)?.shift();
    try {
      if (failure) throw failureError(failure);
      const response = handle();
      this.#count(200);
      log(response.status);
      return response;
    } catch (error) {
      const status = error instanceof FakeHttpError ? error.status : 500;
      this.#count(status);
      log(status);
      throw error;
    }
  }

  #count(status: number): void {
    if (status === 304) this.notModified++;
    else this.counted++;
  }

  #create(params: { owner: string; repo: string; title: string; body: string; assignees?: string[]; labels?: string[] }) {
    const assignees = params.assignees ?? [];
    if (assignees.length > 10) throw new FakeHttpError(422, "Validation Failed: too many assignees");
    const refused = assignees.filter((a) => this.#options.unassignable?.includes(a));
    if (refused.length > 0) throw new FakeHttpError(422, `Validation Failed: {"field":"assignees","value":"${refused[0]}"}`);
    const number = this.issues.length + 1;
    const htmlUrl = `https://github.com/${params.owner}/${params.repo}/issues/${number}`;
    const issue: FakeIssue = {
      number,
      title: params.title,
      body: params.body,
      assignees,
      labels: params.labels ?? [],
      author: this.login,
      htmlUrl,
      state: "open",
      comments: [],
    };
    this.issues.push(issue);
    return this.#ok({ number, html_url: htmlUrl, user: { login: this.login } }, 201);
  }

  #find(issueNumber: number): FakeIssue {
    const issue = this.issues.find((i) => i.number === issueNumber);
    if (!issue) throw new FakeHttpError(404, "Not Found");
    return issue;
  }

  /** One page of `items` with a `link` header, an ETag, and a 304 when `if-none-match` matches. */
  #page<T>(items: readonly T[], params: Params & { per_page: number; page: number }): GitHubResponse<T[]> {
    const start = (params.page - 1) * params.per_page;
    const data = items.slice(start, start + params.per_page);
    const headers: Record<string, string> = this.#rateHeaders();
    if (start + params.per_page < items.length) headers["link"] = `<https://api.github.com/x?page=${params.page + 1}>; rel="next"`;
    if (this.#options.etags === false) return { status: 200, headers, data };
    // Like GitHub's, the ETag covers the body only: page 1 keeps its ETag when a page 2 appears.
    const etag = `W/"${createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 32)}"`;
    if (params.headers?.["if-none-match"] === etag)
      throw new FakeHttpError(304, "Not modified", { headers: { ...headers, etag }, data: "" });
    return { status: 200, headers: { ...headers, etag }, data };
  }

  #ok<T>(data: T, status = 200): GitHubResponse<T> {
    return { status, headers: this.#rateHeaders(), data };
  }

  /** What the next answer would report (the count includes the answer being built). */
  #rateHeaders(): Record<string, string> {
    const resetAt = Math.floor(this.#options.clock.now() / 1000) + 3600;
    return {
      "x-ratelimit-limit": String(RATE_LIMIT),
      "x-ratelimit-remaining": String(Math.max(0, RATE_LIMIT - this.counted - 1)),
      "x-ratelimit-reset": String(resetAt),
    };
  }
}

function failureError(failure: FakeFailure): FakeHttpError {
  return new FakeHttpError(failure.status, failure.message ?? `HTTP ${failure.status}`, { headers: { ...failure.headers }, data: {} });
}
