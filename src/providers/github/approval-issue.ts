/**
 * `approval: issue` (SPEC section 5, Approval): opens an issue assigned to the approvers, polls
 * its comments until eligible approvers decide or the wait times out, then comments and closes.
 *
 * Rate-limit budget: the comments are polled every 10 s with one conditional request per page
 * (ETag). Unchanged pages answer 304, which does not count against the token's 1,000 requests an
 * hour, so an idle one-hour wait costs about 4 counted requests (open, first read, comment, close)
 * instead of 360. When the API sends no ETag, every poll would count, so the interval grows to
 * 72 s (50 polls an hour) to stay within 60. When the release goes live the moment it is approved
 * (`liveOnApproval`: gradual, uploaded during the wait) the comments are polled every 2 s, for the
 * same counted requests: every unchanged poll is still a 304.
 */
import type { Approval, ApprovalRequest, Clock, Logger } from "../../core/ports.js";
import { ApprovalInterrupt } from "../../core/ports.js";
import type { ApprovalRecord, Millis } from "../../core/types.js";
import { decide, type DecisionOutcome, type IgnoredComment } from "../../core/approval-rules.js";
import { errorMessage, GitHubError } from "../../core/errors.js";
import { formatClock, formatMs } from "../../core/report.js";
import { CommentReader } from "./approval-comments.js";
import {
  backoff,
  callOptions,
  classify,
  rateLimitWait,
  record,
  remainingOf,
  statusOf,
  withRetry,
  type ApprovalClient,
  type CompareCommit,
  type RequestStats,
} from "./approval-github-io.js";
import {
  approvalBody,
  ineligibleReply,
  approvalTitle,
  approvedComment,
  cancelledComment,
  deniedComment,
  MAX_ASSIGNEES,
  stagingFailedComment,
  timedOutComment,
} from "./approval-issue-text.js";
import { expandApprovers, selfExcluded, type Approvers } from "./approval-approvers.js";

/** Poll interval while conditional requests work (304s are free, so responsiveness is cheap). */
export const DEFAULT_POLL_INTERVAL_MS: Millis = 10_000;
/**
 * Poll interval when production changes the moment the approval lands (`liveOnApproval`): the
 * approval is seen within 2 s of being posted. Free as long as the answers are 304s; 30 polls a
 * minute stay far below GitHub's secondary limit of 900 points a minute per endpoint (which may
 * count 304s).
 */
export const LIVE_POLL_INTERVAL_MS: Millis = 2_000;
/** Poll interval when the API sends no ETag: 50 counted polls an hour. */
export const UNCONDITIONAL_POLL_INTERVAL_MS: Millis = 72_000;
/**
 * Longest pause between polls after repeated failures (5xx, network errors, a plain 403). Thirty
 * seconds: an approval posted during a GitHub outage is seen within 30 s of its end, and even an
 * hour of failures costs at most 120 counted requests (of the token's 1,000 an hour). A wait the
 * server asks for (`retry-after`, `x-ratelimit-reset`, a secondary limit's minute) is honoured
 * beyond it, but never past the deadline.
 */
export const MAX_POLL_BACKOFF_MS: Millis = 30_000;
/**
 * At the deadline the comments are read once more before the wait is declared timed out; when
 * that read fails, it is tried again this many times in all (1 s, 2 s, 4 s apart), so a GitHub
 * error at the last moment does not throw away an approval given in time.
 */
const FINAL_READ_ATTEMPTS = 4;
const FINAL_RETRY_BASE_MS: Millis = 1_000;
/** Longest the final read may go on past the deadline. */
const FINAL_READ_GRACE_MS: Millis = 10_000;
/** Cancellation must finish within 7 s (SPEC); closing after an interrupt gets this much. */
const INTERRUPT_CLOSE_BUDGET_MS: Millis = 5_000;

export interface IssueApprovalOptions {
  readonly client: ApprovalClient;
  readonly owner: string;
  readonly repo: string;
  /** Logins and `org/team` slugs. */
  readonly approvers: readonly string[];
  readonly minimum: number;
  readonly timeoutMs: Millis;
  readonly allowSelfApproval: boolean;
  /** The run's actor (`GITHUB_ACTOR`); `ApprovalRequest.actor` is used when this is unset. */
  readonly actor?: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pollIntervalMs?: Millis;
  /** Poll interval of a request with `liveOnApproval`. @default LIVE_POLL_INTERVAL_MS */
  readonly livePollIntervalMs?: Millis;
  /** `https://github.com/owner/repo`: the issue links the commit and the comparison with what production serves. */
  readonly repoUrl?: string;
  /** Label put on the issue (created by GitHub if missing); none when unset. */
  readonly label?: string;
}

