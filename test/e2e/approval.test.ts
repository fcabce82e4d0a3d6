import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ActionRun } from "../support/action-harness.js";
import { createWorld, type World } from "../support/e2e-world.js";
import type { FakeIssue, FakeRequest } from "../support/github-fake.js";

/**
 * `approval: issue` end to end: the built action opens an approval issue on the fake GitHub,
 * people comment while it waits, and the run goes on or stops. Waits use the simulated clock
 * (an hour takes about a second); HTTP and wrangler stay real.
 */

const REPO = "acme/widgets";
const COMMENTS = new RegExp(`^/repos/${REPO}/issues/(\\d+)/comments$`);
const ISSUE = new RegExp(`^/repos/${REPO}/issues/(\\d+)$`);
/** A one-hour idle wait: open, first read, closing comment, close; every other poll is a free 304 (target: at most 60). */
const IDLE_HOUR_COST = 4;

/**
 * Inputs of every run here. During the wait the staging watch probes every `smoke-interval`;
 * 10 s (the poll interval) keeps an hour to 360 real probes. On the simulated clock a pending
 * sleep fires as soon as the event loop turns, also while another task's HTTP request is in
 * flight, so the watch's sleeps move time on while a poll is being answered: a poll interval
 * lasts at least 10 s of simulated time, and on a busy machine (a slow answer, several watch
 * probes meanwhile) several times that (three took 70 s in one CI run). Time assertions allow
 * for it: the number of polls is what says when a decision was seen.
 */
const APPROVAL_INPUTS = { approval: "issue", "smoke-interval": "10s" };
/** The simulated clock, which the action loads from this checkout's built library (it is not in the bundle). */
const SIMULATED = { SHIPLINE_TEST_CLOCK: "1" };

