import { describe, expect, it } from "vitest";
import { jsonSubset } from "../../../src/core/json-subset.js";

describe("jsonSubset", () => {
  it("accepts objects that contain every expected key, extra keys included", () => {
    const actual = { success: true, data: { status: "healthy", uptime: 12 }, extra: [1] };
    expect(jsonSubset({ success: true, data: { status: "healthy" } }, actual)).toEqual({ ok: true });
    expect(jsonSubset({}, actual)).toEqual({ ok: true });
  });

  it("names the path, the expected value and what came back", () => {
    const actual = { success: true, data: { status: "degraded" } };
    expect(jsonSubset({ data: { status: "healthy" } }, actual)).toEqual({
      ok: false,
      path: "$.data.status",
      expected: "healthy",
      actual: "degraded",
    });
  });

  it("reports a missing key with actual undefined", () => {
    expect(jsonSubset({ data: { ready: true } }, { data: {} })).toEqual({
      ok: false,
      path: "$.data.ready",
      expected: true,
      actual: undefined,
    });
  });

  it("quotes keys that are not identifiers", () => {
    const result = jsonSubset({ "db pool": { "max-size": 5 } }, { "db pool": { "max-size": 4 } });
    expect(result).toMatchObject({ ok: false, path: '$["db pool"]["max-size"]' });
  });

  it("compares scalars strictly", () => {
    expect(jsonSubset(1, "1").ok).toBe(false);
    expect(jsonSubset(true, 1).ok).toBe(false);
    expect(jsonSubset(null, null).ok).toBe(true);
    expect(jsonSubset(null, {}).ok).toBe(false);
    expect(jsonSubset("ok", "ok").ok).toBe(true);
    expect(jsonSubset({ a: null }, { a: undefined }).ok).toBe(false);
  });

  it("does not take an array for an object or an object for an array", () => {
    expect(jsonSubset({}, []).ok).toBe(false);
    expect(jsonSubset([], {}).ok).toBe(false);
    expect(jsonSubset({ a: 1 }, "a").ok).toBe(false);
  });

  it("matches array elements in any order, each against a different element", () => {
    const actual = {
      checks: [
        { name: "kv", ok: true },
        { name: "db", ok: true, ms: 3 },
      ],
    };
    expect(jsonSubset({ checks: [{ name: "db" }, { name: "kv" }] }, actual).ok).toBe(true);
    expect(jsonSubset({ checks: [] }, actual).ok).toBe(true);
    expect(jsonSubset([1, 1], [1, 2]).ok).toBe(false);
    expect(jsonSubset([1, 1], [2, 1, 1]).ok).toBe(true);
  });

  it("finds an assignment that a greedy first-fit would miss", () => {
    // {a:1} first grabbing the fuller element would leave nothing for {a:1,b:2}.
    expect(jsonSubset([{ a: 1 }, { a: 1, b: 2 }], [{ a: 1, b: 2 }, { a: 1 }]).ok).toBe(true);
  });

  it("reports an array mismatch at the array with both arrays", () => {
    const result = jsonSubset({ checks: [{ name: "db", ok: true }] }, { checks: [{ name: "db", ok: false }] });
    expect(result).toEqual({
      ok: false,
      path: "$.checks",
      expected: [{ name: "db", ok: true }],
      actual: [{ name: "db", ok: false }],
    });
  });
});
