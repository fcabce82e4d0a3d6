/**
 * Version resolution (SPEC section 5, Version): which release a run ships, from the `version`
 * input, the tag in `GITHUB_REF`, or `bump` over the repository's existing tags. Pure.
 *
 * Decisions:
 * - "Strict semver" is the grammar of semver.org 2.0.0 (no leading zeros, exactly three numeric
 *   parts, optional `-prerelease` and `+build`). Nothing loose: `v1.2`, `1.2.3.4`, `01.2.3` fail.
 * - The `version` input may carry the prefix, a `v`, or neither; the tag is always prefix + semver.
 * - A tag ref is always treated as a release tag: one that is not prefix + strict semver is an
 *   error, even when `bump` is set (a tag push with a junk tag is a mistake worth stopping on).
 * - `bump: prerelease` uses the identifier `rc` (`1.2.3` → `1.2.4-rc.0`, `1.3.0-rc.1` → `1.3.0-rc.2`).
 *   `patch`/`minor`/`major` follow semver's `inc`, so from `1.3.0-rc.1` patch and minor give
 *   `1.3.0` (the release the candidate was for).
 * - No matching tags: bump starts from `0.0.0`.
 */
import semver from "semver";
import { ConfigError } from "./errors.js";
import type { BumpKind, ReleaseVersion } from "./types.js";

/** Prerelease identifier `bump: prerelease` uses. */
export const PRERELEASE_ID = "rc";

// semver.org 2.0.0 grammar, anchored. Written out so that `v`, `=` and spaces are never accepted.
const NUM = "(?:0|[1-9]\\d*)";
const PRE_ID = "(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)";
const BUILD_ID = "[0-9a-zA-Z-]+";
const STRICT_SEMVER = new RegExp(`^${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`);

const ACCEPTED = "strict semver such as 1.2.3 or 1.4.0-rc.1";
const BUMPS: readonly BumpKind[] = ["major", "minor", "patch", "prerelease"];

export interface ResolveVersionInput {
  /** `version` input as the user wrote it. */
  readonly explicit?: string;
  /** `GITHUB_REF`, e.g. `refs/tags/v1.2.3` or `refs/heads/main`. */
  readonly ref?: string;
  readonly bump?: BumpKind;
  readonly tagPrefix: string;
  readonly sha: string;
  /** Every tag of the repository (needed for `bump` only). */
  readonly existingTags?: readonly string[];
}

/** Whether `text` is strict semver (semver.org grammar, within the semver library's limits). */
export function isStrictSemver(text: string): boolean {
  return STRICT_SEMVER.test(text) && semver.parse(text) !== null;
}

/** The semver of a release tag (`v1.2.3` → `1.2.3`), or undefined when it is not prefix + strict semver. */
export function parseReleaseTag(tag: string, prefix: string): string | undefined {
  if (!tag.startsWith(prefix)) return undefined;
  const rest = tag.slice(prefix.length);
  return isStrictSemver(rest) ? rest : undefined;
}

/** The prefix of a resolved release (`v` for tag `v1.2.3`, version `1.2.3`). */
export function releasePrefix(release: Pick<ReleaseVersion, "tag" | "version">): string {
  return release.tag.slice(0, release.tag.length - release.version.length);
}

/** The highest strict-semver version among `tags` with `prefix`; others are ignored. */
export function highestVersion(
  tags: readonly string[],
  prefix: string,
  filter: (version: string) => boolean = () => true,
): string | undefined {
  let best: string | undefined;
  for (const tag of tags) {
    const version = parseReleaseTag(tag, prefix);
    if (version === undefined || !filter(version)) continue;
    if (best === undefined || semver.gt(version, best)) best = version;
  }
  return best;
}

/** The version after the highest release tag with `prefix` (from `0.0.0` when there is none). */
export function nextVersion(existingTags: readonly string[], prefix: string, bump: BumpKind): string {
  const base = highestVersion(existingTags, prefix) ?? "0.0.0";
  const next = bump === "prerelease" ? semver.inc(base, "prerelease", PRERELEASE_ID) : semver.inc(base, bump);
  // inc only fails on an invalid base, which highestVersion never returns.
  if (next === null) throw new ConfigError("bump", `bump: cannot apply "${bump}" to ${base}.`);
  return next;
}

/** Resolves the release of this run: `explicit`, else a tag ref, else `bump` (SPEC section 5). */
export function resolveVersion(input: ResolveVersionInput): ReleaseVersion {
  const { tagPrefix: prefix, sha } = input;
  const explicit = input.explicit?.trim();
  if (explicit) return build(fromExplicit(explicit, prefix), prefix, sha, "input");

  const tag = tagOfRef(input.ref);
  if (tag !== undefined) return build(fromRefTag(tag, prefix), prefix, sha, "ref");

  if (input.bump !== undefined) {
    if (!BUMPS.includes(input.bump)) {
      throw new ConfigError("bump", `Input bump: "${input.bump}" is not accepted; use one of ${BUMPS.join(", ")}.`);
    }
    return build(nextVersion(input.existingTags ?? [], prefix, input.bump), prefix, sha, "bump");
  }

  const where = input.ref ? `GITHUB_REF is "${input.ref}", not a tag` : "GITHUB_REF is not set";
  throw new ConfigError(
    "version",
    `No version to release: input version is empty, ${where}, and input bump is not set. ` +
      `Push a tag such as refs/tags/${prefix}1.2.3, or set version (e.g. ${prefix}1.2.3) or bump (${BUMPS.join(", ")}).`,
  );
}

function build(version: string, prefix: string, sha: string, source: ReleaseVersion["source"]): ReleaseVersion {
  const parsed = semver.parse(version);
  const prerelease = parsed !== null && parsed.prerelease.length > 0;
  const tag = prefix + version;
  const finalTag = prerelease && parsed ? `${prefix}${parsed.major}.${parsed.minor}.${parsed.patch}` : tag;
  return { version, tag, finalTag, prerelease, source, sha };
}

/** `version` input: prefix + semver, `v` + semver, or bare semver. */
function fromExplicit(value: string, prefix: string): string {
  const candidates = [prefix, "v", ""].filter((p) => value.startsWith(p));
  for (const candidate of candidates) {
    const version = parseReleaseTag(value, candidate);
    if (version !== undefined) return version;
  }
  const prefixNote = prefix && prefix !== "v" ? `, optionally prefixed with "${prefix}" or "v"` : ', optionally prefixed with "v"';
  throw new ConfigError("version", `Input version: "${value}" is not a version; expected ${ACCEPTED}${prefixNote}.`);
}

function fromRefTag(tag: string, prefix: string): string {
  const version = parseReleaseTag(tag, prefix);
  if (version !== undefined) return version;
  throw new ConfigError(
    "GITHUB_REF",
    `GITHUB_REF: tag "${tag}" is not a release tag; expected tag-prefix "${prefix}" followed by ${ACCEPTED} ` + `(e.g. ${prefix}1.2.3).`,
  );
}

/** The tag name of a `refs/tags/...` ref, else undefined. */
function tagOfRef(ref: string | undefined): string | undefined {
  const marker = "refs/tags/";
  return ref?.startsWith(marker) ? ref.slice(marker.length) : undefined;
}
