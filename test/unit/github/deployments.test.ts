// The Deployments recorder against the fake GitHub API.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubError } from "../../../src/core/errors.js";
import type { Logger } from "../../../src/core/ports.js";
import { createGitHubClient } from "../../../src/providers/github/client.js";
import { GitHubDeploymentRecorder, truncateDescription } from "../../../src/providers/github/deployments.js";
import { type GitHubFake, startGitHubFake } from "../../support/github-fake.js";

const SHA = "c".repeat(40);
const OLD_SHA = "d".repeat(40);
const RUN = "https://github.com/acme/shop/actions/runs/42";

function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = {
    info: () => {},
    warn: (m) => void warnings.push(m),
    error: () => {},
    debug: () => {},
    group: (_name, fn) => fn(),
  };
  return { logger, warnings };
}

let fake: GitHubFake;
let warnings: string[];
let recorder: GitHubDeploymentRecorder;

beforeEach(async () => {
  fake = await startGitHubFake();
  const log = recordingLogger();
  warnings = log.warnings;
  const client = createGitHubClient({ token: "tok", baseUrl: fake.url, retries: 1, retryBaseMs: 1 });
  recorder = new GitHubDeploymentRecorder({ client, owner: "acme", repo: "shop", logUrl: RUN, logger: log.logger });
});
afterEach(async () => {
  await fake.stop();
});

const production = { ref: SHA, description: "Release v1.2.3", production: true };

/** A production record at `ref` that reached `success`. */
async function succeeded(ref = OLD_SHA): Promise<string> {
  const handle = (await recorder.start("production", { ...production, ref })) as string;
  await recorder.update(handle, "success", {});
  return handle;
}

/** The next `times` requests of `method path` answer 502. */
function badGateway(method: string, path: string, times: number): void {
  fake.faults.add({ method, path, status: 502, body: { message: "Bad gateway" }, times });
}

describe("GitHubDeploymentRecorder", () => {
  it("creates a record with the fields GitHub needs for a commit id", async () => {
    const handle = await recorder.start("staging", { ref: SHA, description: "Release v1.2.3", production: false });
    expect(handle).toBe(String(fake.state.deployments[0]?.id));
    expect(fake.requests[0]?.body).toEqual({
      ref: SHA,
      environment: "staging",
      auto_merge: false,
      required_contexts: [],
      production_environment: false,
      transient_environment: false,
      description: "Release v1.2.3",
    });
    expect(warnings).toEqual([]);
  });

  it("adds statuses with the run link, the environment URL and a 140-character description", async () => {
    const handle = (await recorder.start("staging", { ...production, production: false })) as string;
    await recorder.update(handle, "in_progress", {});
    await recorder.update(handle, "success", { environmentUrl: "https://staging.example.com", description: "y".repeat(200) });
    const statuses = fake.state.deployments[0]?.statuses ?? [];
    expect(statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(statuses[1]).toMatchObject({ log_url: RUN, environment_url: "https://staging.example.com" });
    expect(Array.from(statuses[1]?.description ?? "")).toHaveLength(140);
    expect(fake.requests.at(-1)?.body).toMatchObject({ auto_inactive: true });
    // Staging is retired by GitHub's own auto_inactive: no listing needed.
    expect(fake.count("GET", "/repos/acme/shop/deployments")).toBe(0);
  });

  it("retires the previous production record when a release succeeds", async () => {
    const previous = (await recorder.start("production", { ...production, ref: OLD_SHA })) as string;
    await recorder.update(previous, "success", {});
    const current = (await recorder.start("production", production)) as string;
    await recorder.update(current, "in_progress", {});
    expect(fake.deploymentState(previous)).toBe("success");
    await recorder.update(current, "success", { environmentUrl: "https://example.com" });
    expect(fake.deploymentState(previous)).toBe("inactive");
    expect(fake.deploymentState(current)).toBe("success");
  });

  it("retires every earlier success whose status it could read, and warns once about the one it could not", async () => {
    const oldest = await succeeded();
    // Two records left active: retiring the first fails when the second succeeds (both tries).
    badGateway("POST", `/repos/acme/shop/deployments/${oldest}/statuses`, 2);
    const previous = await succeeded();
    expect(fake.deploymentState(oldest)).toBe("success");
    warnings.length = 0;
    // Every read of the oldest record's statuses fails: when the next record is created, and again when it succeeds.
    badGateway("GET", `/repos/acme/shop/deployments/${oldest}/statuses`, 4);
    const current = (await recorder.start("production", production)) as string;
    await recorder.update(current, "in_progress", {});
    await recorder.update(current, "success", { environmentUrl: "https://example.com" });
    expect(fake.deploymentState(previous)).toBe("inactive");
    expect(fake.deploymentState(oldest)).toBe("success");
    expect(fake.deploymentState(current)).toBe("success");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/mark earlier production deployments inactive: HTTP 502/);
  });

  it("reads the earlier records again at success when the read at creation failed", async () => {
    const previous = await succeeded();
    // Both tries of the listing made when the next record is created fail.
    badGateway("GET", "/repos/acme/shop/deployments", 2);
    const current = (await recorder.start("production", production)) as string;
    await recorder.update(current, "in_progress", {});
    await recorder.update(current, "success", {});
    expect(fake.deploymentState(previous)).toBe("inactive");
    expect(warnings).toEqual([]);
  });

  it("reads which records to retire when the record is created, and only writes when it succeeds", async () => {
    const previous = await succeeded();
    const current = (await recorder.start("production", production)) as string;
    await recorder.update(current, "in_progress", {});
    expect(fake.deploymentState(previous)).toBe("success");
    await recorder.update(current, "success", {});
    expect(fake.deploymentState(previous)).toBe("inactive");
    // The listing for `current` went out when it was created, before its success; none after it.
    const at = (method: string, path: string, from = 0) =>
      fake.requests.findIndex((r, i) => i >= from && r.method === method && r.path === path);
    const created = fake.requests.findIndex(
      (r) => r.method === "POST" && r.path === "/repos/acme/shop/deployments" && r.body?.ref === production.ref,
    );
    const listing = at("GET", "/repos/acme/shop/deployments", created);
    const success = fake.requests.findIndex(
      (r) => r.method === "POST" && r.path === `/repos/acme/shop/deployments/${current}/statuses` && r.body?.state === "success",
    );
    expect(listing).toBeGreaterThan(created);
    expect(listing).toBeLessThan(success);
    expect(at("GET", "/repos/acme/shop/deployments", success)).toBe(-1);
  });

  it("after a rollback, the failed record says failure and the restored version is the active one", async () => {
    const previous = (await recorder.start("production", { ...production, ref: OLD_SHA })) as string;
    await recorder.update(previous, "success", {});
    const failed = (await recorder.start("production", production)) as string;
    await recorder.update(failed, "in_progress", {});
    await recorder.update(failed, "failure", { description: "Health gate failed; rolled back" });
    const restored = (await recorder.start("production", { ...production, ref: OLD_SHA, description: "Rollback" })) as string;
    await recorder.update(restored, "success", { environmentUrl: "https://example.com" });
    expect(fake.deploymentState(failed)).toBe("failure");
    expect(fake.deploymentState(restored)).toBe("success");
    expect(fake.deploymentState(previous)).toBe("inactive");
  });

  it("warns and returns no handle when GitHub makes no record", async () => {
    fake.faults.add({ method: "POST", path: "/repos/acme/shop/deployments", status: 202, body: { message: "Auto-merged" }, times: 1 });
    expect(await recorder.start("production", production)).toBeUndefined();
    fake.faults.add({ method: "POST", path: "/repos/acme/shop/deployments", status: 409, body: { message: "Conflict" }, times: 1 });
    expect(await recorder.start("production", production)).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("HTTP 202: Auto-merged");
    expect(warnings[1]).toContain("HTTP 409: Conflict");
  });

  it("never throws from start; an update that did not land throws (the caller warns and may send it again)", async () => {
    fake.denyPermission("deployments");
    expect(await recorder.start("production", production)).toBeUndefined();
    expect(warnings[0]).toContain("add `permissions: { deployments: write }` to the job");
    const error = await recorder.update("12345", "failure", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).message).toContain("add `permissions: { deployments: write }` to the job");
    await expect(recorder.update("not-a-number", "failure", {})).resolves.toBeUndefined();
  });

  it("throws, naming the status, when a status cannot be written", async () => {
    const handle = (await recorder.start("production", production)) as string;
    fake.faults.add({ path: /\/statuses$/, status: 502 });
    const error = await recorder.update(handle, "success", {}).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`mark deployment ${handle} \`success\``);
  });
});

