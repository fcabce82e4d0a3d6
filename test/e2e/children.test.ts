import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, GITHUB_TOKEN, createWorld, type World } from "../support/e2e-world.js";
import { statOf, watchTree, type SeenProcess } from "../support/processes.js";

/** What the runner's cancel does to the step's `node` process, and when (github-actions.md §10). */
const RUNNER_SIGTERM_AFTER_MS = 7_500;
const RUNNER_KILL_AFTER_MS = 10_000;

/** The test's own process group: the action runs in it (the runner does not detach it either). */
const OWN_GROUP = statOf(process.pid)?.pgid ?? -1;

/** Waits for killed processes to be reaped, then lists what of `tree` still runs. */
async function survivorsOf(tree: ReturnType<typeof watchTree>): Promise<SeenProcess[]> {
  let left = tree.survivors([OWN_GROUP]);
  for (let i = 0; i < 25 && left.length > 0; i++) {
    await sleep(40);
    left = tree.survivors([OWN_GROUP]);
  }
  return left;
}

/**
 * Child processes end to end: the built action's whole process tree is sampled while it runs,
 * and nothing of it (wrangler, the esbuild it starts, the smoke command and what that starts)
 * may be running once the action has exited. Linux only (/proc).
 */
describe.runIf(process.platform === "linux")("child processes end to end", () => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld();
    await world.releaseFirst();
  }, 90_000);
  afterAll(async () => {
    await world.stop();
  });

  it("a cancel during the staging deploy leaves no process of the action's tree behind", async () => {
    await world.writeWorker({ label: "v1.1.0" });
    let tree: ReturnType<typeof watchTree> | undefined;
    let sentAt = 0;
    let deployAt = 0;
    let seenAtSignal: SeenProcess[] = [];
    const cancel = (child: ChildProcess) => {
      sentAt = Date.now();
      seenAtSignal = tree?.seen() ?? [];
      child.kill("SIGINT");
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill("SIGTERM"), RUNNER_SIGTERM_AFTER_MS).unref();
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"), RUNNER_KILL_AFTER_MS).unref();
    };
    const run = await world.run(
      {},
      {
        ref: "refs/tags/v1.1.0",
        sha: "2".repeat(40),
        onStart: (child) => {
          tree = watchTree(child.pid ?? -1, 20);
          // Cancel once wrangler has started esbuild (the bundling step), or 1.5 s into the deploy.
          const poll = setInterval(() => {
            if (sentAt || child.exitCode !== null) return clearInterval(poll);
            const bundling = tree?.seen().some((p) => /esbuild/.test(p.command));
            if (bundling || (deployAt && Date.now() - deployAt > 1_500)) {
              clearInterval(poll);
              cancel(child);
            }
          }, 20);
        },
        onStdout: (text) => {
          if (!deployAt && /\$ wrangler deploy --env staging/.test(text)) deployAt = Date.now();
        },
      },
    );
    tree?.stop();
    expect(sentAt, run.stdout).toBeGreaterThan(0);
    expect(run.exitCode).toBe(1);
    expect(run.outputs["result"], run.stdout).toBe("failed");
    const seen = tree?.seen() ?? [];
    // The tree held wrangler (and whatever it started) when the SIGINT went out.
    expect(
      seenAtSignal.some((p) => /wrangler/.test(p.command)),
      JSON.stringify(seenAtSignal),
    ).toBe(true);
    // eslint-disable-next-line no-console
    console.info(
      `children: processes seen below the action: ${[...new Set(seen.map((p) => p.command.split(" ").slice(0, 2).join(" ")))].join(" | ")}`,
    );
    expect(await survivorsOf(tree!), JSON.stringify(seen)).toEqual([]);
  });

  it("a smoke command's background process does not outlive the run", async () => {
    let tree: ReturnType<typeof watchTree> | undefined;
    // The shell ends after 0.3 s; `sleep 300` has closed its output, so nothing waits for it.
    const run = await world.run(
      { "smoke-command": "sleep 300 >/dev/null 2>&1 & echo background-started; sleep 0.3" },
      { ref: "refs/tags/v1.1.0", sha: "2".repeat(40), onStart: (child) => (tree = watchTree(child.pid ?? -1, 20)) },
    );
    tree?.stop();
    expect(run.stdout).toContain("background-started");
    expect(run.outputs["result"], run.stdout).toBe("released");
    const seen = tree?.seen() ?? [];
    expect(
      seen.some((p) => /^sleep 300/.test(p.command)),
      JSON.stringify(seen),
    ).toBe(true);
    expect(await survivorsOf(tree!), JSON.stringify(seen)).toEqual([]);
  });

  it("the smoke command sees no INPUT_* variable and no token", async () => {
    const run = await world.run(
      { "smoke-command": "env | sort", "release-token": "ghp_releaseTokenE2e0123456789" },
      { ref: "refs/tags/v1.2.0", sha: "3".repeat(40) },
    );
    expect(run.outputs["result"], run.stdout).toBe("released");
    // The smoke command's own output is in the log: SHIPLINE_* variables it printed.
    expect(run.stdout).toMatch(/^SHIPLINE_VERSION=1\.2\.0$/m);
    expect(run.stdout).not.toMatch(/^INPUT_/im);
    // `::add-mask::<token>` is how a token is masked: the runner reads that line and never shows it.
    const shown = run.stdout
      .split("\n")
      .filter((line) => !line.startsWith("::add-mask::"))
      .join("\n");
    for (const token of [API_TOKEN, GITHUB_TOKEN, "ghp_releaseTokenE2e0123456789"]) expect(shown).not.toContain(token);
  });
});
