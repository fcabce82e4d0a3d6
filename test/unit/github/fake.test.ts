// The fake GitHub API, exercised through the real client (which proves the client works too).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubClient, createGitHubClient, httpStatus, rateLimitDelayMs } from "../../../src/providers/github/client.js";
import { type GitHubFake, startGitHubFake } from "../../support/github-fake.js";

const repo = { owner: "acme", repo: "shop" };
const SHA = "a".repeat(40);
const SHA2 = "b".repeat(40);
let fake: GitHubFake;
let gh: GitHubClient;

beforeEach(async () => {
  fake = await startGitHubFake();
  gh = createGitHubClient({ token: "tok-main", baseUrl: fake.url, retryBaseMs: 1 });
});
afterEach(async () => {
  await fake.stop();
});

async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  return promise.then(
    () => 200,
    (error: unknown) => httpStatus(error),
  );
}

describe("deployments", () => {
  const create = (extra: Record<string, unknown> = {}) =>
    gh.rest.repos.createDeployment({ ...repo, ref: SHA, environment: "staging", auto_merge: false, required_contexts: [], ...extra });

  it("creates, lists and records statuses", async () => {
    const created = await create();
    expect(created.status).toBe(201);
    const id = (created.data as { id: number }).id;
    await gh.rest.repos.createDeploymentStatus({ ...repo, deployment_id: id, state: "in_progress" });
    await gh.rest.repos.createDeploymentStatus({ ...repo, deployment_id: id, state: "success", log_url: "https://run" });
    const statuses = await gh.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: id });
    expect(statuses.data.map((s) => s.state)).toEqual(["success", "in_progress"]);
    expect(statuses.data[0]?.target_url).toBe("https://run");
    const listed = await gh.rest.repos.listDeployments({ ...repo, environment: "staging" });
    expect(listed.data.map((d) => d.id)).toEqual([id]);
    expect((await gh.rest.repos.listDeployments({ ...repo, environment: "production" })).data).toEqual([]);
  });

  it("answers 202 without auto_merge:false and 409 without required_contexts:[]", async () => {
    const merged = await gh.rest.repos.createDeployment({ ...repo, ref: SHA, required_contexts: [] });
    expect(merged.status).toBe(202);
    expect(await statusOf(gh.rest.repos.createDeployment({ ...repo, ref: SHA, auto_merge: false }))).toBe(409);
    expect(fake.state.deployments).toHaveLength(0);
  });

  it("rejects descriptions over 140 characters and retires older non-production successes", async () => {
    const first = (await create()).data as { id: number };
    const second = (await create()).data as { id: number };
    const tooLong = gh.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: first.id,
      state: "success",
      description: "x".repeat(141),
    });
    expect(await statusOf(tooLong)).toBe(422);
    await gh.rest.repos.createDeploymentStatus({ ...repo, deployment_id: first.id, state: "success" });
    await gh.rest.repos.createDeploymentStatus({ ...repo, deployment_id: second.id, state: "success" });
    expect(fake.deploymentState(first.id)).toBe("inactive");
    expect(fake.deploymentState(second.id)).toBe("success");
  });
});

describe("issues and comments", () => {
  async function openIssue() {
    const { data } = await gh.rest.issues.create({ ...repo, title: "Approve v1.2.3", assignees: ["alice"] });
    return data.number;
  }

  it("creates, reads and closes an issue, and refuses more than 10 assignees", async () => {
    const number = await openIssue();
    const issue = await gh.rest.issues.get({ ...repo, issue_number: number });
    expect(issue.data.html_url).toBe(`https://github.com/acme/shop/issues/${number}`);
    expect(issue.data.assignees?.map((a) => a.login)).toEqual(["alice"]);
    await gh.rest.issues.update({ ...repo, issue_number: number, state: "closed", state_reason: "not_planned" });
    expect(fake.state.issues[0]).toMatchObject({ state: "closed", state_reason: "not_planned" });
    const eleven = Array.from({ length: 11 }, (_, i) => `user${i}`);
    expect(await statusOf(gh.rest.issues.create({ ...repo, title: "t", assignees: eleven }))).toBe(422);
  });

  it("paginates comments with link headers", async () => {
    const number = await openIssue();
    for (let i = 0; i < 5; i++) fake.addComment(number, `user${i}`, `comment ${i}`);
    const page = await gh.rest.issues.listComments({ ...repo, issue_number: number, per_page: 2 });
    expect(page.headers.link).toContain('rel="next"');
    expect(page.headers.link).toContain('rel="last"');
    const all = await gh.paginate(gh.rest.issues.listComments, { ...repo, issue_number: number, per_page: 2 });
    expect(all.map((c) => c.user?.login)).toEqual(["user0", "user1", "user2", "user3", "user4"]);
    expect(fake.count("GET", `/repos/acme/shop/issues/${number}/comments`)).toBe(4);
  });

  it("answers an unchanged poll with a free 304 and a changed one with 200", async () => {
    const number = await openIssue();
    const first = await gh.rest.issues.listComments({ ...repo, issue_number: number });
    const etag = first.headers.etag ?? "";
    const used = fake.rateLimitUsed;
    const again = gh.rest.issues.listComments({ ...repo, issue_number: number, headers: { "if-none-match": etag } });
    expect(await statusOf(again)).toBe(304);
    expect(fake.rateLimitUsed).toBe(used);
    fake.addComment(number, "alice", "approve");
    const changed = await gh.rest.issues.listComments({ ...repo, issue_number: number, headers: { "if-none-match": etag } });
    expect(changed.data.map((c) => c.body)).toEqual(["approve"]);
    expect(fake.rateLimitUsed).toBe(used + 1);
  });

  it("lets a hook script comments that arrive on the third poll", async () => {
    const number = await openIssue();
    let polls = 0;
    fake.onRequest((req) => {
      if (req.method === "GET" && req.path.endsWith("/comments") && ++polls === 3) fake.addComment(number, "bob", "lgtm");
    });
    const bodies: number[] = [];
    for (let i = 0; i < 3; i++) bodies.push((await gh.rest.issues.listComments({ ...repo, issue_number: number })).data.length);
    expect(bodies).toEqual([0, 0, 1]);
  });
});

