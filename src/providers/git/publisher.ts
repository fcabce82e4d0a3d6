/**
 * Tags in a local git repository (the `Publisher` port outside GitHub: `shipline release`,
 * `shipline demo`). Reads what the repository holds, lets the pure planner
 * (core/release-plan.ts) decide, then applies the steps, so a re-run changes nothing.
 *
 * There is no GitHub Release locally. The "release" is the message of the annotated release
 * tag, which names the Worker version and the production URL. When the release tag already
 * existed (a tag push, or a lightweight tag a human made), its message cannot change without
 * replacing the tag, so the same text is appended as a git note on the commit instead
 * (`git log --notes=shipline`). Rollback notes go to the same notes ref.
 */
import type { Logger, PublishRequest, PublishResult, Publisher } from "../../core/ports.js";
import {
  TagConflictError,
  involvedTags,
  planRelease,
  releaseTagOf,
  type ObservedRelease,
  type ReleasePlanRequest,
  type ReleaseStep,
  type TagStep,
  describeTagStep,
  shortSha,
} from "../../core/release-plan.js";
import type { ReleaseVersion } from "../../core/types.js";
import { GitRepo, NOTES_REF } from "./repo.js";
import { GitError, createGitRunner, type GitRunner } from "./runner.js";

export interface GitPublisherOptions {
  /** A directory inside the repository's work tree. */
  readonly cwd: string;
  readonly logger: Logger;
  /** Runs git; defaults to the `git` CLI on PATH. */
  readonly git?: GitRunner;
}

/** What the local "release" records: the text of annotated tags and release notes. */
export interface LocalReleaseInfo {
  readonly release: ReleaseVersion;
  readonly versionId: string;
  readonly productionUrl?: string;
}

/** Tags (and their messages and notes) in a local git repository. */
export class GitPublisher implements Publisher {
  readonly #repo: GitRepo;
  readonly #logger: Logger;

  constructor(options: GitPublisherOptions) {
    this.#repo = new GitRepo(options.cwd, options.git ?? createGitRunner());
    this.#logger = options.logger;
  }

