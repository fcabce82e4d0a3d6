import { describe, expect, it } from "vitest";
import { backoff, classify, rateLimitWait, withRetry, type RequestStats } from "../../../src/providers/github/approval-github-io.js";
import { FakeHttpError } from "../../../src/testing/fake-issues.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { commentAt, setup, start } from "./setup.js";

const NOW = Date.UTC(2026, 0, 1);
const err = (status: number, headers: Record<string, string> = {}, message = `HTTP ${status}`) =>
  new FakeHttpError(status, message, { headers, data: {} });

describe("classify", () => {
  it.each([
    [err(304), { kind: "not-modified" }],
    [err(403, { "retry-after": "30" }), { kind: "rate-limited", waitMs: 30_000, secondary: false }],
    [err(429, { "retry-after": "0" }), { kind: "rate-limited", waitMs: 0, secondary: false }],
    [
      err(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 90) }),
      { kind: "rate-limited", waitMs: 91_000, secondary: false },
    ],
    [err(403, {}, "You have exceeded a secondary rate limit"), { kind: "rate-limited", waitMs: 60_000, secondary: true }],
    [err(429), { kind: "rate-limited", waitMs: 60_000, secondary: true }],
    [err(403, {}, "Resource not accessible by integration"), { kind: "transient", status: 403 }],
    [err(502), { kind: "transient", status: 502 }],
    [new Error("socket hang up"), { kind: "transient" }],
    [err(404), { kind: "fatal", status: 404 }],
    [err(401), { kind: "fatal", status: 401 }],
  ])("%s", (error, expected) => {
    expect(classify(error, NOW)).toEqual(expected);
  });

  it("ignores rate-limit headers on a success that still has budget", () => {
    expect(rateLimitWait({ "x-ratelimit-remaining": "12" }, NOW)).toBeUndefined();
  });

  it("backs off exponentially up to the cap", () => {
    expect([0, 1, 2, 3, 10].map((n) => backoff(10_000, n, 300_000))).toEqual([10_000, 20_000, 40_000, 80_000, 300_000]);
  });
});

describe("withRetry", () => {
  const stats = (): RequestStats => ({ requests: 0, notModified: 0, rateLimited: 0, transientErrors: 0 });
  const options = (clock: VirtualClock, s: RequestStats) => ({
    clock,
    stats: s,
    attempts: 3,
    baseDelayMs: 1_000,
    maxDelayMs: 60_000,
    retryPlain403: false,
  });

  it("waits retry-after before trying again and counts every answer", async () => {
    const clock = new VirtualClock(NOW);
    const s = stats();
    const answers = [err(429, { "retry-after": "45" }), "done"];
    const times: number[] = [];
    const result = await withRetry(
      async () => {
        times.push(clock.now() - NOW);
        const next = answers.shift();
        if (next instanceof Error) throw next;
        return next;
      },
      options(clock, s),
    );
    expect(result).toBe("done");
    expect(times).toEqual([0, 45_000]);
    expect(s).toEqual({ requests: 2, notModified: 0, rateLimited: 1, transientErrors: 0 });
  });

  it("does not retry a permission 403, nor a rate limit that resets after the cap", async () => {
    const clock = new VirtualClock(NOW);
    let calls = 0;
    const fail = (e: Error) =>
      withRetry(
        async () => {
          calls++;
          throw e;
        },
        options(clock, stats()),
      );
    await expect(fail(err(403, {}, "Resource not accessible by integration"))).rejects.toThrow(/not accessible/);
    await expect(fail(err(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 3000) }))).rejects.toThrow();
    expect(calls).toBe(2);
  });

  it("gives up after the attempts", async () => {
    const clock = new VirtualClock(NOW);
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw err(503);
        },
        options(clock, stats()),
      ),
    ).rejects.toThrow(/503/);
    expect(calls).toBe(3);
    expect(clock.now() - NOW).toBe(1_000 + 2_000);
  });
});

describe("closing under a long rate limit", () => {
  it("resolves with the decision and warns when GitHub will not take the closing comment for an hour", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    const reset = String(Math.floor(t0 / 1000) + 3600);
    s.fake.failNext("createComment", { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset } });
    await commentAt(s, t0, 10_000, "alice", "approve");
    const result = await record;
    expect(result.status).toBe("approved");
    expect(result.endedAt! - t0).toBe(10_000);
    expect(s.clock.now() - t0).toBeLessThan(60_000);
    expect(s.logger.lines.some((l) => l.startsWith("warn: Could not comment on the approval issue"))).toBe(true);
    expect(s.fake.issue.state).toBe("closed");
  });

  it("explains a 401 during the wait (an expired App token)", async () => {
    const s = setup();
    const { record } = start(s);
    await s.clock.sleep(5_000);
    s.fake.failNext("listComments", { status: 401, message: "Bad credentials" });
    await expect(record).rejects.toThrow(/expired or was revoked.*1 hour/);
  });
});
