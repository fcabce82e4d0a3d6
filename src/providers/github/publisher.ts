/**
 * Tags and GitHub Releases through the REST API (the `Publisher` port). Reads what exists,
 * lets the pure planner (core/release-plan.ts) decide, then applies the steps one request at a
 * time, so that a re-run finds everything right and changes nothing.
 *
 * Permissions: GitHub has no endpoint that tells what an installation token (GITHUB_TOKEN) may
 * do, so `prepare` asks `POST git/refs` for a tag on a commit that cannot exist (40 zeros). With
 * `contents: write` GitHub answers 422 (no such object) and nothing is created; without it, 403.
 * For user tokens `GET /repos/{o}/{r}` reports `permissions.push`, which is used instead.
 */
import { GitHubError } from "../../core/errors.js";
import type { GitHubClient } from "./client.js";
import type { Logger, PublishRequest, PublishResult, Publisher } from "../../core/ports.js";
import type { ReleaseVersion } from "../../core/types.js";
import {
  TagConflictError,
  involvedTags,
  planRelease,
  releaseTagOf,
  releaseTagSteps,
  type ObservedRelease,
  type ReleaseObservation,
  type ReleasePlanRequest,
  type ReleaseStep,
  type TagStep,
  withSection,
  describeTagStep,
  shortSha,
} from "../../core/release-plan.js";
import { PERMISSION_HINT, WORKFLOW_TRAP_HINT, bodyOf, isPermissionDenied, messageOf, statusOf, translate } from "./publisher-errors.js";

export interface GitHubPublisherOptions {
  readonly client: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  readonly logger: Logger;
  /** Link to the workflow run, for the release body. */
  readonly runUrl?: string;
  /** Link to the production deployment (Environments page), for the release body. */
  readonly environmentUrl?: string;
  /**
   * The run's `promote-prerelease`, so that `prepare` also checks the final tag a prerelease
   * will get. Unset: `prepare` checks only the deployed tag (it cannot know the final tag is wanted).
   */
  readonly promotePrerelease?: boolean;
}

/** An impossible commit id: used to probe write access without creating anything. */
const NO_COMMIT = "0".repeat(40);
const MAX_TAG_DEPTH = 5;

/** Tags and releases on GitHub (SPEC section 5, Tags and releases). */
export class GitHubPublisher implements Publisher {
  readonly #client: GitHubClient;
  readonly #repo: { owner: string; repo: string };
  readonly #logger: Logger;
  readonly #links: { runUrl?: string; environmentUrl?: string };
  readonly #promotePrerelease: boolean;
  /** `publish`'s reads, started by `prefetch`; used once. */
  #prefetched: { readonly key: string; readonly at: number; readonly reads: Promise<ReleaseObservation> } | undefined;

  constructor(options: GitHubPublisherOptions) {
    this.#client = options.client;
    this.#repo = { owner: options.owner, repo: options.repo };
    this.#logger = options.logger;
    this.#links = { runUrl: options.runUrl, environmentUrl: options.environmentUrl };
    this.#promotePrerelease = options.promotePrerelease ?? false;
  }

  /**
   * Fails before production is touched when the token cannot write tags, or (given the
   * release) when a release tag it would create already exists on another commit.
   */
  async prepare(signal: AbortSignal, release?: ReleaseVersion): Promise<void> {
    // Independent reads, side by side: each is a GitHub round trip before production is touched.
    const [access, tags] = await Promise.allSettled([
      this.#checkWriteAccess(signal),
      release === undefined ? [] : this.#checkReleaseTags(release, signal),
    ]);
    // A token that cannot push says most; a tag conflict only matters once it could.
    if (access.status === "rejected") throw access.reason;
    if (tags.status === "rejected") throw tags.reason;
    for (const line of tags.value) this.#logger.info(line);
  }

