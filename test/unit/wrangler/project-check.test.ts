import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import { checkWorkerProject, environmentsNeeded } from "../../../src/providers/wrangler/project-check.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "project-check-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const both = [
  { name: "staging", input: "staging-environment" },
  { name: "production", input: "production-environment" },
];

function failure(given: string, directory: string, environments = both): ConfigError {
  try {
    checkWorkerProject({ given, directory, environments });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("checkWorkerProject", () => {
  it("accepts a folder whose config defines the environments, and returns it", async () => {
    await writeFile(join(dir, "wrangler.toml"), 'name = "w"\n[env.staging]\n[env.production]\n');
    const { project, warnings } = checkWorkerProject({ given: ".", directory: dir, environments: both });
    expect(project.name).toBe("w");
    expect(warnings).toEqual([]);
  });

  it("refuses a folder that does not exist, naming the input, the value as given and what is accepted", () => {
    const error = failure("../../etc/nope", join(dir, "nope"));
    expect(error.key).toBe("working-directory");
    expect(error.message).toContain('Input `working-directory` has the value "../../etc/nope"');
    expect(error.message).toContain("does not exist");
    expect(error.message).toContain(
      "Expected a folder holding the Worker's wrangler config (wrangler.json, wrangler.jsonc or wrangler.toml)",
    );
  });

  it("refuses a file and a folder without a config", async () => {
    await writeFile(join(dir, "file.txt"), "x");
    expect(failure("file.txt", join(dir, "file.txt")).message).toContain("is a file, not a folder");
    expect(failure(".", dir).message).toContain("holds no wrangler config");
  });

  it("refuses a folder whose config wrangler would not read (a parent's wrangler.json wins)", async () => {
    const child = join(dir, "api");
    await mkdir(child);
    await writeFile(join(child, "wrangler.toml"), 'name = "w"\n[env.staging]\n[env.production]\n');
    await writeFile(join(dir, "wrangler.json"), '{ "name": "other" }');
    const error = failure("api", child);
    expect(error.message).toContain(`reads ${join(dir, "wrangler.json")}, not wrangler.toml`);
  });

  it("refuses a config that does not parse, with the line", async () => {
    await writeFile(join(dir, "wrangler.toml"), 'name = "w"\n[env.production\n');
    expect(failure(".", dir).message).toMatch(/does not parse: .*wrangler\.toml:2:/);
  });

  it("refuses a missing environment when the config defines others, naming the input", async () => {
    await writeFile(join(dir, "wrangler.jsonc"), '{ "name": "w", "env": { "staging": {} } }');
    const error = failure("worker", dir);
    expect(error.message).toContain(
      'wrangler.jsonc defines no environment "production" (input `production-environment`); it defines "staging"',
    );
    expect(error.message).toContain('Expected a config with "env": { "production": {…} }');
  });

  it("names every missing environment at once", async () => {
    await writeFile(join(dir, "wrangler.toml"), 'name = "w"\n[env.dev]\n');
    expect(failure(".", dir).message).toContain(
      'defines no environment "staging" (input `staging-environment`) and "production" (input `production-environment`)',
    );
  });

  it("accepts, with a warning, environments of a config that defines none (wrangler only warns)", async () => {
    await writeFile(join(dir, "wrangler.toml"), 'name = "w"\n');
    const { warnings } = checkWorkerProject({ given: ".", directory: dir, environments: both });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain("the Worker w-production");
  });

  it("refuses a config that names no Worker, and service environments", async () => {
    await writeFile(join(dir, "wrangler.toml"), "[env.staging]\n[env.production]\n");
    expect(failure(".", dir).message).toContain('names no Worker for environment "staging" and "production"');
    await writeFile(join(dir, "wrangler.toml"), 'name = "w"\nlegacy_env = false\n[env.staging]\n[env.production]\n');
    expect(failure(".", dir).message).toContain("legacy_env = false");
  });
});

describe("environmentsNeeded", () => {
  const config = { mode: "release", stages: "all", staging: { environment: "stg" }, production: { environment: "prd" } } as const;
  it("is production only for a rollback, one environment for a split stage, else both", () => {
    const names = (c: Parameters<typeof environmentsNeeded>[0]) => environmentsNeeded(c).map((e) => e.name);
    expect(names(config as never)).toEqual(["stg", "prd"]);
    expect(names({ ...config, mode: "rollback" } as never)).toEqual(["prd"]);
    expect(names({ ...config, stages: "staging" } as never)).toEqual(["stg"]);
    expect(names({ ...config, stages: "production" } as never)).toEqual(["prd"]);
  });
});
