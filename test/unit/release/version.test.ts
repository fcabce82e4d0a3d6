import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import { nextVersion, parseReleaseTag, resolveVersion } from "../../../src/core/version.js";

const sha = "a".repeat(40);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseReleaseTag", () => {
  it.each([
    ["v1.2.3", "v", "1.2.3"],
    ["v1.4.0-rc.1", "v", "1.4.0-rc.1"],
    ["v1.2.3+build.5", "v", "1.2.3+build.5"],
    ["1.2.3", "", "1.2.3"],
    ["release-2.0.0", "release-", "2.0.0"],
    ["v0.0.0", "v", "0.0.0"],
  ])("%s with prefix %j is %s", (tag, prefix, version) => {
    expect(parseReleaseTag(tag, prefix)).toBe(version);
  });

  it.each([
    ["v1.2", "v"],
    ["v1.2.3.4", "v"],
    ["release-1", "v"],
    ["v01.2.3", "v"],
    ["v1.02.3", "v"],
    ["v1.2.3-rc.01", "v"],
    ["vv1.2.3", "v"],
    ["=1.2.3", ""],
    ["v1.2.3", ""],
    ["1.2.3", "v"],
    ["v 1.2.3", "v"],
    ["v1.2.3-", "v"],
    ["v99999999999999999.0.0", "v"],
  ])("%s with prefix %j is not a release tag", (tag, prefix) => {
    expect(parseReleaseTag(tag, prefix)).toBeUndefined();
  });
});

describe("nextVersion", () => {
  it.each([
    ["patch", "0.0.1"],
    ["minor", "0.1.0"],
    ["major", "1.0.0"],
    ["prerelease", "0.0.1-rc.0"],
  ] as const)("starts from 0.0.0 without tags: %s → %s", (bump, expected) => {
    expect(nextVersion([], "v", bump)).toBe(expected);
  });

  it.each([
    ["patch", "1.2.4"],
    ["minor", "1.3.0"],
    ["major", "2.0.0"],
    ["prerelease", "1.2.4-rc.0"],
  ] as const)("bumps the highest tag 1.2.3: %s → %s", (bump, expected) => {
    expect(nextVersion(["v1.0.0", "v1.2.3", "v1.1.9"], "v", bump)).toBe(expected);
  });

  it("continues a release candidate", () => {
    const tags = ["v1.2.3", "v1.3.0-rc.1", "v1.3.0-rc.0"];
    expect(nextVersion(tags, "v", "prerelease")).toBe("1.3.0-rc.2");
    expect(nextVersion(tags, "v", "patch")).toBe("1.3.0");
    expect(nextVersion(tags, "v", "major")).toBe("2.0.0");
  });

  it("compares by semver precedence, not by text", () => {
    expect(nextVersion(["v1.9.0", "v1.10.0", "v1.10.0-rc.9"], "v", "patch")).toBe("1.10.1");
    expect(nextVersion(["v2.0.0-rc.2", "v2.0.0-rc.10"], "v", "prerelease")).toBe("2.0.0-rc.11");
  });

  it("ignores junk tags and tags with another prefix", () => {
    const tags = ["latest", "v9", "v9.9", "v9.9.9.9", "release-9.0.0", "9.0.0", "v01.0.0", "v1.0.0"];
    expect(nextVersion(tags, "v", "minor")).toBe("1.1.0");
    expect(nextVersion(tags, "release-", "patch")).toBe("9.0.1");
    expect(nextVersion(tags, "", "patch")).toBe("9.0.1");
  });

  it("reads every tag, not only the first hundred", () => {
    const tags = Array.from({ length: 150 }, (_, i) => `v1.0.${i}`);
    expect(nextVersion(tags, "v", "patch")).toBe("1.0.150");
    expect(nextVersion(tags.reverse(), "v", "patch")).toBe("1.0.150");
  });
});

