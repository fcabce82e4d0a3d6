import { describe, expect, it } from "vitest";
import { ApprovalInterrupt } from "../../../src/core/ports.js";
import { GitHubError } from "../../../src/core/errors.js";
import { IssueApproval } from "../../../src/providers/github/approval-issue.js";
import { FakeIssues } from "../../../src/testing/fake-issues.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { memoryLogger } from "../../support/logger.js";
import { HOUR, REQUEST, commentAt, setup, start } from "./setup.js";

describe("IssueApproval: the issue", () => {
  it("opens an issue titled with the version that says what is approved, how, by whom and until when", async () => {
    const s = setup();
    const { record, controller } = start(s);
    await s.clock.sleep(1);
    const issue = s.fake.issue;
    expect(issue.title).toBe("Approve release v1.2.3 to production");
    expect(issue.assignees).toEqual(["alice", "bob"]);
    for (const text of [
      "`v1.2.3`",
      "`0123456789abcdef0123456789abcdef01234567`",
      "https://shop-staging.acme.workers.dev",
      "`staging-version-1`",
      "passed: 5 measurements, 0 failed, 0 errors, 10 requests, p95 87 ms",
      "https://github.com/acme/shop/actions/runs/42",
      "`approve`, `approved`, `lgtm`, `yes`, `/approve`",
      "`deny`, `denied`, `no`, `/deny`",
      "Who may decide: @alice, @bob. 1 approval is needed.",
      "@carol started this run and cannot approve it.",
      "times out after 1h, at 2026-01-01 01:00:00 UTC",
    ]) {
      expect(issue.body).toContain(text);
    }
    controller.abort(new ApprovalInterrupt("cancelled", "test over"));
    await record;
  });

  it("assigns the first 10 approvers and mentions the rest", async () => {
    const approvers = Array.from({ length: 12 }, (_, i) => `user${i + 1}`);
    const s = setup({ approvers });
    const { record, controller } = start(s);
    await s.clock.sleep(1);
    expect(s.fake.issue.assignees).toEqual(approvers.slice(0, 10));
    expect(s.fake.issue.body).toContain("@user11, @user12");
    controller.abort(new ApprovalInterrupt("cancelled", "test over"));
    await record;
  });

  it("opens the issue unassigned when GitHub refuses an assignee (422), and warns", async () => {
    const s = setup({}, { unassignable: ["bob"] });
    const { record } = start(s);
    await commentAt(s, s.clock.now(), 20_000, "bob", "approve");
    expect((await record).status).toBe("approved");
    expect(s.fake.issues).toHaveLength(1);
    expect(s.fake.issue.assignees).toEqual([]);
    expect(s.logger.lines.some((l) => l.startsWith("warn: Could not assign"))).toBe(true);
  });

  it("fails with a GitHubError naming the permission when the issue cannot be opened", async () => {
    const s = setup();
    s.fake.failNext("create", { status: 403, message: "Resource not accessible by integration" });
    await expect(start(s).record).rejects.toThrow(/issues: write/);
    await expect(setupFailing().record).rejects.toBeInstanceOf(GitHubError);
  });
});

function setupFailing() {
  const s = setup();
  s.fake.failNext("create", { status: 404, message: "Not Found" });
  return start(s);
}

