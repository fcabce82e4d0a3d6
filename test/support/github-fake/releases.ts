/**
 * Releases and generated release notes. Publishing a release whose tag does not exist creates
 * the tag at `target_commitish`, as GitHub does.
 */
import {
  type FakeRelease,
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
  userJson,
} from "./core.js";
import { putRef } from "./git.js";

function releaseJson(ctx: RouteContext, r: FakeRelease) {
  const web = `${ctx.serverUrl}/${ctx.params["owner"]}/${ctx.params["repo"]}`;
  const api = `${ctx.apiUrl}/repos/${ctx.params["owner"]}/${ctx.params["repo"]}`;
  return {
    ...r,
    url: `${api}/releases/${r.id}`,
    html_url: r.draft ? `${web}/releases/tag/untagged-${r.id}` : `${web}/releases/tag/${r.tag_name}`,
    author: userJson(ctx.botLogin),
    assets: [],
    tarball_url: `${api}/tarball/${r.tag_name}`,
    zipball_url: `${api}/zipball/${r.tag_name}`,
  };
}

/** Notes in the shape GitHub generates them, comparing with the previous release. */
function generateNotes(ctx: RouteContext, tag: string, previous?: string): string {
  const web = `${ctx.serverUrl}/${ctx.params["owner"]}/${ctx.params["repo"]}`;
  const prior = previous ?? ctx.state.releases.filter((r) => r.tag_name !== tag && !r.draft).at(-1)?.tag_name;
  const changelog = prior ? `${web}/compare/${prior}...${tag}` : `${web}/commits/${tag}`;
  return `## What's Changed\n* Changes up to ${tag} by @${ctx.botLogin}\n\n**Full Changelog**: ${changelog}`;
}

function findById(ctx: RouteContext): FakeRelease | undefined {
  return ctx.state.releases.find((r) => r.id === Number(ctx.params["id"]));
}

function createRelease(ctx: RouteContext): FakeReply {
  const body = ctx.req.body ?? {};
  const tag = body.tag_name;
  if (typeof tag !== "string" || tag === "") return invalid("Release", "tag_name", "missing_field");
  if (ctx.state.releases.some((r) => r.tag_name === tag && !r.draft)) {
    return invalid("Release", "tag_name", "already_exists");
  }
  const draft = body.draft === true;
  const target = typeof body.target_commitish === "string" ? body.target_commitish : "main";
  let text: string | null = body.body ?? null;
  if (body.generate_release_notes === true) text = [text, generateNotes(ctx, tag)].filter(Boolean).join("\n\n");
  const at = ctx.now();
  const release: FakeRelease = {
    id: ctx.nextId(),
    tag_name: tag,
    target_commitish: target,
    name: body.name ?? null,
    body: text,
    draft,
    prerelease: body.prerelease === true,
    make_latest: body.make_latest,
    created_at: at,
    published_at: draft ? null : at,
  };
  if (!draft) ensureTag(ctx, tag, target);
  ctx.state.releases.push(release);
  return ok(releaseJson(ctx, release), 201);
}

function ensureTag(ctx: RouteContext, tag: string, target: string): void {
  const name = `refs/tags/${tag}`;
  if (!ctx.state.refs.has(name)) putRef(ctx, name, isSha(target) ? target : fakeSha("branch", target));
}

function updateRelease(ctx: RouteContext): FakeReply {
  const release = findById(ctx);
  if (!release) return notFound();
  const body = ctx.req.body ?? {};
  for (const key of ["tag_name", "target_commitish", "name", "body"] as const) {
    if (typeof body[key] === "string") release[key] = body[key];
  }
  if (typeof body.prerelease === "boolean") release.prerelease = body.prerelease;
  if (body.make_latest !== undefined) release.make_latest = body.make_latest;
  if (body.draft === false && release.draft) {
    release.draft = false;
    release.published_at = ctx.now();
    ensureTag(ctx, release.tag_name, release.target_commitish);
  }
  return ok(releaseJson(ctx, release));
}

function byTag(ctx: RouteContext): FakeReply {
  // Drafts have no tag yet as far as this endpoint is concerned.
  const release = ctx.state.releases.find((r) => r.tag_name === ctx.params["tag"] && !r.draft);
  return release ? ok(releaseJson(ctx, release)) : notFound();
}

function latest(ctx: RouteContext): FakeReply {
  const release = ctx.state.releases.filter((r) => !r.draft && !r.prerelease).at(-1);
  return release ? ok(releaseJson(ctx, release)) : notFound();
}

const base = "/repos/:owner/:repo/releases";

export const releaseRoutes: readonly Route[] = [
  route("POST", `${base}/generate-notes`, "contents", (ctx) => {
    const { tag_name: tag, previous_tag_name: previous } = ctx.req.body ?? {};
    if (typeof tag !== "string") return invalid("Release", "tag_name", "missing_field");
    return ok({ name: tag, body: generateNotes(ctx, tag, previous) });
  }),
  route("POST", base, "contents", createRelease),
  route("GET", base, "contents", (ctx) =>
    paginate(
      ctx,
      [...ctx.state.releases].reverse().map((r) => releaseJson(ctx, r)),
    ),
  ),
  route("GET", `${base}/latest`, "contents", latest),
  route("GET", `${base}/tags/:tag*`, "contents", byTag),
  route("GET", `${base}/:id`, "contents", (ctx) => {
    const release = findById(ctx);
    return release ? ok(releaseJson(ctx, release)) : notFound();
  }),
  route("PATCH", `${base}/:id`, "contents", updateRelease),
];
