import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The suite's compile cache for wrangler's bundle on Node 20 (test/support/compile-cache.cjs):
 * the second process that runs the same command from the same file uses the first one's V8
 * code cache, and the module behaves as under Node's own loader.
 */
const HOOK = resolve("test/support/compile-cache.cjs");
const run = promisify(execFile);
const nodeMajor = Number(process.versions.node.split(".")[0]);

describe.skipIf(nodeMajor >= 22)("compile cache for wrangler's bundle (Node 20)", () => {
  let dir: string;
  let cli: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "shipline-compile-cache-"));
    cli = join(dir, "wrangler-dist", "cli.js");
    await mkdir(join(dir, "wrangler-dist"));
    const filler = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i} + 1; }`).join("\n");
    await writeFile(
      cli,
      [
        filler,
        `const path = require("node:path");`,
        `module.exports = { name: path.basename(__filename) };`,
        `const self = require(require.resolve("./cli.js"));`,
        `console.log(JSON.stringify({ same: self === module.exports, main: require.main === module, dir: __dirname, sum: f7(3) + f199(1), arg: process.argv[2] }));`,
      ].join("\n"),
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const start = (command: string) =>
    run(process.execPath, ["--require", HOOK, cli, command], {
      env: { PATH: process.env["PATH"] ?? "", SHIPLINE_TEST_COMPILE_CACHE: join(dir, "cache"), SHIPLINE_TEST_PRELOAD_DEBUG: "1" },
    });

  it("writes the cache on the first start and uses it on the next one of the same command", async () => {
    const first = await start("deploy");
    expect(first.stderr).toBe("compile-cache: none\ncompile-cache: saved\n");
    expect(JSON.parse(first.stdout)).toEqual({
      same: true,
      main: true,
      dir: join(dir, "wrangler-dist"),
      sum: 7 * 3 + 1 + 199 + 1,
      arg: "deploy",
    });
    expect(await readdir(join(dir, "cache"))).toHaveLength(1);

    const second = await start("deploy");
    expect(second.stderr).toBe("compile-cache: used\n");
    expect(second.stdout).toBe(first.stdout);

    // Another command keeps a cache of its own (the functions it runs differ).
    const other = await start("rollback");
    expect(other.stderr).toBe("compile-cache: none\ncompile-cache: saved\n");
    expect(await readdir(join(dir, "cache"))).toHaveLength(2);
  });

  it("leaves every other file to Node's own loader", async () => {
    const plain = join(dir, "other.js");
    await writeFile(plain, `console.log(typeof require.main)`);
    const { stdout, stderr } = await run(process.execPath, ["--require", HOOK, plain], {
      env: { PATH: process.env["PATH"] ?? "", SHIPLINE_TEST_PRELOAD_DEBUG: "1" },
    });
    expect(stdout.trim()).toBe("object");
    expect(stderr).toBe("");
  });
});
