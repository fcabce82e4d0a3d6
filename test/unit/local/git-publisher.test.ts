import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PublishRequest } from "../../../src/core/ports.js";
import { TagConflictError } from "../../../src/core/release-plan.js";
import { resolveVersion } from "../../../src/core/version.js";
import { GitPublisher } from "../../../src/providers/git/publisher.js";
import { GitError } from "../../../src/providers/git/runner.js";
import { memoryLogger } from "../../support/logger.js";
import { tempRepo, type TempRepo } from "./git-repo.js";

const signal = new AbortController().signal;
const repos: TempRepo[] = [];

afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.remove()));
});

async function setup(options: { identity?: boolean } = {}) {
  const repo = await tempRepo(options);
  repos.push(repo);
  const logger = memoryLogger();
  const publisher = new GitPublisher({ cwd: repo.dir, logger, git: repo.runner });
  return { repo, logger, publisher };
}

function request(version: string, sha: string, overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    release: resolveVersion({ explicit: version, tagPrefix: "v", sha }),
    productionVersionId: "ver-42",
    productionUrl: "https://prod.example.test",
    promotePrerelease: true,
    floatingTags: false,
    createRelease: true,
    ...overrides,
  };
}

/** Every ref with what it points at (tag objects included): a snapshot of the repository's state. */
function refs(repo: TempRepo): Promise<string> {
  return repo.git("for-each-ref", "--format=%(refname) %(objecttype) %(objectname)");
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

const short = (sha: string) => sha.slice(0, 7);

describe("GitPublisher.prepare and listTags", () => {
  it("accepts a work tree and refuses a plain directory with a clear error", async () => {
    const { publisher } = await setup();
    await expect(publisher.prepare(signal)).resolves.toBeUndefined();

    const plain = await mkdtemp(join(tmpdir(), "shipline-plain-"));
    try {
      const outside = new GitPublisher({ cwd: plain, logger: memoryLogger(), git: (await setup()).repo.runner });
      const error = await rejection(outside.prepare(signal));
      expect(error).toBeInstanceOf(GitError);
      expect(error.message).toContain(`${plain} is not inside a git work tree`);
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it("lists every tag", async () => {
    const { repo, publisher } = await setup();
    const sha = await repo.commit("one");
    for (const tag of ["v1.0.0", "v1.1.0", "other"]) await repo.git("tag", tag, sha);
    expect((await publisher.listTags(signal)).sort()).toEqual(["other", "v1.0.0", "v1.1.0"]);
  });
});

describe("createGitRunner", () => {
  it("rejects with the abort reason when the call is cancelled", async () => {
    const { publisher } = await setup();
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    controller.abort(reason);
    await expect(publisher.listTags(controller.signal)).rejects.toBe(reason);
  });
});

describe("GitPublisher.publish", () => {
  it("creates an annotated release tag whose message names the Worker version and production URL", async () => {
    const { repo, publisher, logger } = await setup();
    const sha = await repo.commit("feature");
    // A short id is resolved to the full commit.
    const result = await publisher.publish(request("1.4.0", short(sha)), signal);

    expect(result.releaseTag).toBe("v1.4.0");
    expect(result.actions).toEqual([`created tag v1.4.0 at ${short(sha)}`, "created release v1.4.0 (message of the annotated tag)"]);
    expect(logger.lines).toContain(`info: created tag v1.4.0 at ${short(sha)}`);
    expect(await repo.git("cat-file", "-t", "refs/tags/v1.4.0")).toBe("tag");
    expect(await repo.git("rev-parse", "v1.4.0^{commit}")).toBe(sha);
    const message = await repo.git("for-each-ref", "--format=%(contents)", "refs/tags/v1.4.0");
    expect(message).toContain("Worker version: ver-42");
    expect(message).toContain("Production: https://prod.example.test");
    expect(message).toContain(sha);
    // No identity is configured in this repository: the fallback signs the tag.
    expect(await repo.git("for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/v1.4.0")).toBe(
      "shipline <shipline@localhost>",
    );
  });

  it("tags as the configured committer when git has one", async () => {
    const { repo, publisher } = await setup({ identity: true });
    const sha = await repo.commit("feature");
    await publisher.publish(request("1.0.0", sha), signal);
    expect(await repo.git("for-each-ref", "--format=%(taggername)", "refs/tags/v1.0.0")).toBe("Alice Example");
  });

  it("promotes rc → final: keeps the pushed rc tag, creates the final tag and lightweight floating tags", async () => {
    const { repo, publisher } = await setup();
    const old = await repo.commit("1.3.0");
    await repo.git("tag", "v1.3.0", old);
    const sha = await repo.commit("1.4.0 candidate");
    await repo.git("tag", "v1.4.0-rc.1", sha);

    const result = await publisher.publish(request("1.4.0-rc.1", sha, { floatingTags: true }), signal);

    expect(result.releaseTag).toBe("v1.4.0");
    expect(result.actions).toEqual([
      `tag v1.4.0-rc.1 already at ${short(sha)}`,
      `created tag v1.4.0 at ${short(sha)}`,
      `created tag v1 at ${short(sha)}`,
      `created tag v1.4 at ${short(sha)}`,
      "created release v1.4.0 (message of the annotated tag)",
    ]);
    expect(await repo.git("cat-file", "-t", "refs/tags/v1.4.0")).toBe("tag");
    expect(await repo.git("for-each-ref", "--format=%(contents)", "refs/tags/v1.4.0")).toContain("Deployed tag: v1.4.0-rc.1");
    for (const floating of ["v1", "v1.4"]) {
      // Floating tags point at the commit itself, never at a tag object.
      expect(await repo.git("cat-file", "-t", `refs/tags/${floating}`)).toBe("commit");
      expect(await repo.git("rev-parse", `refs/tags/${floating}`)).toBe(sha);
    }
    // The pushed lightweight rc tag is left as it was.
    expect(await repo.git("cat-file", "-t", "refs/tags/v1.4.0-rc.1")).toBe("commit");
  });

  it("moves floating tags forward and holds the major tag below a higher release", async () => {
    const { repo, publisher } = await setup();
    const a = await repo.commit("1.3.0");
    for (const tag of ["v1.3.0", "v1", "v1.3"]) await repo.git("tag", tag, a);
    const b = await repo.commit("1.4.0");
    for (const tag of ["v1.4.0", "v1.4"]) await repo.git("tag", tag, b);
    await repo.git("tag", "--force", "v1", b);
    const c = await repo.commit("1.3.1 hotfix");

    const result = await publisher.publish(request("1.3.1", c, { floatingTags: true }), signal);

    expect(result.actions).toEqual([
      `created tag v1.3.1 at ${short(c)}`,
      "left v1 where it is (1.4.0 is higher than 1.3.1)",
      `moved v1.3 → ${short(c)} (was ${short(a)})`,
      "created release v1.3.1 (message of the annotated tag)",
    ]);
    expect(await repo.git("rev-parse", "refs/tags/v1")).toBe(b);
    expect(await repo.git("rev-parse", "refs/tags/v1.3")).toBe(c);
    expect(await repo.git("cat-file", "-t", "refs/tags/v1.3")).toBe("commit");
  });

  it("changes nothing on a second identical run", async () => {
    const { repo, publisher } = await setup();
    const sha = await repo.commit("feature");
    const req = request("2.0.0-rc.1", sha, { floatingTags: true });
    await publisher.publish(req, signal);
    const before = await refs(repo);

    const again = await publisher.publish(req, signal);

    expect(await refs(repo)).toBe(before);
    expect(again.actions).toEqual([
      `tag v2.0.0-rc.1 already at ${short(sha)}`,
      `tag v2.0.0 already at ${short(sha)}`,
      `tag v2 already at ${short(sha)}`,
      `tag v2.0 already at ${short(sha)}`,
      "release v2.0.0 already names ver-42",
    ]);
  });

  it("refuses a release tag on another commit and touches nothing", async () => {
    const { repo, publisher } = await setup();
    const other = await repo.commit("elsewhere");
    await repo.git("tag", "v1.4.0", other);
    const sha = await repo.commit("feature");
    const before = await refs(repo);

    const error = await rejection(publisher.publish(request("1.4.0", sha, { floatingTags: true }), signal));

    expect(error).toBeInstanceOf(TagConflictError);
    expect(error.message).toContain(`Tag v1.4.0 already exists on commit ${other}`);
    expect(await refs(repo)).toBe(before);
  });

  it("records the release as a git note when the release tag already existed without it", async () => {
    const { repo, publisher } = await setup();
    const sha = await repo.commit("feature");
    await repo.git("tag", "v1.0.0", sha);

    const first = await publisher.publish(request("1.0.0", sha), signal);
    expect(first.actions).toEqual([
      `tag v1.0.0 already at ${short(sha)}`,
      `updated release v1.0.0 (git notes --ref=shipline on ${short(sha)})`,
    ]);
    expect(await repo.git("notes", "--ref=shipline", "show", sha)).toContain("Worker version: ver-42");

    const second = await publisher.publish(request("1.0.0", sha), signal);
    expect(second.actions.at(-1)).toBe("release v1.0.0 already names ver-42");
  });

  it("records no release when create-release is false, but still tags", async () => {
    const { repo, publisher } = await setup();
    const sha = await repo.commit("feature");
    const result = await publisher.publish(request("1.0.0", sha, { createRelease: false }), signal);
    expect(result.actions).toEqual([`created tag v1.0.0 at ${short(sha)}`, "no release (create-release is false)"]);
    expect(await repo.git("rev-parse", "v1.0.0^{commit}")).toBe(sha);
  });

  it("fails clearly when the released commit is not in the repository", async () => {
    const { repo, publisher } = await setup();
    await repo.commit("feature");
    const missing = "1234567890123456789012345678901234567890";
    const error = await rejection(publisher.publish(request("1.0.0", missing), signal));
    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toContain(`Commit ${missing} is not in the repository`);
    expect(await publisher.listTags(signal)).toEqual([]);
  });
});

describe("GitPublisher.noteRollback", () => {
  it("adds the note to the tag's commit once", async () => {
    const { repo, publisher, logger } = await setup();
    const sha = await repo.commit("feature");
    await publisher.publish(request("1.0.0", sha), signal);

    await publisher.noteRollback("v1.0.0", "health gate failed", signal);
    await publisher.noteRollback("v1.0.0", "health gate failed", signal);

    const notes = await repo.git("notes", "--ref=shipline", "show", sha);
    expect(notes.match(/Rolled back v1\.0\.0: health gate failed/g)).toHaveLength(1);
    expect(logger.lines).toContain(`info: Noted the rollback on v1.0.0 (git notes --ref=shipline, commit ${short(sha)}).`);
  });

  it("notes nothing for a tag that does not exist", async () => {
    const { repo, publisher, logger } = await setup();
    await repo.commit("feature");
    await publisher.noteRollback("v9.9.9", "why", signal);
    expect(logger.lines).toContain("info: No tag v9.9.9 in the repository: nothing to note.");
    expect(await repo.git("for-each-ref", "refs/notes")).toBe("");
  });
});
