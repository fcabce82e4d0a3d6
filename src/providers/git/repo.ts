/**
 * The handful of git plumbing reads and writes the local tag store needs, over one repository.
 * Kept apart from the publisher so that its decisions read as decisions, not as argv lists.
 */
import { GitError, checked, describeGit, type GitRunner } from "./runner.js";

/** Notes ref that holds shipline's release and rollback notes (`git log --notes=shipline`). */
export const NOTES_REF = "shipline";

/** Identity used to write tags and notes only when git has none configured (a fresh CI box). */
export const FALLBACK_IDENTITY = { name: "shipline", email: "shipline@localhost" } as const;

/** One local repository, addressed through an injectable git runner. */
export class GitRepo {
  /** `-c user.*` flags for writes: empty when git knows who the committer is. */
  #identityFlags: readonly string[] | undefined;

  constructor(
    readonly cwd: string,
    private readonly git: GitRunner,
  ) {}

  /** Runs a read; the caller interprets the exit code. */
  run(args: readonly string[], signal?: AbortSignal) {
    return this.git(args, { cwd: this.cwd, ...(signal ? { signal } : {}) });
  }

  /** Whether `cwd` is inside a git work tree (a bare repository or a plain folder is not). */
  async isWorkTree(signal?: AbortSignal): Promise<boolean> {
    const result = await this.run(["rev-parse", "--is-inside-work-tree"], signal);
    return result.exitCode === 0 && result.stdout.trim() === "true";
  }

  /** The full commit id `rev` names (tags peeled), or undefined when it names no commit. */
  async commitOf(rev: string, signal?: AbortSignal): Promise<string | undefined> {
    const result = await this.run(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], signal);
    return result.exitCode === 0 && result.stdout.trim() !== "" ? result.stdout.trim() : undefined;
  }

  /** The commit tag `tag` points at, peeled; undefined when there is no such tag. */
  tagCommit(tag: string, signal?: AbortSignal): Promise<string | undefined> {
    // The full ref name, so that a branch called like the tag is never taken for it.
    return this.commitOf(`refs/tags/${tag}`, signal);
  }

  /** Every tag name. */
  async tags(signal?: AbortSignal): Promise<string[]> {
    const args = ["tag", "--list"];
    const result = checked(args, await this.run(args, signal), "list the tags");
    return result.stdout
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
  }

  /** The message of an annotated tag; undefined for a lightweight or missing tag. */
  async tagMessage(tag: string, signal?: AbortSignal): Promise<string | undefined> {
    const type = await this.run(["cat-file", "-t", `refs/tags/${tag}`], signal);
    if (type.exitCode !== 0 || type.stdout.trim() !== "tag") return undefined;
    const args = ["for-each-ref", "--format=%(contents)", `refs/tags/${tag}`];
    return checked(args, await this.run(args, signal), `read the message of tag ${tag}`).stdout;
  }

  /** shipline's notes on `commit` ("" when there are none). */
  async notes(commit: string, signal?: AbortSignal): Promise<string> {
    const result = await this.run(["notes", `--ref=${NOTES_REF}`, "show", commit], signal);
    return result.exitCode === 0 ? result.stdout : "";
  }

  /** Creates an annotated tag (fails when it exists). */
  createAnnotatedTag(tag: string, commit: string, message: string, signal?: AbortSignal): Promise<void> {
    return this.write(["tag", "--annotate", "--message", message, tag, commit], `create tag ${tag}`, signal);
  }

  /** Creates (`force` false) or moves (`force` true) a lightweight tag. */
  setLightweightTag(tag: string, commit: string, force: boolean, signal?: AbortSignal): Promise<void> {
    const args = force ? ["tag", "--force", tag, commit] : ["tag", tag, commit];
    return this.write(args, `${force ? "move" : "create"} tag ${tag}`, signal);
  }

  /** Appends a paragraph to shipline's note on `commit`. */
  appendNote(commit: string, text: string, signal?: AbortSignal): Promise<void> {
    return this.write(["notes", `--ref=${NOTES_REF}`, "append", "--message", text, commit], `add a note to ${commit.slice(0, 7)}`, signal);
  }

  /** Runs a command that records an author (tags, notes); fails with git's own words. */
  async write(args: readonly string[], what: string, signal?: AbortSignal): Promise<void> {
    const full = [...(await this.#identity(signal)), ...args];
    checked(full, await this.run(full, signal), what);
  }

  /** A plain-language error for a `cwd` that is no repository. */
  notARepository(): GitError {
    return new GitError(
      `${this.cwd} is not inside a git work tree: the local tag store tags releases in a git repository. ` +
        "Run shipline from the repository (or pass its working directory), or run `git init` there first.",
      { command: describeGit(["rev-parse", "--is-inside-work-tree"]) },
    );
  }

  async #identity(signal?: AbortSignal): Promise<readonly string[]> {
    if (this.#identityFlags === undefined) {
      // `git var` applies git's strict rules: it fails exactly when `git tag -a` would.
      const known = (await this.run(["var", "GIT_COMMITTER_IDENT"], signal)).exitCode === 0;
      this.#identityFlags = known ? [] : ["-c", `user.name=${FALLBACK_IDENTITY.name}`, "-c", `user.email=${FALLBACK_IDENTITY.email}`];
    }
    return this.#identityFlags;
  }
}
