import { describe, expect, it } from "vitest";
import { getOctokit } from "@actions/github";
import { GitHubError } from "../../../src/core/errors.js";
import type { PublishRequest } from "../../../src/core/ports.js";
import { TagConflictError } from "../../../src/core/release-plan.js";
import { resolveVersion } from "../../../src/core/version.js";
import { GitHubPublisher } from "../../../src/providers/github/publisher.js";
import { FakeRepo, fakeClient, memoryLogger } from "./fake-github.js";

const SHA = "abc1234000000000000000000000000000000000";
const OLD = "0ld0000000000000000000000000000000000000";
const signal = new AbortController().signal;

function setup(configure: (repo: FakeRepo) => void = () => {}, options: { promotePrerelease?: boolean } = {}) {
  const repo = new FakeRepo();
  repo.commits.add(SHA);
  configure(repo);
  const logger = memoryLogger();
  const publisher = new GitHubPublisher({
    client: fakeClient(repo),
    owner: "o",
    repo: "r",
    logger,
    runUrl: "https://github.test/o/r/actions/runs/1",
    ...options,
  });
  return { repo, publisher, logger };
}

function publishRequest(version: string, overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    release: resolveVersion({ explicit: version, tagPrefix: "v", sha: SHA }),
    productionVersionId: "ver-42",
    productionUrl: "https://example.com",
    promotePrerelease: true,
    floatingTags: false,
    createRelease: true,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("GitHubPublisher.listTags", () => {
  it("reads all 150 tags across pages", async () => {
    const { repo, publisher } = setup((r) => {
      for (let i = 0; i < 150; i++) r.tag(`v1.0.${i}`, SHA);
    });
    const tags = await publisher.listTags(signal);
    expect(tags).toHaveLength(150);
    expect(tags).toContain("v1.0.149");
    expect(repo.requests.filter((r) => r === "GET /repos/o/r/tags")).toHaveLength(2);
  });
});

describe("GitHubPublisher.publish", () => {
  it("creates the tag and a release with generated notes naming the version id", async () => {
    const { repo, publisher } = setup((r) => r.tag("v1.3.0", OLD));
    const result = await publisher.publish(publishRequest("1.4.0"), signal);
    expect(result.releaseTag).toBe("v1.4.0");
    expect(result.actions).toEqual(["created tag v1.4.0 at abc1234", "created release v1.4.0"]);
    expect(result.releaseUrl).toBe("https://github.test/o/r/releases/tag/v1.4.0");
    expect(repo.refs.get("v1.4.0")).toEqual({ type: "commit", sha: SHA });
    const release = repo.releases[0];
    expect(release).toMatchObject({
      tag_name: "v1.4.0",
      name: "v1.4.0",
      prerelease: false,
      make_latest: "true",
      generate_release_notes: true,
    });
    expect(release?.body).toContain("ver-42");
    expect(release?.body).toContain("https://example.com");
    expect(release?.body).toContain("https://github.test/o/r/actions/runs/1");
  });

  it("changes nothing on a second identical run, and succeeds", async () => {
    const { repo, publisher } = setup();
    const request = publishRequest("1.4.0-rc.1", { floatingTags: true });
    await publisher.publish(request, signal);
    const writes = repo.writes().length;
    const second = await publisher.publish(request, signal);
    expect(repo.writes()).toHaveLength(writes);
    expect(second.actions).toEqual([
      "tag v1.4.0-rc.1 already at abc1234",
      "tag v1.4.0 already at abc1234",
      "tag v1 already at abc1234",
      "tag v1.4 already at abc1234",
      "release v1.4.0 already names ver-42",
    ]);
    expect(second.releaseUrl).toBe("https://github.test/o/r/releases/tag/v1.4.0");
  });

  it("promotes an rc and moves floating tags to the commit, not to a tag object", async () => {
    const { repo, publisher } = setup((r) => {
      r.annotatedTag("v1.4.0-rc.1", SHA, "7a90b00000000000000000000000000000000000");
      r.tag("v1", OLD);
    });
    const result = await publisher.publish(publishRequest("1.4.0-rc.1", { floatingTags: true }), signal);
    expect(result.releaseTag).toBe("v1.4.0");
    expect(result.actions).toEqual([
      "tag v1.4.0-rc.1 already at abc1234",
      "created tag v1.4.0 at abc1234",
      "moved v1 → abc1234 (was 0ld0000)",
      "created tag v1.4 at abc1234",
      "created release v1.4.0",
    ]);
    expect(repo.refs.get("v1")).toEqual({ type: "commit", sha: SHA });
    expect(repo.releases.map((r) => r.tag_name)).toEqual(["v1.4.0"]);
  });

  it("marks an unpromoted prerelease's release as a prerelease, not latest", async () => {
    const { repo, publisher } = setup();
    const result = await publisher.publish(publishRequest("2.0.0-rc.1", { promotePrerelease: false }), signal);
    expect(result.releaseTag).toBe("v2.0.0-rc.1");
    expect(repo.refs.has("v2.0.0")).toBe(false);
    expect(repo.releases[0]).toMatchObject({ tag_name: "v2.0.0-rc.1", prerelease: true, make_latest: "false" });
  });

  it("fails on a release tag that exists on another commit, and changes nothing", async () => {
    const { repo, publisher } = setup((r) => r.tag("v1.4.0", OLD));
    const error = await rejection(publisher.publish(publishRequest("1.4.0"), signal));
    expect(error).toBeInstanceOf(TagConflictError);
    expect(error.message).toContain(`Tag v1.4.0 already exists on commit ${OLD}`);
    expect(error.message).toContain(SHA);
    expect(repo.writes()).toEqual([]);
  });

  it("treats a tag created by a concurrent run at the same commit as found", async () => {
    const { repo, publisher } = setup();
    // Another run creates the tag between our read and our create.
    repo.onRequest = (request) => {
      if (request === "POST /repos/o/r/git/refs" && !repo.refs.has("v1.4.0")) repo.tag("v1.4.0", SHA);
    };
    const result = await publisher.publish(publishRequest("1.4.0", { createRelease: false }), signal);
    expect(result.actions).toEqual(["tag v1.4.0 already at abc1234", "no GitHub Release (create-release is false)"]);
  });

  it("fails when a concurrent run created the tag on another commit", async () => {
    const { repo, publisher } = setup();
    repo.onRequest = (request) => {
      if (request === "POST /repos/o/r/git/refs" && !repo.refs.has("v1.4.0")) repo.tag("v1.4.0", OLD);
    };
    const error = await rejection(publisher.publish(publishRequest("1.4.0"), signal));
    expect(error).toBeInstanceOf(TagConflictError);
    expect(repo.releases).toEqual([]);
  });

  it("updates a release a concurrent run created meanwhile", async () => {
    const { repo, publisher } = setup();
    repo.onRequest = (request) => {
      if (request === "POST /repos/o/r/releases" && repo.releases.length === 0) repo.addRelease("v1.4.0", "notes");
    };
    const result = await publisher.publish(publishRequest("1.4.0"), signal);
    expect(result.actions).toContain("updated release v1.4.0");
    expect(repo.releases).toHaveLength(1);
    expect(repo.releases[0]?.body).toContain("ver-42");
    expect(repo.releases[0]?.body).toContain("notes");
  });

  it("updates an existing release that does not name the version id", async () => {
    const { repo, publisher } = setup((r) => {
      r.tag("v1.4.0", SHA);
      r.addRelease("v1.4.0", "## What's Changed\n* a fix");
    });
    const result = await publisher.publish(publishRequest("1.4.0"), signal);
    expect(result.actions).toContain("updated release v1.4.0");
    expect(repo.releases[0]?.body).toContain("ver-42");
    expect(repo.releases[0]?.body).toContain("* a fix");
  });

  it("names contents: write and the workflow line when the token cannot write", async () => {
    const { repo, publisher, logger } = setup((r) => (r.canWrite = false));
    const error = await rejection(publisher.publish(publishRequest("1.4.0"), signal));
    expect(error).toBeInstanceOf(GitHubError);
    expect(error.message).toContain("contents: write");
    expect(error.message).toContain("permissions: { contents: write }");
    expect(error.message).toContain("Resource not accessible by integration");
    expect(repo.refs.size).toBe(0);
    expect(logger.lines.filter((l) => l.includes("created"))).toEqual([]);
  });

  it("logs what was done before a later step fails", async () => {
    const { logger, publisher } = setup((r) => (r.workflowTrap = true));
    await rejection(publisher.publish(publishRequest("1.4.0"), signal));
    expect(logger.lines).toContain("info: created tag v1.4.0 at abc1234");
  });

  it("explains the create-release 404 for changed workflow files", async () => {
    const { publisher } = setup((r) => (r.workflowTrap = true));
    const error = await rejection(publisher.publish(publishRequest("1.4.0"), signal));
    expect(error).toBeInstanceOf(GitHubError);
    expect(error.message).toContain(".github/workflows/");
    expect(error.message).toContain("release-token");
  });
});

describe("GitHubPublisher.prepare", () => {
  it("passes with write access and creates nothing", async () => {
    const { repo, publisher } = setup();
    await publisher.prepare(signal);
    expect(repo.refs.size).toBe(0);
  });

  it("fails before production when GITHUB_TOKEN lacks contents: write", async () => {
    const { publisher } = setup((r) => (r.canWrite = false));
    const error = await rejection(publisher.prepare(signal));
    expect(error).toBeInstanceOf(GitHubError);
    expect(error.message).toContain("permissions: { contents: write }");
  });

  it("uses permissions.push for user tokens", async () => {
    const { repo, publisher } = setup((r) => (r.userPermissions = { push: false }));
    const error = await rejection(publisher.prepare(signal));
    expect(error.message).toContain("cannot push to o/r");
    expect(error.message).toContain("contents: write");
    expect(repo.writes()).toEqual([]);
  });
});

describe("GitHubPublisher.prepare with the release", () => {
  const release = (version: string) => resolveVersion({ explicit: version, tagPrefix: "v", sha: SHA });

  it("passes when the release tag is free, and writes nothing", async () => {
    const { repo, publisher, logger } = setup((r) => r.tag("v1.3.0", OLD));
    await publisher.prepare(signal, release("1.4.0"));
    expect(repo.refs.has("v1.4.0")).toBe(false);
    expect(repo.refs.size).toBe(1);
    expect(logger.lines).toContain("info: Tag v1.4.0: free (created once production is healthy).");
  });

  it("passes when the release tag is already on the commit, through an annotated tag", async () => {
    const { publisher, logger } = setup((r) => r.annotatedTag("v1.4.0", SHA, "7a90b00000000000000000000000000000000000"));
    await publisher.prepare(signal, release("1.4.0"));
    expect(logger.lines).toContain("info: Tag v1.4.0: already at abc1234.");
  });

  it("fails with the TagConflictError when the release tag is on another commit", async () => {
    const { repo, publisher } = setup((r) => r.tag("v1.4.0", OLD));
    const error = await rejection(publisher.prepare(signal, release("1.4.0")));
    expect(error).toBeInstanceOf(TagConflictError);
    expect(error.message).toContain(`Tag v1.4.0 already exists on commit ${OLD}, but this run released commit ${SHA}`);
    expect(repo.refs.get("v1.4.0")).toEqual({ type: "commit", sha: OLD });
    expect(repo.writes().filter((w) => !w.startsWith("POST /repos/o/r/git/refs"))).toEqual([]);
  });

  it("checks the final tag of a prerelease when it will be promoted", async () => {
    const { publisher } = setup((r) => r.tag("v1.4.0", OLD), { promotePrerelease: true });
    const error = await rejection(publisher.prepare(signal, release("1.4.0-rc.1")));
    expect(error).toBeInstanceOf(TagConflictError);
    expect((error as TagConflictError).tag).toBe("v1.4.0");
  });

  it("leaves the final tag alone when promotion is off or unknown", async () => {
    for (const options of [{ promotePrerelease: false }, {}]) {
      const { publisher } = setup((r) => r.tag("v1.4.0", OLD), options);
      await expect(publisher.prepare(signal, release("1.4.0-rc.1"))).resolves.toBeUndefined();
    }
  });

  it("ignores floating tags: they are moved, never in conflict", async () => {
    const { publisher } = setup((r) => {
      r.tag("v1", OLD);
      r.tag("v1.4", OLD);
    });
    await expect(publisher.prepare(signal, release("1.4.0"))).resolves.toBeUndefined();
  });

  it("reports a missing contents: write rather than the tag conflict read beside it", async () => {
    const { repo, publisher } = setup((r) => {
      r.canWrite = false;
      r.tag("v1.4.0", OLD);
    });
    const error = await rejection(publisher.prepare(signal, release("1.4.0")));
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).not.toBeInstanceOf(TagConflictError);
    expect(error.message).toContain("permissions: { contents: write }");
    // The tags were read side by side with the permission check: the conflict was there to report.
    expect(repo.requests.some((r) => r.startsWith("GET /repos/o/r/git/ref/"))).toBe(true);
  });
});