interface OpenIssue {
  readonly number: number;
  readonly url: string;
  /** Login that opened the issue (the bot). */
  readonly author?: string;
}

/** How the wait ended. */
export type WaitEnd =
  | { readonly kind: "approved" | "denied" | "timed-out"; readonly outcome: DecisionOutcome }
  | { readonly kind: "interrupted"; readonly interrupt: ApprovalInterrupt; readonly outcome: DecisionOutcome };

const PENDING: DecisionOutcome = { status: "pending", approvedBy: [], ignored: [] };

/** Manual approval by comments on a GitHub issue. */
export class IssueApproval implements Approval {
  readonly mode = "issue";
  /** Live request counters; `requests` are the ones that count against the rate limit. */
  readonly stats: RequestStats = { requests: 0, notModified: 0, rateLimited: 0, transientErrors: 0 };
  #approvers: Approvers | undefined;
  /** The regular poll interval of the current request. */
  #pollMs: Millis;
  /** The closing of an approved issue that goes on after `request` resolved (never rejects). */
  #closing: Promise<void> | undefined;

  constructor(private readonly options: IssueApprovalOptions) {
    this.#pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  /** Expands team slugs and checks that enough people can approve; throws before any deploy. */
  async prepare(signal: AbortSignal): Promise<void> {
    const { client, logger, clock } = this.options;
    this.#approvers = await expandApprovers(client, this.options.approvers, { clock, logger, stats: this.stats, signal });
    selfExcluded(this.#approvers, this.options.actor, this.options.allowSelfApproval, this.options.minimum);
    logger.info(`Approvers: ${this.#approvers.logins.join(", ")} (${this.options.minimum} needed)`);
  }

  /** Opens the issue, waits for a decision, closes the issue; resolves on interrupts too. */
  async request(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalRecord> {
    const startedAt = this.options.clock.now();
    this.#pollMs = request.liveOnApproval
      ? (this.options.livePollIntervalMs ?? LIVE_POLL_INTERVAL_MS)
      : (this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    const early = (): ApprovalRecord => toRecord(interruptOf(signal.reason), startedAt, this.options.clock.now());
    if (signal.aborted) return early();
    try {
      if (!this.#approvers) await this.prepare(signal);
    } catch (error) {
      if (signal.aborted) return early();
      throw error;
    }
    const actor = this.options.actor ?? request.actor;
    const approvers = this.#approvers as Approvers;
    const deciders = selfExcluded(approvers, actor, this.options.allowSelfApproval, this.options.minimum);
    const deadline = startedAt + this.options.timeoutMs;
    let issue: OpenIssue;
    try {
      issue = await this.#open(request, deciders, actor, deadline, signal);
    } catch (error) {
      // An issue may have been created before the abort, but its number is unknown: nothing to close.
      if (signal.aborted) return early();
      throw error;
    }
    const live = request.liveOnApproval ? `; polled every ${formatMs(this.#pollMs)}, production changes once it lands` : "";
    this.options.logger.info(
      `Waiting for approval until ${formatClock(deadline)} (${formatMs(this.options.timeoutMs)}${live}): ${issue.url}`,
    );
    const end = await this.#wait(issue, approvers, actor, deadline, signal);
    const endedAt = this.options.clock.now();
    const record = { ...toRecord(end, startedAt, endedAt), link: issue.url };
    if (end.kind === "approved" && request.liveOnApproval) {
      // Production changes now: the closing comment and close follow the deploy request (see `settled`).
      this.#closing = this.#close(issue, end, request);
      return record;
    }
    await this.#close(issue, end, request);
    return record;
  }

  /** Resolves once an issue closed after its approval was handed on (`liveOnApproval`) is closed. */
  async settled(): Promise<void> {
    await this.#closing;
  }

  async #open(
    request: ApprovalRequest,
    deciders: readonly string[],
    actor: string | undefined,
    deadline: number,
    signal: AbortSignal,
  ): Promise<OpenIssue> {
    const { client, owner, repo, label } = this.options;
    const title = approvalTitle(request);
    const changes = await this.#changes(request, signal);
    const body = approvalBody({ ...this.options, request, approvers: deciders, actor, deadline, ...(changes ? { changes } : {}) });
    const create = (assignees: string[], labels: string[]) =>
      withRetry(
        () =>
          client.rest.issues.create({
            owner,
            repo,
            title,
            body,
            assignees,
            ...(labels.length > 0 ? { labels } : {}),
            ...callOptions(signal),
          }),
        this.#retry(signal, 5),
      );
    const labels = label ? [label] : [];
    try {
      return issueOf((await create(deciders.slice(0, MAX_ASSIGNEES), labels)).data);
    } catch (error) {
      // 422 on `assignees` (no repository access) or `labels` (no permission to label): open it without them. Mentions still notify.
      if (statusOf(error) !== 422 || !/assignee|label/i.test(errorMessage(error))) throw wrapOpenError(error);
      this.options.logger.warn(`Could not assign the approvers or label the issue (${errorMessage(error)}); opening it without.`);
      return issueOf((await create([], [])).data);
    }
  }

  /** The commits from what production serves to this release, when its tag is known; best effort (the issue opens without them). */
  async #changes(request: ApprovalRequest, signal: AbortSignal): Promise<{ commits: CompareCommit[]; total: number } | undefined> {
    const { client, owner, repo, logger } = this.options;
    const base = request.production?.tag;
    if (!base || !client.rest.repos) return undefined;
    try {
      const compare = await client.rest.repos.compareCommitsWithBasehead({
        owner,
        repo,
        basehead: `${base}...${request.release.sha}`,
        per_page: 100,
        ...callOptions(signal),
      });
      return { commits: compare.data.commits, total: compare.data.total_commits };
    } catch (error) {
      logger.info(`Could not list the commits since ${base} for the approval issue: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /**
   * Polls until a decision, the deadline, or an interrupt. Transient failures only delay the
   * next poll (never past the deadline), and the comments are read once more at the deadline:
   * an approval given before it wins, even after a run of errors.
   */
  async #wait(issue: OpenIssue, approvers: Approvers, actor: string | undefined, deadline: number, signal: AbortSignal): Promise<WaitEnd> {
    const { clock, client, owner, repo, logger } = this.options;
    const reader = new CommentReader(client, { owner, repo, issueNumber: issue.number }, this.stats);
    const reply = (body: string) =>
      client.rest.issues
        .createComment({ owner, repo, issue_number: issue.number, body, ...callOptions(signal) })
        .then(() => undefined)
        .catch((error: unknown) => logger.info(`Could not reply on the approval issue: ${errorMessage(error)}`));
    const deciders = selfExcluded(approvers, actor, this.options.allowSelfApproval, this.options.minimum);
    const progress = new WaitProgress(logger, clock, deadline, this.options.minimum, (ignored) =>
      reply(ineligibleReply(ignored.author, ignored.body, ignored.why, deciders)),
    );
    let outcome = PENDING;
    let finalAttempts = 0;
    for (let failures = 0; ;) {
      // At or past the deadline this is the last look: only comments made in time count.
      const final = clock.now() >= deadline;
      let delay: Millis;
      try {
        const comments = await reader.read(signal);
        failures = 0;
        outcome = decide({
          comments: comments
            .filter((c) => !final || !(Date.parse(c.created_at) > deadline))
            .map((c) => ({ id: c.id, author: c.user?.login ?? "ghost", body: c.body ?? "", createdAt: c.created_at })),
          eligible: approvers.eligible,
          actor,
          allowSelfApproval: this.options.allowSelfApproval,
          minimum: this.options.minimum,
          author: issue.author,
        });
        await progress.saw(outcome, issue.url);
        if (outcome.status !== "pending") return { kind: outcome.status, outcome };
        if (final) return { kind: "timed-out", outcome };
        delay = this.#nextPoll(reader);
      } catch (error) {
        if (signal.aborted) return { kind: "interrupted", interrupt: interruptOf(signal.reason), outcome };
        const failure = this.#afterFailure(error, failures++, reader);
        if (final) {
          finalAttempts++;
          delay = Math.max(failure.serverWaitMs ?? 0, backoff(FINAL_RETRY_BASE_MS, finalAttempts - 1, FINAL_READ_GRACE_MS));
          if (finalAttempts >= FINAL_READ_ATTEMPTS || clock.now() + delay > deadline + FINAL_READ_GRACE_MS) {
            logger.warn(`Reading the approval comments at the deadline failed (${failure.what}); no decision could be read in time.`);
            return { kind: "timed-out", outcome };
          }
          logger.warn(
            `Reading the approval comments at the deadline failed (${failure.what}); one more try in ${Math.round(delay / 1000)} s.`,
          );
        } else {
          delay = failure.waitMs;
          logger.warn(`Reading the approval comments failed (${failure.what}); next try in ${Math.round(delay / 1000)} s.`);
        }
      }
      const left = deadline - clock.now();
      try {
        // Never past the deadline: the read there is the last look.
        await clock.sleep(left > 0 ? Math.min(delay, left) : delay, signal);
      } catch {
        return { kind: "interrupted", interrupt: interruptOf(signal.reason), outcome };
      }
    }
  }

  /** Time to the next poll after a successful read. */
  #nextPoll(reader: CommentReader): Millis {
    const limited = remainingOf(reader.lastHeaders) === 0 ? rateLimitWait(reader.lastHeaders, this.options.clock.now()) : undefined;
    return Math.max(this.#interval(reader), limited ?? 0);
  }

  /** The regular poll interval: longer when the API sends no ETag (every poll then counts). */
  #interval(reader: CommentReader): Millis {
    const base = this.#pollMs;
    return reader.conditional ? base : Math.max(base, UNCONDITIONAL_POLL_INTERVAL_MS);
  }

  /**
   * What a failed read means and when to try again: the back-off (capped at
   * `MAX_POLL_BACKOFF_MS`, never shorter than the regular interval), or longer when the server
   * asks for it. Fatal errors (401, 404, 410) end the run.
   */
  #afterFailure(
    error: unknown,
    failures: number,
    reader: CommentReader,
  ): { waitMs: Millis; serverWaitMs?: Millis | undefined; what: string } {
    const failure = record(this.stats, classify(error, this.options.clock.now()));
    if (failure.kind === "fatal" || failure.kind === "not-modified") {
      const hint = statusOf(error) === 401 ? " The token expired or was revoked (a GitHub App installation token lasts 1 hour)." : "";
      throw new GitHubError(`Could not read the approval issue's comments: ${errorMessage(error)}.${hint}`, {
        cause: error,
        status: failure.kind === "fatal" ? failure.status : 304,
        stage: "approval",
      });
    }
    const base = this.#pollMs;
    const backedOff = Math.max(this.#interval(reader), backoff(base, failures, MAX_POLL_BACKOFF_MS));
    const status = statusOf(error);
    const what = status === undefined ? errorMessage(error) : `HTTP ${status}: ${errorMessage(error)}`;
    if (failure.kind !== "rate-limited") return { waitMs: backedOff, what };
    // A secondary limit's minute is GitHub's advice, not the server's answer: the final read's
    // few quick retries do not wait for it.
    return { waitMs: Math.max(failure.waitMs, backedOff), ...(failure.secondary ? {} : { serverWaitMs: failure.waitMs }), what };
  }

  /** Comments and closes. Best effort: the decision stands even if GitHub refuses. */
  async #close(issue: OpenIssue, end: WaitEnd, request: ApprovalRequest): Promise<void> {
    const { client, owner, repo, logger } = this.options;
    const interrupted = end.kind === "interrupted";
    // The run's signal may be aborted already: closing uses its own, bounded one.
    const signal = interrupted ? AbortSignal.timeout(INTERRUPT_CLOSE_BUDGET_MS) : undefined;
    const retry = this.#retry(signal, interrupted ? 2 : 4);
    const stateReason = end.kind === "approved" ? "completed" : "not_planned";
    const body = this.#closingText(end, request.release.tag);
    const target = { owner, repo, issue_number: issue.number, ...callOptions(signal) };
    const steps: Array<[string, () => Promise<unknown>]> = [
      ["comment on", () => client.rest.issues.createComment({ ...target, body })],
      ["close", () => client.rest.issues.update({ ...target, state: "closed", state_reason: stateReason })],
    ];
    for (const [what, call] of steps) {
      try {
        await withRetry(call, retry);
      } catch (error) {
        logger.warn(`Could not ${what} the approval issue ${issue.url}: ${errorMessage(error)}`);
      }
    }
  }

  #closingText(end: WaitEnd, tag: string): string {
    switch (end.kind) {
      case "approved":
        return approvedComment(end.outcome.approvedBy, tag);
      case "denied":
        return deniedComment(end.outcome.deniedBy ?? "an approver", tag);
      case "timed-out":
        return timedOutComment(this.options.timeoutMs, end.outcome.approvedBy.length, this.options.minimum, tag);
      case "interrupted":
        return end.interrupt.kind === "staging-failed" ? stagingFailedComment(end.interrupt.message, tag) : cancelledComment(tag);
    }
  }

  #retry(signal: AbortSignal | undefined, attempts: number) {
    const logger = this.options.logger;
    return {
      clock: this.options.clock,
      stats: this.stats,
      attempts,
      baseDelayMs: 1_000,
      // One minute: a secondary rate limit without retry-after still gets its one retry.
      maxDelayMs: 60_000,
      retryPlain403: false,
      ...(signal ? { signal } : {}),
      onRetry: (error: unknown, waitMs: Millis) =>
        logger.warn(`GitHub: ${errorMessage(error)}; retrying in ${Math.round(waitMs / 1000)} s.`),
    };
  }
}

