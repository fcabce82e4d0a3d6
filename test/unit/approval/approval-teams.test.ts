import { describe, expect, it } from "vitest";
import { ConfigError, GitHubError } from "../../../src/core/errors.js";
import { commentAt, setup, start } from "./setup.js";

const signal = () => new AbortController().signal;
const members = (n: number) => Array.from({ length: n }, (_, i) => `member${i + 1}`);

describe("IssueApproval.prepare: approvers and teams", () => {
  it("expands org/team slugs to their members, all pages, and a member can approve", async () => {
    const s = setup({ approvers: ["alice", "acme/release-managers"] }, { teams: { "acme/release-managers": members(150) } });
    await s.approval.prepare(signal());
    const pages = s.fake.calls.filter((c) => c.operation === "listMembersInOrg").map((c) => c.page);
    expect(pages).toEqual([1, 2]);
    const t0 = s.clock.now();
    const { record } = start(s);
    await commentAt(s, t0, 20_000, "member150", "approve");
    expect(await record).toMatchObject({ status: "approved", approvedBy: ["member150"] });
    expect(s.fake.issue.assignees).toEqual(["alice", ...members(9)]);
    expect(s.fake.issue.body).toContain("@member150");
  });

  it("counts a person who is listed and also in a team once", async () => {
    const s = setup({ approvers: ["Member1", "acme/ops"], minimum: 2 }, { teams: { "acme/ops": ["member1"] } });
    await expect(s.approval.prepare(signal())).rejects.toThrow(/minimum-approvals is 2, but only 1/);
  });

  it.each([404, 403])("a team the token cannot read (%i) is a clear error naming the slug and the token needed", async (status) => {
    const s = setup({ approvers: ["alice", "acme/release-managers"] }, { teams: { "acme/release-managers": status } });
    const error = await s.approval.prepare(signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).status).toBe(status);
    const message = (error as Error).message;
    expect(message).toContain("acme/release-managers");
    expect(message).toContain("GITHUB_TOKEN can never read teams");
    expect(message).toContain("Members: read");
    expect(message).toContain("read:org");
  });

  it("request() checks the approvers itself when prepare was not called, before opening anything", async () => {
    const s = setup({ approvers: ["acme/secret-team"] });
    await expect(start(s).record).rejects.toThrow(/acme\/secret-team/);
    expect(s.fake.issues).toHaveLength(0);
  });

  it("retries a team read on 5xx", async () => {
    const s = setup({ approvers: ["acme/ops"] }, { teams: { "acme/ops": ["dora"] } });
    s.fake.failNext("listMembersInOrg", { status: 502 }, 2);
    await s.approval.prepare(signal());
    expect(s.fake.calls.filter((c) => c.operation === "listMembersInOrg").map((c) => c.status)).toEqual([502, 502, 200]);
  });

  it("refuses when, without the actor, fewer approvers than the minimum remain", async () => {
    const s = setup({ approvers: ["carol", "alice"], minimum: 2 });
    const error = await s.approval.prepare(signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("minimum-approvals");
    expect((error as Error).message).toMatch(/carol cannot approve: allow-self-approval is off/);
    await setup({ approvers: ["carol", "alice"], minimum: 2, allowSelfApproval: true }).approval.prepare(signal());
  });

  it.each([["acme/"], ["a/b/c"], ["not a login"], [""]])("rejects the malformed approver %j", async (entry) => {
    const s = setup({ approvers: [entry] });
    await expect(s.approval.prepare(signal())).rejects.toBeInstanceOf(ConfigError);
  });

  it("rejects an empty approver list", async () => {
    await expect(setup({ approvers: [] }).approval.prepare(signal())).rejects.toThrow(/at least one approver/);
  });
});
