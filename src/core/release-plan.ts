/**
 * The tag and release planner (SPEC section 5, Tags and releases): from what the run released
 * and what the repository holds now, decide what to create, move or leave. Pure, so that every
 * publisher (GitHub API, local git) makes the same decisions and re-runs stay idempotent.
 *
 * Decisions:
 * - Release tags (the deployed tag, and the final tag a promoted prerelease gets) are created at
 *   the commit or found there; on another commit they are a `TagConflictError`, never moved.
 * - Which tag gets the GitHub Release: the final tag when a prerelease is promoted, else the
 *   deployed tag itself (so an unpromoted `v1.4.0-rc.1` gets a release marked `prerelease`).
 * - Floating tags (`v1`, `v1.4`) only for a non-prerelease release tag, and each only when this
 *   is the highest final version of its line: re-releasing `v1.3.5` after `v1.4.0` moves `v1.3`
 *   but leaves `v1` on `v1.4.0`'s commit. They point at the commit, never at a tag object.
 * - The release is marked latest only when it is not a prerelease and no higher final version
 *   exists.
 * - An existing release is left when its body already names the Worker version id; otherwise its
 *   shipline section (between markers) is replaced, or prepended to what a human wrote.
 */
import semver from "semver";
import { ShiplineError } from "./errors.js";
import type { ReleaseVersion } from "./types.js";
import { highestVersion, parseReleaseTag, releasePrefix } from "./version.js";

/** A release tag already exists on another commit: the run cannot tag without rewriting history. */
export class TagConflictError extends ShiplineError {
  constructor(
    readonly tag: string,
    readonly actualCommit: string,
    readonly expectedCommit: string,
  ) {
    super(
      `Tag ${tag} already exists on commit ${actualCommit}, but this run released commit ${expectedCommit}. ` +
        `Release tags are never moved: delete the tag if it is wrong, or release a new version.`,
      { stage: "release" },
    );
  }
}

export interface ReleasePlanRequest {
  readonly release: ReleaseVersion;
  /** Worker version id now serving production. */
  readonly versionId: string;
  readonly promotePrerelease: boolean;
  readonly floatingTags: boolean;
  readonly createRelease: boolean;
  /** Lines for the release body. */
  readonly productionUrl?: string;
  readonly environmentUrl?: string;
  readonly runUrl?: string;
}

/** A release as read from the tag store. */
export interface ObservedRelease {
  readonly id: number;
  readonly tag: string;
  readonly body: string;
  readonly url?: string;
}

export interface ReleaseObservation {
  /** Commit each involved tag points at (annotated tags already peeled); absent = no such tag. */
  readonly tags: Readonly<Record<string, string | undefined>>;
  /** Every tag name of the repository: decides floating tags and `latest`. */
  readonly allTags: readonly string[];
  /** The existing release of the release tag, if any. */
  readonly release?: ObservedRelease;
}

export type TagStep =
  | { readonly kind: "create"; readonly tag: string; readonly commit: string; readonly floating: boolean }
  | { readonly kind: "keep"; readonly tag: string; readonly commit: string; readonly floating: boolean }
  | { readonly kind: "move"; readonly tag: string; readonly from: string; readonly commit: string }
  | { readonly kind: "hold"; readonly tag: string; readonly reason: string };

/** The first 7 characters of a commit id, as logs show it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** How every publisher reports a tag step that needed no write, or a move it made. */
export function describeTagStep(step: Exclude<TagStep, { kind: "create" }>): string {
  switch (step.kind) {
    case "keep":
      return `tag ${step.tag} already at ${shortSha(step.commit)}`;
    case "hold":
      return `left ${step.tag} where it is (${step.reason})`;
    case "move":
      return `moved ${step.tag} → ${shortSha(step.commit)} (was ${shortSha(step.from)})`;
  }
}

export type ReleaseStep =
  | {
      readonly kind: "create";
      readonly tag: string;
      readonly name: string;
      readonly body: string;
      readonly prerelease: boolean;
      readonly makeLatest: boolean;
    }
  | { readonly kind: "update"; readonly tag: string; readonly id: number; readonly body: string }
  | { readonly kind: "keep"; readonly tag: string; readonly id: number; readonly url?: string }
  | { readonly kind: "skip"; readonly tag: string };

export interface ReleasePlan {
  /** The tag that gets the GitHub Release (SPEC output `release-tag`). */
  readonly releaseTag: string;
  /** In the order to apply them: release tags first, then floating tags. */
  readonly tags: readonly TagStep[];
  readonly release: ReleaseStep;
}

const SECTION_START = "<!-- shipline:start -->";
const SECTION_END = "<!-- shipline:end -->";

/** The tag that gets the GitHub Release: the final tag if a prerelease is promoted, else the deployed tag. */
export function releaseTagOf(release: ReleaseVersion, promotePrerelease: boolean): string {
  return release.prerelease && promotePrerelease ? release.finalTag : release.tag;
}

/** Every tag name whose state the planner needs (read these before calling `planRelease`). */
export function involvedTags(request: Pick<ReleasePlanRequest, "release" | "promotePrerelease" | "floatingTags">): string[] {
  const names = releaseTags(request.release, request.promotePrerelease);
  const releaseTag = releaseTagOf(request.release, request.promotePrerelease);
  if (request.floatingTags) names.push(...floatingTagNames(request.release, releaseTag));
  return names;
}

/** Computes the tag and release steps; throws `TagConflictError` when a release tag is on another commit. */
export function planRelease(request: ReleasePlanRequest, observed: ReleaseObservation): ReleasePlan {
  const { release } = request;
  const releaseTag = releaseTagOf(release, request.promotePrerelease);
  const tags: TagStep[] = releaseTagSteps(release, request.promotePrerelease, observed.tags);
  if (request.floatingTags) tags.push(...floatingSteps(release, releaseTag, observed));
  return { releaseTag, tags, release: releaseStep(request, releaseTag, observed) };
}