describe("approval by GitHub issue, end to end", () => {
  let world: World;
  let unhooks: Array<() => void> = [];
  let sha = 0;

  beforeAll(async () => {
    world = await createWorld();
  });
  afterEach(() => {
    for (const unhook of unhooks) unhook();
    unhooks = [];
    world.github.faults.clear();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** Runs the action for `tag` with an issue approval on the simulated clock. */
  function release(tag: string, inputs: Record<string, string>, actor = "octocat"): Promise<ActionRun> {
    sha += 1;
    return world.run(
      { ...APPROVAL_INPUTS, ...inputs },
      { ref: `refs/tags/${tag}`, sha: sha.toString(16).padStart(40, "0"), actor, env: SIMULATED, timeoutMs: 120_000 },
    );
  }

  /** Calls `act(issueNumber)` when the `n`-th read of the approval comments arrives (before it is answered). */
  function onCommentsPoll(n: number, act: (issue: number) => void): void {
    let polls = 0;
    unhooks.push(
      world.github.onRequest((request) => {
        const match = request.method === "GET" ? COMMENTS.exec(request.path) : null;
        if (match && ++polls === n) act(Number(match[1]));
      }),
    );
  }

  /** Requests that counted against the rate limit from opening the approval issue to closing it (inclusive). */
  function measureApprovalCost(): () => number {
    let start: number | undefined;
    let end: number | undefined;
    unhooks.push(
      world.github.onRequest((request: FakeRequest) => {
        if (request.method === "POST" && request.path === `/repos/${REPO}/issues`) start = world.github.rateLimitUsed;
        if (request.method === "PATCH" && ISSUE.test(request.path)) end = world.github.rateLimitUsed + 1;
      }),
    );
    return () => {
      if (start === undefined || end === undefined) throw new Error("the approval issue was not opened and closed");
      return end - start;
    };
  }

  function issueOf(tag: string): FakeIssue {
    const issues = world.github.state.issues.filter((i) => i.title === `Approve release ${tag} to production`);
    expect(issues).toHaveLength(1);
    return issues[0] as FakeIssue;
  }

  /** The comments shipline itself wrote on the issue. */
  function botComments(issue: FakeIssue): string[] {
    return issue.comments.filter((c) => c.user === "github-actions[bot]").map((c) => c.body);
  }

  /** How long the summary's approval line says the wait took, in seconds (`after 40.0s`, `after 5m 30s`, `after 5m`). */
  function waitedSeconds(summary: string): number {
    const match = /UTC, after (?:(\d+)h(?: (\d+)m)?|(\d+)m(?: (\d+)s)?|(\d+(?:\.\d+)?)s|(\d+)ms)\n/.exec(summary);
    if (!match) throw new Error(`no approval line with the wait in the summary:\n${summary}`);
    const [, hours, hourMinutes, minutes, seconds, fraction, ms] = match;
    if (hours !== undefined) return Number(hours) * 3600 + Number(hourMinutes ?? 0) * 60;
    if (minutes !== undefined) return Number(minutes) * 60 + Number(seconds ?? 0);
    return fraction !== undefined ? Number(fraction) : Number(ms) / 1000;
  }

  function commentPolls(issue: FakeIssue): number {
    return world.github.count("GET", `/repos/${REPO}/issues/${issue.number}/comments`);
  }

  it("approves when an approver comments while it waits, then releases and closes the issue", async () => {
    // A remark, then the approval, arrive on later polls: the wait must see both.
    onCommentsPoll(2, (n) => world.github.addComment(n, "alice", "Looks fine on staging, checking the dashboards"));
    onCommentsPoll(4, (n) => world.github.addComment(n, "alice", "LGTM!"));
    const cost = measureApprovalCost();
    const run = await release("v2.0.0", { approvers: "alice,bob" });
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.exitCode).toBe(0);
    expect(run.outputs["approval-status"]).toBe("approved");
    expect(run.outputs["approved-by"]).toBe("alice");
    expect(run.outputs["release-tag"]).toBe("v2.0.0");
    expect(await world.live("production")).toEqual([run.outputs["production-version-id"]]);

    const issue = issueOf("v2.0.0");
    expect(issue.assignees).toEqual(["alice", "bob"]);
    expect(issue.labels).toEqual(["shipline-approval"]);
    expect(issue.body).toMatch(/\| Commit \| \[[0-9a-f]{12}\]\(https?:\/\/[^)]+\/commit\/[0-9a-f]{40}\) \|/);
    expect(issue.body).toContain(run.outputs["staging-version-id"]);
    expect(issue.body).toContain("@octocat started this run and cannot approve it");
    expect(issue.state).toBe("closed");
    expect(issue.state_reason).toBe("completed");
    expect(botComments(issue)).toEqual(["Approved by @alice. The release of v2.0.0 to production goes on."]);
    expect(commentPolls(issue)).toBe(4);

    // Summary: status, who, the issue link, the wait (three poll intervals on the simulated clock).
    const link = `https://github.com/${REPO}/issues/${issue.number}`;
    expect(run.summary).toContain("### Approval");
    expect(run.summary).toMatch(/- ✅ Approved by @alice at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, after /);
    expect(run.summary).toContain(`- Request: ${link}`);
    // Seen at the fourth poll (above): three intervals, each at least 10 s, and far from the 1 h timeout.
    expect(waitedSeconds(run.summary)).toBeGreaterThanOrEqual(30);
    expect(waitedSeconds(run.summary)).toBeLessThan(10 * 60);
    expect(run.summary).toMatch(/- Ignored comment by @alice \(not a decision.*\): `Looks fine on staging/);
    // Open, the first read, the two reads that found a new comment, closing comment, close: the other polls were free 304s.
    expect(cost()).toBe(6);
  });

  it("denies: rejected, exit 1, nothing written to production, issue closed as not planned", async () => {
    const before = world.writes("production");
    const liveBefore = await world.live("production");
    onCommentsPoll(3, (n) => world.github.addComment(n, "bob", "/deny"));
    const run = await release("v2.1.0", { approvers: "alice,bob" });
    expect(run.outputs["result"], run.stdout).toBe("rejected");
    expect(run.exitCode).toBe(1);
    expect(run.outputs["approval-status"]).toBe("denied");
    expect(run.outputs["approved-by"]).toBe("");
    expect(run.outputs["release-tag"]).toBe("");
    expect(world.writes("production")).toBe(before);
    expect(await world.live("production")).toEqual(liveBefore);
    expect(world.github.state.refs.has("refs/tags/v2.1.0")).toBe(false);

    const issue = issueOf("v2.1.0");
    expect(issue.state).toBe("closed");
    expect(issue.state_reason).toBe("not_planned");
    expect(botComments(issue)).toEqual(["Denied by @bob. The release of v2.1.0 is rejected."]);
    expect(run.summary).toMatch(/- ⛔ Denied by @bob at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, after /);
    expect(run.summary).not.toMatch(/denied: Denied/i);
    expect(run.stdout).toMatch(/::error::shipline: rejected\. Denied by @bob\. v2\.1\.0 was not released; production was not touched\./);
  });

  it("times out after approval-timeout on the simulated clock, for next to no rate limit", async () => {
    const before = world.writes("production");
    const cost = measureApprovalCost();
    const started = Date.now();
    const run = await release("v2.2.0", { approvers: "alice", "approval-timeout": "1h" });
    expect(run.outputs["result"], run.stdout).toBe("rejected");
    expect(run.exitCode).toBe(1);
    expect(run.outputs["approval-status"]).toBe("timed-out");
    expect(world.writes("production")).toBe(before);

    const issue = issueOf("v2.2.0");
    expect(issue.state).toBe("closed");
    expect(botComments(issue)).toEqual(["Approval timed out after 1h with 0 of 1 approvals. The release of v2.2.0 is rejected."]);
    // Polled every 10 simulated seconds or more (see the top) for the whole hour; only the first read counted.
    expect(commentPolls(issue)).toBeGreaterThanOrEqual(60);
    expect(commentPolls(issue)).toBeLessThanOrEqual(361);
    expect(cost()).toBe(IDLE_HOUR_COST);
    expect(waitedSeconds(run.summary)).toBeGreaterThanOrEqual(3600);
    expect(waitedSeconds(run.summary)).toBeLessThan(3600 + 30);
    // The hour was simulated: the whole run (two deploys' worth of wrangler included) takes seconds.
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("refuses the run's own actor as approver and lists the refused comment in the summary", async () => {
    onCommentsPoll(2, (n) => world.github.addComment(n, "octocat", "approve"));
    onCommentsPoll(5, (n) => world.github.addComment(n, "carol", "approved."));
    const run = await release("v2.3.0", { approvers: "octocat,carol" }, "octocat");
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.outputs["approval-status"]).toBe("approved");
    expect(run.outputs["approved-by"]).toBe("carol");

    const issue = issueOf("v2.3.0");
    // Only the people who can decide are assigned.
    expect(issue.assignees).toEqual(["carol"]);
    expect(commentPolls(issue)).toBe(5);
    expect(botComments(issue)).toEqual([
      "@octocat, your `approve` was not counted: the run's actor cannot decide on their own release (allow-self-approval is off). Who may decide: @carol.",
      "Approved by @carol. The release of v2.3.0 to production goes on.",
    ]);
    expect(run.stdout).toContain(`Ignored a comment by @octocat (the run's actor cannot decide`);
    expect(run.summary).toMatch(/- Ignored comment by @octocat \(the run's actor cannot decide on their own release.*\): `approve`/);
  });

  it("lets a member of an org/team approver decide, and nobody outside it", async () => {
    world.github.setTeam("my-org", "ops", ["dora", "erin"]);
    onCommentsPoll(2, (n) => world.github.addComment(n, "mallory", "approve"));
    onCommentsPoll(3, (n) => world.github.addComment(n, "erin", "Yes"));
    const run = await release("v2.4.0", { approvers: "my-org/ops" });
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.outputs["approval-status"]).toBe("approved");
    expect(run.outputs["approved-by"]).toBe("erin");

    const issue = issueOf("v2.4.0");
    expect(issue.assignees).toEqual(["dora", "erin"]);
    expect(world.github.count("GET", "/orgs/my-org/teams/ops/members")).toBe(1);
    expect(run.summary).toMatch(/- Ignored comment by @mallory \(not an eligible approver\): `approve`/);
    expect(botComments(issue)[0]).toBe("@mallory, your `approve` was not counted: not an eligible approver. Who may decide: @dora, @erin.");
  });

  it("fails before any deploy when an approver team cannot be read, saying which permission it needs", async () => {
    world.github.failTeam("my-org", "secret", 404);
    const stagingBefore = world.writes("staging");
    const issuesBefore = world.github.state.issues.length;
    const run = await release("v2.4.1", { approvers: "alice,my-org/secret" });
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/Cannot read the members of approver team my-org\/secret \(HTTP 404\).*Members: read/);
    expect(world.writes("staging")).toBe(stagingBefore);
    expect(world.github.state.issues).toHaveLength(issuesBefore);
  });

  it("does not lose an approval posted early to a 2-minute timeout when reads fail with 429s and 502s", async () => {
    // The review's case: two 429s and two 502s used to stretch polling to 80 s, and an approval
    // posted at 4 s ended timed-out at 2 min. The back-off is capped, and the deadline reads once more.
    onCommentsPoll(2, (n) => {
      world.github.addComment(n, "bob", "approve");
      world.github.faults.add({ method: "GET", path: COMMENTS, status: 429, headers: { "retry-after": "1" }, times: 2 });
      world.github.faults.add({ method: "GET", path: COMMENTS, status: 502, times: 2 });
    });
    // The staging watch every second, not every 10 s: on the simulated clock, a watch sleep that
    // fires while a poll's request is in flight moves time on by up to one watch interval. At
    // 10 s that ate the 30 s this case leaves between the capped back-off (10 + 20 + 30 + 30 s)
    // and the 2-minute deadline on a busy CI run; at 1 s it cannot.
    const run = await release("v2.4.9", { approvers: "bob", "approval-timeout": "2m", "smoke-interval": "1s" });
    expect(run.outputs["approval-status"], run.stdout).toBe("approved");
    expect(run.outputs["result"]).toBe("released");
  });

  it("keeps waiting through 5xx answers and secondary rate limits, and still sees the approval", async () => {
    const secondary = {
      status: 403,
      headers: { "retry-after": "90" },
      body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
    };
    // From the second poll on: three 502s, then two secondary rate limits; the approval arrives in the middle.
    onCommentsPoll(2, () => {
      world.github.faults.add({ method: "GET", path: COMMENTS, status: 502, times: 3 });
      world.github.faults.add({ method: "GET", path: COMMENTS, ...secondary, times: 2 });
    });
    onCommentsPoll(4, (n) => world.github.addComment(n, "bob", "approve"));
    const cost = measureApprovalCost();
    const run = await release("v2.5.0", { approvers: "alice,bob" });
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.outputs["approval-status"]).toBe("approved");
    expect(run.outputs["approved-by"]).toBe("bob");
    expect(run.stdout).toMatch(/Reading the approval comments failed \(HTTP 502: .*\); next try in 10 s/);
    expect(run.stdout).toMatch(/Reading the approval comments failed \(HTTP 403: .*secondary rate limit.*\); next try in 90 s/);

    // One issue, one wait: 1 good read, 5 failures, then the read that sees the approval.
    const issue = issueOf("v2.5.0");
    expect(commentPolls(issue)).toBe(7);
    expect(issue.state).toBe("closed");
    // Back-off 10 s, 20 s, then capped at 30 s; the secondary limits' retry-after 90 s is still honoured.
    expect(run.stdout).toMatch(/HTTP 502: .*\); next try in 30 s/);
    expect(run.stdout).not.toMatch(/next try in (1[0-9]{2}|[4-8][0-9]) s/);
    const seconds = waitedSeconds(run.summary);
    expect(seconds).toBeGreaterThanOrEqual(10 + 10 + 20 + 30 + 90 + 90);
    expect(seconds).toBeLessThan(15 * 60);
    // Open, first read, 5 failed reads (GitHub counts them), the changed read, comment, close.
    expect(cost()).toBe(10);
  });
});
