import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSettings as loadCliSettings, WORKERS_NOT_IN_CLI } from "../../../src/cli/settings.js";
import { describe, expect, it } from "vitest";
import { configErrors, errorFor, resolve } from "./helpers.js";

const TWO = `
production:
  health: { count: 4, checks: [ { path: /health } ] }
workers:
  - name: api
    working-directory: apps/api
    staging: { url: https://staging-api.example.com }
    production: { url: https://api.example.com, health: { checks: [ { path: /api/health } ] } }
  - name: web
    working-directory: apps/web
    vars: { SITE: web }
    production: { url: https://example.com }
`;

describe("config key workers", () => {
  it("resolves each Worker to its own settings, in order, the entry laid over the top level", () => {
    const settings = resolve({}, TWO);
    expect(settings.workers?.map((w) => w.name)).toEqual(["api", "web"]);
    const [api, web] = settings.workers!.map((w) => w.settings.config);
    expect(api?.workingDirectory).toBe("apps/api");
    expect(api?.staging.url).toBe("https://staging-api.example.com");
    expect(api?.production.health.checks.map((c) => c.path)).toEqual(["/api/health"]);
    // What the entry does not say comes from the top level.
    expect(api?.production.health.count).toBe(4);
    expect(web?.production.health.checks.map((c) => c.path)).toEqual(["/health"]);
    expect(web?.production.url).toBe("https://example.com");
    expect(web?.vars).toEqual({ SITE: "web" });
    // The run's own settings are the first Worker's.
    expect(settings.config).toEqual(api);
  });

  it("defaults a Worker's working-directory to the repository root", () => {
    const settings = resolve({}, "workers: [ { name: api }, { name: web, working-directory: apps/web } ]");
    expect(settings.workers?.map((w) => w.settings.config.workingDirectory)).toEqual([".", "apps/web"]);
  });

  it("refuses what belongs to one Worker at the top level or as an input, naming it", () => {
    const errors = configErrors(() =>
      resolve({ "production-url": "https://x.example.com", "before-production": "npm run migrate" }, `${TWO}\nworking-directory: apps\n`),
    );
    expect(errors.map((e) => e.key).sort()).toEqual(["before-production", "production-url", "working-directory"]);
    expect(errors.find((e) => e.key === "production-url")?.message).toMatch(
      /Input `production-url` has the value "https:\/\/x\.example\.com", but the config file lists several Workers.*`workers\[\]\.production\.url`/,
    );
    expect(errors.find((e) => e.key === "working-directory")?.message).toMatch(/Config key `working-directory` has the value "apps"/);
  });

  it("refuses a name used twice or not a plain name", () => {
    const twice = errorFor("workers[1].name", () => resolve({}, "workers: [ { name: api }, { name: api, working-directory: b } ]"));
    expect(twice.message).toMatch(/the name of an earlier Worker/);
    const bad = errorFor("workers[0].name", () => resolve({}, 'workers: [ { name: "a b" } ]'));
    expect(bad.message).toMatch(/has the value "a b": expected 1 to 64 letters/);
  });

  it("says which Worker a bad value belongs to", () => {
    const error = errorFor("workers[1].production.url", () =>
      resolve({}, "workers: [ { name: api }, { name: web, production: { url: not-a-url } } ]"),
    );
    expect(error.message).toMatch(/^Worker "web" \(workers\[1\]\): Config key `production.url` has the value "not-a-url"/);
  });

  it("takes an emergency rollback of several Workers with a release tag or no target, and refuses a version id", () => {
    expect(resolve({ mode: "rollback", "rollback-reason": "x" }, TWO).workers?.map((w) => w.settings.config.mode)).toEqual([
      "rollback",
      "rollback",
    ]);
    const tagged = resolve({ mode: "rollback", "rollback-reason": "x", "rollback-target": "v1.2.3" }, TWO);
    expect(tagged.workers?.map((w) => w.settings.config.emergency?.target)).toEqual(["v1.2.3", "v1.2.3"]);
    const id = "4b8b2f8a-1111-4111-8111-000000000001";
    const error = errorFor("rollback-target", () => resolve({ mode: "rollback", "rollback-reason": "x", "rollback-target": id }, TWO));
    expect(error.message).toBe(
      `Input \`rollback-target\` has the value "${id}", a Worker version id, but the config file lists 2 Workers (\`workers\`): ` +
        "a version id belongs to one Worker only. Expected a release tag (such as v1.2.3) that every Worker's version was uploaded with, " +
        "or no value (each Worker goes back to its own previous stable deployment).",
    );
  });

  it("refuses a command deployer: each Worker is deployed with wrangler", () => {
    const error = errorFor("deployer.kind", () =>
      resolve(
        {},
        "workers: [ { name: api }, { name: web, working-directory: web } ]\ndeployer: { kind: command, deploy: ./d.sh, status: ./s.sh, restore: ./r.sh }\n",
      ),
    );
    expect(error.message).toMatch(/a release of several Workers deploys each with wrangler/);
  });

  it("rejects an unknown key in an entry, naming it", () => {
    expect(() => resolve({}, "workers: [ { name: api, helth: {} } ]")).toThrow(/helth/);
  });
});

describe("the README's several-Workers example", () => {
  it("resolves as written", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("### Several Workers in one release"));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const settings = resolve({}, yaml);
    expect(settings.workers?.map((w) => `${w.name}:${w.settings.config.production.url}`)).toEqual([
      "api:https://api.example.com",
      "web:https://example.com",
    ]);
    expect(settings.workers?.[0]?.settings.config.production.beforeCommand).toMatch(/d1 migrations apply/);
    expect(settings.workers?.[1]?.settings.config.production.beforeCommand).toBeUndefined();
  });
});

describe("the CLI and config key workers", () => {
  it("refuses a config with several Workers, saying the action releases them", async () => {
    const root = await mkdtemp(join(tmpdir(), "shipline-cli-workers-"));
    try {
      await mkdir(join(root, ".github"), { recursive: true });
      await writeFile(join(root, ".github", "shipline.yml"), "workers: [ { name: api }, { name: web, working-directory: web } ]\n");
      await expect(
        loadCliSettings({ mode: "release", inputs: { version: "v1.0.0" }, cwd: root, env: { GITHUB_SHA: "a".repeat(40) } }),
      ).rejects.toThrow(WORKERS_NOT_IN_CLI);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
