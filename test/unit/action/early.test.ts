import { describe, expect, it } from "vitest";
import { DeferredLog } from "../../../src/action/early.js";

describe("DeferredLog", () => {
  it("keeps messages until a logger is attached, then passes them on in order, and everything after at once", () => {
    const log = new DeferredLog();
    const seen: string[] = [];
    log.debug("one");
    log.warn("two");
    expect(seen).toEqual([]);
    log.attach({ debug: (m) => seen.push(`debug ${m}`), warn: (m) => seen.push(`warn ${m}`) });
    expect(seen).toEqual(["debug one", "warn two"]);
    log.warn("three");
    expect(seen).toEqual(["debug one", "warn two", "warn three"]);
  });
});
