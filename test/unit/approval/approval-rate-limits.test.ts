import { describe, expect, it } from "vitest";
import { GitHubError } from "../../../src/core/errors.js";
import { HOUR, commentAt, setup, start } from "./setup.js";
import { simulateApprovalWaitCost } from "../../../src/testing/approval-cost.js";
import type { FakeIssues } from "../../../src/testing/fake-issues.js";

/** Times (ms after `t0`) of the comment reads, with their status. */
function reads(fake: FakeIssues, t0: number) {
  return fake.calls.filter((c) => c.operation === "listComments").map((c) => ({ at: c.at - t0, status: c.status, page: c.page }));
}

describe("IssueApproval: pagination", () => {
  it("reads every page: a decision on page 2 counts", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(1);
    for (let i = 0; i < 130; i++) s.fake.addComment("bystander", `+1 (${i})`);
    await commentAt(s, t0, 60_000, "alice", "approve");
    const result = await record;
    expect(result).toMatchObject({ status: "approved", approvedBy: ["alice"] });
    expect(result.ignored).toHaveLength(130);
    expect(reads(s.fake, t0).some((r) => r.page === 2 && r.status === 200)).toBe(true);
  });

  it("sees a 101st comment although page 1 is unchanged (each page has its own ETag)", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(1);
    for (let i = 0; i < 100; i++) s.fake.addComment("bystander", `chatter ${i}`);
    await commentAt(s, t0, 5 * 60_000, "bob", "approve");
    const result = await record;
    expect(result.status).toBe("approved");
    expect(result.endedAt! - t0).toBe(5 * 60_000);
    // Page 1 stayed 304 while the decision appeared on page 2.
    const last = reads(s.fake, t0).slice(-2);
    expect(last).toEqual([
      { at: 5 * 60_000, status: 304, page: 1 },
      { at: 5 * 60_000, status: 200, page: 2 },
    ]);
  });
});

describe("IssueApproval: conditional requests", () => {
  it("sends the ETag and does not count 304 answers", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    await commentAt(s, t0, 10 * 60_000, "alice", "approve");
    await record;
    // open, first read, the read that saw the decision, comment, close; 59 free polls in between.
    expect(s.fake.counted).toBe(5);
    expect(s.fake.notModified).toBe(59);
    expect(s.approval.stats).toMatchObject({ requests: 5, notModified: 59 });
  });

  it("an idle one-hour wait costs at most 60 counted requests", async () => {
    const s = setup();
    const result = await start(s).record;
    expect(result.status).toBe("timed-out");
    console.log(`approval: counted GitHub requests for a one-hour wait: ${s.fake.counted} (${s.fake.notModified} free 304s)`);
    expect(s.fake.counted).toBeLessThanOrEqual(60);
    expect(s.approval.stats.requests).toBe(s.fake.counted);
  });

  it("without ETags from the API, polls slowly enough to stay within 60 an hour", async () => {
    const s = setup({}, { etags: false });
    await start(s).record;
    expect(s.fake.counted).toBeLessThanOrEqual(60);
    expect(s.fake.counted).toBeGreaterThan(40);
  });

  it("simulateApprovalWaitCost compares the wait with a naive 10 s poll", async () => {
    const cost = await simulateApprovalWaitCost(1);
    console.log(`approval: one-hour wait ${cost.conditional} counted requests vs ${cost.naive} for a 10 s poll without ETags`);
    expect(cost).toMatchObject({ hours: 1, naive: 360, status: "timed-out" });
    expect(cost.conditional).toBeLessThanOrEqual(60);
    const chatty = await simulateApprovalWaitCost(1, 20);
    expect(chatty.conditional).toBe(cost.conditional + 20);
  });
});

