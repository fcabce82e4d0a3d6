import { describe, expect, it } from "vitest";
import { loadMiniflare } from "../../../src/sandbox/runtime.js";

describe("miniflare, an optional peer", () => {
  it("is imported when the sandbox starts", async () => {
    const miniflare = await loadMiniflare();
    expect(typeof miniflare.Miniflare).toBe("function");
  });

  it("says how to install it when it is missing", async () => {
    const missing = Object.assign(new Error("Cannot find package 'miniflare'"), { code: "ERR_MODULE_NOT_FOUND" });
    await expect(loadMiniflare(() => Promise.reject(missing))).rejects.toThrow(
      /needs miniflare, an optional peer dependency of shipline that is not installed: run `npm install --save-dev miniflare@4`/,
    );
  });

  it("passes on any other import failure as it is", async () => {
    const broken = new Error("workerd binary is missing");
    await expect(loadMiniflare(() => Promise.reject(broken))).rejects.toBe(broken);
  });
});
