/**
 * Who may approve: `approvers` logins plus the members of `org/team` slugs. Reading a team
 * needs organization members read access, which GITHUB_TOKEN never has; that must fail at the
 * start with a message that says so, not later as "nobody can approve".
 */
import type { Clock, Logger } from "../../core/ports.js";
import { ConfigError, errorMessage, GitHubError } from "../../core/errors.js";
import { callOptions, hasNextPage, statusOf, withRetry, type ApprovalClient, type RequestStats } from "./approval-github-io.js";

export interface Approvers {
  /** Display logins in the order given, teams expanded in place, each once. */
  readonly logins: readonly string[];
  /** The same, lower-case (GitHub logins are case-insensitive). */
  readonly eligible: ReadonlySet<string>;
}

export interface ExpandContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stats: RequestStats;
  readonly signal: AbortSignal;
}

const MEMBERS_PER_PAGE = 100;

/** Expands every `org/team` slug to its members; throws `GitHubError` naming a slug that cannot be read. */
export async function expandApprovers(client: ApprovalClient, approvers: readonly string[], context: ExpandContext): Promise<Approvers> {
  if (approvers.length === 0) throw new ConfigError("approvers", "approval: issue needs at least one approver in `approvers`.");
  const logins: string[] = [];
  const eligible = new Set<string>();
  for (const entry of approvers) {
    const name = entry.trim().replace(/^@/, "");
    const members = name.includes("/") ? await teamMembers(client, name, context) : [checkLogin(name)];
    for (const login of members) {
      if (eligible.has(login.toLowerCase())) continue;
      eligible.add(login.toLowerCase());
      logins.push(login);
    }
  }
  return { logins, eligible };
}

/**
 * The people who can actually decide: everyone but the run's actor unless self-approval is
 * allowed. Throws `ConfigError` when they are fewer than `minimum`.
 */
export function selfExcluded(approvers: Approvers, actor: string | undefined, allowSelf: boolean, minimum: number): string[] {
  const self = actor?.toLowerCase();
  const deciders = approvers.logins.filter((l) => allowSelf || l.toLowerCase() !== self);
  if (deciders.length < minimum) {
    const excluded =
      deciders.length < approvers.logins.length ? ` (the run's actor ${actor} cannot approve: allow-self-approval is off)` : "";
    throw new ConfigError(
      "minimum-approvals",
      `minimum-approvals is ${minimum}, but only ${deciders.length} approver(s) can decide${excluded}: ${deciders.join(", ") || "none"}.`,
    );
  }
  return deciders;
}

function checkLogin(name: string): string {
  if (!/^[a-z\d](?:[a-z\d-]*[a-z\d])?(?:\[bot\])?$/i.test(name)) {
    throw new ConfigError("approvers", `"${name}" is not a GitHub login or an org/team slug.`);
  }
  return name;
}

async function teamMembers(client: ApprovalClient, slug: string, context: ExpandContext): Promise<string[]> {
  const [org, team, extra] = slug.split("/");
  if (!org || !team || extra !== undefined) {
    throw new ConfigError("approvers", `"${slug}" is not an org/team slug (expected e.g. my-org/release-managers).`);
  }
  const members: string[] = [];
  for (let page = 1; ; page++) {
    const response = await readPage(client, org, team, page, slug, context);
    members.push(...response.data.map((m) => m.login));
    if (!hasNextPage(response.headers) && response.data.length < MEMBERS_PER_PAGE) break;
    if (response.data.length === 0) break;
  }
  if (members.length === 0) context.logger.warn(`Team ${slug} has no members: none of its people can approve.`);
  return members;
}

async function readPage(client: ApprovalClient, org: string, team: string, page: number, slug: string, context: ExpandContext) {
  try {
    return await withRetry(
      () => client.rest.teams.listMembersInOrg({ org, team_slug: team, per_page: MEMBERS_PER_PAGE, page, ...callOptions(context.signal) }),
      {
        clock: context.clock,
        stats: context.stats,
        attempts: 4,
        baseDelayMs: 1_000,
        maxDelayMs: 60_000,
        retryPlain403: false,
        signal: context.signal,
      },
    );
  } catch (error) {
    if (context.signal.aborted) throw error;
    throw unreadableTeam(slug, error);
  }
}

function unreadableTeam(slug: string, error: unknown): GitHubError {
  const status = statusOf(error);
  const why =
    status === 403 || status === 404
      ? "The token cannot read this team's members (GitHub answers 404 for a team it may not see). GITHUB_TOKEN can never read teams: " +
        "pass a GitHub App installation token with the organization permission Members: read (and Issues: write on the repository), " +
        "or a personal access token with read:org, or list the approvers by login."
      : `GitHub answered: ${errorMessage(error)}`;
  return new GitHubError(`Cannot read the members of approver team ${slug} (HTTP ${status ?? "error"}). ${why}`, {
    cause: error,
    status,
    stage: "approval",
  });
}