describe("checkPermission", () => {
  it("passes when the token may create deployments, without creating one", async () => {
    await expect(recorder.checkPermission("production")).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    expect(fake.state.deployments).toHaveLength(0);
  });

  it("turns a refusal into a GitHubError naming deployments: write", async () => {
    fake.denyPermission("deployments");
    const error = await recorder.checkPermission("production").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).message).toContain("the token lacks `deployments: write`");
    expect((error as GitHubError).message).toContain("or set `deployment-records: false` to run without Deployment records");
  });

  it("reuses a refusal seen earlier instead of asking again", async () => {
    fake.denyPermission("deployments");
    await recorder.start("staging", { ...production, production: false });
    fake.allowPermission();
    const requests = fake.requests.length;
    await expect(recorder.checkPermission()).rejects.toThrow(/deployments: write/);
    expect(fake.requests).toHaveLength(requests);
  });
});

describe("prepare", () => {
  it("passes quietly with deployments: write and creates no record", async () => {
    await expect(recorder.prepare(new AbortController().signal)).resolves.toBeUndefined();
    expect(fake.state.deployments).toHaveLength(0);
    expect(warnings).toEqual([]);
  });

  it("fails before anything is deployed without deployments: write, naming the workflow line", async () => {
    fake.denyPermission("deployments");
    const error = await recorder.prepare(new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as Error).message).toContain("record deployments to production");
    expect((error as Error).message).toContain("add `permissions: { deployments: write }` to the job");
  });

  it("does not mistake other refusals for a missing permission", async () => {
    fake.faults.add({ method: "POST", path: "/repos/acme/shop/deployments", status: 409, times: 1 });
    await expect(recorder.prepare(new AbortController().signal)).resolves.toBeUndefined();
  });

  it("stops at once when the run is cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(recorder.prepare(controller.signal)).rejects.toThrow();
  });
});

describe("truncateDescription", () => {
  it("keeps short text and cuts long text by code point with an ellipsis", () => {
    expect(truncateDescription("short")).toBe("short");
    const cut = truncateDescription("🚀".repeat(150));
    expect(Array.from(cut)).toHaveLength(140);
    expect(cut.endsWith("🚀…")).toBe(true);
  });
});