  /** The planner's own release-tag rule, applied to what the repository holds now: what each tag's state is. */
  async #checkReleaseTags(release: ReleaseVersion, signal: AbortSignal): Promise<string[]> {
    const request = { release, promotePrerelease: this.#promotePrerelease, floatingTags: false };
    const tags: Record<string, string | undefined> = {};
    const names = involvedTags(request);
    const read = await Promise.all(names.map((name) => this.#readTag(name, signal)));
    names.forEach((name, i) => (tags[name] = read[i]));
    return releaseTagSteps(release, request.promotePrerelease, tags).map((step) => {
      const state = step.kind === "keep" ? `already at ${shortSha(step.commit)}` : "free (created once production is healthy)";
      return `Tag ${step.tag}: ${state}.`;
    });
  }

  async #checkWriteAccess(signal: AbortSignal): Promise<void> {
    const repo = await this.#call("read the repository", () => this.#client.rest.repos.get({ ...this.#repo, request: { signal } }));
    const permissions = repo.data.permissions;
    if (permissions !== undefined) {
      if (!permissions.push) throw new GitHubError(`The token cannot push to ${this.#slug()}. ${PERMISSION_HINT}`, { status: 403 });
      return;
    }
    await this.#probeWrite(signal);
  }

  /** Every tag name of the repository, through every page. */
  async listTags(signal: AbortSignal): Promise<string[]> {
    const tags = await this.#call("list tags", () =>
      this.#client.paginate(this.#client.rest.repos.listTags, { ...this.#repo, per_page: 100, request: { signal } }),
    );
    return tags.map((tag) => tag.name);
  }

  /**
   * Starts `publish`'s reads now (the run calls this when its health gate starts). The next
   * `publish` of the same tags uses them if they succeeded within `PREFETCH_MAX_AGE_MS`;
   * otherwise it reads again. Creates nothing.
   */
  prefetch(request: PublishRequest, signal: AbortSignal): void {
    const planRequest = this.#planRequest(request);
    const key = readsKey(planRequest);
    const reads = this.#reads(planRequest, signal);
    reads.catch(() => undefined);
    this.#prefetched = { key, at: Date.now(), reads };
  }

