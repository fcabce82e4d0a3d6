import { describe, expect, it } from "vitest";
import { WeightedRotation, chooseVersion, parseVersionOverrides } from "../../src/sandbox/routing.js";
import type { DeploymentRecord } from "../../src/sandbox/store.js";

const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";

function deployment(id: string, split: Array<[string, number]>): DeploymentRecord {
  return {
    id,
    createdOn: "2026-01-01T00:00:00.000Z",
    annotations: {},
    versions: split.map(([version_id, percentage]) => ({ version_id, percentage })),
  };
}

describe("parseVersionOverrides", () => {
  it("reads every member of the dictionary header", () => {
    const parsed = parseVersionOverrides(`my-worker="${A}", other_worker = "${B}"`);
    expect([...parsed]).toEqual([
      ["my-worker", A],
      ["other_worker", B],
    ]);
  });

  it("ignores malformed members and a missing header", () => {
    expect(parseVersionOverrides(`my-worker=${A}, ="x", ok="${B}"`).size).toBe(1);
    expect(parseVersionOverrides(undefined).size).toBe(0);
  });
});

describe("WeightedRotation", () => {
  it("serves exactly the deployment's percentages over 100 requests, interleaved", () => {
    const rotation = new WeightedRotation();
    const split = deployment("d1", [
      [A, 10],
      [B, 90],
    ]);
    const picks = Array.from({ length: 100 }, () => rotation.next("w", split));
    expect(picks.filter((p) => p === A)).toHaveLength(10);
    // Smooth rotation: within any 10 consecutive requests the 10% version answers once.
    for (let start = 0; start < 100; start += 10) expect(picks.slice(start, start + 10).filter((p) => p === A)).toHaveLength(1);
  });

  it("starts over when the deployment changes and never picks a 0% version", () => {
    const rotation = new WeightedRotation();
    rotation.next(
      "w",
      deployment("d1", [
        [A, 50],
        [B, 50],
      ]),
    );
    const picks = Array.from({ length: 5 }, () =>
      rotation.next(
        "w",
        deployment("d2", [
          [A, 0],
          [B, 100],
        ]),
      ),
    );
    expect(new Set(picks)).toEqual(new Set([B]));
  });
});

describe("chooseVersion", () => {
  const split = deployment("d1", [
    [A, 10],
    [B, 90],
  ]);

  it("honours an override for a version of the current deployment, hyphens or not", () => {
    const rotation = new WeightedRotation();
    for (let i = 0; i < 20; i++) expect(chooseVersion("w", split, `w="${A.replaceAll("-", "")}"`, rotation)).toBe(A);
  });

  it("ignores overrides for another script or a version outside the deployment", () => {
    const rotation = new WeightedRotation();
    const unknown = "cccccccc-0000-4000-8000-000000000003";
    const picks = Array.from({ length: 10 }, (_, i) => chooseVersion("w", split, i % 2 ? `other="${A}"` : `w="${unknown}"`, rotation));
    expect(picks.filter((p) => p === A)).toHaveLength(1);
  });
});
