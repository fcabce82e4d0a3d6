/**
 * Git refs, annotated tag objects and the repository tag list. The fake knows no commit
 * graph, so a non-forced ref update is only accepted when the sha does not change.
 */
import {
  type FakeRef,
  type FakeReply,
  type Route,
  type RouteContext,
  fakeSha,
  isSha,
  notFound,
  ok,
  paginate,
  route,
  unprocessable,
} from "./core.js";

function repoApi(ctx: RouteContext): string {
  return `${ctx.apiUrl}/repos/${ctx.params["owner"]}/${ctx.params["repo"]}`;
}

function refJson(ctx: RouteContext, ref: FakeRef) {
  const kind = ref.type === "tag" ? "tags" : "commits";
  return {
    ref: ref.ref,
    node_id: fakeSha("node", ref.ref).slice(0, 20),
    url: `${repoApi(ctx)}/git/${ref.ref}`,
    object: { sha: ref.sha, type: ref.type, url: `${repoApi(ctx)}/git/${kind}/${ref.sha}` },
  };
}

/** The commit a ref finally points at (through an annotated tag object). */
export function peel(ctx: Pick<RouteContext, "state">, ref: FakeRef): string {
  return ref.type === "tag" ? (ctx.state.tagObjects.get(ref.sha)?.object.sha ?? ref.sha) : ref.sha;
}

/** Stores a ref; a sha that names a tag object makes it an annotated tag ref. */
export function putRef(ctx: Pick<RouteContext, "state">, name: string, sha: string): FakeRef {
  const ref: FakeRef = { ref: name, sha, type: ctx.state.tagObjects.has(sha) ? "tag" : "commit" };
  ctx.state.refs.set(name, ref);
  return ref;
}

/** The fake knows no objects: any sha is taken to exist except the null sha, which never does. */
function isKnownObject(sha: unknown): sha is string {
  return isSha(sha) && !/^0{40}$/.test(sha);
}

function getRef(ctx: RouteContext): FakeReply {
  const ref = ctx.state.refs.get(`refs/${ctx.params["ref"]}`);
  return ref ? ok(refJson(ctx, ref)) : notFound();
}

function matchingRefs(ctx: RouteContext): FakeReply {
  const prefix = `refs/${ctx.params["ref"]}`;
  const refs = [...ctx.state.refs.values()].filter((r) => r.ref.startsWith(prefix));
  refs.sort((a, b) => a.ref.localeCompare(b.ref));
  return paginate(
    ctx,
    refs.map((r) => refJson(ctx, r)),
  );
}

function createRef(ctx: RouteContext): FakeReply {
  const { ref, sha } = ctx.req.body ?? {};
  if (typeof ref !== "string" || !/^refs\/[^/]+\/.+/.test(ref)) {
    return unprocessable("Reference name must start with 'refs/' and have at least two slashes.");
  }
  if (!isKnownObject(sha)) return unprocessable("Object does not exist");
  if (ctx.state.refs.has(ref)) return unprocessable("Reference already exists");
  return ok(refJson(ctx, putRef(ctx, ref, sha)), 201);
}

function updateRef(ctx: RouteContext): FakeReply {
  const name = `refs/${ctx.params["ref"]}`;
  const existing = ctx.state.refs.get(name);
  if (!existing) return unprocessable("Reference does not exist");
  const { sha, force } = ctx.req.body ?? {};
  if (!isKnownObject(sha)) return unprocessable("Object does not exist");
  if (force !== true && sha !== existing.sha) return unprocessable("Update is not a fast forward");
  return ok(refJson(ctx, putRef(ctx, name, sha)));
}

function deleteRef(ctx: RouteContext): FakeReply {
  const name = `refs/${ctx.params["ref"]}`;
  if (!ctx.state.refs.delete(name)) return unprocessable("Reference does not exist");
  return { status: 204 };
}

function createTagObject(ctx: RouteContext): FakeReply {
  const { tag, message, object, type, tagger } = ctx.req.body ?? {};
  if (typeof tag !== "string" || typeof message !== "string") return unprocessable("tag and message are required");
  if (!isSha(object)) return unprocessable("Object does not exist");
  const sha = fakeSha("tag", tag, message, object);
  const tagObject = { sha, tag, message, object: { sha: object, type: type ?? "commit" }, ...(tagger ? { tagger } : {}) };
  ctx.state.tagObjects.set(sha, tagObject);
  return ok(tagObjectJson(ctx, tagObject), 201);
}

function tagObjectJson(ctx: RouteContext, tag: { sha: string; object: { sha: string; type: string } }) {
  return { ...tag, url: `${repoApi(ctx)}/git/tags/${tag.sha}`, object: { ...tag.object, url: "" } };
}

function listTags(ctx: RouteContext): FakeReply {
  const tags = [...ctx.state.refs.values()]
    .filter((r) => r.ref.startsWith("refs/tags/"))
    .sort((a, b) => b.ref.localeCompare(a.ref))
    .map((r) => {
      const name = r.ref.slice("refs/tags/".length);
      const sha = peel(ctx, r);
      return {
        name,
        commit: { sha, url: `${repoApi(ctx)}/commits/${sha}` },
        zipball_url: `${repoApi(ctx)}/zipball/refs/tags/${name}`,
        tarball_url: `${repoApi(ctx)}/tarball/refs/tags/${name}`,
        node_id: fakeSha("node", r.ref).slice(0, 20),
      };
    });
  return paginate(ctx, tags);
}

const git = "/repos/:owner/:repo/git";

export const gitRoutes: readonly Route[] = [
  route("GET", `${git}/ref/:ref*`, "contents", getRef),
  route("GET", `${git}/matching-refs/:ref*`, "contents", matchingRefs),
  route("POST", `${git}/refs`, "contents", createRef),
  route("PATCH", `${git}/refs/:ref*`, "contents", updateRef),
  route("DELETE", `${git}/refs/:ref*`, "contents", deleteRef),
  route("POST", `${git}/tags`, "contents", createTagObject),
  route("GET", `${git}/tags/:sha`, "contents", (ctx) => {
    const tag = ctx.state.tagObjects.get(ctx.params["sha"] ?? "");
    return tag ? ok(tagObjectJson(ctx, tag)) : notFound();
  }),
  route("GET", "/repos/:owner/:repo/tags", "contents", listTags),
  // GITHUB_TOKEN (an installation token) gets no `permissions` field here, unlike a user's token.
  route("GET", "/repos/:owner/:repo", "metadata", (ctx) =>
    ok({
      name: ctx.params["repo"],
      full_name: `${ctx.params["owner"]}/${ctx.params["repo"]}`,
      owner: { login: ctx.params["owner"] },
      default_branch: "main",
      private: false,
    }),
  ),
];
