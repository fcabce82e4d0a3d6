/**
 * The approval against a real Octokit (`@actions/github` getOctokit) whose transport is a
 * small in-process handler: proves the calls are plain REST calls, that `If-None-Match` goes
 * out, and that Octokit's 304 `RequestError` and 503 answers are read as intended.
 */
import { getOctokit } from "@actions/github";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { REQUEST, aliceApproval } from "./setup.js";

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly ifNoneMatch: string | null;
  readonly status: number;
}

function githubHandler(clock: VirtualClock) {
  const seen: Seen[] = [];
  const comments: object[] = [];
  let failNextRead = 0;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(status === 304 ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
  const route = (method: string, path: string, request: Request): Response => {
    if (method === "POST" && path === "/repos/acme/shop/issues") {
      return json(201, { number: 7, html_url: "https://github.com/acme/shop/issues/7", user: { login: "github-actions[bot]" } });
    }
    if (method === "GET" && path.startsWith("/repos/acme/shop/issues/7/comments")) {
      if (failNextRead > 0 && failNextRead--) return json(503, { message: "Service Unavailable" });
      const etag = `W/"${comments.length}"`;
      if (request.headers.get("if-none-match") === etag) return json(304, null, { etag });
      return json(200, comments, { etag });
    }
    if (method === "POST" && path === "/repos/acme/shop/issues/7/comments") return json(201, { id: 99 });
    if (method === "PATCH" && path === "/repos/acme/shop/issues/7") return json(200, { state: "closed" });
    return json(404, { message: "Not Found" });
  };
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const response = route(request.method, url.pathname, request);
    seen.push({
      method: request.method,
      path: url.pathname + url.search,
      ifNoneMatch: request.headers.get("if-none-match"),
      status: response.status,
    });
    return response;
  };
  return {
    fetch,
    seen,
    failReads: (n: number) => void (failNextRead = n),
    comment: (login: string, body: string) =>
      comments.push({ id: comments.length + 1, user: { login }, body, created_at: new Date(clock.now()).toISOString() }),
  };
}

describe("IssueApproval with a real Octokit", () => {
  it("polls with If-None-Match, reads 304s as no change, rides out a 503, and approves", async () => {
    const clock = new VirtualClock();
    const github = githubHandler(clock);
    const client = getOctokit("test-token", { baseUrl: "https://api.github.test", request: { fetch: github.fetch } });
    const approval = aliceApproval(client, clock);
    const record = approval.request(REQUEST, new AbortController().signal);
    await clock.sleep(35_000);
    github.failReads(1);
    await clock.sleep(10_000);
    github.comment("alice", "approve");
    expect(await record).toMatchObject({ status: "approved", approvedBy: ["alice"], link: "https://github.com/acme/shop/issues/7" });

    const reads = github.seen.filter((s) => s.method === "GET");
    expect(reads[0]).toMatchObject({ path: "/repos/acme/shop/issues/7/comments?per_page=100&page=1", ifNoneMatch: null, status: 200 });
    expect(reads.slice(1, 4).map((r) => [r.ifNoneMatch, r.status])).toEqual([
      ['W/"0"', 304],
      ['W/"0"', 304],
      ['W/"0"', 304],
    ]);
    expect(reads.some((r) => r.status === 503)).toBe(true);
    expect(reads.at(-1)).toMatchObject({ status: 200 });
    expect(github.seen.slice(-2).map((s) => s.method)).toEqual(["POST", "PATCH"]);
    expect(approval.stats.notModified).toBe(3);
  });
});
