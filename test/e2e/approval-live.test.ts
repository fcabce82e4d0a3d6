import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRun } from "../support/action-harness.js";
import { createWorld, type World } from "../support/e2e-world.js";
import type { FakeIssue } from "../support/github-fake.js";

/**
 * Approval → live in one call, end to end on the real clock: the built action, the real
 * wrangler, the sandbox and the fake GitHub. With `gradual` and an issue approval, the
 * production version is uploaded while the approval waits; the approving comment is posted
 * after that upload, and production then changes with one `versions deploy` of that very
 * version. A denial leaves the upload unused and production as it was.
 *
 * Timing is asserted loosely (a busy machine must pass): `npm run bench` measures it.
 */

const SCRIPT = "sample-worker-production";
const DEPLOYMENTS = new RegExp(`/workers/scripts/${SCRIPT}/deployments$`);
const VERSIONS = new RegExp(`/workers/scripts/${SCRIPT}/versions$`);
const INPUTS = {
  approval: "issue",
  approvers: "alice",
  strategy: "gradual",
  "rollout-steps": "100",
  // The staging watch probes during the wait; once a second keeps the machine quiet.
  "smoke-interval": "1s",
};

describe("approval → live in one call (gradual, issue approval, real clock)", () => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld();
    // What production serves before (no staging: the releases below are what is tested).
    const first = await world.run({ stages: "production" }, { ref: "refs/tags/v1.0.0", sha: "1".repeat(40) });
    if (first.outputs["result"] !== "released") throw new Error(`the first release failed:\n${first.stdout}`);
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
  });

  /**
   * Runs a release of `tag` and, once the run has logged its upload during the wait and the
   * approval issue is open, posts `comment` as alice. Resolves with the run, the uploaded
   * version and when the comment was posted.
   */
  async function releaseAndComment(tag: string, sha: string, comment: string) {
    let uploadedId: string | undefined;
    let commented: Promise<number> | undefined;
    const uploaded = new RegExp(`Uploaded ${tag.replace(/\./g, "\\.")} to production: version (\\S+);`);
    const startedAt = Date.now();
    const run: ActionRun = await world.run(INPUTS, {
      ref: `refs/tags/${tag}`,
      sha,
      timeoutMs: 120_000,
      onStdout: (text) => {
        const match = uploaded.exec(text);
        if (!match || commented) return;
        uploadedId = match[1];
        commented = postWhenOpen(tag, comment);
      },
    });
    if (!uploadedId || !commented) throw new Error(`the run never logged its upload during the wait:\n${run.stdout}`);
    return { run, uploadedId, commentedAt: await commented, startedAt };
  }

  /** Waits for the approval issue of `tag`, then comments on it (a person's comment arrives between polls). */
  async function postWhenOpen(tag: string, body: string): Promise<number> {
    for (;;) {
      const issue = world.github.state.issues.find((i: FakeIssue) => i.title === `Approve release ${tag} to production`);
      if (issue) {
        await new Promise((resolve) => setTimeout(resolve, 700));
        world.github.addComment(issue.number, "alice", body);
        return Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const productionRequests = (since: number) => world.sandbox.requests.filter((r) => r.at >= since && r.script === SCRIPT);

  it("goes live with one versions deploy of the version uploaded during the wait", async () => {
    await world.writeWorker({ label: "v2.0.0" });
    const { run, uploadedId, commentedAt } = await releaseAndComment("v2.0.0", "2".repeat(40), "approve");
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.outputs["approval-status"]).toBe("approved");
    expect(run.outputs["production-version-id"]).toBe(uploadedId);
    expect(await world.live("production")).toEqual([uploadedId]);

    // After the approving comment: no upload, and exactly one write to production, the deploy of that version.
    const after = productionRequests(commentedAt);
    expect(after.filter((r) => r.method === "POST" && VERSIONS.test(r.path))).toEqual([]);
    const writes = after.filter((r) => r.method !== "GET");
    expect(writes.map((r) => `${r.method} ${DEPLOYMENTS.test(r.path) ? "deployments" : r.path}`)).toEqual(["POST deployments"]);
    const deploy = writes[0];
    expect(deploy?.body).toMatchObject({ versions: [{ version_id: uploadedId, percentage: 100 }] });
    // The anchor was read after the approval, before that deploy (shipline's read; wrangler reads too).
    expect(after.some((r) => r.method === "GET" && DEPLOYMENTS.test(r.path) && r.at <= (deploy?.at ?? 0))).toBe(true);
    // Loose bound (the bench measures it): 2 s polls and one wrangler start, on a machine that may be busy.
    const latency = (deploy?.at ?? Infinity) - commentedAt;
    console.log(`approval-live: approving comment → production deploy request ${latency} ms`);
    expect(latency).toBeLessThan(20_000);
    expect(run.stdout).toMatch(/polled every 2s, production changes once it lands/);
    // That versions deploy was started during the wait, every request held, and went on once approved.
    expect(run.stdout).toContain("wrangler versions deploy");
    expect(run.stdout).toMatch(/was started ahead and held; it went on at once/);
    // The issue is closed after the decision was handed on, before the run ended.
    const issue = world.github.state.issues.find((i: FakeIssue) => i.title === "Approve release v2.0.0 to production");
    expect(issue?.state).toBe("closed");
    expect(issue?.comments.at(-1)?.body).toBe("Approved by @alice. The release of v2.0.0 to production goes on.");
  });

  it("a denial leaves the uploaded version unused and production as it was, and says so", async () => {
    const live = await world.live("production");
    await world.writeWorker({ label: "v2.1.0" });
    const { run, uploadedId, startedAt } = await releaseAndComment("v2.1.0", "3".repeat(40), "/deny");
    expect(run.outputs["result"], run.stdout).toBe("rejected");
    expect(run.outputs["approval-status"]).toBe("denied");
    expect(await world.live("production")).toEqual(live);
    // The version exists (uploaded with its tag) and never got a deployment.
    const version = world.sandbox.script(SCRIPT)?.versions.find((v) => v.id === uploadedId);
    expect(version?.annotations["workers/tag"]).toBe("v2.1.0");
    expect(productionRequests(startedAt).filter((r) => r.method === "POST" && DEPLOYMENTS.test(r.path))).toEqual([]);
    expect(run.stdout).toContain(
      `Version ${uploadedId}, uploaded to production during the wait, was never deployed: it serves no traffic and stays unused.`,
    );
  });
});
