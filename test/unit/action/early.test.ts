import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DeferredLog, loadSettings } from "../../../src/action/early.js";
import { writeSampleWorker } from "../../../src/sandbox/fixture.js";

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

describe("loadSettings with several Workers", () => {
  async function workspace(config: string): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), "shipline-early-workers-"));
    await writeSampleWorker(join(root, "apps", "api"), { name: "api" });
    await writeSampleWorker(join(root, "apps", "web"), { name: "web" });
    await mkdir(join(root, ".github"), { recursive: true });
    await writeFile(join(root, ".github", "shipline.yml"), config);
    return root;
  }
  const env = (root: string) => ({ GITHUB_WORKSPACE: root, GITHUB_REF: "refs/tags/v1.0.0", GITHUB_SHA: "a".repeat(40) });

  it("checks each Worker's folder and keeps them in order, with absolute folders", async () => {
    const root = await workspace(
      "workers:\n  - { name: api, working-directory: apps/api }\n  - { name: web, working-directory: apps/web }\n",
    );
    try {
      const settings = await loadSettings({}, env(root));
      expect(settings.workers?.map((w) => [w.name, w.settings.config.workingDirectory])).toEqual([
        ["api", join(root, "apps", "api")],
        ["web", join(root, "apps", "web")],
      ]);
      expect(settings.config.workingDirectory).toBe(join(root, "apps", "api"));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("refuses two entries that deploy the same Worker, before anything runs", async () => {
    const root = await workspace(
      "workers:\n  - { name: api, working-directory: apps/api }\n  - { name: again, working-directory: apps/api }\n",
    );
    try {
      await expect(loadSettings({}, env(root))).rejects.toThrow(/lists "api" and "again", which both deploy the Worker api-staging/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
