import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  acceptsEnvironment,
  accountIdFor,
  complianceRegionFor,
  environmentNames,
  findWranglerConfig,
  parseWranglerProject,
  readWranglerProject,
  workerNameFor,
  WranglerConfigError,
} from "../../../src/providers/wrangler/project.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wrangler-project-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TOML = `
name = "api"
account_id = "top-account"
main = "src/index.js"

[env.staging]
# inherits name and account

[env.production]
name = "api-live"
account_id = "prod-account"
`;

const JSONC = `{
  // comments are fine in wrangler.jsonc and wrangler.json alike
  "name": "api",
  "account_id": "top-account",
  "env": {
    "staging": {},
    "production": { "name": "api-live", "account_id": "prod-account", }, /* trailing commas too */
  },
}`;

describe("readWranglerProject: the three forms", () => {
  it.each([
    ["wrangler.toml", TOML],
    ["wrangler.jsonc", JSONC],
    ["wrangler.json", JSONC],
  ])("reads %s: name, account ids and environments", async (file, text) => {
    await writeFile(join(dir, file), text);
    const project = readWranglerProject(dir)!;
    expect(project.configPath).toBe(join(dir, file));
    expect(project.format).toBe(file.split(".").at(-1));
    expect(project.name).toBe("api");
    expect(project.accountId).toBe("top-account");
    expect(environmentNames(project)).toEqual(["staging", "production"]);
    expect(workerNameFor(project, "staging")).toBe("api-staging");
    expect(workerNameFor(project, "production")).toBe("api-live");
    expect(accountIdFor(project, "staging")).toBe("top-account");
    expect(accountIdFor(project, "production")).toBe("prod-account");
  });

  it("returns undefined for a folder with no config anywhere up to the root", () => {
    expect(readWranglerProject(dir)).toBeUndefined();
  });

  it("drops a UTF-8 byte-order mark, as wrangler does", () => {
    expect(parseWranglerProject('\uFEFF{"name": "bom"}', "/x/wrangler.json").name).toBe("bom");
  });
});

describe("which file wrangler reads", () => {
  it("prefers wrangler.json, then wrangler.jsonc, then wrangler.toml in one folder", async () => {
    await writeFile(join(dir, "wrangler.toml"), 'name = "t"\n');
    expect(findWranglerConfig(dir)).toBe(join(dir, "wrangler.toml"));
    await writeFile(join(dir, "wrangler.jsonc"), '{ "name": "c" }');
    expect(findWranglerConfig(dir)).toBe(join(dir, "wrangler.jsonc"));
    await writeFile(join(dir, "wrangler.json"), '{ "name": "j" }');
    expect(readWranglerProject(dir)?.name).toBe("j");
  });

  it("looks for each name up to the root before the next: a parent's wrangler.json beats the folder's wrangler.toml", async () => {
    const child = join(dir, "apps", "api");
    await mkdir(child, { recursive: true });
    await writeFile(join(child, "wrangler.toml"), 'name = "child"\n');
    expect(readWranglerProject(child)?.name).toBe("child");
    await writeFile(join(dir, "wrangler.json"), '{ "name": "parent" }');
    expect(readWranglerProject(child)?.name).toBe("parent");
  });

  it("finds a config in a parent folder when the folder has none", async () => {
    const child = join(dir, "src");
    await mkdir(child);
    await writeFile(join(dir, "wrangler.toml"), 'name = "up"\n');
    expect(findWranglerConfig(child)).toBe(join(dir, "wrangler.toml"));
  });
});

describe("Worker names for --env", () => {
  const project = (text: string, file = "wrangler.toml") => parseWranglerProject(text, `/p/${file}`);

  it('uses the top-level name for --env ""', () => {
    expect(workerNameFor(project(TOML), "")).toBe("api");
  });

  it("appends the environment to the top-level name unless the environment sets its own", () => {
    const p = project('name = "w"\n[env.qa]\n[env.prod]\nname = "w-prod-eu"\n');
    expect(workerNameFor(p, "qa")).toBe("w-qa");
    expect(workerNameFor(p, "prod")).toBe("w-prod-eu");
  });

  it("names no Worker when there is no top-level name and no override", () => {
    const p = project("[env.qa]\n");
    expect(workerNameFor(p, "qa")).toBeUndefined();
    expect(workerNameFor(p, "")).toBeUndefined();
    expect(workerNameFor(project('name = "w"\n[env.qa]\nname = ""\n'), "qa")).toBeUndefined();
  });

  it("an --env without a section: refused when the config has an env table, top-level settings as <name>-<env> when it has none", () => {
    const withTable = project('name = "w"\n[env.staging]\n');
    expect(acceptsEnvironment(withTable, "production")).toBe(false);
    expect(acceptsEnvironment(withTable, "staging")).toBe(true);
    expect(acceptsEnvironment(withTable, "")).toBe(true);
    expect(acceptsEnvironment(project('name = "w"\nenv = {}\n'), "production")).toBe(false);
    const noTable = project('name = "w"\naccount_id = "a"\n');
    expect(acceptsEnvironment(noTable, "production")).toBe(true);
    expect(workerNameFor(noTable, "production")).toBe("w-production");
    expect(accountIdFor(noTable, "production")).toBe("a");
  });

  it("keeps one name for every environment with service environments (legacy_env = false)", () => {
    const p = project('name = "w"\nlegacy_env = false\naccount_id = "top"\n[env.production]\naccount_id = "ignored"\n');
    expect(p.legacyEnv).toBe(false);
    expect(workerNameFor(p, "production")).toBe("w");
    expect(accountIdFor(p, "production")).toBe("top");
  });
});

describe("account_id and compliance_region", () => {
  it("treats an empty account_id as absent, falling back to the top level", () => {
    const p = parseWranglerProject('{ "account_id": "top", "env": { "production": { "account_id": "" } } }', "/p/wrangler.jsonc");
    expect(accountIdFor(p, "production")).toBe("top");
    expect(accountIdFor(parseWranglerProject('{ "account_id": "" }', "/p/wrangler.json"), "x")).toBeUndefined();
  });

  it("inherits compliance_region like account_id", () => {
    const p = parseWranglerProject(
      'compliance_region = "public"\n[env.fed]\ncompliance_region = "fedramp_high"\n[env.other]\n',
      "/p/wrangler.toml",
    );
    expect(complianceRegionFor(p, "fed")).toBe("fedramp_high");
    expect(complianceRegionFor(p, "other")).toBe("public");
  });
});

describe("parse errors", () => {
  it("names the file, line and column of a TOML error", async () => {
    await writeFile(join(dir, "wrangler.toml"), 'name = "w"\n[env.production\n');
    expect(() => readWranglerProject(dir)).toThrow(WranglerConfigError);
    expect(() => readWranglerProject(dir)).toThrow(/wrangler\.toml:2:\d+: /);
  });

  it("names the file, line and column of a JSONC error", async () => {
    await writeFile(join(dir, "wrangler.jsonc"), '{\n  "name": "w"\n  "main": "x"\n}');
    expect(() => readWranglerProject(dir)).toThrow(/wrangler\.jsonc:3:3: CommaExpected/);
  });

  it("wants an object at the top level", () => {
    expect(() => parseWranglerProject("[1, 2]", "/p/wrangler.json")).toThrow(/expected a JSON object/);
  });
});