describe("IssueApproval: decisions", () => {
  it("approves on an eligible approver's comment, comments who approved and closes as completed", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    await commentAt(s, t0, 30_000, "alice", "LGTM!");
    const result = await record;
    expect(result).toMatchObject({
      status: "approved",
      approvedBy: ["alice"],
      link: "https://github.com/acme/shop/issues/1",
      startedAt: t0,
    });
    expect(result.endedAt! - t0).toBe(30_000);
    expect(s.fake.issue.comments.at(-1)).toMatchObject({
      user: { login: "github-actions[bot]" },
      body: expect.stringContaining("Approved by @alice"),
    });
    expect(s.fake.issue).toMatchObject({ state: "closed", stateReason: "completed" });
  });

  it("ignores ineligible people and non-decision comments, lists them, and keeps waiting", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    await commentAt(s, t0, 10_000, "mallory", "approve");
    await commentAt(s, t0, 20_000, "alice", "approve after I check the logs");
    await commentAt(s, t0, 90_000, "bob", "yes");
    const result = await record;
    expect(result).toMatchObject({ status: "approved", approvedBy: ["bob"] });
    expect(result.endedAt! - t0).toBe(90_000);
    expect(result.ignored).toEqual([
      { author: "mallory", body: "approve", why: "not an eligible approver" },
      { author: "alice", body: "approve after I check the logs", why: expect.stringMatching(/^not a decision/) },
    ]);
  });

  it("refuses self-approval by the run's actor", async () => {
    const s = setup({ approvers: ["carol", "alice"] });
    const t0 = s.clock.now();
    const { record } = start(s);
    await commentAt(s, t0, 10_000, "carol", "approve");
    await commentAt(s, t0, 60_000, "alice", "approve");
    const result = await record;
    expect(result).toMatchObject({ status: "approved", approvedBy: ["alice"] });
    expect(result.ignored?.[0]).toMatchObject({ author: "carol", why: expect.stringMatching(/actor/) });
    expect(s.fake.issue.assignees).toEqual(["alice"]);
  });

  it("allows self-approval with allowSelfApproval", async () => {
    const s = setup({ approvers: ["carol", "alice"], allowSelfApproval: true });
    const t0 = s.clock.now();
    const { record } = start(s);
    await commentAt(s, t0, 10_000, "carol", "approve");
    expect(await record).toMatchObject({ status: "approved", approvedBy: ["carol"] });
  });

  it("waits for `minimum` distinct approvers", async () => {
    const s = setup({ minimum: 2 });
    const t0 = s.clock.now();
    const { record } = start(s);
    await commentAt(s, t0, 10_000, "alice", "approve");
    await commentAt(s, t0, 20_000, "alice", "approved");
    await commentAt(s, t0, 5 * 60_000, "bob", "/approve");
    const result = await record;
    expect(result).toMatchObject({ status: "approved", approvedBy: ["alice", "bob"] });
    expect(result.endedAt! - t0).toBe(5 * 60_000);
    expect(s.fake.issue.comments.at(-1)?.body).toContain("Approved by @alice, @bob");
  });

  it("ends at once on a deny, comments and closes as not planned", async () => {
    const s = setup({ minimum: 2 });
    const t0 = s.clock.now();
    const { record } = start(s);
    await commentAt(s, t0, 10_000, "alice", "approve");
    await commentAt(s, t0, 40_000, "bob", "Deny.");
    const result = await record;
    expect(result).toMatchObject({ status: "denied", reason: "Denied by @bob" });
    expect(result.endedAt! - t0).toBe(40_000);
    expect(s.fake.issue.comments.at(-1)?.body).toContain("Denied by @bob");
    expect(s.fake.issue).toMatchObject({ state: "closed", stateReason: "not_planned" });
  });

  it("times out: comments that the approval timed out, closes, resolves timed-out", async () => {
    const s = setup({ timeoutMs: HOUR });
    const t0 = s.clock.now();
    const result = await start(s).record;
    expect(result).toMatchObject({ status: "timed-out", approvedBy: [] });
    expect(result.endedAt! - t0).toBe(HOUR);
    expect(s.fake.issue.comments.at(-1)?.body).toBe(
      "Approval timed out after 1h with 0 of 1 approvals. The release of v1.2.3 is rejected.",
    );
    expect(s.fake.issue).toMatchObject({ state: "closed", stateReason: "not_planned" });
  });

  it("reads a decision that arrives just before the deadline (a last poll at the deadline)", async () => {
    const s = setup({ timeoutMs: 95_000 });
    const t0 = s.clock.now();
    const { record } = start(s);
    await commentAt(s, t0, 94_000, "alice", "approve");
    expect((await record).status).toBe("approved");
  });
});

