import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { wranglerLaunch } from "../../../src/providers/wrangler/runner.js";
import { WRANGLER_MODULES } from "../../support/action-harness.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A wrangler package whose bin spawns Node with `nodeArgs` (the array's source text), and its bundle when `bundle`. */
async function wranglerPackage(nodeArgs: string | undefined, bundle = true, binName = "wrangler.js"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "shipline-launch-"));
  dirs.push(dir);
  await mkdir(join(dir, "bin"));
  const wrapper =
    nodeArgs === undefined
      ? "require('../wrangler-dist/cli.js');\n"
      : `const { spawn } = require("child_process");\nspawn(\n\tprocess.execPath,\n\t[${nodeArgs}],\n\t{ stdio: "inherit" }\n);\n`;
  await writeFile(join(dir, "bin", binName), wrapper);
  if (bundle) {
    await mkdir(join(dir, "wrangler-dist"));
    await writeFile(join(dir, "wrangler-dist", "cli.js"), "");
  }
  return dir;
}

const REST = `...process.execArgv, path.join(__dirname, "../wrangler-dist/cli.js"), ...process.argv.slice(2)`;

describe("wranglerLaunch", () => {
  it("starts the installed wrangler's bundle with the flags its own bin/wrangler.js gives (4.86: two)", () => {
    const bin = join(WRANGLER_MODULES, "wrangler", "bin", "wrangler.js");
    expect(wranglerLaunch(bin)).toEqual([
      "--no-warnings",
      "--experimental-vm-modules",
      join(WRANGLER_MODULES, "wrangler", "bin", "..", "wrangler-dist", "cli.js"),
    ]);
  });

  it("follows the wrapper when it changes its flags (newer 4.x pass --no-warnings only)", async () => {
    const dir = await wranglerPackage(`"--no-warnings", ${REST}`);
    expect(wranglerLaunch(join(dir, "bin", "wrangler.js"))).toEqual(["--no-warnings", join(dir, "bin", "..", "wrangler-dist", "cli.js")]);
  });

  it("runs the bin as given when the wrapper or the layout is not one it knows", async () => {
    const computed = await wranglerPackage(`...flags, ${REST}`);
    const required = await wranglerPackage(undefined);
    const noBundle = await wranglerPackage(`"--no-warnings", ${REST}`, false);
    const otherName = await wranglerPackage(`"--no-warnings", ${REST}`, true, "fake-wrangler.js");
    for (const bin of [
      join(computed, "bin", "wrangler.js"),
      join(required, "bin", "wrangler.js"),
      join(noBundle, "bin", "wrangler.js"),
      join(otherName, "bin", "fake-wrangler.js"),
    ]) {
      expect(wranglerLaunch(bin)).toEqual([bin]);
    }
  });
});