describe("IssueApproval: rate limits and failures", () => {
  it("honours retry-after", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(15_000);
    s.fake.failNext("listComments", {
      status: 403,
      headers: { "retry-after": "120" },
      message: "You have exceeded a secondary rate limit",
    });
    await commentAt(s, t0, 25_000, "alice", "approve");
    const result = await record;
    expect(reads(s.fake, t0).slice(1)).toEqual([
      { at: 10_000, status: 304, page: 1 },
      { at: 20_000, status: 403, page: 1 },
      { at: 140_000, status: 200, page: 1 },
    ]);
    expect(result.status).toBe("approved");
    expect(s.approval.stats.rateLimited).toBe(1);
  });

  it("waits for x-ratelimit-reset when nothing remains", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(15_000);
    const reset = Math.floor((t0 + 600_000) / 1000);
    s.fake.failNext("listComments", { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } });
    await commentAt(s, t0, 25_000, "alice", "approve");
    await record;
    const after = reads(s.fake, t0).find((r) => r.at > 20_000);
    expect(after?.at).toBe(601_000);
  });

  it("waits at least a minute on a secondary rate limit without retry-after, then backs off", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(15_000);
    s.fake.failNext("listComments", { status: 429, message: "secondary rate limit" }, 2);
    await commentAt(s, t0, 25_000, "alice", "approve");
    await record;
    expect(
      reads(s.fake, t0)
        .slice(2)
        .map((r) => [r.at, r.status]),
    ).toEqual([
      [20_000, 429],
      [80_000, 429],
      [140_000, 200],
    ]);
  });

  it("backs off exponentially on 5xx and network errors, capped at 30 s, without losing the wait", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(5_000);
    s.fake.failNext("listComments", { status: 502 }, 3);
    s.fake.failNext("listComments", { status: 500, message: "fetch failed" }, 1);
    await commentAt(s, t0, 11_000, "alice", "approve");
    const result = await record;
    expect(
      reads(s.fake, t0)
        .slice(1)
        .map((r) => r.at),
    ).toEqual([10_000, 20_000, 40_000, 70_000, 100_000]);
    expect(result).toMatchObject({ status: "approved", approvedBy: ["alice"] });
    expect(s.approval.stats.transientErrors).toBe(4);
    expect(s.logger.lines.filter((l) => l.startsWith("warn: Reading the approval comments failed"))).toHaveLength(4);
  });

  it("a plain 403 during the wait is retried too (it may be an undisclosed limit)", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(5_000);
    s.fake.failNext("listComments", { status: 403, message: "Forbidden" }, 2);
    await commentAt(s, t0, 11_000, "alice", "approve");
    expect((await record).status).toBe("approved");
  });

  it("still times out on time when the API fails until the deadline", async () => {
    const s = setup({ timeoutMs: 30 * 60_000 });
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(1);
    s.fake.failNext("listComments", { status: 503 }, 1000);
    const result = await record;
    expect(result.status).toBe("timed-out");
    // The read at the deadline failed too, and was tried three more times (1 s, 2 s, 4 s apart).
    expect(result.endedAt! - t0).toBe(30 * 60_000 + 7_000);
    expect(s.fake.issue.comments.at(-1)?.body).toContain("timed out after 30m");
    const at = reads(s.fake, t0).map((r) => r.at);
    expect(at.slice(-4)).toEqual([30 * 60_000, 30 * 60_000 + 1_000, 30 * 60_000 + 3_000, 30 * 60_000 + 7_000]);
    // Back-off capped at 30 s: never a longer gap, and at most two reads a minute (plus the last look).
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
    expect(at.length).toBeLessThanOrEqual(2 * 30 + 6);
    expect(s.logger.lines.at(-1)).toMatch(/at the deadline failed \(HTTP 503.*no decision could be read in time/);
  });

  it("stops with a GitHubError when the issue is gone (404)", async () => {
    const s = setup();
    const { record } = start(s);
    await s.clock.sleep(5_000);
    s.fake.failNext("listComments", { status: 404, message: "Not Found" });
    await expect(record).rejects.toBeInstanceOf(GitHubError);
  });
});

