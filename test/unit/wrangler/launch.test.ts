import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { wranglerLaunch } from "../../../src/providers/wrangler/runner.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function packageWith(files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "shipline-launch-"));
  dirs.push(dir);
  for (const file of files) {
    await mkdir(join(dir, file, ".."), { recursive: true });
    await writeFile(join(dir, file), "");
  }
  return dir;
}

describe("wranglerLaunch", () => {
  it("starts wrangler's bundle with the flags bin/wrangler.js would give its second Node", async () => {
    const dir = await packageWith(["bin/wrangler.js", "wrangler-dist/cli.js"]);
    expect(wranglerLaunch(join(dir, "bin/wrangler.js"))).toEqual([
      "--no-warnings",
      "--experimental-vm-modules",
      join(dir, "wrangler-dist/cli.js"),
    ]);
  });

  it("runs the bin as given when the bundle is not where wrangler 3 and 4 keep it, or the bin is not wrangler's", async () => {
    const noBundle = await packageWith(["bin/wrangler.js"]);
    expect(wranglerLaunch(join(noBundle, "bin/wrangler.js"))).toEqual([join(noBundle, "bin/wrangler.js")]);
    const other = await packageWith(["bin/fake-wrangler.js", "wrangler-dist/cli.js"]);
    expect(wranglerLaunch(join(other, "bin/fake-wrangler.js"))).toEqual([join(other, "bin/fake-wrangler.js")]);
  });
});
