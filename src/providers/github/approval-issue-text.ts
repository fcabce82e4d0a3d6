/**
 * What the approval issue says: its title, its body (what is approved, how to decide, who may,
 * until when) and the closing comments. Pure text, so wording is tested without an API.
 */
import type { ApprovalRequest } from "../../core/ports.js";
import type { GateReport, Millis } from "../../core/types.js";
import { APPROVE_WORDS, DENY_WORDS } from "../../core/approval-rules.js";
import { formatClock, formatMs } from "../../core/report.js";
import type { CompareCommit } from "./approval-github-io.js";

/** GitHub accepts at most 10 assignees on an issue. */
export const MAX_ASSIGNEES = 10;

/** Issue title naming the version. */
export function approvalTitle(request: ApprovalRequest): string {
  return `Approve release ${request.release.tag} to production`;
}

export interface BodyFacts {
  readonly request: ApprovalRequest;
  /** Eligible approvers, display logins, in the order given (teams expanded). */
  readonly approvers: readonly string[];
  readonly minimum: number;
  readonly actor?: string;
  readonly allowSelfApproval: boolean;
  readonly timeoutMs: Millis;
  /** Epoch ms when the wait times out. */
  readonly deadline: number;
  /** `https://github.com/owner/repo`, for links to the commit and the comparison. */
  readonly repoUrl?: string;
  /** Commits from what production serves to this release, newest last, with how many there are in all. */
  readonly changes?: { readonly commits: readonly CompareCommit[]; readonly total: number };
}

/** Commits listed in the issue at most (the comparison link shows them all). */
export const MAX_LISTED_COMMITS = 20;

/** Issue body: what is being approved, which words decide, who decides, when it times out. */
export function approvalBody(facts: BodyFacts): string {
  const { request } = facts;
  const { repoUrl } = facts;
  const sha = request.release.sha;
  const rows: Array<[string, string]> = [
    ["Version", `\`${request.release.tag}\`${request.release.prerelease ? " (prerelease)" : ""}`],
    ["Commit", repoUrl ? `[${sha.slice(0, 12)}](${repoUrl}/commit/${sha})` : `\`${sha}\``],
  ];
  const production = request.production;
  if (production) {
    rows.push([
      "Production now",
      production.tag ? `\`${production.tag}\` (version \`${production.versionId}\`)` : `version \`${production.versionId}\``,
    ]);
    if (production.tag && repoUrl)
      rows.push(["Changes", `[${production.tag}...${sha.slice(0, 12)}](${repoUrl}/compare/${production.tag}...${sha})`]);
  }
  if (request.stagingUrl) rows.push(["Staging URL", request.stagingUrl]);
  if (request.stagingVersionId) rows.push(["Staging version id", `\`${request.stagingVersionId}\``]);
  if (request.smoke) rows.push(["Smoke checks", smokeLine(request.smoke)]);
  if (request.runUrl) rows.push(["Run", request.runUrl]);
  return [
    `shipline is waiting for approval to release **${request.release.tag}** to production.`,
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, "\\|")} |`),
    ...changesList(facts),
    "",
    `**To approve**, comment only one of: ${words(APPROVE_WORDS)}.`,
    `**To deny**, comment only one of: ${words(DENY_WORDS)}. One denial ends the wait.`,
    "Any case; a trailing `.` or `!` is fine. Other comments are ignored.",
    "",
    whoLine(facts),
    "",
    `The wait times out after ${formatMs(facts.timeoutMs)}, at ${formatClock(facts.deadline)}; the release is then rejected.`,
  ].join("\n");
}

/** Text shown literally: a code span (backticks inside it become quotes). */
function codeSpan(text: string): string {
  const plain = text.replace(/`/g, "'").trim();
  return plain === "" ? "" : `\`${plain}\``;
}

/** `What changed since v1.1.0 (3 commits):` and one linked line per commit. */
function changesList(facts: BodyFacts): string[] {
  const changes = facts.changes;
  const since = facts.request.production?.tag;
  if (!changes || !since || changes.commits.length === 0) return [];
  const shown = changes.commits.slice(-MAX_LISTED_COMMITS);
  const lines = shown.map((c) => {
    // A commit subject is someone else's text: in a code span it mentions nobody (@team), links
    // nothing (#123, [x](url)) and renders no HTML.
    const subject = codeSpan(c.commit.message.split("\n")[0] ?? "");
    const link = facts.repoUrl ? `[\`${c.sha.slice(0, 7)}\`](${facts.repoUrl}/commit/${c.sha})` : `\`${c.sha.slice(0, 7)}\``;
    return `- ${link} ${subject}${c.author?.login ? ` (@${c.author.login})` : ""}`;
  });
  const more = changes.total > shown.length ? [`- … and ${changes.total - shown.length} earlier (see the comparison above)`] : [];
  const count = `${changes.total} commit${changes.total === 1 ? "" : "s"}`;
  return ["", `What changed since \`${since}\` (${count}):`, "", ...more, ...lines];
}

/** Reply to a decision comment from someone whose decision does not count. */
export function ineligibleReply(author: string, body: string, why: string, deciders: readonly string[]): string {
  const who = deciders.length > 0 ? ` Who may decide: ${mentions(deciders)}.` : "";
  return `@${author}, your \`${body.trim().slice(0, 40)}\` was not counted: ${why}.${who}`;
}

function whoLine(facts: BodyFacts): string {
  const people = facts.approvers.map((login) => `@${login}`).join(", ");
  const needed = facts.minimum === 1 ? "1 approval is needed" : `${facts.minimum} approvals from different people are needed`;
  const self = facts.actor && !facts.allowSelfApproval ? ` @${facts.actor} started this run and cannot approve it.` : "";
  return `Who may decide: ${people}. ${needed}.${self}`;
}

function smokeLine(smoke: GateReport): string {
  const s = smoke.stats;
  const latency = s.p95Ms === undefined ? "" : `, p95 ${Math.round(s.p95Ms)} ms`;
  const why = smoke.reason ? ` (${smoke.reason})` : "";
  return `${smoke.outcome}: ${s.count} measurements, ${s.failed} failed, ${s.errors} errors, ${s.requests} requests${latency}${why}`;
}

function words(list: readonly string[]): string {
  return list.map((w) => `\`${w}\``).join(", ");
}

/** Comment posted when the release is approved. */
export function approvedComment(approvedBy: readonly string[], tag: string): string {
  return `Approved by ${mentions(approvedBy)}. The release of ${tag} to production goes on.`;
}

/** Comment posted when an approver denies. */
export function deniedComment(deniedBy: string, tag: string): string {
  return `Denied by ${mentions([deniedBy])}. The release of ${tag} is rejected.`;
}

/** Comment posted when nobody decided in time. */
export function timedOutComment(timeoutMs: Millis, approvals: number, minimum: number, tag: string): string {
  return `Approval timed out after ${formatMs(timeoutMs)} with ${approvals} of ${minimum} approvals. The release of ${tag} is rejected.`;
}

/** Comment posted when the staging checks fail during the wait. */
export function stagingFailedComment(why: string, tag: string): string {
  return `Denied: the staging checks failed during the wait: ${why}. The release of ${tag} is rejected.`;
}

/** Comment posted when the run is cancelled during the wait. */
export function cancelledComment(tag: string): string {
  return `The run was cancelled; the release of ${tag} will not go on. Closing this approval request.`;
}

/** Logins as @mentions. */
function mentions(logins: readonly string[]): string {
  return logins.map((l) => `@${l}`).join(", ");
}
