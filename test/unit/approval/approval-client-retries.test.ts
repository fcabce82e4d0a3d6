/**
 * The approval with the client the action really uses (`createGitHubClient`: Octokit plus
 * plugin-retry). The approval retries on its own injected clock, so plugin-retry must not
 * retry its calls underneath on real timers: one failed poll is one request to GitHub.
 */
import { describe, expect, it } from "vitest";
import { createGitHubClient } from "../../../src/providers/github/client.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { memoryLogger } from "../../support/logger.js";
import { REQUEST, aliceApproval } from "./setup.js";

/** A GitHub whose comment reads fail `failures` times with 502, then show an approval. */
function flakyGitHub(failures: number) {
  const seen: string[] = [];
  let left = failures;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    seen.push(`${request.method} ${path}`);
    if (request.method === "POST" && path.endsWith("/issues")) {
      return json(201, { number: 3, html_url: "https://github.com/acme/shop/issues/3", user: { login: "github-actions[bot]" } });
    }
    if (request.method === "GET" && path.endsWith("/comments")) {
      if (left-- > 0) return json(502, { message: "Bad Gateway" });
      return json(200, [{ id: 1, user: { login: "alice" }, body: "approve", created_at: "2026-01-01T00:00:00Z" }]);
    }
    return json(request.method === "POST" ? 201 : 200, {});
  };
  return { fetch, seen };
}

describe("IssueApproval with the action's GitHub client", () => {
  it("sends each failed poll once (no plugin-retry underneath) and backs off on the injected clock", async () => {
    const clock = new VirtualClock();
    const github = flakyGitHub(3);
    // A long retry base: if plugin-retry retried a poll, this test would take many real seconds.
    const client = createGitHubClient({ token: "t", baseUrl: "https://api.github.test", fetch: github.fetch, retryBaseMs: 10_000 });
    const logger = memoryLogger();
    const approval = aliceApproval(client, clock, logger);
    const started = Date.now();
    const record = await approval.request(REQUEST, new AbortController().signal);
    expect(record).toMatchObject({ status: "approved", approvedBy: ["alice"] });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(github.seen.filter((s) => s.endsWith("/comments") && s.startsWith("GET"))).toHaveLength(4);
    // 10 s, 20 s, then 30 s (the cap) of simulated back-off.
    expect(record.endedAt! - record.startedAt!).toBe(60_000);
    expect(logger.lines.filter((l) => l.includes("Reading the approval comments failed (HTTP 502: Bad Gateway)"))).toHaveLength(3);
    expect(approval.stats).toMatchObject({ transientErrors: 3 });
  });
});