describe("IssueApproval: interrupts", () => {
  it("a staging failure during the wait closes the issue as denied with the reason", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record, controller } = start(s);
    await s.clock.sleep(t0 + 60_000 - s.clock.now());
    controller.abort(new ApprovalInterrupt("staging-failed", "GET /api/health expected 200, got 503"));
    const result = await record;
    expect(result).toMatchObject({
      status: "denied",
      reason: "Staging checks failed during the wait: GET /api/health expected 200, got 503",
    });
    expect(result.link).toBe(s.fake.issue.htmlUrl);
    expect(s.fake.issue.comments.at(-1)?.body).toContain("staging checks failed during the wait: GET /api/health expected 200, got 503");
    expect(s.fake.issue).toMatchObject({ state: "closed", stateReason: "not_planned" });
  });

  it("a cancellation comments that the run was cancelled and closes", async () => {
    const s = setup();
    const { record, controller } = start(s);
    await s.clock.sleep(25_000);
    controller.abort(new ApprovalInterrupt("cancelled", "SIGTERM"));
    expect(await record).toMatchObject({ status: "cancelled", reason: "SIGTERM" });
    expect(s.fake.issue.comments.at(-1)?.body).toContain("The run was cancelled");
    expect(s.fake.issue.state).toBe("closed");
  });

  it("treats any other abort reason as a cancellation", async () => {
    const s = setup();
    const { record, controller } = start(s);
    await s.clock.sleep(25_000);
    controller.abort();
    expect((await record).status).toBe("cancelled");
    expect(s.fake.issue.state).toBe("closed");
  });

  it("opens nothing when the signal is already aborted", async () => {
    const s = setup();
    const controller = new AbortController();
    controller.abort(new ApprovalInterrupt("staging-failed", "smoke failed"));
    expect(await s.approval.request(REQUEST, controller.signal)).toMatchObject({ status: "denied" });
    expect(s.fake.issues).toHaveLength(0);
  });

  it("retries the closing calls on a 5xx", async () => {
    const s = setup();
    const t0 = s.clock.now();
    const { record } = start(s);
    s.fake.failNext("createComment", { status: 502 });
    s.fake.failNext("update", { status: 503 }, 2);
    await commentAt(s, t0, 10_000, "alice", "approve");
    expect((await record).status).toBe("approved");
    expect(s.fake.issue.comments.at(-1)?.body).toContain("Approved by @alice");
    expect(s.fake.issue.state).toBe("closed");
  });
});

