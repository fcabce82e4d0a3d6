import { describe, expect, it } from "vitest";
import { decide, parseDecision, type DecisionComment, type DecisionState } from "../../../src/core/approval-rules.js";

let id = 0;
function c(author: string, body: string, minute = id): DecisionComment {
  id++;
  return { id, author, body, createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString() };
}

function state(comments: DecisionComment[], extra: Partial<DecisionState> = {}): DecisionState {
  return { comments, eligible: new Set(["alice", "bob", "carol"]), actor: "carol", allowSelfApproval: false, minimum: 1, ...extra };
}

describe("parseDecision", () => {
  it.each(["approve", "Approved", "LGTM", "yes", "/approve", "  lgtm!! \n", "Approve.", "YES!.!", "\r\napproved\r\n"])(
    "%j approves",
    (body) => expect(parseDecision(body)).toBe("approve"),
  );

  it.each(["deny", "DENIED", "no", "/deny", " No. ", "deny!"])("%j denies", (body) => expect(parseDecision(body)).toBe("deny"));

  it.each(["approve please", "I approve", "yes?", "", "not approved", "/approve now", "lgtm :)", "> approve", "no way"])(
    "%j is not a decision",
    (body) => expect(parseDecision(body)).toBeNull(),
  );
});

describe("decide", () => {
  it("stays pending with no decision and lists non-decision comments with the reason", () => {
    const outcome = decide(state([c("alice", "looks good to me, will approve after lunch")]));
    expect(outcome.status).toBe("pending");
    expect(outcome.ignored).toEqual([
      { author: "alice", body: "looks good to me, will approve after lunch", why: expect.stringMatching(/^not a decision/) },
    ]);
  });

  it("ignores decisions from people who are not eligible, and says why", () => {
    const outcome = decide(state([c("mallory", "approve"), c("mallory", "deny")]));
    expect(outcome.status).toBe("pending");
    expect(outcome.ignored.map((i) => i.why)).toEqual(["not an eligible approver", "not an eligible approver"]);
  });

  it("matches eligible logins in any case", () => {
    expect(decide(state([c("Alice", "approve")])).approvedBy).toEqual(["Alice"]);
  });

  it("refuses the run's actor without allow-self-approval, approve and deny alike", () => {
    const outcome = decide(state([c("CAROL", "approve"), c("carol", "deny")]));
    expect(outcome.status).toBe("pending");
    expect(outcome.ignored).toHaveLength(2);
    expect(outcome.ignored[0]?.why).toMatch(/actor.*allow-self-approval/);
  });

  it("lets the actor decide with allow-self-approval", () => {
    expect(decide(state([c("carol", "approve")], { allowSelfApproval: true }))).toMatchObject({
      status: "approved",
      approvedBy: ["carol"],
    });
  });

  it("needs `minimum` distinct approvers; repeated approvals count once", () => {
    const twice = [c("alice", "approve"), c("alice", "LGTM")];
    expect(decide(state(twice, { minimum: 2 }))).toMatchObject({ status: "pending", approvedBy: ["alice"] });
    expect(decide(state([...twice, c("bob", "yes")], { minimum: 2 }))).toMatchObject({ status: "approved", approvedBy: ["alice", "bob"] });
  });

  it("ends at the first deny, even with approvals after it", () => {
    const outcome = decide(state([c("alice", "approve"), c("bob", "no"), c("carol", "approve"), c("alice", "approve")], { minimum: 2 }));
    expect(outcome).toMatchObject({ status: "denied", deniedBy: "bob", approvedBy: ["alice"] });
  });

  it("an approver who approves then denies has denied", () => {
    expect(decide(state([c("alice", "approve"), c("alice", "deny")], { minimum: 2 }))).toMatchObject({
      status: "denied",
      deniedBy: "alice",
    });
  });

  it("reads comments as a timeline: the minimum reached before a deny approves", () => {
    expect(decide(state([c("alice", "approve"), c("bob", "deny")]))).toMatchObject({ status: "approved", approvedBy: ["alice"] });
  });

  it("orders comments by creation time, then id, whatever order they arrive in", () => {
    const deny = c("bob", "deny", 5);
    const approve = c("alice", "approve", 1);
    expect(decide(state([deny, approve])).status).toBe("approved");
  });

  it("skips the bot's own comments silently", () => {
    const outcome = decide(state([c("github-actions[bot]", "Approve release v1.2.3?")], { author: "github-actions[bot]" }));
    expect(outcome).toEqual({ status: "pending", approvedBy: [], ignored: [] });
  });

  it("lets the issue author decide when it is an eligible approver (a person's token)", () => {
    expect(decide(state([c("alice", "approve")], { author: "alice" })).status).toBe("approved");
  });

  it("clips long ignored comments", () => {
    const outcome = decide(state([c("dave", "x".repeat(5000))]));
    expect(outcome.ignored[0]?.body.length).toBeLessThanOrEqual(200);
  });
});
