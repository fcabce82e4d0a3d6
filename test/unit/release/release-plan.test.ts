import { describe, expect, it } from "vitest";
import {
  TagConflictError,
  involvedTags,
  planRelease,
  releaseSection,
  releaseTagSteps,
  withSection,
  type ReleaseObservation,
  type ReleasePlanRequest,
} from "../../../src/core/release-plan.js";
import { resolveVersion } from "../../../src/core/version.js";

const SHA = "1111111111111111111111111111111111111111";
const OTHER = "2222222222222222222222222222222222222222";

function request(version: string, overrides: Partial<ReleasePlanRequest> = {}): ReleasePlanRequest {
  return {
    release: resolveVersion({ explicit: version, tagPrefix: "v", sha: SHA }),
    versionId: "ver-123",
    promotePrerelease: true,
    floatingTags: false,
    createRelease: true,
    productionUrl: "https://example.com",
    ...overrides,
  };
}

function observed(tags: Record<string, string | undefined> = {}, rest: Partial<ReleaseObservation> = {}): ReleaseObservation {
  return { tags, allTags: Object.keys(tags), ...rest };
}

describe("planRelease: release tags", () => {
  it("creates a missing tag at the commit", () => {
    const plan = planRelease(request("1.4.0"), observed());
    expect(plan.releaseTag).toBe("v1.4.0");
    expect(plan.tags).toEqual([{ kind: "create", tag: "v1.4.0", commit: SHA, floating: false }]);
  });

  it("leaves a tag already at the commit", () => {
    const plan = planRelease(request("1.4.0"), observed({ "v1.4.0": SHA }));
    expect(plan.tags).toEqual([{ kind: "keep", tag: "v1.4.0", commit: SHA, floating: false }]);
  });

  it("refuses a release tag on another commit, naming both commits", () => {
    let error: unknown;
    try {
      planRelease(request("1.4.0"), observed({ "v1.4.0": OTHER }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TagConflictError);
    const message = (error as Error).message;
    expect(message).toContain("v1.4.0");
    expect(message).toContain(OTHER);
    expect(message).toContain(SHA);
  });

  it("promotes a prerelease: the final tag on the same commit gets the release", () => {
    const plan = planRelease(request("1.4.0-rc.1"), observed({ "v1.4.0-rc.1": SHA }));
    expect(plan.releaseTag).toBe("v1.4.0");
    expect(plan.tags).toEqual([
      { kind: "keep", tag: "v1.4.0-rc.1", commit: SHA, floating: false },
      { kind: "create", tag: "v1.4.0", commit: SHA, floating: false },
    ]);
    expect(plan.release).toMatchObject({ kind: "create", tag: "v1.4.0", prerelease: false, makeLatest: true });
  });

  it("refuses to promote when the final tag is already on another commit", () => {
    expect(() => planRelease(request("1.4.0-rc.1"), observed({ "v1.4.0-rc.1": SHA, "v1.4.0": OTHER }))).toThrow(TagConflictError);
  });

  it("without promotion, the prerelease tag itself gets a prerelease release", () => {
    const plan = planRelease(request("1.4.0-rc.1", { promotePrerelease: false, floatingTags: true }), observed());
    expect(plan.releaseTag).toBe("v1.4.0-rc.1");
    expect(plan.tags).toEqual([{ kind: "create", tag: "v1.4.0-rc.1", commit: SHA, floating: false }]);
    expect(plan.release).toMatchObject({ kind: "create", tag: "v1.4.0-rc.1", prerelease: true, makeLatest: false });
  });
});

describe("planRelease: floating tags", () => {
  const floating = { floatingTags: true };

  it("creates, moves and leaves v1 and v1.4", () => {
    const plan = planRelease(request("1.4.2", floating), observed({ v1: OTHER, "v1.4": SHA, "v1.4.1": OTHER }));
    expect(plan.tags).toEqual([
      { kind: "create", tag: "v1.4.2", commit: SHA, floating: false },
      { kind: "move", tag: "v1", from: OTHER, commit: SHA },
      { kind: "keep", tag: "v1.4", commit: SHA, floating: true },
    ]);
  });

  it("creates both when absent", () => {
    const plan = planRelease(request("2.0.0", floating), observed());
    expect(plan.tags.slice(1)).toEqual([
      { kind: "create", tag: "v2", commit: SHA, floating: true },
      { kind: "create", tag: "v2.0", commit: SHA, floating: true },
    ]);
  });

  it("never moves a line backwards: a patch of an older minor moves only its minor tag", () => {
    const plan = planRelease(request("1.3.5", floating), observed({ v1: OTHER, "v1.3": OTHER, "v1.4.0": OTHER }));
    expect(plan.tags.slice(1)).toEqual([
      { kind: "hold", tag: "v1", reason: "1.4.0 is higher than 1.3.5" },
      { kind: "move", tag: "v1.3", from: OTHER, commit: SHA },
    ]);
  });

  it("ignores prereleases of a higher version when deciding the line", () => {
    const plan = planRelease(request("1.4.0", floating), observed({ "v1.5.0-rc.1": OTHER, v1: OTHER }));
    expect(plan.tags[1]).toEqual({ kind: "move", tag: "v1", from: OTHER, commit: SHA });
  });

  it("moves floating tags for a promoted prerelease, to the commit", () => {
    const plan = planRelease(request("1.4.0-rc.2", floating), observed({ "v1.4.0-rc.2": SHA, v1: OTHER }));
    expect(plan.tags.map((t) => `${t.kind} ${t.tag}`)).toEqual(["keep v1.4.0-rc.2", "create v1.4.0", "move v1", "create v1.4"]);
  });

  it("lists the tags to read before planning", () => {
    expect(involvedTags(request("1.4.0-rc.2", floating))).toEqual(["v1.4.0-rc.2", "v1.4.0", "v1", "v1.4"]);
    expect(involvedTags(request("1.4.0-rc.2", { ...floating, promotePrerelease: false }))).toEqual(["v1.4.0-rc.2"]);
    expect(involvedTags(request("1.4.0"))).toEqual(["v1.4.0"]);
  });

  it("uses the tag prefix for floating tags", () => {
    const release = resolveVersion({ explicit: "3.1.0", tagPrefix: "release-", sha: SHA });
    const plan = planRelease({ ...request("3.1.0", floating), release }, observed());
    expect(plan.tags.map((t) => t.tag)).toEqual(["release-3.1.0", "release-3", "release-3.1"]);
  });
});

describe("planRelease: the GitHub Release", () => {
  it("creates a release naming the Worker version id and production", () => {
    const plan = planRelease(request("1.4.0", { runUrl: "https://run", environmentUrl: "https://env" }), observed());
    expect(plan.release.kind).toBe("create");
    const body = plan.release.kind === "create" ? plan.release.body : "";
    for (const text of ["ver-123", "https://example.com", "https://run", "https://env", SHA]) expect(body).toContain(text);
  });

  it("is not the latest when a higher final version exists", () => {
    const plan = planRelease(request("1.3.5"), observed({ "v1.4.0": OTHER }));
    expect(plan.release).toMatchObject({ kind: "create", makeLatest: false });
  });

  it("leaves a release that already names the version id", () => {
    const release = { id: 7, tag: "v1.4.0", body: "notes\nver-123" };
    const plan = planRelease(request("1.4.0"), observed({ "v1.4.0": SHA }, { release }));
    expect(plan.release).toEqual({ kind: "keep", tag: "v1.4.0", id: 7 });
  });

  it("updates a release that lacks the version id, keeping what a human wrote", () => {
    const release = { id: 7, tag: "v1.4.0", body: "## What's Changed\n* fix" };
    const plan = planRelease(request("1.4.0"), observed({ "v1.4.0": SHA }, { release }));
    expect(plan.release.kind).toBe("update");
    const body = plan.release.kind === "update" ? plan.release.body : "";
    expect(body).toContain("ver-123");
    expect(body.endsWith("## What's Changed\n* fix")).toBe(true);
  });

  it("skips the release when create-release is false", () => {
    const plan = planRelease(request("1.4.0", { createRelease: false }), observed());
    expect(plan.release).toEqual({ kind: "skip", tag: "v1.4.0" });
  });
});

describe("withSection", () => {
  it("replaces shipline's earlier section instead of stacking a second one", () => {
    const old = releaseSection({ ...request("1.4.0"), versionId: "ver-old" });
    const updated = withSection(`intro\n${old}\nnotes`, releaseSection(request("1.4.0")));
    expect(updated).not.toContain("ver-old");
    expect(updated).toContain("ver-123");
    expect(updated.startsWith("intro\n")).toBe(true);
    expect(updated.endsWith("\nnotes")).toBe(true);
  });
});

describe("releaseTagSteps (checked before deploying)", () => {
  const rc = () => resolveVersion({ explicit: "1.4.0-rc.1", tagPrefix: "v", sha: SHA });

  it("gives the same release-tag steps as the full plan, without floating tags", () => {
    const tags = { "v1.4.0-rc.1": SHA, v1: OTHER };
    const full = planRelease(request("1.4.0-rc.1", { floatingTags: true }), observed(tags));
    expect(releaseTagSteps(rc(), true, tags)).toEqual(full.tags.slice(0, 2));
    expect(releaseTagSteps(rc(), true, tags)).toEqual([
      { kind: "keep", tag: "v1.4.0-rc.1", commit: SHA, floating: false },
      { kind: "create", tag: "v1.4.0", commit: SHA, floating: false },
    ]);
  });

  it("checks the final tag only when the prerelease is promoted", () => {
    expect(() => releaseTagSteps(rc(), true, { "v1.4.0": OTHER })).toThrow(TagConflictError);
    expect(releaseTagSteps(rc(), false, { "v1.4.0": OTHER })).toEqual([
      { kind: "create", tag: "v1.4.0-rc.1", commit: SHA, floating: false },
    ]);
  });

  it("reads exactly the tags involvedTags names when floating tags are off", () => {
    expect(involvedTags({ release: rc(), promotePrerelease: true, floatingTags: false })).toEqual(["v1.4.0-rc.1", "v1.4.0"]);
  });
});
