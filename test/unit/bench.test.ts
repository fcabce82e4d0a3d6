import { describe, expect, it } from "vitest";
import { covered } from "../../bench/release-bench.js";

describe("bench accounting", () => {
  it("counts overlapping intervals once, so concurrent waits are not subtracted twice", () => {
    expect(
      covered([
        [0, 10],
        [5, 15],
        [20, 25],
      ]),
    ).toBe(20);
    expect(
      covered([
        [20, 25],
        [0, 10],
        [2, 3],
      ]),
    ).toBe(15);
    expect(covered([])).toBe(0);
  });
});
