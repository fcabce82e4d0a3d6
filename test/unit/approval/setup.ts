import type { ApprovalRequest } from "../../../src/core/ports.js";
import { IssueApproval, type IssueApprovalOptions } from "../../../src/providers/github/approval-issue.js";
import { FakeIssues, type FakeIssuesOptions } from "../../../src/testing/fake-issues.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { memoryLogger } from "../../support/logger.js";

export const HOUR = 3_600_000;

export const REQUEST: ApprovalRequest = {
  release: {
    version: "1.2.3",
    tag: "v1.2.3",
    finalTag: "v1.2.3",
    prerelease: false,
    source: "input",
    sha: "0123456789abcdef0123456789abcdef01234567",
  },
  stagingUrl: "https://shop-staging.acme.workers.dev",
  stagingVersionId: "staging-version-1",
  runUrl: "https://github.com/acme/shop/actions/runs/42",
  smoke: {
    gate: "smoke",
    environment: "staging",
    baseUrl: "https://shop-staging.acme.workers.dev",
    outcome: "passed",
    startedAt: 0,
    endedAt: 1,
    measurements: [],
    stats: { count: 5, successful: 5, failed: 0, errors: 0, requests: 10, p50Ms: 40, p95Ms: 87.4 },
  },
};

export interface Setup {
  readonly clock: VirtualClock;
  readonly fake: FakeIssues;
  readonly logger: ReturnType<typeof memoryLogger>;
  readonly approval: IssueApproval;
}

/** An approval for alice and bob (actor carol) against an in-memory GitHub on a virtual clock. */
export function setup(
  options: Partial<Omit<IssueApprovalOptions, "client" | "clock" | "logger">> = {},
  fakeOptions: Omit<FakeIssuesOptions, "clock"> = {},
): Setup {
  const clock = new VirtualClock();
  const fake = new FakeIssues({ clock, ...fakeOptions });
  const logger = memoryLogger();
  const approval = new IssueApproval({
    client: fake,
    owner: "acme",
    repo: "shop",
    approvers: ["alice", "bob"],
    minimum: 1,
    timeoutMs: HOUR,
    allowSelfApproval: false,
    actor: "carol",
    clock,
    logger,
    ...options,
  });
  return { clock, fake, logger, approval };
}

/** An approval for alice alone over a real client (Octokit against an injected fetch), one hour to wait. */
export function aliceApproval(client: IssueApprovalOptions["client"], clock: VirtualClock, logger = memoryLogger()): IssueApproval {
  return new IssueApproval({
    client,
    owner: "acme",
    repo: "shop",
    approvers: ["alice"],
    minimum: 1,
    timeoutMs: HOUR,
    allowSelfApproval: false,
    clock,
    logger,
  });
}

/** Starts a wait with a live signal; returns the pending record and the controller. */
export function start(s: Setup, request: ApprovalRequest = REQUEST) {
  const controller = new AbortController();
  return { record: s.approval.request(request, controller.signal), controller };
}

/** Lets virtual time pass up to `ms` after the clock's start, then adds a comment. */
export async function commentAt(s: Setup, startedAt: number, ms: number, author: string, body: string): Promise<void> {
  await s.clock.sleep(startedAt + ms - s.clock.now());
  s.fake.addComment(author, body);
}