function issueOf(data: { number: number; html_url: string; user: { login: string } | null }): OpenIssue {
  return { number: data.number, url: data.html_url, ...(data.user ? { author: data.user.login } : {}) };
}

function wrapOpenError(error: unknown): GitHubError {
  const status = statusOf(error);
  const hint = status === 403 || status === 404 ? " The token needs `issues: write` on this repository." : "";
  return new GitHubError(`Could not open the approval issue: ${errorMessage(error)}.${hint}`, { cause: error, status, stage: "approval" });
}

/** The interrupt behind an abort; any other abort reason is a cancellation. */
function interruptOf(reason: unknown): ApprovalInterrupt {
  return reason instanceof ApprovalInterrupt ? reason : new ApprovalInterrupt("cancelled", errorMessage(reason ?? "cancelled"));
}

function toRecord(end: WaitEnd | ApprovalInterrupt, startedAt: number, endedAt: number): ApprovalRecord {
  if (end instanceof ApprovalInterrupt) end = { kind: "interrupted", interrupt: end, outcome: PENDING };
  const { outcome } = end;
  const base = { approvedBy: outcome.approvedBy, startedAt, endedAt, ignored: outcome.ignored };
  switch (end.kind) {
    case "approved":
      return { ...base, status: "approved" };
    case "denied":
      return { ...base, status: "denied", reason: `Denied by @${outcome.deniedBy}` };
    case "timed-out":
      return { ...base, status: "timed-out", reason: `No decision within the approval timeout (${outcome.approvedBy.length} approvals)` };
    case "interrupted":
      return end.interrupt.kind === "staging-failed"
        ? { ...base, status: "denied", reason: `Staging checks failed during the wait: ${end.interrupt.message}` }
        : { ...base, status: "cancelled", reason: end.interrupt.message };
  }
}