describe("resolveVersion", () => {
  it.each([
    ["v1.2.3", "1.2.3"],
    ["1.2.3", "1.2.3"],
    [" v1.2.3 ", "1.2.3"],
  ])("takes the version input %j", (explicit, version) => {
    const release = resolveVersion({ explicit, tagPrefix: "v", sha, ref: "refs/tags/v9.9.9", bump: "major" });
    expect(release).toEqual({ version, tag: "v1.2.3", finalTag: "v1.2.3", prerelease: false, source: "input", sha });
  });

  it("resolves a prerelease input to its final tag", () => {
    const release = resolveVersion({ explicit: "v1.2.3-rc.1", tagPrefix: "v", sha });
    expect(release).toMatchObject({ version: "1.2.3-rc.1", tag: "v1.2.3-rc.1", finalTag: "v1.2.3", prerelease: true });
  });

  it("accepts the version input with a custom prefix, a v, or none", () => {
    for (const explicit of ["release-2.0.0", "v2.0.0", "2.0.0"]) {
      expect(resolveVersion({ explicit, tagPrefix: "release-", sha }).tag).toBe("release-2.0.0");
    }
    expect(resolveVersion({ explicit: "2.0.0", tagPrefix: "", sha }).tag).toBe("2.0.0");
  });

  it("takes the tag of GITHUB_REF when there is no input", () => {
    const release = resolveVersion({ ref: "refs/tags/v1.4.0-rc.1", tagPrefix: "v", sha, bump: "patch" });
    expect(release).toEqual({
      version: "1.4.0-rc.1",
      tag: "v1.4.0-rc.1",
      finalTag: "v1.4.0",
      prerelease: true,
      source: "ref",
      sha,
    });
  });

  it("takes tags with an empty or custom prefix", () => {
    expect(resolveVersion({ ref: "refs/tags/1.2.3", tagPrefix: "", sha }).tag).toBe("1.2.3");
    expect(resolveVersion({ ref: "refs/tags/release-1.2.3-beta.2", tagPrefix: "release-", sha })).toMatchObject({
      version: "1.2.3-beta.2",
      finalTag: "release-1.2.3",
    });
  });

  it("bumps on a branch", () => {
    const release = resolveVersion({
      ref: "refs/heads/main",
      bump: "minor",
      tagPrefix: "v",
      sha,
      existingTags: ["v1.2.3", "junk", "v2.0.0-rc.1", "v1.10.0"],
    });
    expect(release).toMatchObject({ version: "2.0.0", tag: "v2.0.0", source: "bump", prerelease: false });
  });

  it("bumps a prerelease from no tags", () => {
    const release = resolveVersion({ bump: "prerelease", tagPrefix: "v", sha });
    expect(release).toMatchObject({ version: "0.0.1-rc.0", tag: "v0.0.1-rc.0", finalTag: "v0.0.1", prerelease: true });
  });

  it("rejects a branch without bump, naming the ref and what is accepted", () => {
    const error = configError(() => resolveVersion({ ref: "refs/heads/main", tagPrefix: "v", sha }));
    expect(error.key).toBe("version");
    expect(error.message).toContain("refs/heads/main");
    expect(error.message).toContain("bump");
    expect(error.message).toContain("v1.2.3");
  });

  it("rejects a run with no ref at all", () => {
    expect(configError(() => resolveVersion({ tagPrefix: "v", sha })).message).toContain("GITHUB_REF is not set");
  });

  it.each(["v1.2", "v1.2.3.4", "release-1", "v01.2.3", "1.2.3"])("rejects the tag ref %s", (tag) => {
    const error = configError(() => resolveVersion({ ref: `refs/tags/${tag}`, tagPrefix: "v", sha, bump: "patch" }));
    expect(error.key).toBe("GITHUB_REF");
    expect(error.message).toContain(`"${tag}"`);
    expect(error.message).toContain("strict semver");
  });

  it.each(["1.2", "v1.2.3.4", "latest", "01.2.3", "x1.2.3"])("rejects the version input %s", (explicit) => {
    const error = configError(() => resolveVersion({ explicit, tagPrefix: "v", sha }));
    expect(error.key).toBe("version");
    expect(error.message).toContain(`"${explicit}"`);
    expect(error.message).toContain("1.4.0-rc.1");
  });

  it("rejects an unknown bump", () => {
    const error = configError(() => resolveVersion({ bump: "huge" as never, tagPrefix: "v", sha }));
    expect(error.key).toBe("bump");
    expect(error.message).toContain("major, minor, patch, prerelease");
  });
});