  /** Creates or confirms the release tags, floating tags and the GitHub Release. */
  async publish(request: PublishRequest, signal: AbortSignal): Promise<PublishResult> {
    const planRequest = this.#planRequest(request);
    const prefetched = this.#prefetched;
    this.#prefetched = undefined;
    const fresh = prefetched && prefetched.key === readsKey(planRequest) && Date.now() - prefetched.at <= PREFETCH_MAX_AGE_MS;
    const early = fresh ? await prefetched.reads.catch(() => undefined) : undefined;
    const observed = early ?? (await this.#reads(planRequest, signal));

    const plan = planRelease(planRequest, observed);
    // Logged one by one, so that a failure half-way still shows what was done.
    const actions: string[] = [];
    const done = (action: string) => (actions.push(action), this.#logger.info(action));
    for (const step of plan.tags) done(await this.#applyTag(step, signal));
    const applied = await this.#applyRelease(plan.release, request.productionVersionId, signal);
    done(applied.action);
    return { releaseTag: plan.releaseTag, releaseUrl: applied.url, actions };
  }

  #planRequest(request: PublishRequest): ReleasePlanRequest {
    return {
      release: request.release,
      versionId: request.productionVersionId,
      promotePrerelease: request.promotePrerelease,
      floatingTags: request.floatingTags,
      createRelease: request.createRelease,
      productionUrl: request.productionUrl,
      ...this.#links,
    };
  }

  /** What the plan needs to know: the involved tags, every tag name, the release. Side by side: one round trip. */
  async #reads(planRequest: ReleasePlanRequest, signal: AbortSignal): Promise<ReleaseObservation> {
    const names = involvedTags(planRequest);
    const needsAll = planRequest.floatingTags || planRequest.createRelease;
    const releaseTag = releaseTagOf(planRequest.release, planRequest.promotePrerelease);
    const tagReads = Promise.all(names.map((name) => this.#readTag(name, signal)));
    const allTagsRead = needsAll ? this.listTags(signal) : Promise.resolve([]);
    const releaseRead = planRequest.createRelease ? this.#readRelease(releaseTag, signal) : Promise.resolve(undefined);
    await Promise.allSettled([tagReads, allTagsRead, releaseRead]);
    // Awaited in this order once all are done: the failure reported is the same whichever came first.
    const read = await tagReads;
    const allTags = await allTagsRead;
    const release = await releaseRead;
    const tags: Record<string, string | undefined> = {};
    names.forEach((name, i) => (tags[name] = read[i]));
    return { tags, allTags, ...(release ? { release } : {}) };
  }

  /** Adds a note to the release of `tag`, if there is one. */
  async noteRollback(tag: string, note: string, signal: AbortSignal): Promise<void> {
    const release = await this.#readRelease(tag, signal);
    if (release === undefined) {
      this.#logger.info(`No GitHub Release for ${tag}: nothing to note.`);
      return;
    }
    const text = `> [!WARNING]\n> Rolled back: ${note.replace(/\n/g, "\n> ")}`;
    if (release.body.includes(text)) return;
    const body = release.body.trim() === "" ? text : `${release.body}\n\n${text}`;
    await this.#call(`update release ${tag}`, () =>
      this.#client.rest.repos.updateRelease({ ...this.#repo, release_id: release.id, body, request: { signal } }),
    );
    this.#logger.info(`Noted the rollback on release ${tag}.`);
  }

  async #applyTag(step: TagStep, signal: AbortSignal): Promise<string> {
    if (step.kind === "create") return this.#createTag(step.tag, step.commit, step.floating, signal);
    if (step.kind === "move") await this.#moveTag(step.tag, step.commit, signal);
    return describeTagStep(step);
  }

  /** Creates a tag ref; when another run created it meanwhile, checks (or moves, if floating) it. */
  async #createTag(tag: string, commit: string, floating: boolean, signal: AbortSignal): Promise<string> {
    try {
      await this.#client.rest.git.createRef({ ...this.#repo, ref: `refs/tags/${tag}`, sha: commit, request: { signal } });
      return `created tag ${tag} at ${shortSha(commit)}`;
    } catch (error) {
      if (statusOf(error) !== 422 || !/already exists/i.test(messageOf(error))) throw translate(error, `create tag ${tag}`);
    }
    const current = await this.#readTag(tag, signal);
    if (current === commit) return `tag ${tag} already at ${shortSha(commit)}`;
    if (!floating || current === undefined) throw new TagConflictError(tag, current ?? "(unknown)", commit);
    await this.#moveTag(tag, commit, signal);
    return `moved ${tag} → ${shortSha(commit)} (was ${shortSha(current)})`;
  }