describe("teams and users", () => {
  it("paginates team members and can refuse them", async () => {
    const members = Array.from({ length: 150 }, (_, i) => `member${i}`);
    fake.setTeam("acme", "ops", members);
    const listed = await gh.paginate(gh.rest.teams.listMembersInOrg, { org: "acme", team_slug: "ops", per_page: 100 });
    expect(listed).toHaveLength(150);
    fake.failTeam("acme", "ops", 403);
    expect(await statusOf(gh.rest.teams.listMembersInOrg({ org: "acme", team_slug: "ops" }))).toBe(403);
    expect(await statusOf(gh.rest.teams.listMembersInOrg({ org: "acme", team_slug: "nope" }))).toBe(404);
  });

  it("knows every user except removed ones", async () => {
    expect((await gh.rest.users.getByUsername({ username: "alice" })).data.login).toBe("alice");
    fake.removeUser("ghost");
    expect(await statusOf(gh.rest.users.getByUsername({ username: "ghost" }))).toBe(404);
  });
});

describe("git refs and tags", () => {
  it("creates, reads, lists and moves tag refs", async () => {
    await gh.rest.git.createRef({ ...repo, ref: "refs/tags/v1.2.3", sha: SHA });
    await gh.rest.git.createRef({ ...repo, ref: "refs/tags/v1", sha: SHA });
    expect((await gh.rest.git.getRef({ ...repo, ref: "tags/v1.2.3" })).data.object.sha).toBe(SHA);
    expect(await statusOf(gh.rest.git.getRef({ ...repo, ref: "tags/v9" }))).toBe(404);
    expect(await statusOf(gh.rest.git.createRef({ ...repo, ref: "refs/tags/v1", sha: SHA2 }))).toBe(422);
    const matching = await gh.rest.git.listMatchingRefs({ ...repo, ref: "tags/v1." });
    expect(matching.data.map((r) => r.ref)).toEqual(["refs/tags/v1.2.3"]);
    expect(await statusOf(gh.rest.git.updateRef({ ...repo, ref: "tags/v1", sha: SHA2 }))).toBe(422);
    await gh.rest.git.updateRef({ ...repo, ref: "tags/v1", sha: SHA2, force: true });
    expect(fake.state.refs.get("refs/tags/v1")?.sha).toBe(SHA2);
  });

  it("makes annotated tags and lists tags peeled, at most 100 per page", async () => {
    const tag = await gh.rest.git.createTag({ ...repo, tag: "v2.0.0", message: "v2.0.0", object: SHA, type: "commit" });
    await gh.rest.git.createRef({ ...repo, ref: "refs/tags/v2.0.0", sha: tag.data.sha });
    expect((await gh.rest.git.getTag({ ...repo, tag_sha: tag.data.sha })).data.object.sha).toBe(SHA);
    expect((await gh.rest.git.getRef({ ...repo, ref: "tags/v2.0.0" })).data.object.type).toBe("tag");
    for (let i = 0; i < 120; i++) fake.state.refs.set(`refs/tags/t${i}`, { ref: `refs/tags/t${i}`, sha: SHA2, type: "commit" });
    const page = await gh.rest.repos.listTags({ ...repo, per_page: 500 });
    expect(page.data).toHaveLength(100);
    const all = await gh.paginate(gh.rest.repos.listTags, { ...repo, per_page: 100 });
    expect(all).toHaveLength(121);
    expect(all.find((t) => t.name === "v2.0.0")?.commit.sha).toBe(SHA);
  });
});

