import { describe, expect, it } from "vitest";
import {
  decideRecovery,
  oursBy,
  restoreCandidates,
  rollbackMessage,
  rolledBackFrom,
  type RecoveryAction,
  type RecoveryCause,
  type RecoveryFacts,
} from "../../../src/core/recovery.js";
import type { DeploymentInfo, LiveState, RollbackPolicy } from "../../../src/core/types.js";

const at = (deploymentId: string, ...shares: Array<[string, number]>): DeploymentInfo => ({
  deploymentId,
  allocation: shares.map(([versionId, percentage]) => ({ versionId, percentage })),
});
const OLD = at("d1", ["old", 100]);
const SPLIT_ANCHOR = at("d1", ["old", 90], ["older", 10]);
const OURS = at("d2", ["new", 100]);
const OURS_AT_10 = at("d2", ["new", 10], ["old", 90]);
const THEIRS = at("d3", ["theirs", 100]);
const ours = (id: string) => id === "new";

interface Row {
  readonly name: string;
  readonly cause: RecoveryCause;
  readonly policy?: RollbackPolicy;
  readonly anchor: LiveState | null;
  readonly live: LiveState | null | undefined;
  readonly history?: DeploymentInfo[];
  readonly expected: RecoveryAction;
}

// Every way the facts can combine, with the one thing to do. Read top to bottom, it is the rule.
const ROWS: Row[] = [
  // Nothing went live.
  {
    name: "deploy failed, production still serves the anchor",
    cause: "deploy-failed",
    anchor: OLD,
    live: OLD,
    expected: { kind: "unchanged", serving: OLD },
  },
  {
    name: "first deploy failed, still nothing deployed",
    cause: "deploy-failed",
    anchor: null,
    live: null,
    expected: { kind: "unchanged", serving: null },
  },
  {
    name: "cancelled, production reads as the anchor",
    cause: "cancelled",
    anchor: OLD,
    live: OLD,
    expected: { kind: "unchanged", serving: OLD },
  },
  {
    name: "rollback: off, yet nothing changed",
    cause: "gate-failed",
    policy: "off",
    anchor: OLD,
    live: OLD,
    expected: { kind: "unchanged", serving: OLD },
  },
  // Someone else's deploy: never roll back over it.
  {
    name: "gate failed, their version is live",
    cause: "gate-failed",
    anchor: OLD,
    live: THEIRS,
    expected: { kind: "someone-else", theirs: THEIRS, when: "live" },
  },
  {
    name: "gate passed but their version is live by its end",
    cause: "not-judged",
    anchor: OLD,
    live: THEIRS,
    expected: { kind: "someone-else", theirs: THEIRS, when: "live" },
  },
  {
    name: "cancelled, their version is live",
    cause: "cancelled",
    anchor: OLD,
    live: THEIRS,
    expected: { kind: "someone-else", theirs: THEIRS, when: "live" },
  },
  {
    name: "rollback: off, their version is live",
    cause: "gate-failed",
    policy: "off",
    anchor: OLD,
    live: THEIRS,
    expected: { kind: "someone-else", theirs: THEIRS, when: "live" },
  },
  {
    name: "they deployed between the anchor and ours, which replaced it",
    cause: "gate-failed",
    anchor: OLD,
    live: OURS,
    history: [OURS, at("d1b", ["theirs", 100]), OLD],
    expected: { kind: "someone-else", theirs: at("d1b", ["theirs", 100]), when: "before-ours" },
  },
  // Ours is live and unproven.
  {
    name: "gate failed on ours",
    cause: "gate-failed",
    anchor: OLD,
    live: OURS,
    history: [OURS, OLD],
    expected: { kind: "restore", to: OLD.allocation, verify: "health" },
  },
  {
    name: "gate failed at a 10% step",
    cause: "gate-failed",
    anchor: OLD,
    live: OURS_AT_10,
    expected: { kind: "restore", to: OLD.allocation, verify: "health" },
  },
  {
    name: "split anchor is restored exactly",
    cause: "gate-failed",
    anchor: SPLIT_ANCHOR,
    live: OURS,
    expected: { kind: "restore", to: SPLIT_ANCHOR.allocation, verify: "health" },
  },
  {
    name: "deploy failed after going live",
    cause: "deploy-failed",
    anchor: OLD,
    live: OURS,
    expected: { kind: "restore", to: OLD.allocation, verify: "health" },
  },
  {
    name: "cancelled with ours live: read back only",
    cause: "cancelled",
    anchor: OLD,
    live: OURS,
    expected: { kind: "restore", to: OLD.allocation, verify: "read-back" },
  },
  {
    name: "cancelled, production not read: restore at once",
    cause: "cancelled",
    anchor: OLD,
    live: undefined,
    expected: { kind: "restore", to: OLD.allocation, verify: "read-back" },
  },
  {
    name: "gate failed, production unreadable: restore the known anchor",
    cause: "gate-failed",
    anchor: OLD,
    live: undefined,
    expected: { kind: "restore", to: OLD.allocation, verify: "health" },
  },
  {
    name: "production unreadable after a passed gate",
    cause: "not-judged",
    anchor: OLD,
    live: undefined,
    expected: { kind: "restore", to: OLD.allocation, verify: "health" },
  },
  {
    name: "cancelled overrides rollback: off",
    cause: "cancelled",
    policy: "off",
    anchor: OLD,
    live: OURS,
    expected: { kind: "restore", to: OLD.allocation, verify: "read-back" },
  },
  // rollback: off leaves ours; a first deploy has nothing to go back to.
  { name: "rollback: off, ours is live", cause: "gate-failed", policy: "off", anchor: OLD, live: OURS, expected: { kind: "leave" } },
  {
    name: "rollback: off, deploy failed after going live",
    cause: "deploy-failed",
    policy: "off",
    anchor: OLD,
    live: OURS,
    expected: { kind: "leave" },
  },
  { name: "first deploy unhealthy", cause: "gate-failed", anchor: null, live: OURS, expected: { kind: "first-deploy" } },
  { name: "first deploy cancelled", cause: "cancelled", anchor: null, live: undefined, expected: { kind: "first-deploy" } },
];

