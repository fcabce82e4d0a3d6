import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { INPUTS, OUTPUTS } from "../../../src/config/inputs.js";
import { renderInputsTable, syncReadme } from "../../../src/config/readme-tables.js";

const README = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

describe("README tables", () => {
  it("lists every input and output, exactly as generated (run `npm run schema` after a change)", () => {
    expect(syncReadme(README)).toBe(README);
  });

  it("has a row per input and per output", () => {
    for (const input of INPUTS) expect(README).toContain(`| \`${input.name}\` |`);
    for (const output of OUTPUTS) expect(README).toContain(`| \`${output.name}\` |`);
  });

  it("escapes pipes inside descriptions so rows keep their columns", () => {
    for (const row of renderInputsTable().split("\n").slice(2)) {
      expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(6);
    }
  });
});
