/**
 * Issues and their comments (what the approval uses), team members and users.
 */
import {
  type FakeComment,
  type FakeIssue,
  type FakeReply,
  type Route,
  type RouteContext,
  invalid,
  notFound,
  ok,
  paginate,
  route,
  userJson,
} from "./core.js";

/** GitHub allows at most this many assignees on an issue. */
const MAX_ASSIGNEES = 10;

function repoWeb(ctx: RouteContext): string {
  return `${ctx.serverUrl}/${ctx.params["owner"]}/${ctx.params["repo"]}`;
}

function issueJson(ctx: RouteContext, issue: FakeIssue) {
  return {
    id: issue.id,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.state_reason,
    html_url: `${repoWeb(ctx)}/issues/${issue.number}`,
    url: `${ctx.apiUrl}/repos/${ctx.params["owner"]}/${ctx.params["repo"]}/issues/${issue.number}`,
    user: userJson(issue.user),
    assignees: issue.assignees.map(userJson),
    assignee: issue.assignees[0] === undefined ? null : userJson(issue.assignees[0]),
    labels: issue.labels.map((name) => ({ name })),
    comments: issue.comments.length,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
  };
}

export function commentJson(ctx: RouteContext, issue: FakeIssue, comment: FakeComment) {
  return {
    id: comment.id,
    body: comment.body,
    user: userJson(comment.user),
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    html_url: `${repoWeb(ctx)}/issues/${issue.number}#issuecomment-${comment.id}`,
    issue_url: issueJson(ctx, issue).url,
    author_association: "NONE",
  };
}

function findIssue(ctx: RouteContext): FakeIssue | undefined {
  return ctx.state.issues.find((i) => i.number === Number(ctx.params["number"]));
}

function labelNames(labels: unknown): string[] {
  if (!Array.isArray(labels)) return [];
  return labels.map((l) => (typeof l === "string" ? l : String((l as { name?: unknown }).name)));
}

function createIssue(ctx: RouteContext): FakeReply {
  const body = ctx.req.body ?? {};
  if (typeof body.title !== "string" || body.title === "") return invalid("Issue", "title", "missing_field");
  const assignees: string[] = Array.isArray(body.assignees) ? body.assignees : [];
  if (assignees.length > MAX_ASSIGNEES) return invalid("Issue", "assignees", "invalid", "too many assignees (maximum is 10)");
  const at = ctx.now();
  const issue: FakeIssue = {
    id: ctx.nextId(),
    number: ctx.state.issues.length + 1,
    title: body.title,
    body: body.body ?? null,
    state: "open",
    state_reason: null,
    assignees: [...assignees],
    labels: labelNames(body.labels),
    user: ctx.botLogin,
    comments: [],
    created_at: at,
    updated_at: at,
    closed_at: null,
  };
  ctx.state.issues.push(issue);
  return ok(issueJson(ctx, issue), 201);
}

function updateIssue(ctx: RouteContext): FakeReply {
  const issue = findIssue(ctx);
  if (!issue) return notFound();
  const body = ctx.req.body ?? {};
  if (body.state !== undefined && body.state !== "open" && body.state !== "closed") {
    return invalid("Issue", "state", "invalid");
  }
  if (Array.isArray(body.assignees) && body.assignees.length > MAX_ASSIGNEES) {
    return invalid("Issue", "assignees", "invalid", "too many assignees (maximum is 10)");
  }
  if (typeof body.title === "string") issue.title = body.title;
  if (body.body !== undefined) issue.body = body.body;
  if (Array.isArray(body.assignees)) issue.assignees = [...body.assignees];
  if (body.labels !== undefined) issue.labels = labelNames(body.labels);
  if (body.state !== undefined) {
    issue.state = body.state;
    issue.closed_at = body.state === "closed" ? ctx.now() : null;
    issue.state_reason = body.state === "closed" ? (body.state_reason ?? "completed") : (body.state_reason ?? null);
  }
  issue.updated_at = ctx.now();
  return ok(issueJson(ctx, issue));
}

function listComments(ctx: RouteContext): FakeReply {
  const issue = findIssue(ctx);
  if (!issue) return notFound();
  const since = ctx.req.query["since"];
  const comments = issue.comments.filter((c) => since === undefined || c.updated_at >= since);
  return paginate(
    ctx,
    comments.map((c) => commentJson(ctx, issue, c)),
  );
}

function createComment(ctx: RouteContext): FakeReply {
  const issue = findIssue(ctx);
  if (!issue) return notFound();
  const text = ctx.req.body?.body;
  if (typeof text !== "string" || text === "") return invalid("IssueComment", "body", "missing_field");
  const comment = addIssueComment(ctx, issue, ctx.botLogin, text);
  return ok(commentJson(ctx, issue, comment), 201);
}

/** Appends a comment by `login`; also what `fake.addComment` uses. */
export function addIssueComment(ctx: Pick<RouteContext, "nextId" | "now">, issue: FakeIssue, login: string, body: string): FakeComment {
  const at = ctx.now();
  const comment: FakeComment = { id: ctx.nextId(), body, user: login, created_at: at, updated_at: at };
  issue.comments.push(comment);
  issue.updated_at = at;
  return comment;
}

function teamMembers(ctx: RouteContext): FakeReply {
  const team = ctx.state.teams.get(`${ctx.params["org"]}/${ctx.params["slug"]}`);
  if (!team) return notFound();
  if ("status" in team) {
    const message = team.status === 403 ? "Resource not accessible by integration" : "Not Found";
    return { status: team.status, body: { message } };
  }
  return paginate(ctx, team.members.map(userJson));
}

function getUser(ctx: RouteContext): FakeReply {
  const login = ctx.params["login"] ?? "";
  if (ctx.state.missingUsers.has(login.toLowerCase())) return notFound();
  return ok({ ...userJson(login), html_url: `${ctx.serverUrl}/${login}` });
}

const issues = "/repos/:owner/:repo/issues";

export const issueRoutes: readonly Route[] = [
  route("POST", issues, "issues", createIssue),
  route("GET", `${issues}/:number`, "issues", (ctx) => {
    const issue = findIssue(ctx);
    return issue ? ok(issueJson(ctx, issue)) : notFound();
  }),
  route("PATCH", `${issues}/:number`, "issues", updateIssue),
  route("GET", `${issues}/:number/comments`, "issues", listComments),
  route("POST", `${issues}/:number/comments`, "issues", createComment),
  route("GET", "/orgs/:org/teams/:slug/members", "members", teamMembers),
  route("GET", "/users/:login", "metadata", getUser),
];