describe("decideRecovery", () => {
  it.each(ROWS)("$name", (row) => {
    const facts: RecoveryFacts = {
      cause: row.cause,
      policy: row.policy ?? "auto",
      anchor: row.anchor,
      live: row.live,
      ...(row.history ? { history: row.history } : {}),
      ours,
    };
    expect(decideRecovery(facts)).toEqual(row.expected);
  });

  it("covers every cause and every action", () => {
    expect(new Set(ROWS.map((r) => r.cause))).toEqual(new Set(["gate-failed", "deploy-failed", "cancelled", "not-judged"]));
    expect(new Set(ROWS.map((r) => r.expected.kind))).toEqual(new Set(["unchanged", "leave", "first-deploy", "someone-else", "restore"]));
  });
});

describe("oursBy", () => {
  it("knows a version by id, with or without hyphens, or by its release tag and git:<sha> message", () => {
    const known = oursBy({ ids: ["AAAAAAAA-1111-4111-8111-000000000001"], tag: "v1.2.0", message: "git:abc" }, [
      { versionId: "b", tag: "v1.2.0", message: "git:abc" },
      { versionId: "c", tag: "v1.2.0", message: "git:other" },
      { versionId: "d", tag: "v1.1.0", message: "git:abc" },
    ]);
    expect(["aaaaaaaa111141118111000000000001", "b", "c", "d"].map(known)).toEqual([true, true, false, false]);
  });
});

describe("rollback messages and known-bad versions", () => {
  it("names the version rolled back from, within wrangler's 120 characters", () => {
    const message = rollbackMessage("1234abcd-0000-4000-8000-000000000000", `v1.2.0 gate-failed ${"x".repeat(200)}`);
    expect(message.length).toBeLessThanOrEqual(120);
    expect(rolledBackFrom([{ ...OLD, message }])).toEqual(new Set(["1234abcd-0000-4000-8000-000000000000"]));
    expect(
      rolledBackFrom([
        { ...OLD, message: "git:abc" },
        { ...OLD, message: rollbackMessage(undefined, "cancelled") },
      ]),
    ).toEqual(new Set());
  });

  it("lists earlier single-version deployments, newest first, without known-bad or excluded versions", () => {
    const history: DeploymentInfo[] = [
      { ...at("d5", ["b", 100]), message: rollbackMessage("c", "v3 gate-failed") },
      at("d4", ["c", 100]),
      at("d3", ["b", 50], ["a", 50]),
      at("d2", ["b", 100]),
      at("d1", ["a", 100]),
      at("d0", ["a", 100]),
    ];
    expect(restoreCandidates(history, ["b"]).map((c) => c.versionId)).toEqual(["a"]);
    expect(restoreCandidates(history, []).map((c) => c.versionId)).toEqual(["b", "a"]);
  });
});