/** How often the wait says it is still waiting. */
const WAIT_HEARTBEAT_MS = 5 * 60_000;

/**
 * What the wait prints as it goes: each new approval and each newly ignored comment (with
 * why) once, and every few minutes "still waiting: 0/1 approvals, 43m left".
 */
class WaitProgress {
  readonly #seen = new Set<string>();
  #approvals = 0;
  #lastLineAt: number;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly deadline: number,
    private readonly minimum: number,
    /** Answers a decision that did not count (by someone who may not decide), once per comment. */
    private readonly answer: (ignored: IgnoredComment) => Promise<void>,
  ) {
    this.#lastLineAt = clock.now();
  }

  async saw(outcome: DecisionOutcome, url: string): Promise<void> {
    for (const ignored of outcome.ignored) {
      const key = `${ignored.author}\n${ignored.body}\n${ignored.why}`;
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      this.logger.info(`Ignored a comment by @${ignored.author} (${ignored.why}): ${JSON.stringify(ignored.body)}`);
      if (!ignored.why.startsWith("not a decision")) await this.answer(ignored);
    }
    for (const login of outcome.approvedBy.slice(this.#approvals)) {
      this.logger.info(`Approved by @${login} (${outcome.approvedBy.length}/${this.minimum}).`);
    }
    this.#approvals = Math.max(this.#approvals, outcome.approvedBy.length);
    if (outcome.status === "denied") this.logger.info(`Denied by @${outcome.deniedBy}.`);
    const now = this.clock.now();
    if (outcome.status === "pending" && now - this.#lastLineAt >= WAIT_HEARTBEAT_MS) {
      this.#lastLineAt = now;
      this.logger.info(
        `Still waiting: ${outcome.approvedBy.length}/${this.minimum} approvals, ${formatMs(Math.max(0, this.deadline - now))} left: ${url}`,
      );
    }
  }
}
