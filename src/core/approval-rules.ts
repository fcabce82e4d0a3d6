/**
 * The rules of an approval by comments (SPEC section 5, Approval), as pure functions: which
 * comment is a decision, and what a list of comments decides. No I/O, so every rule is
 * testable without a GitHub API and the same rules serve any comment-based approval.
 */

export type Decision = "approve" | "deny";

/** Words that approve when they are the whole comment (any case, trailing `.`/`!` allowed). */
export const APPROVE_WORDS = ["approve", "approved", "lgtm", "yes", "/approve"] as const;
/** Words that deny when they are the whole comment; one denial ends the wait. */
export const DENY_WORDS = ["deny", "denied", "no", "/deny"] as const;

const APPROVE = new Set<string>(APPROVE_WORDS);
const DENY = new Set<string>(DENY_WORDS);

/** Longest comment text kept in the `ignored` list (the list ends up in the job summary). */
const MAX_IGNORED_BODY = 200;

/** The decision a whole comment expresses, or `null` when it is not a decision. */
export function parseDecision(body: string): Decision | null {
  const word = body
    .trim()
    .replace(/[.!]+$/, "")
    .toLowerCase();
  if (APPROVE.has(word)) return "approve";
  if (DENY.has(word)) return "deny";
  return null;
}

export interface DecisionComment {
  readonly id: number;
  readonly author: string;
  readonly body: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

export interface DecisionState {
  readonly comments: readonly DecisionComment[];
  /** Lower-case logins of the people who may decide (teams already expanded). */
  readonly eligible: ReadonlySet<string>;
  /** The run's actor (login, any case). */
  readonly actor?: string;
  readonly allowSelfApproval: boolean;
  /** Distinct approvals needed. */
  readonly minimum: number;
  /**
   * Login of whoever opened the issue (the bot). Its comments are skipped silently, unless it
   * is itself an eligible approver (a person's PAT used as the token), then it decides as them.
   */
  readonly author?: string;
}

export interface IgnoredComment {
  readonly author: string;
  readonly body: string;
  readonly why: string;
}

export interface DecisionOutcome {
  readonly status: "approved" | "denied" | "pending";
  /** Distinct approvers, in the order they approved. */
  readonly approvedBy: string[];
  readonly deniedBy?: string;
  readonly ignored: IgnoredComment[];
}

/**
 * What the comments decide. Comments are read in order (creation time, then id) like a
 * timeline, and the first point where a deny appears or `minimum` distinct approvers are
 * reached decides; later comments are not read. So an approver who approves and then denies
 * denies (a deny ends it), and the outcome depends only on the comments, never on when they
 * were polled. Repeated approvals by one person count once.
 */
export function decide(state: DecisionState): DecisionOutcome {
  const actor = state.actor?.toLowerCase();
  const bot = state.author?.toLowerCase();
  const approvedBy: string[] = [];
  const ignored: IgnoredComment[] = [];
  for (const comment of inOrder(state.comments)) {
    const login = comment.author.toLowerCase();
    if (login === bot && !state.eligible.has(login)) continue;
    const decision = parseDecision(comment.body);
    const why = whyIgnored(decision, login, actor, state);
    if (why !== undefined) {
      ignored.push({ author: comment.author, body: clip(comment.body), why });
      continue;
    }
    if (decision === "deny") return { status: "denied", approvedBy, deniedBy: comment.author, ignored };
    if (!approvedBy.some((a) => a.toLowerCase() === login)) approvedBy.push(comment.author);
    if (approvedBy.length >= state.minimum) return { status: "approved", approvedBy, ignored };
  }
  return { status: "pending", approvedBy, ignored };
}

/** Why a comment does not count, or `undefined` when it is a decision that counts. */
function whyIgnored(decision: Decision | null, login: string, actor: string | undefined, state: DecisionState): string | undefined {
  if (decision === null) {
    return `not a decision: the whole comment must be one of ${APPROVE_WORDS.join(", ")} (approve) or ${DENY_WORDS.join(", ")} (deny)`;
  }
  if (!state.eligible.has(login)) return "not an eligible approver";
  if (login === actor && !state.allowSelfApproval) {
    return "the run's actor cannot decide on their own release (allow-self-approval is off)";
  }
  return undefined;
}

function inOrder(comments: readonly DecisionComment[]): DecisionComment[] {
  return [...comments].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);
}

function clip(body: string): string {
  const text = body.trim();
  return text.length <= MAX_IGNORED_BODY ? text : `${text.slice(0, MAX_IGNORED_BODY - 1)}…`;
}