/**
 * The steps for the release tags alone (the deployed tag, and the final tag of a promoted
 * prerelease): `create` or `keep`. Throws `TagConflictError` when one is on another commit.
 * Publishers call it before deploying, with `tags` read for `involvedTags` without floating tags.
 */
export function releaseTagSteps(
  release: ReleaseVersion,
  promotePrerelease: boolean,
  tags: Readonly<Record<string, string | undefined>>,
): TagStep[] {
  return releaseTags(release, promotePrerelease).map((tag) => releaseTagStep(tag, release.sha, tags[tag]));
}

function releaseTags(release: ReleaseVersion, promotePrerelease: boolean): string[] {
  const names = [release.tag];
  if (release.prerelease && promotePrerelease) names.push(release.finalTag);
  return names;
}

function releaseTagStep(tag: string, sha: string, current: string | undefined): TagStep {
  if (current === undefined) return { kind: "create", tag, commit: sha, floating: false };
  if (sameCommit(current, sha)) return { kind: "keep", tag, commit: sha, floating: false };
  throw new TagConflictError(tag, current, sha);
}

/** `v1` and `v1.4` for release tag `v1.4.0` (none for a prerelease release tag). */
function floatingTagNames(release: ReleaseVersion, releaseTag: string): string[] {
  const prefix = releasePrefix(release);
  const version = parseReleaseTag(releaseTag, prefix);
  const parsed = version === undefined ? null : semver.parse(version);
  if (parsed === null || parsed.prerelease.length > 0) return [];
  return [`${prefix}${parsed.major}`, `${prefix}${parsed.major}.${parsed.minor}`];
}

function floatingSteps(release: ReleaseVersion, releaseTag: string, observed: ReleaseObservation): TagStep[] {
  const prefix = releasePrefix(release);
  const version = parseReleaseTag(releaseTag, prefix);
  if (version === undefined) return [];
  const [major, minor] = floatingTagNames(release, releaseTag);
  if (major === undefined || minor === undefined) return [];
  const sameMajor = (v: string) => semver.major(v) === semver.major(version);
  const sameMinor = (v: string) => sameMajor(v) && semver.minor(v) === semver.minor(version);
  return [
    floatingStep(major, version, highestFinal(observed.allTags, prefix, sameMajor), release.sha, observed),
    floatingStep(minor, version, highestFinal(observed.allTags, prefix, sameMinor), release.sha, observed),
  ];
}

function highestFinal(tags: readonly string[], prefix: string, line: (v: string) => boolean): string | undefined {
  return highestVersion(tags, prefix, (v) => semver.prerelease(v) === null && line(v));
}

function floatingStep(tag: string, version: string, highest: string | undefined, sha: string, observed: ReleaseObservation): TagStep {
  if (highest !== undefined && semver.gt(highest, version)) {
    return { kind: "hold", tag, reason: `${highest} is higher than ${version}` };
  }
  const current = observed.tags[tag];
  if (current === undefined) return { kind: "create", tag, commit: sha, floating: true };
  if (sameCommit(current, sha)) return { kind: "keep", tag, commit: sha, floating: true };
  return { kind: "move", tag, from: current, commit: sha };
}

function releaseStep(request: ReleasePlanRequest, releaseTag: string, observed: ReleaseObservation): ReleaseStep {
  if (!request.createRelease) return { kind: "skip", tag: releaseTag };
  const section = releaseSection(request);
  const existing = observed.release;
  if (existing !== undefined) {
    if (existing.body.includes(request.versionId)) {
      return { kind: "keep", tag: releaseTag, id: existing.id, url: existing.url };
    }
    return { kind: "update", tag: releaseTag, id: existing.id, body: withSection(existing.body, section) };
  }
  const prefix = releasePrefix(request.release);
  const version = parseReleaseTag(releaseTag, prefix) ?? request.release.version;
  const prerelease = semver.prerelease(version) !== null;
  const highest = highestFinal(observed.allTags, prefix, () => true);
  const makeLatest = !prerelease && (highest === undefined || !semver.gt(highest, version));
  return { kind: "create", tag: releaseTag, name: releaseTag, body: section, prerelease, makeLatest };
}

/** shipline's part of a release body: the Worker version id and where production is. */
export function releaseSection(
  info: Pick<ReleasePlanRequest, "release" | "versionId" | "productionUrl" | "environmentUrl" | "runUrl">,
): string {
  const lines = [
    SECTION_START,
    `Deployed to production by shipline from commit ${info.release.sha}.`,
    "",
    `- Worker version: \`${info.versionId}\``,
    `- Deployed tag: \`${info.release.tag}\``,
  ];
  if (info.productionUrl) lines.push(`- Production: ${info.productionUrl}`);
  if (info.environmentUrl) lines.push(`- Deployment: ${info.environmentUrl}`);
  if (info.runUrl) lines.push(`- Run: ${info.runUrl}`);
  lines.push(SECTION_END);
  return lines.join("\n");
}

/** Replaces shipline's section of `body`, or puts it first when there is none. */
export function withSection(body: string, section: string): string {
  const start = body.indexOf(SECTION_START);
  const end = body.indexOf(SECTION_END);
  if (start >= 0 && end > start) {
    return body.slice(0, start) + section + body.slice(end + SECTION_END.length);
  }
  return body.trim() === "" ? section : `${section}\n\n${body}`;
}

/** Commit ids compare case-insensitively; a short id matches its full form. */
function sameCommit(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (Math.min(x.length, y.length) >= 7 && (x.startsWith(y) || y.startsWith(x)));
}
