import { describe, expect, it } from "vitest";
import { allocationProblem, deploymentMessage, manualRestoreArgs } from "../../../src/providers/wrangler/commands.js";
import { clampMessage, lastLines, shellQuote, stripAnsi } from "../../../src/providers/wrangler/text.js";

describe("stripAnsi", () => {
  it("removes colours, bold and hyperlinks as wrangler prints them", () => {
    const raw =
      "\u001b[31m✘ \u001b[41;31m[\u001b[41;97mERROR\u001b[41;31m]\u001b[0m \u001b[1mboom\u001b[0m \u001b]8;;https://x\u0007link\u001b]8;;\u0007";
    expect(stripAnsi(raw)).toBe("✘ [ERROR] boom link");
  });

  it("leaves plain text alone", () => {
    expect(stripAnsi("a [b] 100%")).toBe("a [b] 100%");
  });
});

describe("shellQuote", () => {
  it("quotes only what needs it and escapes what a double-quoted string expands", () => {
    expect(shellQuote("ver-1@50")).toBe("ver-1@50");
    expect(shellQuote("git:abc")).toBe("git:abc");
    expect(shellQuote("a b")).toBe('"a b"');
    expect(shellQuote('say "$HOME" `x` \\')).toBe('"say \\"\\$HOME\\" \\`x\\` \\\\"');
    expect(shellQuote("")).toBe('""');
  });
});

describe("messages", () => {
  it("clamps to one line of at most the limit", () => {
    expect(clampMessage("  a\n\n b  ", 120)).toBe("a b");
    expect(clampMessage("x".repeat(130), 120)).toHaveLength(120);
  });

  it("never gives wrangler an empty message (it would fall back to its own default)", () => {
    expect(deploymentMessage("   ")).toBe("shipline");
  });

  it("keeps the last non-empty lines", () => {
    expect(lastLines("a\n\nb\nc\n\n", 2)).toBe("b\nc");
  });
});

describe("allocations", () => {
  it("accepts one version at 100 or a split summing to 100", () => {
    expect(allocationProblem([{ versionId: "a", percentage: 100 }])).toBeUndefined();
    expect(
      allocationProblem([
        { versionId: "a", percentage: 12.5 },
        { versionId: "b", percentage: 87.5 },
      ]),
    ).toBeUndefined();
  });

  it("rejects empty, oversize, out-of-range and odd ids", () => {
    expect(allocationProblem([])).toMatch(/one or two/);
    expect(allocationProblem([1, 2, 3].map((n) => ({ versionId: `v${n}`, percentage: 100 / 3 })))).toMatch(/one or two/);
    expect(
      allocationProblem([
        { versionId: "a", percentage: 120 },
        { versionId: "b", percentage: -20 },
      ]),
    ).toMatch(/outside 0-100/);
    expect(allocationProblem([{ versionId: "a --yes", percentage: 100 }])).toMatch(/not a version id/);
  });

  it("restores a split with versions deploy, and one version at 100% with rollback", () => {
    expect(manualRestoreArgs("p", [{ versionId: "a", percentage: 100 }], "m")[0]).toBe("rollback");
    expect(
      manualRestoreArgs(
        "p",
        [
          { versionId: "a", percentage: 50 },
          { versionId: "b", percentage: 50 },
        ],
        "m",
      ).slice(0, 2),
    ).toEqual(["versions", "deploy"]);
  });
});
