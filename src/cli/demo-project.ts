/**
 * The demo's Worker project: the sandbox's sample Worker in a fresh git repository, one commit
 * per release, so the healthy release can be tagged in it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createGitRunner, type GitRunner } from "../providers/git/runner.js";
import { writeSampleWorker, type SampleWorkerOptions, type SampleWorkerProject } from "../sandbox/fixture.js";

/** A sample Worker in its own git repository. */
export interface DemoProject {
  readonly dir: string;
  readonly worker: SampleWorkerProject;
  /** Rewrites the Worker and commits it; resolves with the new commit id. */
  commit(options: SampleWorkerOptions, message: string): Promise<string>;
  /** The repository's tags. */
  tags(): Promise<string[]>;
}

/** Local settings of the demo repository: an identity, and no signing prompt for commits or tags. */
const REPO_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ["user.name", "shipline demo"],
  ["user.email", "demo@shipline.invalid"],
  ["commit.gpgSign", "false"],
  ["tag.gpgSign", "false"],
];

/** Creates `dir` as a git repository holding the sample Worker (not yet committed). */
export async function createDemoProject(dir: string, git: GitRunner = createGitRunner()): Promise<DemoProject> {
  await mkdir(dir, { recursive: true });
  const run = async (...args: string[]) => {
    const result = await git(args, { cwd: dir });
    if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed in ${dir}: ${result.stderr.trim()}`);
    return result.stdout.trim();
  };
  await run("init", "--quiet");
  for (const [key, value] of REPO_CONFIG) await run("config", key, value);
  await writeFile(join(dir, ".gitignore"), ".wrangler/\nnode_modules/\n");
  let worker = await writeSampleWorker(dir, {});
  return {
    dir,
    get worker() {
      return worker;
    },
    async commit(options, message) {
      worker = await writeSampleWorker(dir, options);
      await run("add", "--all");
      await run("commit", "--quiet", "--allow-empty", "--message", message);
      return run("rev-parse", "HEAD");
    },
    async tags() {
      const listed = await run("tag", "--list");
      return listed.split("\n").filter((tag) => tag !== "");
    },
  };
}
