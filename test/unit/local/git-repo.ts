/**
 * Throwaway git repositories for the local publisher's tests. Every git call (the test's and
 * the publisher's) runs with HOME and the global config pointed at the temp dir, so the
 * machine's own git identity and settings cannot leak into (or rescue) a test.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { createGitRunner, type GitRunner } from "../../../src/providers/git/runner.js";

export interface TempRepo {
  readonly dir: string;
  /** The environment every git call in the test uses. */
  readonly env: Record<string, string>;
  /** Runner for the publisher: the default one, with the hermetic environment. */
  readonly runner: GitRunner;
  /** Runs git in the repo; throws on failure; returns trimmed stdout. */
  git(...args: string[]): Promise<string>;
  /** Makes a commit (empty) and returns its full id. */
  commit(message: string): Promise<string>;
  remove(): Promise<void>;
}

/** A fresh, empty repository (branch `main`); `identity` configures a committer in it. */
export async function tempRepo(options: { identity?: boolean } = {}): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), "shipline-git-"));
  const env: Record<string, string> = {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, ".config"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(dir, "no-global-config"),
  };
  const git = async (...args: string[]) => {
    const result = await execa("git", args, { cwd: dir, env, stdin: "ignore" });
    return String(result.stdout).trim();
  };
  await git("init", "--quiet", "--initial-branch=main");
  if (options.identity) {
    await git("config", "user.name", "Alice Example");
    await git("config", "user.email", "alice@example.test");
  }
  const author = ["-c", "user.name=Test Author", "-c", "user.email=author@example.test"];
  return {
    dir,
    env,
    runner: createGitRunner({ env }),
    git,
    async commit(message) {
      await git(...author, "commit", "--quiet", "--allow-empty", "-m", message);
      return git("rev-parse", "HEAD");
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
