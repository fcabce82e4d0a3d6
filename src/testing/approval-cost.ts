/**
 * What waiting for an approval costs in GitHub requests that count against the rate limit
 * (GITHUB_TOKEN: 1,000 an hour per repository), simulated on a virtual clock: the issue
 * approval with conditional requests, against a naive 10-second poll without them.
 */
import type { ApprovalRequest, Logger } from "../core/ports.js";
import { DEFAULT_POLL_INTERVAL_MS, IssueApproval, LIVE_POLL_INTERVAL_MS } from "../providers/github/approval-issue.js";
import { FakeIssues } from "./fake-issues.js";
import { VirtualClock } from "./virtual-clock.js";

export interface ApprovalWaitCost {
  readonly hours: number;
  /** Counted requests of shipline's wait: open, reads that changed, closing comment and close. */
  readonly conditional: number;
  /** Polls answered 304 (free). */
  readonly notModified: number;
  /** The regular interval the comments were polled at. */
  readonly pollIntervalMs: number;
  /** Counted requests of a 10 s poll without conditional requests over the same time. */
  readonly naive: number;
  /** How the wait ended (`timed-out` when nobody decided). */
  readonly status: string;
}

const SILENT: Logger = { info() {}, warn() {}, error() {}, debug() {}, group: (_name, fn) => fn() };

const REQUEST: ApprovalRequest = {
  release: {
    version: "1.2.3",
    tag: "v1.2.3",
    finalTag: "v1.2.3",
    prerelease: false,
    source: "input",
    sha: "0123456789abcdef0123456789abcdef01234567",
  },
  stagingUrl: "https://staging.example.workers.dev",
  runUrl: "https://github.com/acme/shop/actions/runs/1",
};

/**
 * Runs a wait of `hours` in which nobody decides (optionally with `chatter` non-decision
 * comments spread over it) and returns the requests it cost, with the naive poll for comparison.
 * `liveOnApproval`: the faster poll of a release that goes live the moment it is approved.
 */
export async function simulateApprovalWaitCost(hours = 1, chatter = 0, liveOnApproval = false): Promise<ApprovalWaitCost> {
  const clock = new VirtualClock();
  const fake = new FakeIssues({ clock });
  const timeoutMs = hours * 3_600_000;
  const approval = new IssueApproval({
    client: fake,
    owner: "acme",
    repo: "shop",
    approvers: ["alice"],
    minimum: 1,
    timeoutMs,
    allowSelfApproval: false,
    clock,
    logger: SILENT,
  });
  const waiting = approval.request(liveOnApproval ? { ...REQUEST, liveOnApproval } : REQUEST, new AbortController().signal);
  for (let i = 1; i <= chatter; i++) {
    await clock.sleep(timeoutMs / (chatter + 1));
    fake.addComment("bystander", `comment ${i}`);
  }
  const record = await waiting;
  return {
    hours,
    conditional: fake.counted,
    notModified: fake.notModified,
    pollIntervalMs: liveOnApproval ? LIVE_POLL_INTERVAL_MS : DEFAULT_POLL_INTERVAL_MS,
    naive: await naivePollCost(hours),
    status: record.status,
  };
}

/** A 10 s poll of page 1 without `if-none-match`, like trstringer/manual-approval: every poll counts. */
async function naivePollCost(hours: number): Promise<number> {
  const clock = new VirtualClock();
  const fake = new FakeIssues({ clock });
  const issue = (await fake.rest.issues.create({ owner: "acme", repo: "shop", title: "t", body: "b" })).data;
  const start = clock.now();
  const before = fake.counted;
  while (clock.now() - start < hours * 3_600_000) {
    await fake.rest.issues.listComments({ owner: "acme", repo: "shop", issue_number: issue.number, per_page: 30, page: 1 });
    await clock.sleep(10_000);
  }
  return fake.counted - before;
}
