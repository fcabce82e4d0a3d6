import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { putRef } from "../support/github-fake/git.js";
import { createWorld, type World } from "../support/e2e-world.js";

/**
 * Tags, GitHub Releases and Deployment records end to end: the built action against the
 * local Workers sandbox and the fake GitHub API. One world, one history: each test builds on
 * the releases before it (v1.0.0 → bump to v1.1.0 → v1.4.0-rc.1 promoted → refused runs →
 * a rolled-back release).
 */
const REPO = "/repos/acme/widgets";
const commit = (c: string) => c.repeat(40);
const A = commit("a");
const B = commit("b");
const C = commit("c");
const D = commit("d");
const E = commit("e");
const OTHER = commit("f");

describe("tags and releases end to end", () => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => {
    await world.stop();
  });

  /** Puts a lightweight tag in the fake, as a `git push` would. */
  const pushTag = (name: string, sha: string) => void putRef(world.github, `refs/tags/${name}`, sha);
  const tagCommit = (name: string) => world.github.state.refs.get(`refs/tags/${name}`)?.sha;
  const release = (tag: string) => world.github.state.releases.find((r) => r.tag_name === tag);
  /** Every ref (`name → sha type`) and Release the fake holds, for before/after comparisons. */
  const snapshot = () => ({
    refs: Object.fromEntries([...world.github.state.refs.values()].map((r) => [r.ref, `${r.sha} ${r.type}`])),
    tagObjects: [...world.github.state.tagObjects.keys()],
    releases: world.github.state.releases.map((r) => ({ ...r })),
  });
  /** `environment:state` of every Deployment record, oldest first. */
  const records = () => world.github.state.deployments.map((d) => `${d.environment}:${world.github.deploymentState(d.id)}`);

  it("releases a pushed tag: the tag stays, the Release on it names the Worker version", async () => {
    pushTag("v1.0.0", A);
    await world.writeWorker({ label: "tags-v1.0.0" });
    const run = await world.run({}, { ref: "refs/tags/v1.0.0", sha: A });
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.exitCode).toBe(0);
    expect(run.outputs["version"]).toBe("1.0.0");
    expect(run.outputs["release-tag"]).toBe("v1.0.0");
    expect(tagCommit("v1.0.0")).toBe(A);
    const published = release("v1.0.0");
    expect(published?.body).toContain(run.outputs["production-version-id"]);
    expect(published?.body).toContain("## What's Changed"); // generated notes
    expect(published?.prerelease).toBe(false);
    expect(records()).toEqual(["staging:success", "production:success"]);
    const production = world.github.state.deployments[1];
    expect(production?.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(production?.statuses.at(-1)?.log_url).toBe("https://github.com/acme/widgets/actions/runs/4242");
    expect(production?.statuses.at(-1)?.environment_url).toBe(run.outputs["production-url"]);
  });

  it("bumps from the highest semver tag among more than 100, ignoring junk, and tags GITHUB_SHA", async () => {
    // 120 tags that sort before the release tags, so v1.0.0 is only on the second page.
    for (let i = 0; i < 120; i++) pushTag(`zz-nightly-${String(i).padStart(3, "0")}`, OTHER);
    // Not prefix + strict semver: a loose parser would bump from one of these.
    for (const junk of ["v2.0.0.1", "v01.9.0", "3.0.0", "v1.9", "v1.8.0-", "release-1.7.0", "latest"]) pushTag(junk, OTHER);
    const tagPages = world.github.count("GET", `${REPO}/tags`);
    await world.writeWorker({ label: "tags-v1.1.0" });
    const run = await world.run({ bump: "minor" }, { ref: "refs/heads/main", sha: B });
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.outputs["version"]).toBe("1.1.0");
    expect(run.outputs["release-tag"]).toBe("v1.1.0");
    expect(world.github.count("GET", `${REPO}/tags`) - tagPages).toBeGreaterThanOrEqual(2);
    const created = world.github.state.refs.get("refs/tags/v1.1.0");
    expect(created).toEqual({ ref: "refs/tags/v1.1.0", sha: B, type: "commit" });
    expect(release("v1.1.0")?.body).toContain(run.outputs["production-version-id"]);
    // The write-access probe leaves nothing behind.
    expect([...world.github.state.refs.keys()].filter((r) => r.includes("permission-check"))).toEqual([]);
  });

  const rcInputs = { "floating-tags": "true" };
  const rcRun = { ref: "refs/tags/v1.4.0-rc.1", sha: C };
  let rcVersionId = "";

  it("promotes an rc: the final tag on the same commit gets the Release; floating tags move to the commit", async () => {
    pushTag("v1.4.0-rc.1", C);
    pushTag("v1", A); // an older release's floating tag: moved
    await world.writeWorker({ label: "tags-v1.4.0-rc.1" });
    const run = await world.run(rcInputs, rcRun);
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.outputs["version"]).toBe("1.4.0-rc.1");
    expect(run.outputs["release-tag"]).toBe("v1.4.0");
    expect(tagCommit("v1.4.0-rc.1")).toBe(C);
    expect(tagCommit("v1.4.0")).toBe(C);
    for (const floating of ["v1", "v1.4"]) {
      expect(world.github.state.refs.get(`refs/tags/${floating}`)).toMatchObject({ sha: C, type: "commit" });
    }
    expect(release("v1.4.0-rc.1")).toBeUndefined();
    const final = release("v1.4.0");
    expect(final).toMatchObject({ prerelease: false, make_latest: "true" });
    rcVersionId = run.outputs["production-version-id"] ?? "";
    expect(final?.body).toContain(rcVersionId);
    expect(final?.body).toContain("v1.4.0-rc.1");
  });

  it("runs the same release again: passes, creates nothing, moves no tag", async () => {
    const before = snapshot();
    const creates = world.github.count("POST", `${REPO}/releases`) + world.github.count("POST", `${REPO}/git/refs`);
    const moves = world.github.count("PATCH", /\/git\/refs\//);
    const run = await world.run(rcInputs, rcRun);
    expect(run.outputs["result"], run.stdout).toBe("released");
    expect(run.exitCode).toBe(0);
    expect(run.outputs["release-tag"]).toBe("v1.4.0");
    // Only the write-access probe posts a ref, and GitHub refuses it (no such commit).
    expect(world.github.count("POST", `${REPO}/releases`) + world.github.count("POST", `${REPO}/git/refs`)).toBe(creates + 1);
    expect(world.github.count("PATCH", /\/git\/refs\//)).toBe(moves);
    // wrangler made a new Worker version of the same code: the Release now names the one production serves.
    const newVersionId = run.outputs["production-version-id"] ?? "";
    expect(newVersionId).not.toBe(rcVersionId);
    const after = snapshot();
    expect(after.refs).toEqual(before.refs);
    expect(after.tagObjects).toEqual(before.tagObjects);
    const expected = before.releases.map((r) =>
      r.tag_name === "v1.4.0" ? { ...r, body: r.body?.replace(rcVersionId, newVersionId) ?? null } : r,
    );
    expect(after.releases).toEqual(expected);
  });

  it("refuses a release tag that is on another commit before production is touched", async () => {
    pushTag("v1.5.0", OTHER);
    const production = world.writes("production");
    const staging = world.writes("staging");
    const before = snapshot();
    const run = await world.run({ version: "1.5.0" }, { ref: "refs/heads/main", sha: D });
    expect(run.outputs["result"], run.stdout).toBe("failed");
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`Tag v1.5.0 already exists on commit ${OTHER}, but this run released commit ${D}`);
    // The check runs before the staging deploy: nothing is deployed.
    expect(world.writes("production")).toBe(production);
    expect(world.writes("staging")).toBe(staging);
    expect(run.stdout).toMatch(/production was not touched/);
    expect(snapshot()).toEqual(before);
  });

  it("names a missing contents: write or deployments: write before anything is deployed", async () => {
    const production = world.writes("production");
    const staging = world.writes("staging");
    const productionRecords = () => world.github.state.deployments.filter((d) => d.environment === "production").length;
    const deployments = productionRecords();
    const cases = [
      { family: "contents", text: "permissions: { contents: write }" },
      { family: "deployments", text: "permissions: { deployments: write }" },
    ] as const;
    for (const { family, text } of cases) {
      world.github.denyPermission(family, { access: "write" });
      try {
        const run = await world.run({ version: "1.6.0" }, { ref: "refs/heads/main", sha: D });
        expect(run.outputs["result"], run.stdout).toBe("failed");
        expect(run.exitCode).toBe(1);
        expect(run.stdout).toContain(text);
        expect(run.stdout).toMatch(/Resource not accessible by integration/);
      } finally {
        world.github.allowPermission(family);
      }
    }
    expect(world.writes("production")).toBe(production);
    expect(world.writes("staging")).toBe(staging);
    expect(productionRecords()).toBe(deployments);
    expect(tagCommit("v1.6.0")).toBeUndefined();
  });

  it("offers deployment-records: false to a token that may not create deployments, and then runs without them", async () => {
    const records = world.github.state.deployments.length;
    world.github.denyPermission("deployments", { access: "write" });
    try {
      const refused = await world.run({ version: "1.6.1" }, { ref: "refs/heads/main", sha: D });
      expect(refused.outputs["result"], refused.stdout).toBe("failed");
      expect(refused.stdout).toContain("or set `deployment-records: false` to run without Deployment records");
      const run = await world.run({ version: "1.6.1", "deployment-records": "false" }, { ref: "refs/heads/main", sha: D });
      expect(run.outputs["result"], run.stdout).toBe("released");
      expect(world.github.state.deployments.length).toBe(records);
    } finally {
      world.github.allowPermission("deployments");
    }
  });

  it("publishes nothing for a rolled-back release; its record says failure, the restored one success", async () => {
    const before = snapshot();
    const firstRecord = world.github.state.deployments.length;
    await world.writeWorker({ label: "tags-v1.7.0", health: { production: "unhealthy" } });
    const run = await world.run({ version: "1.7.0", "floating-tags": "true" }, { ref: "refs/heads/main", sha: E });
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(run.exitCode).toBe(1);
    expect(run.outputs["release-tag"]).toBe("");
    expect(run.outputs["version"]).toBe("1.7.0");
    expect(run.summary).toMatch(/rolled.back/i);
    expect(tagCommit("v1.7.0")).toBeUndefined();
    expect(release("v1.7.0")).toBeUndefined();
    expect(snapshot()).toEqual(before); // floating tags not moved either
    const production = world.github.state.deployments.slice(firstRecord).filter((d) => d.environment === "production");
    expect(production.map((d) => world.github.deploymentState(d.id))).toEqual(["failure", "success"]);
    expect(production[0]?.statuses.map((s) => s.state)).toEqual(["in_progress", "failure"]);
    expect(production[1]?.statuses.at(-1)?.description).toContain(run.outputs["rollback-version-id"]);
    // The release before (v1.4.0-rc.1) is no longer the active record: the restored one is.
    const active = world.github.state.deployments.filter(
      (d) => d.environment === "production" && world.github.deploymentState(d.id) === "success",
    );
    expect(active.map((d) => d.id)).toEqual([production[1]?.id]);
  });
});
