/**
 * Reads every comment of an issue, all pages, with one conditional request per page. Each page
 * keeps its own ETag: a new comment lands on the last page and leaves the ETag of the earlier
 * pages unchanged, so validating only page 1 would miss it once an issue has over 100 comments.
 * Unchanged pages answer 304, which GitHub does not count against the rate limit.
 */
import type { ApprovalClient, Headers, IssueComment, RequestStats } from "./approval-github-io.js";
import { callOptions, hasNextPage, statusOf } from "./approval-github-io.js";

/** GitHub's largest page: fewest requests when comments change. */
export const COMMENTS_PER_PAGE = 100;

interface CachedPage {
  readonly etag: string | undefined;
  readonly comments: readonly IssueComment[];
  /** Whether to read the page after this one (a `next` link, or a full page that may have grown one). */
  readonly more: boolean;
}

export interface CommentTarget {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
}

export class CommentReader {
  #pages: CachedPage[] = [];
  #lastHeaders: Headers = {};
  #etags = true;

  constructor(
    private readonly client: ApprovalClient,
    private readonly target: CommentTarget,
    private readonly stats: RequestStats,
  ) {}

  /** Whether every answer so far carried an ETag (else each poll costs a counted request per page). */
  get conditional(): boolean {
    return this.#etags;
  }

  /** Headers of the last answer (for `x-ratelimit-remaining`). */
  get lastHeaders(): Headers {
    return this.#lastHeaders;
  }

  /** Every comment, oldest first. Throws the client's error when a page cannot be read. */
  async read(signal: AbortSignal): Promise<IssueComment[]> {
    const pages: CachedPage[] = [];
    for (let page = 1; ; page++) {
      const current = await this.#readPage(page, signal);
      pages.push(current);
      this.#pages[page - 1] = current;
      if (!current.more) break;
    }
    // Pages past the end (comments were deleted) are dropped with their ETags.
    this.#pages = pages;
    return dedupe(pages.flatMap((p) => p.comments));
  }

  async #readPage(page: number, signal: AbortSignal): Promise<CachedPage> {
    const cached = this.#pages[page - 1];
    const headers: Record<string, string> = cached?.etag ? { "if-none-match": cached.etag } : {};
    try {
      const response = await this.client.rest.issues.listComments({
        owner: this.target.owner,
        repo: this.target.repo,
        issue_number: this.target.issueNumber,
        per_page: COMMENTS_PER_PAGE,
        page,
        headers,
        ...callOptions(signal),
      });
      this.stats.requests++;
      this.#lastHeaders = response.headers;
      const etag = stringHeader(response.headers, "etag");
      if (etag === undefined) this.#etags = false;
      const more = hasNextPage(response.headers) || response.data.length >= COMMENTS_PER_PAGE;
      return { etag, comments: response.data, more };
    } catch (error) {
      // Octokit throws on 304; the cached page is still right.
      if (statusOf(error) !== 304 || cached === undefined) throw error;
      this.stats.notModified++;
      return cached;
    }
  }
}

function stringHeader(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return value === undefined || value === "" ? undefined : String(value);
}

/** Comments can shift between pages while they are read (a deletion); keep each id once. */
function dedupe(comments: IssueComment[]): IssueComment[] {
  const seen = new Set<number>();
  return comments.filter((c) => (seen.has(c.id) ? false : (seen.add(c.id), true)));
}
