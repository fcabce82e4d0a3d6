import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const README = read("README.md");

function region(name: string): string {
  const match = new RegExp(`<!-- ${name}:start -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(README);
  if (!match?.[1]) throw new Error(`README has no ${name} region with a code block`);
  return match[1];
}

describe("README examples", () => {
  it("shows the library program exactly as examples/library/release.ts (which the typecheck compiles)", () => {
    const example = read("examples/library/release.ts").replace('"../../src/index.js"', '"shipline"');
    expect(region("library-example")).toBe(example);
  });

  it("shows the release workflow exactly as examples/release.yml (which a test checks against action.yml)", () => {
    expect(region("example:release")).toBe(read("examples/release.yml"));
  });
});