describe("IssueApproval: an approval given in time survives GitHub errors", () => {
  const TWO_MINUTES = 2 * 60_000;
  const secondary = { status: 429, message: "You have exceeded a secondary rate limit" };

  /** Approval for a 2-minute wait: alice approves at 4 s, and the reads after the first fail with `failures`. */
  async function approvedAt4s(failures: Array<{ status: number; headers?: Record<string, string>; message?: string }>) {
    const s = setup({ timeoutMs: TWO_MINUTES });
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(1);
    for (const failure of failures) s.fake.failNext("listComments", failure);
    await commentAt(s, t0, 4_000, "alice", "approve");
    const result = await record;
    return { s, t0, result, reads: reads(s.fake, t0) };
  }

  it("two 429s and two 502s, then the deadline: approved, not timed out", async () => {
    const { t0, result, reads: seen } = await approvedAt4s([secondary, secondary, { status: 502 }, { status: 502 }]);
    expect(result).toMatchObject({ status: "approved", approvedBy: ["alice"] });
    // A secondary limit's minute is honoured, but never past the deadline; the read there failed
    // (502) and its quick retry failed too; the next one saw the approval.
    expect(seen.map((r) => [r.at, r.status])).toEqual([
      [0, 200],
      [10_000, 429],
      [70_000, 429],
      [TWO_MINUTES, 502],
      [TWO_MINUTES + 1_000, 502],
      [TWO_MINUTES + 3_000, 200],
    ]);
    expect(result.endedAt! - t0).toBe(TWO_MINUTES + 3_000);
  });

  it("two 429s with a short retry-after and two 502s: the back-off stays under 30 s and sees it in time", async () => {
    const limited = { status: 429, headers: { "retry-after": "1" }, message: "rate limited" };
    const { result, reads: seen } = await approvedAt4s([limited, limited, { status: 502 }, { status: 502 }]);
    expect(result.status).toBe("approved");
    expect(seen.map((r) => r.at)).toEqual([0, 10_000, 20_000, 40_000, 70_000, 100_000]);
  });

  it("two 502s then two 429s: approved at the deadline read", async () => {
    const { t0, result, reads: seen } = await approvedAt4s([{ status: 502 }, { status: 502 }, secondary, secondary]);
    expect(result.status).toBe("approved");
    expect(seen.map((r) => r.at)).toEqual([0, 10_000, 20_000, 40_000, 100_000, TWO_MINUTES]);
    expect(result.endedAt! - t0).toBe(TWO_MINUTES);
  });

  it("a retry-after beyond the deadline is honoured up to the deadline, where the comments are read once more", async () => {
    const {
      t0,
      result,
      reads: seen,
    } = await approvedAt4s([{ status: 403, headers: { "retry-after": "3600" }, message: "secondary rate limit" }]);
    expect(result.status).toBe("approved");
    expect(seen.map((r) => [r.at, r.status])).toEqual([
      [0, 200],
      [10_000, 403],
      [TWO_MINUTES, 200],
    ]);
    expect(result.endedAt! - t0).toBe(TWO_MINUTES);
  });

  it("an approval posted after the deadline does not count, even when the last look happens later", async () => {
    const s = setup({ timeoutMs: TWO_MINUTES });
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(1);
    // The reads at 110 s, at the deadline and 1 s after it fail; alice approves 1.5 s too late.
    await s.clock.sleep(t0 + 105_000 - s.clock.now());
    s.fake.failNext("listComments", { status: 502 }, 3);
    await commentAt(s, t0, TWO_MINUTES + 1_500, "alice", "approve");
    const result = await record;
    expect(result.status).toBe("timed-out");
    expect(reads(s.fake, t0).at(-1)).toMatchObject({ at: TWO_MINUTES + 3_000, status: 200 });
    expect(s.fake.issue.comments.at(-1)?.body).toContain("timed out");
  });

  it("gives up at the deadline at once when the rate limit resets much later", async () => {
    const s = setup({ timeoutMs: TWO_MINUTES });
    const t0 = s.clock.now();
    const { record } = start(s);
    await s.clock.sleep(1);
    const reset = String(Math.floor((t0 + 3_600_000) / 1000));
    s.fake.failNext("listComments", { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset } }, 2);
    const result = await record;
    expect(result.status).toBe("timed-out");
    expect(result.endedAt! - t0).toBe(TWO_MINUTES);
    expect(reads(s.fake, t0).map((r) => r.at)).toEqual([0, 10_000, TWO_MINUTES]);
  });
});
