import { describe, expect, it } from "vitest";
import { spread } from "../../bench/process-bench.js";
import { covered, inFlightAt } from "../../bench/release-bench.js";

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

  it("tells whether a read had started and not yet ended at a moment", () => {
    const reads = [
      [100, 120],
      [300, 3_300],
    ] as const;
    expect(inFlightAt(reads, 110)).toBe(true);
    expect(inFlightAt(reads, 120)).toBe(false);
    expect(inFlightAt(reads, 200)).toBe(false);
    expect(inFlightAt(reads, 300)).toBe(true);
    expect(inFlightAt([], 300)).toBe(false);
  });

  it("gives the median, min and max of the samples it could measure", () => {
    expect(spread([30, 10, 20])).toMatchObject({ medianMs: 20, minMs: 10, maxMs: 30 });
    expect(spread([40, 10, 20, 30])).toMatchObject({ medianMs: 25, minMs: 10, maxMs: 40 });
    expect(spread([Number.NaN, 5])).toMatchObject({ medianMs: 5, minMs: 5, maxMs: 5 });
    expect(spread([]).medianMs).toBeNaN();
  });
});
