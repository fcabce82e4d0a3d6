import { describe, expect, it } from "vitest";
import { LIVE_POLL_INTERVAL_MS } from "../../../src/providers/github/approval-issue.js";
import { simulateApprovalWaitCost } from "../../../src/testing/approval-cost.js";
import { REQUEST, setup, start } from "./setup.js";

/** A release that goes live the moment it is approved (gradual, uploaded during the wait) is polled every 2 s. */
const LIVE = { ...REQUEST, liveOnApproval: true };

describe("IssueApproval: the faster poll of a release that goes live on approval", () => {
  it("sees an approval within one 2 s interval of its posting, for a counted read only when something changed", async () => {
    const s = setup();
    const { record } = start(s, LIVE);
    // 61.3 s into the wait, between two polls.
    await s.clock.sleep(61_300);
    const postedAt = s.clock.now();
    s.fake.addComment("alice", "approve");
    const result = await record;
    expect(result.status).toBe("approved");
    expect((result.endedAt ?? 0) - postedAt).toBeLessThanOrEqual(LIVE_POLL_INTERVAL_MS);
    // The decision is handed on before the issue is closed: no GitHub write between it and the deploy.
    const issue = s.fake.issues[0];
    expect(issue?.state).toBe("open");
    await s.approval.settled();
    expect(issue?.state).toBe("closed");
    expect(issue?.comments.at(-1)?.body).toMatch(/^Approved by @alice\./);
    // Open, first read, the read that saw the approval, closing comment, close: the other ~30 polls were free 304s.
    expect(s.fake.counted).toBe(5);
    expect(s.fake.notModified).toBeGreaterThanOrEqual(29);
    expect(s.logger.lines.join("\n")).toMatch(/polled every 2s, production changes once it lands/);
  });

  it("an idle hour at the faster poll costs the same 4 counted requests: the 1,800 other polls are 304s", async () => {
    const live = await simulateApprovalWaitCost(1, 0, true);
    const slow = await simulateApprovalWaitCost(1);
    expect(live.status).toBe("timed-out");
    expect(live.pollIntervalMs).toBe(2_000);
    expect(live.conditional).toBe(slow.conditional);
    expect(live.conditional).toBeLessThanOrEqual(60);
    expect(live.notModified).toBeGreaterThanOrEqual(1_790);
    expect(live.notModified).toBeLessThanOrEqual(1_801);
  });

  it("a release that does not go live on approval is closed before the decision is handed on, as before", async () => {
    const s = setup();
    const { record } = start(s);
    await s.clock.sleep(30_000);
    s.fake.addComment("bob", "lgtm");
    await record;
    expect(s.fake.issues[0]?.state).toBe("closed");
  });

  it("without ETags the faster poll is given up for the slow one: every poll would count", async () => {
    const s = setup({}, { etags: false });
    await start(s, LIVE).record;
    expect(s.fake.counted).toBeLessThanOrEqual(60);
  });

  it("backs off from 2 s after a failed read, not from 10 s", async () => {
    const s = setup();
    s.fake.failNext("listComments", { status: 502 });
    const { record, controller } = start(s, LIVE);
    await s.clock.sleep(10_000);
    controller.abort();
    await record;
    expect(s.logger.lines.join("\n")).toMatch(/next try in 2 s/);
  });
});