  async #moveTag(tag: string, commit: string, signal: AbortSignal): Promise<void> {
    await this.#call(`move tag ${tag}`, () =>
      this.#client.rest.git.updateRef({ ...this.#repo, ref: `tags/${tag}`, sha: commit, force: true, request: { signal } }),
    );
  }

  async #applyRelease(step: ReleaseStep, versionId: string, signal: AbortSignal): Promise<{ action: string; url?: string }> {
    switch (step.kind) {
      case "skip":
        return { action: `no GitHub Release (create-release is false)` };
      case "keep":
        return { action: `release ${step.tag} already names ${versionId}`, url: step.url };
      case "update": {
        const res = await this.#call(`update release ${step.tag}`, () =>
          this.#client.rest.repos.updateRelease({ ...this.#repo, release_id: step.id, body: step.body, request: { signal } }),
        );
        return { action: `updated release ${step.tag}`, url: res.data.html_url };
      }
      case "create":
        return this.#createRelease(step, versionId, signal);
    }
  }

  async #createRelease(
    step: Extract<ReleaseStep, { kind: "create" }>,
    versionId: string,
    signal: AbortSignal,
  ): Promise<{ action: string; url?: string }> {
    try {
      const res = await this.#client.rest.repos.createRelease({
        ...this.#repo,
        tag_name: step.tag,
        name: step.name,
        body: step.body,
        prerelease: step.prerelease,
        generate_release_notes: true,
        make_latest: step.makeLatest ? "true" : "false",
        request: { signal },
      });
      return { action: `created release ${step.tag}`, url: res.data.html_url };
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new GitHubError(`Creating the GitHub Release of ${step.tag} failed with 404. ${WORKFLOW_TRAP_HINT}`, {
          status: 404,
          cause: error,
        });
      }
      if (statusOf(error) !== 422 || !/already.exists/i.test(JSON.stringify(bodyOf(error)) + messageOf(error))) {
        throw translate(error, `create release ${step.tag}`);
      }
    }
    // Another run created it meanwhile: found, or updated like any existing release.
    const found = await this.#readRelease(step.tag, signal);
    if (found === undefined) throw new GitHubError(`Release ${step.tag} was reported as existing but cannot be read.`);
    if (found.body.includes(versionId)) return { action: `release ${step.tag} already names ${versionId}`, url: found.url };
    const body = withSection(found.body, step.body);
    return this.#applyRelease({ kind: "update", tag: step.tag, id: found.id, body }, versionId, signal);
  }

  /** The commit a tag points at (annotated tags peeled), or undefined when there is no such tag. */
  async #readTag(tag: string, signal: AbortSignal): Promise<string | undefined> {
    const ref = await this.#optional(`read tag ${tag}`, () =>
      this.#client.rest.git.getRef({ ...this.#repo, ref: `tags/${tag}`, request: { signal } }),
    );
    // getRef answers the refs that start with the name when there is no exact match (old API behaviour).
    if (ref === undefined || Array.isArray(ref.data) || ref.data.ref !== `refs/tags/${tag}`) return undefined;
    let object = ref.data.object;
    for (let depth = 0; object.type === "tag" && depth < MAX_TAG_DEPTH; depth++) {
      const sha = object.sha;
      const annotated = await this.#call(`read tag object ${tag}`, () =>
        this.#client.rest.git.getTag({ ...this.#repo, tag_sha: sha, request: { signal } }),
      );
      object = annotated.data.object;
    }
    if (object.type !== "commit") throw new GitHubError(`Tag ${tag} points at a ${object.type}, not at a commit.`);
    return object.sha;
  }

  async #readRelease(tag: string, signal: AbortSignal): Promise<ObservedRelease | undefined> {
    const res = await this.#optional(`read release ${tag}`, () =>
      this.#client.rest.repos.getReleaseByTag({ ...this.#repo, tag, request: { signal } }),
    );
    if (res === undefined) return undefined;
    return { id: res.data.id, tag, body: res.data.body ?? "", url: res.data.html_url };
  }

  async #probeWrite(signal: AbortSignal): Promise<void> {
    const ref = `refs/tags/shipline-permission-check-${Date.now().toString(36)}`;
    try {
      await this.#client.rest.git.createRef({ ...this.#repo, ref, sha: NO_COMMIT, request: { signal } });
      // Only a fake API accepts a missing commit; clean up after it.
      await this.#client.rest.git.deleteRef({ ...this.#repo, ref: ref.slice("refs/".length), request: { signal } });
    } catch (error) {
      const status = statusOf(error);
      if (status === 403 && isPermissionDenied(error)) throw translate(error, "check write access (contents: write)");
      if (status !== 422) this.#logger.debug(`Could not check write access in advance (${messageOf(error)}).`);
    }
  }

  /** Runs a request; a 404 is "absent". */
  async #optional<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw translate(error, what);
    }
  }

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translate(error, what);
    }
  }

  #slug(): string {
    return `${this.#repo.owner}/${this.#repo.repo}`;
  }
}

/**
 * Reads older than this are read again: a gate of the default length (6 × 10 s) stays well
 * inside it; a tag moved by someone else during a longer wait is then seen.
 */
export const PREFETCH_MAX_AGE_MS = 120_000;

/** Which reads a plan request needs: a prefetch is used only for the same ones. */
function readsKey(request: ReleasePlanRequest): string {
  return JSON.stringify([
    involvedTags(request),
    request.floatingTags || request.createRelease,
    request.createRelease ? releaseTagOf(request.release, request.promotePrerelease) : "",
  ]);
}
