import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration, parseStatusMatcher, statusMatches } from "../../../src/core/parse.js";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["10s", 10_000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["1.5s", 1_500],
    ["1.1s", 1_100],
    ["0.5m", 30_000],
    ["0", 0],
    ["0s", 0],
    ["1m30s", 90_000],
    ["1h30m", 5_400_000],
    ["1s500ms", 1_500],
    [" 10s ", 10_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "10", "s", "10 s", "-5s", "5d", "1.5.5s", "10S", "30s1m", "1m1m", "0.5ms", "abc", "1e3ms", "1,5s"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0ms"],
    [250, "250ms"],
    [612.4, "612ms"],
    [1_000, "1s"],
    [1_500, "1.5s"],
    [10_000, "10s"],
    [90_000, "1m30s"],
    [120_000, "2m"],
    [3_600_000, "1h"],
    [5_400_000, "1h30m"],
    [3_661_250, "1h1m1.25s"],
  ])("formats %d ms as %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("round-trips through parseDuration", () => {
    for (const ms of [0, 1, 999, 1_000, 1_001, 59_999, 61_000, 3_599_999, 86_400_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe("parseStatusMatcher", () => {
  it.each([
    ["200", [[200, 200]]],
    ["200-299", [[200, 299]]],
    [
      "200,204",
      [
        [200, 200],
        [204, 204],
      ],
    ],
    [
      "200-299,304",
      [
        [200, 299],
        [304, 304],
      ],
    ],
    [
      " 200 , 204 ",
      [
        [200, 200],
        [204, 204],
      ],
    ],
    ["2xx", [[200, 299]]],
    ["100-599", [[100, 599]]],
  ])("reads %j", (text, ranges) => {
    expect(parseStatusMatcher(text)).toEqual({ ranges, text: text.trim() });
  });

  it.each(["", "abc", "99", "600", "200-", "-200", "299-200", "200,", "200-299-300", "20x", "6xx", "2000", "200;204"])(
    "rejects %j",
    (text) => {
      expect(parseStatusMatcher(text)).toBeUndefined();
    },
  );

  it("matches statuses inside any range and nothing else", () => {
    const matcher = parseStatusMatcher("200-299,304")!;
    expect([200, 250, 299, 304].map((s) => statusMatches(matcher, s))).toEqual([true, true, true, true]);
    expect([199, 300, 303, 305, 503].map((s) => statusMatches(matcher, s))).toEqual([false, false, false, false, false]);
  });
});
