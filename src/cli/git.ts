/**
 * What the CLI reads from the local repository in place of GitHub's `GITHUB_SHA` and
 * `GITHUB_REF`: the commit at HEAD, and a release tag pointing at it.
 */
import semver from "semver";
import { GitRepo } from "../providers/git/repo.js";
import { createGitRunner } from "../providers/git/runner.js";
import { parseReleaseTag } from "../core/version.js";

/** The commit and release tag of a working directory (empty when it is not a git work tree). */
export interface GitFacts {
  readonly isRepository: boolean;
  /** Full commit id of HEAD, when there is one. */
  readonly sha?: string;
  /** `refs/tags/<tag>` of the highest release tag (with `prefix`) at HEAD, when there is one. */
  readonly ref?: string;
}

/** Reads HEAD and the release tags at HEAD of the repository holding `dir`. */
export async function readGitFacts(dir: string, tagPrefix: string): Promise<GitFacts> {
  const repo = new GitRepo(dir, createGitRunner());
  let isRepository: boolean;
  try {
    isRepository = await repo.isWorkTree();
  } catch {
    return { isRepository: false }; // no git on PATH: run without tags
  }
  if (!isRepository) return { isRepository };
  const sha = await repo.commitOf("HEAD");
  if (!sha) return { isRepository };
  const listed = await repo.run(["tag", "--points-at", "HEAD"]);
  const tags =
    listed.exitCode === 0
      ? listed.stdout
          .split("\n")
          .map((t) => t.trim())
          .filter(Boolean)
      : [];
  const tag = highestReleaseTag(tags, tagPrefix);
  return { isRepository, sha, ...(tag ? { ref: `refs/tags/${tag}` } : {}) };
}

/** The release tag with the highest version among `tags` (non-release tags ignored). */
export function highestReleaseTag(tags: readonly string[], prefix: string): string | undefined {
  const releases = tags.flatMap((tag) => {
    const version = parseReleaseTag(tag, prefix);
    return version === undefined ? [] : [{ tag, version }];
  });
  releases.sort((a, b) => semver.rcompare(a.version, b.version));
  return releases[0]?.tag;
}