describe("IssueApproval: what changed, links, label, replies", () => {
  const commits = [
    {
      sha: "aaaaaaa1111111111111111111111111111111111",
      commit: { message: "Fix the cart total for @acme/payments (#123)\n\nlong text" },
      author: { login: "dana" },
    },
    { sha: "bbbbbbb2222222222222222222222222222222222", commit: { message: "Bump deps" }, author: {} },
  ];

  it("links the commit, names what production serves, links the comparison, lists the commits, and labels the issue", async () => {
    const clock = new VirtualClock();
    const fake = new FakeIssues({ clock });
    const client = {
      rest: {
        ...fake.rest,
        repos: {
          compareCommitsWithBasehead: async (params: { basehead: string }) => {
            expect(params.basehead).toBe(`v1.2.2...${REQUEST.release.sha}`);
            return { status: 200, headers: {}, data: { total_commits: 2, commits } };
          },
        },
      },
    };
    const approval = new IssueApproval({
      client,
      owner: "acme",
      repo: "shop",
      approvers: ["alice"],
      minimum: 1,
      timeoutMs: HOUR,
      allowSelfApproval: false,
      clock,
      logger: memoryLogger(),
      repoUrl: "https://github.com/acme/shop",
      label: "shipline-approval",
    });
    const controller = new AbortController();
    const record = approval.request({ ...REQUEST, production: { versionId: "prod-version-9", tag: "v1.2.2" } }, controller.signal);
    await clock.sleep(1);
    const issue = fake.issue;
    expect(issue.labels).toEqual(["shipline-approval"]);
    for (const text of [
      `| Commit | [0123456789ab](https://github.com/acme/shop/commit/${REQUEST.release.sha}) |`,
      "| Production now | `v1.2.2` (version `prod-version-9`) |",
      `| Changes | [v1.2.2...0123456789ab](https://github.com/acme/shop/compare/v1.2.2...${REQUEST.release.sha}) |`,
      "What changed since `v1.2.2` (2 commits):",
      // Commit subjects are someone else's text: shown literally, they mention and link nothing.
      `- [\`aaaaaaa\`](https://github.com/acme/shop/commit/${commits[0]!.sha}) \`Fix the cart total for @acme/payments (#123)\` (@dana)`,
      `- [\`bbbbbbb\`](https://github.com/acme/shop/commit/${commits[1]!.sha}) \`Bump deps\`\n`,
    ]) {
      expect(issue.body).toContain(text);
    }
    expect(issue.body).not.toContain("long text");
    controller.abort(new ApprovalInterrupt("cancelled", "test over"));
    await record;
  });

  it("opens the issue without the list when the comparison cannot be read, and without a repo URL keeps the commit as code", async () => {
    const s = setup();
    const { record, controller } = start(s, { ...REQUEST, production: { versionId: "prod-version-9", tag: "v1.2.2" } });
    await s.clock.sleep(1);
    expect(s.fake.issue.body).toContain("| Production now | `v1.2.2` (version `prod-version-9`) |");
    expect(s.fake.issue.body).not.toContain("What changed since");
    expect(s.fake.issue.body).toContain(`\`${REQUEST.release.sha}\``);
    expect(s.fake.issue.labels).toEqual([]);
    controller.abort(new ApprovalInterrupt("cancelled", "test over"));
    await record;
  });

  it("answers a decision by someone who may not decide, once, and not chatter; and logs it", async () => {
    const s = setup();
    const startedAt = s.clock.now();
    const { record } = start(s);
    await commentAt(s, startedAt, 20_000, "mallory", "approve");
    await commentAt(s, startedAt, 25_000, "alice", "Looking at the dashboards");
    await commentAt(s, startedAt, 60_000, "carol", "LGTM");
    await commentAt(s, startedAt, 120_000, "bob", "approve");
    const result = await record;
    expect(result.status).toBe("approved");
    const bot = s.fake.issue.comments.filter((c) => c.user?.login === s.fake.login).map((c) => c.body);
    expect(bot).toEqual([
      "@mallory, your `approve` was not counted: not an eligible approver. Who may decide: @alice, @bob.",
      "@carol, your `LGTM` was not counted: not an eligible approver. Who may decide: @alice, @bob.",
      "Approved by @bob. The release of v1.2.3 to production goes on.",
    ]);
    expect(s.logger.lines).toContain('info: Ignored a comment by @mallory (not an eligible approver): "approve"');
    expect(s.logger.lines).toContain("info: Approved by @bob (1/1).");
  });

  it("says every five minutes that it is still waiting, with the approvals and the time left", async () => {
    const s = setup();
    const startedAt = s.clock.now();
    const { record } = start(s);
    await commentAt(s, startedAt, 16 * 60_000, "alice", "approve");
    await record;
    const waiting = s.logger.lines.filter((l) => l.includes("Still waiting"));
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    expect(waiting[0]).toMatch(/^info: Still waiting: 0\/1 approvals, 5\dm( \d\ds)? left: https:\/\/github\.com\/acme\/shop\/issues\/1$/);
  });
});
