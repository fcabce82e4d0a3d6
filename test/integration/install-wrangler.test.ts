/**
 * The real install of wrangler outside a project, from the project's lockfile, with the real npm
 * and registry. Off by default (a network install takes 10-30 s and depends on the registry):
 * run it with `SHIPLINE_INSTALL_TEST=1 npx vitest run test/integration/install-wrangler.test.ts`.
 * `npm run bench` runs the same install every time, timed beside wrangler-action's.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installDirFor, locateWrangler } from "../../src/providers/wrangler/locate.js";
import { memoryLogger } from "../support/logger.js";

const enabled = process.env["SHIPLINE_INSTALL_TEST"] === "1";

describe.runIf(enabled)("installing wrangler for real, outside the project", () => {
  let root: string;
  let project: string;
  let pinned = "";
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "install-wrangler-"));
    project = join(root, "project");
    await mkdir(project, { recursive: true });
    pinned = (JSON.parse(await readFile("package.json", "utf8")) as { devDependencies: { wrangler: string } }).devDependencies.wrangler;
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "w", private: true, devDependencies: { wrangler: pinned } }));
    execFileSync("npm", ["install", "--package-lock-only", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: project,
      stdio: "ignore",
    });
  }, 120_000);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("npm ci of the lockfile's wrangler into the cache, which runs; the project stays as it was", async () => {
    const before = await readdir(project);
    const lockBefore = await readFile(join(project, "package-lock.json"), "utf8");
    const logger = memoryLogger();
    const cacheDir = join(root, "cache");
    const found = await locateWrangler({ workingDirectory: project, cacheDir, logger });
    expect(found).toEqual({
      binJs: join(installDirFor(cacheDir, pinned), "node_modules", "wrangler", "bin", "wrangler.js"),
      version: pinned,
      source: "installed",
    });
    expect(logger.lines[0]).toContain(`(the version package-lock.json pins)`);
    expect(logger.lines[0]).toContain("npm ci, from the lockfile's own entries for wrangler");
    expect(execFileSync(process.execPath, [found.binJs, "--version"], { encoding: "utf8" }).trim()).toBe(pinned);
    expect(await readdir(project)).toEqual(before);
    expect(await readFile(join(project, "package-lock.json"), "utf8")).toBe(lockBefore);
  }, 180_000);
});
