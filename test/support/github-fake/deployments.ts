/**
 * Deployments and deployment statuses. Stricter than GitHub on two defaults, so a client that
 * forgets them is caught: without `auto_merge: false` the fake answers 202 (as GitHub does when
 * it merges the default branch in), and without `required_contexts: []` it answers 409 (as
 * GitHub does when commit statuses are not all green). The null SHA is the one unknown commit.
 */
import {
  type FakeDeployment,
  type FakeReply,
  type Route,
  type RouteContext,
  fakeSha,
  invalid,
  isSha,
  notFound,
  ok,
  paginate,
  route,
  unprocessable,
  userJson,
} from "./core.js";

const STATES = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];

function deploymentJson(ctx: RouteContext, d: FakeDeployment) {
  const url = `${ctx.apiUrl}/repos/${ctx.params["owner"]}/${ctx.params["repo"]}/deployments/${d.id}`;
  const { statuses: _statuses, creator, ...fields } = d;
  return { ...fields, url, statuses_url: `${url}/statuses`, creator: userJson(creator), updated_at: d.created_at };
}

function find(ctx: RouteContext): FakeDeployment | undefined {
  return ctx.state.deployments.find((d) => d.id === Number(ctx.params["id"]));
}

function create(ctx: RouteContext): FakeReply {
  const body = ctx.req.body ?? {};
  if (typeof body.ref !== "string" || body.ref === "") return invalid("Deployment", "ref", "missing_field");
  if (/^0{40}$/.test(body.ref)) return unprocessable(`No ref found for: ${body.ref}`);
  if (body.auto_merge !== false) return ok({ message: "Auto-merged main into the ref." }, 202);
  if (!Array.isArray(body.required_contexts) || body.required_contexts.length > 0) {
    return { status: 409, body: { message: "Conflict: Commit status checks failed for " + body.ref } };
  }
  const environment = typeof body.environment === "string" ? body.environment : "production";
  const deployment: FakeDeployment = {
    id: ctx.nextId(),
    ref: body.ref,
    sha: isSha(body.ref) ? body.ref : fakeSha("ref", body.ref),
    environment,
    description: body.description ?? null,
    production_environment: body.production_environment ?? environment === "production",
    transient_environment: body.transient_environment ?? false,
    task: body.task ?? "deploy",
    payload: body.payload ?? {},
    creator: ctx.botLogin,
    created_at: ctx.now(),
    statuses: [],
  };
  ctx.state.deployments.push(deployment);
  return ok(deploymentJson(ctx, deployment), 201);
}

function list(ctx: RouteContext): FakeReply {
  const { environment, sha, ref, task } = ctx.req.query;
  const matches = ctx.state.deployments
    .filter((d) => (environment === undefined || d.environment === environment) && (sha === undefined || d.sha === sha))
    .filter((d) => (ref === undefined || d.ref === ref) && (task === undefined || d.task === task))
    .reverse();
  return paginate(
    ctx,
    matches.map((d) => deploymentJson(ctx, d)),
  );
}

function statusJson(ctx: RouteContext, d: FakeDeployment, s: FakeDeployment["statuses"][number]) {
  const deploymentUrl = deploymentJson(ctx, d).url;
  return {
    ...s,
    url: `${deploymentUrl}/statuses/${s.id}`,
    deployment_url: deploymentUrl,
    target_url: s.log_url,
    environment: d.environment,
    creator: userJson(ctx.botLogin),
  };
}

function createStatus(ctx: RouteContext): FakeReply {
  const deployment = find(ctx);
  if (!deployment) return notFound();
  const body = ctx.req.body ?? {};
  if (!STATES.includes(body.state)) return invalid("DeploymentStatus", "state", "invalid");
  const description = typeof body.description === "string" ? body.description : "";
  if (Array.from(description).length > 140) {
    return invalid("DeploymentStatus", "description", "custom", "description is too long (maximum is 140 characters)");
  }
  const status = {
    id: ctx.nextId(),
    state: body.state as string,
    description,
    environment_url: body.environment_url ?? "",
    log_url: body.log_url ?? body.target_url ?? "",
    created_at: ctx.now(),
  };
  deployment.statuses.push(status);
  if (status.state === "success" && body.auto_inactive !== false) autoInactivate(ctx, deployment);
  return ok(statusJson(ctx, deployment, status), 201);
}

/** GitHub's rule: a success retires earlier non-transient, non-production successes of the environment. */
function autoInactivate(ctx: RouteContext, active: FakeDeployment): void {
  for (const d of ctx.state.deployments) {
    if (d === active || d.environment !== active.environment) continue;
    if (d.production_environment || d.transient_environment || d.statuses.at(-1)?.state !== "success") continue;
    d.statuses.push({
      id: ctx.nextId(),
      state: "inactive",
      description: "",
      environment_url: "",
      log_url: "",
      created_at: ctx.now(),
    });
  }
}

function listStatuses(ctx: RouteContext): FakeReply {
  const deployment = find(ctx);
  if (!deployment) return notFound();
  return paginate(
    ctx,
    [...deployment.statuses].reverse().map((s) => statusJson(ctx, deployment, s)),
  );
}

const base = "/repos/:owner/:repo/deployments";

export const deploymentRoutes: readonly Route[] = [
  route("POST", base, "deployments", create),
  route("GET", base, "deployments", list),
  route("GET", `${base}/:id`, "deployments", (ctx) => {
    const deployment = find(ctx);
    return deployment ? ok(deploymentJson(ctx, deployment)) : notFound();
  }),
  route("POST", `${base}/:id/statuses`, "deployments", createStatus),
  route("GET", `${base}/:id/statuses`, "deployments", listStatuses),
];