describe("releases", () => {
  it("creates a release with generated notes, its tag, and refuses a duplicate", async () => {
    expect(await statusOf(gh.rest.repos.getReleaseByTag({ ...repo, tag: "v1.0.0" }))).toBe(404);
    const created = await gh.rest.repos.createRelease({
      ...repo,
      tag_name: "v1.0.0",
      target_commitish: SHA,
      body: "Worker version abc",
      generate_release_notes: true,
    });
    expect(created.data.body).toMatch(/^Worker version abc\n\n## What's Changed/);
    expect(fake.state.refs.get("refs/tags/v1.0.0")?.sha).toBe(SHA);
    expect((await gh.rest.repos.getReleaseByTag({ ...repo, tag: "v1.0.0" })).data.id).toBe(created.data.id);
    expect(await statusOf(gh.rest.repos.createRelease({ ...repo, tag_name: "v1.0.0" }))).toBe(422);
    await gh.rest.repos.updateRelease({ ...repo, release_id: created.data.id, body: "rolled back" });
    expect((await gh.rest.repos.listReleases(repo)).data[0]?.body).toBe("rolled back");
    const notes = await gh.rest.repos.generateReleaseNotes({ ...repo, tag_name: "v1.1.0" });
    expect(notes.data.body).toContain("compare/v1.0.0...v1.1.0");
  });
});

describe("rate limits, faults, permissions and the request log", () => {
  it("sends rate-limit headers and refuses requests over budget", async () => {
    await fake.stop();
    fake = await startGitHubFake({ rateLimit: 2 });
    gh = createGitHubClient({ token: "tok", baseUrl: fake.url, retryBaseMs: 1 });
    const first = await gh.rest.users.getByUsername({ username: "a" });
    expect(first.headers["x-ratelimit-limit"]).toBe("2");
    expect(first.headers["x-ratelimit-remaining"]).toBe("1");
    await gh.rest.users.getByUsername({ username: "b" });
    const refused = await gh.rest.users.getByUsername({ username: "c" }).catch((e: unknown) => e);
    expect(httpStatus(refused)).toBe(403);
    const reset = Number((refused as { response: { headers: Record<string, string> } }).response.headers["x-ratelimit-reset"]);
    expect(rateLimitDelayMs(refused, reset * 1000 - 5000)).toBe(5000);
    expect(fake.rateLimitUsed).toBe(2);
  });

  it("injects faults a limited number of times, which the client retries", async () => {
    fake.faults.add({ method: "GET", path: "/users/alice", status: 502, times: 2 });
    expect((await gh.rest.users.getByUsername({ username: "alice" })).status).toBe(200);
    expect(fake.count("GET", "/users/alice")).toBe(3);
  });

  it("answers a secondary rate limit with retry-after, which the client leaves to its caller", async () => {
    fake.faults.add({
      path: /^\/repos\/acme\/shop\/issues\/\d+\/comments$/,
      status: 403,
      headers: { "retry-after": "60" },
      body: { message: "You have exceeded a secondary rate limit." },
      times: 1,
    });
    const error = await gh.rest.issues.listComments({ ...repo, issue_number: 1 }).catch((e: unknown) => e);
    expect(rateLimitDelayMs(error, 0)).toBe(60_000);
    expect(fake.requests).toHaveLength(1);
  });

  it("refuses a family of endpoints, for every token or one", async () => {
    fake.denyPermission("deployments", { token: "tok-main" });
    const other = createGitHubClient({ token: "tok-other", baseUrl: fake.url });
    const attempt = (client: GitHubClient) =>
      client.rest.repos.createDeployment({ ...repo, ref: SHA, auto_merge: false, required_contexts: [] });
    const refused = await attempt(gh).catch((e: unknown) => e);
    expect(httpStatus(refused)).toBe(403);
    expect((refused as Error).message).toContain("Resource not accessible by integration");
    expect((await attempt(other)).status).toBe(201);
    fake.denyPermission("contents", { access: "write" });
    expect(await statusOf(gh.rest.repos.listTags(repo))).toBe(200);
    expect(await statusOf(gh.rest.git.createRef({ ...repo, ref: "refs/tags/v1", sha: SHA }))).toBe(403);
    fake.allowPermission();
    expect(await statusOf(attempt(gh))).toBe(200);
  });

  it("logs method, path, query, body and headers, and can be limited to one repository", async () => {
    await gh.rest.issues.createComment({ ...repo, issue_number: 7, body: "hi" }).catch(() => undefined);
    await gh.rest.repos.listTags({ ...repo, per_page: 5 });
    expect(fake.requests[0]).toMatchObject({
      method: "POST",
      path: "/repos/acme/shop/issues/7/comments",
      body: { body: "hi" },
      token: "tok-main",
    });
    expect(fake.requests[0]?.headers["authorization"]).toBe("token tok-main");
    expect(fake.requests[1]?.query).toEqual({ per_page: "5" });
    await fake.stop();
    fake = await startGitHubFake({ repository: "acme/shop" });
    gh = createGitHubClient({ token: "tok", baseUrl: fake.url });
    expect(await statusOf(gh.rest.repos.listTags({ owner: "acme", repo: "other" }))).toBe(404);
    expect(await statusOf(gh.rest.repos.listTags(repo))).toBe(200);
  });
});
