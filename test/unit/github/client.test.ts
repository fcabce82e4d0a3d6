// The client factory (transport, base URL, retries) and the error helpers, with an injected fetch.
import { describe, expect, it } from "vitest";
import { GitHubError } from "../../../src/core/errors.js";
import {
  createGitHubClient,
  httpStatus,
  isPermissionDenied,
  proxyConfigured,
  rateLimitDelayMs,
  toGitHubError,
} from "../../../src/providers/github/client.js";

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A fetch that answers from a script (the last answer repeats) and records what it was asked. */
function scriptedFetch(answers: Answer[]) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetchFn = async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), headers: Object.fromEntries(new Headers(init?.headers).entries()) });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)] as Answer;
    const body = answer.body === undefined ? null : JSON.stringify(answer.body);
    return new Response(body, {
      status: answer.status,
      headers: { "content-type": "application/json", ...answer.headers },
    });
  };
  return { fetch: fetchFn as typeof fetch, calls };
}

/** The error a real Octokit request raises for `answer`. */
async function errorFor(answer: Answer): Promise<unknown> {
  const { fetch } = scriptedFetch([answer]);
  const client = createGitHubClient({ token: "t", fetch, retries: 0 });
  return client.rest.repos.get({ owner: "acme", repo: "shop" }).then(
    () => {
      throw new Error("expected the request to fail");
    },
    (error: unknown) => error,
  );
}

describe("createGitHubClient", () => {
  it("sends requests through the injected fetch to the explicit base URL with the token", async () => {
    const { fetch, calls } = scriptedFetch([{ status: 200, body: { id: 1 } }]);
    const client = createGitHubClient({ token: "secret-token", baseUrl: "http://127.0.0.1:9/api/v3/", fetch });
    const { data } = await client.rest.repos.get({ owner: "acme", repo: "shop" });
    expect(data).toEqual({ id: 1 });
    expect(calls[0]?.url).toBe("http://127.0.0.1:9/api/v3/repos/acme/shop");
    expect(calls[0]?.headers["authorization"]).toBe("token secret-token");
  });

  it("defaults to api.github.com", async () => {
    const { fetch, calls } = scriptedFetch([{ status: 200, body: {} }]);
    await createGitHubClient({ token: "t", fetch }).rest.users.getByUsername({ username: "alice" });
    expect(calls[0]?.url).toBe("https://api.github.com/users/alice");
  });

  it("retries 5xx answers, then succeeds", async () => {
    const { fetch, calls } = scriptedFetch([{ status: 502 }, { status: 503 }, { status: 200, body: { ok: true } }]);
    const client = createGitHubClient({ token: "t", fetch, retryBaseMs: 1 });
    expect((await client.rest.users.getByUsername({ username: "a" })).data).toEqual({ ok: true });
    expect(calls).toHaveLength(3);
  });

  it("gives up after the configured number of retries", async () => {
    const { fetch, calls } = scriptedFetch([{ status: 500, body: { message: "boom" } }]);
    const client = createGitHubClient({ token: "t", fetch, retries: 2, retryBaseMs: 1 });
    const error = await client.rest.users.getByUsername({ username: "a" }).catch((e: unknown) => e);
    expect(httpStatus(error)).toBe(500);
    expect(calls).toHaveLength(3);
  });

  it.each([403, 404, 422, 429])("does not retry HTTP %i", async (status) => {
    const { fetch, calls } = scriptedFetch([
      { status, body: { message: "no" } },
      { status: 200, body: {} },
    ]);
    const client = createGitHubClient({ token: "t", fetch, retryBaseMs: 1 });
    expect(httpStatus(await client.rest.users.getByUsername({ username: "a" }).catch((e: unknown) => e))).toBe(status);
    expect(calls).toHaveLength(1);
  });
});

describe("toGitHubError", () => {
  const context = { action: "create the deployment record for production", permission: "deployments: write" };

  it("names the missing permission and the workflow line that grants it", async () => {
    const error = await errorFor({ status: 403, body: { message: "Resource not accessible by integration" } });
    expect(isPermissionDenied(error)).toBe(true);
    const converted = toGitHubError(error, context);
    expect(converted).toBeInstanceOf(GitHubError);
    expect(converted.status).toBe(403);
    expect(converted.cause).toBe(error);
    expect(converted.message).toBe(
      "Could not create the deployment record for production: the token lacks `deployments: write`; " +
        "add `permissions: { deployments: write }` to the job (GitHub said: Resource not accessible by integration)",
    );
  });

  it("explains refused tokens, missing objects, rate limits and other failures", async () => {
    const of = async (answer: Answer) => toGitHubError(await errorFor(answer), context).message;
    expect(await of({ status: 401, body: { message: "Bad credentials" } })).toContain("check `github-token`");
    expect(await of({ status: 404, body: { message: "Not Found" } })).toContain("may need `deployments: write`");
    expect(await of({ status: 429, body: { message: "slow down" } })).toContain("rate limit");
    expect(await of({ status: 422, body: { message: "Validation Failed" } })).toContain("HTTP 422: Validation Failed");
    expect(toGitHubError(new Error("socket hang up"), context).message).toBe(
      "Could not create the deployment record for production: socket hang up",
    );
  });

  it("passes a GitHubError through unchanged", () => {
    const original = new GitHubError("already explained");
    expect(toGitHubError(original, context)).toBe(original);
  });
});

describe("rateLimitDelayMs", () => {
  it("follows retry-after first", async () => {
    const error = await errorFor({ status: 403, body: { message: "secondary rate limit" }, headers: { "retry-after": "30" } });
    expect(rateLimitDelayMs(error, 0)).toBe(30_000);
  });

  it("waits until the reset when nothing remains", async () => {
    const headers = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000" };
    const error = await errorFor({ status: 403, body: { message: "API rate limit exceeded" }, headers });
    expect(rateLimitDelayMs(error, 940_000)).toBe(60_000);
  });

  it("waits a minute for a secondary limit without headers, and not at all for other errors", async () => {
    expect(rateLimitDelayMs(await errorFor({ status: 429, body: { message: "x" } }), 0)).toBe(60_000);
    expect(
      rateLimitDelayMs(await errorFor({ status: 403, body: { message: "Resource not accessible by integration" } }), 0),
    ).toBeUndefined();
    expect(rateLimitDelayMs(await errorFor({ status: 500, body: { message: "x" } }), 0)).toBeUndefined();
    expect(rateLimitDelayMs(new Error("x"), 0)).toBeUndefined();
  });
});

describe("createGitHubClient's transport from the step's environment", () => {
  it("uses Node's own fetch when no proxy variable is set, and @actions/github's proxy-aware one when one is", async () => {
    expect(proxyConfigured({ PATH: "/bin" })).toBe(false);
    expect(proxyConfigured({ HTTPS_PROXY: "" })).toBe(false);
    for (const name of ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"]) {
      expect(proxyConfigured({ [name]: "http://proxy.internal:3128" })).toBe(true);
    }
    const original = globalThis.fetch;
    const { fetch, calls } = scriptedFetch([{ status: 200, body: { id: 1 } }]);
    globalThis.fetch = fetch;
    try {
      await createGitHubClient({ token: "t", env: { PATH: "/bin" }, retries: 0 }).rest.repos.get({ owner: "acme", repo: "shop" });
      expect(calls.map((c) => c.url)).toEqual(["https://api.github.com/repos/acme/shop"]);
    } finally {
      globalThis.fetch = original;
    }
  });
});