describe("GitHubPublisher.noteRollback", () => {
  it("appends the note once to the release of the tag", async () => {
    const { repo, publisher } = setup((r) => r.addRelease("v1.4.0", "body"));
    await publisher.noteRollback("v1.4.0", "health gate failed", signal);
    await publisher.noteRollback("v1.4.0", "health gate failed", signal);
    expect(repo.releases[0]?.body).toBe("body\n\n> [!WARNING]\n> Rolled back: health gate failed");
  });

  it("does nothing when the tag has no release", async () => {
    const { repo, publisher, logger } = setup();
    await publisher.noteRollback("v9.9.9", "why", signal);
    expect(repo.writes()).toEqual([]);
    expect(logger.lines).toContain("info: No GitHub Release for v9.9.9: nothing to note.");
  });
});

describe("GitHubPublisher.prefetch", () => {
  /** A publisher whose GitHub fails the first `failures` reads of the release by tag (HTTP 502). */
  function failingReleaseReads(failures: number) {
    const repo = new FakeRepo();
    repo.commits.add(SHA);
    let left = failures;
    const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (left > 0 && (init?.method ?? "GET") === "GET" && String(input).includes("/releases/tags/")) {
        left--;
        return new Response(JSON.stringify({ message: "Server Error" }), { status: 502, headers: { "content-type": "application/json" } });
      }
      return repo.fetch(input, init);
    };
    const client = getOctokit("fake-token", { baseUrl: "http://fake", request: { fetch } });
    return { repo, publisher: new GitHubPublisher({ client, owner: "o", repo: "r", logger: memoryLogger() }) };
  }
  const reads = (repo: FakeRepo) => repo.requests.filter((r) => r.startsWith("GET "));

  it("reads during the gate, writes nothing, and publish then only writes", async () => {
    const { repo, publisher } = setup((r) => r.tag("v1.3.0", OLD));
    const request = publishRequest("1.4.0", { floatingTags: true });
    publisher.prefetch(request, signal);
    await new Promise((done) => setTimeout(done, 0));
    const prefetched = reads(repo);
    expect(prefetched).toEqual(
      expect.arrayContaining(["GET /repos/o/r/git/ref/tags/v1.4.0", "GET /repos/o/r/tags", "GET /repos/o/r/releases/tags/v1.4.0"]),
    );
    expect(repo.writes()).toEqual([]);
    const result = await publisher.publish(request, signal);
    expect(reads(repo)).toEqual(prefetched);
    expect(result.actions).toContain("created release v1.4.0");
    expect(repo.refs.get("v1.4.0")).toEqual({ type: "commit", sha: SHA });
  });

  it("is used once and only for the same tags: another release reads afresh", async () => {
    const { repo, publisher } = setup();
    publisher.prefetch(publishRequest("1.4.0"), signal);
    const result = await publisher.publish(publishRequest("1.5.0"), signal);
    expect(result.releaseTag).toBe("v1.5.0");
    expect(reads(repo)).toContain("GET /repos/o/r/git/ref/tags/v1.5.0");
    expect(reads(repo)).toContain("GET /repos/o/r/releases/tags/v1.5.0");
    // Used once: a second publish of the same tags reads again (and finds them already right).
    publisher.prefetch(publishRequest("1.6.0"), signal);
    await publisher.publish(publishRequest("1.6.0"), signal);
    const before = reads(repo).filter((r) => r === "GET /repos/o/r/releases/tags/v1.6.0").length;
    const again = await publisher.publish(publishRequest("1.6.0"), signal);
    expect(reads(repo).filter((r) => r === "GET /repos/o/r/releases/tags/v1.6.0")).toHaveLength(before + 1);
    expect(again.actions).toContain("tag v1.6.0 already at abc1234");
  });

  it("reads again when a prefetched read failed", async () => {
    const { repo, publisher } = failingReleaseReads(1);
    const request = publishRequest("1.4.0");
    publisher.prefetch(request, signal);
    const result = await publisher.publish(request, signal);
    expect(result.actions).toEqual(["created tag v1.4.0 at abc1234", "created release v1.4.0"]);
    expect(reads(repo).filter((r) => r === "GET /repos/o/r/releases/tags/v1.4.0")).toHaveLength(1);
  });
});