  /** Fails before production is touched when `cwd` is not in a git work tree. */
  async prepare(signal: AbortSignal): Promise<void> {
    if (!(await this.#repo.isWorkTree(signal))) throw this.#repo.notARepository();
  }

  /** Every tag name of the repository. */
  listTags(signal: AbortSignal): Promise<string[]> {
    return this.#repo.tags(signal);
  }

  /** Creates or confirms the release tags and floating tags, and records the release. */
  async publish(request: PublishRequest, signal: AbortSignal): Promise<PublishResult> {
    await this.prepare(signal);
    const release = { ...request.release, sha: await this.#resolveCommit(request.release.sha, signal) };
    const planRequest: ReleasePlanRequest = {
      release,
      versionId: request.productionVersionId,
      promotePrerelease: request.promotePrerelease,
      floatingTags: request.floatingTags,
      createRelease: request.createRelease,
      productionUrl: request.productionUrl,
    };
    const tags: Record<string, string | undefined> = {};
    for (const name of involvedTags(planRequest)) tags[name] = await this.#repo.tagCommit(checkTagName(name), signal);
    const allTags = request.floatingTags || request.createRelease ? await this.listTags(signal) : [];
    const releaseTag = releaseTagOf(release, request.promotePrerelease);
    const observed = request.createRelease ? await this.#readRelease(releaseTag, tags[releaseTag], signal) : undefined;

    const plan = planRelease(planRequest, { tags, allTags, release: observed });
    const info: LocalReleaseInfo = { release, versionId: request.productionVersionId, productionUrl: request.productionUrl };
    // Logged one by one, so that a failure half-way still shows what was done.
    const actions: string[] = [];
    const done = (action: string) => (actions.push(action), this.#logger.info(action));
    for (const step of plan.tags) done(await this.#applyTag(step, info, signal));
    done(await this.#applyRelease(plan.release, info, signal));
    return { releaseTag: plan.releaseTag, actions };
  }

  /** Appends a rollback note to the commit of `tag` (once: the same note is not repeated). */
  async noteRollback(tag: string, note: string, signal: AbortSignal): Promise<void> {
    const commit = await this.#repo.tagCommit(checkTagName(tag), signal);
    if (commit === undefined) {
      this.#logger.info(`No tag ${tag} in the repository: nothing to note.`);
      return;
    }
    const text = `Rolled back ${tag}: ${note}`;
    if ((await this.#repo.notes(commit, signal)).includes(text)) return;
    await this.#repo.appendNote(commit, text, signal);
    this.#logger.info(`Noted the rollback on ${tag} (git notes --ref=${NOTES_REF}, commit ${shortSha(commit)}).`);
  }

  async #applyTag(step: TagStep, info: LocalReleaseInfo, signal: AbortSignal): Promise<string> {
    if (step.kind === "create") return this.#createTag(step.tag, step.commit, step.floating, info, signal);
    if (step.kind === "move") await this.#repo.setLightweightTag(step.tag, step.commit, true, signal);
    return describeTagStep(step);
  }

  /**
   * Release tags are annotated (their message is the local release), floating tags lightweight
   * (they point at the commit, like the GitHub publisher's). When another process created the
   * tag meanwhile, it is checked like a tag that was there from the start.
   */
  async #createTag(tag: string, commit: string, floating: boolean, info: LocalReleaseInfo, signal: AbortSignal): Promise<string> {
    try {
      if (floating) await this.#repo.setLightweightTag(tag, commit, false, signal);
      else await this.#repo.createAnnotatedTag(tag, commit, releaseText(tag, info), signal);
      return `created tag ${tag} at ${shortSha(commit)}`;
    } catch (error) {
      if (!(error instanceof GitError) || !/already exists/i.test(error.stderr)) throw error;
    }
    const current = await this.#repo.tagCommit(tag, signal);
    if (current === commit) return `tag ${tag} already at ${shortSha(commit)}`;
    if (!floating || current === undefined) throw new TagConflictError(tag, current ?? "(unknown)", commit);
    await this.#repo.setLightweightTag(tag, commit, true, signal);
    return `moved ${tag} → ${shortSha(commit)} (was ${shortSha(current)})`;
  }

  async #applyRelease(step: ReleaseStep, info: LocalReleaseInfo, signal: AbortSignal): Promise<string> {
    switch (step.kind) {
      case "skip":
        return `no release (create-release is false)`;
      case "keep":
        return `release ${step.tag} already names ${info.versionId}`;
      case "create":
        // The tag was created above with the release text as its message.
        return `created release ${step.tag} (message of the annotated tag)`;
      case "update":
        await this.#repo.appendNote(info.release.sha, releaseText(step.tag, info), signal);
        return `updated release ${step.tag} (git notes --ref=${NOTES_REF} on ${shortSha(info.release.sha)})`;
    }
  }

  /**
   * The existing local release of `tag`: its annotated message plus shipline's notes on its
   * commit. Undefined when the tag does not exist yet (it will be created with the text).
   */
  async #readRelease(tag: string, commit: string | undefined, signal: AbortSignal): Promise<ObservedRelease | undefined> {
    if (commit === undefined) return undefined;
    const message = (await this.#repo.tagMessage(tag, signal)) ?? "";
    const notes = await this.#repo.notes(commit, signal);
    return { id: 0, tag, body: [message, notes].filter((part) => part !== "").join("\n\n") };
  }

  /** The full id of the released commit; a clear error when the repository does not have it. */
  async #resolveCommit(sha: string, signal: AbortSignal): Promise<string> {
    const full = sha.trim() === "" ? undefined : await this.#repo.commitOf(sha, signal);
    if (full !== undefined) return full;
    throw new GitError(
      `Commit ${sha || "(empty)"} is not in the repository at ${this.#repo.cwd}: cannot tag it. ` +
        "Release from the repository the commit belongs to, or fetch it first.",
      { command: `git rev-parse --verify ${sha}^{commit}` },
    );
  }
}

/** The local release text: subject line, then what was deployed where. */
export function releaseText(tag: string, info: LocalReleaseInfo): string {
  const lines = [
    tag,
    "",
    `Deployed to production by shipline from commit ${info.release.sha}.`,
    "",
    `Worker version: ${info.versionId}`,
    `Deployed tag: ${info.release.tag}`,
  ];
  if (info.productionUrl) lines.push(`Production: ${info.productionUrl}`);
  return lines.join("\n");
}

/** A tag name git would read as an option is refused rather than passed on. */
function checkTagName(tag: string): string {
  if (tag === "" || tag.startsWith("-")) {
    throw new GitError(`Invalid tag name "${tag}": tag names must not be empty or start with "-".`, { command: "git tag" });
  }
  return tag;
}
