import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import { SECRETS_FILE_MIN_WRANGLER, wireShared } from "../../../src/wiring.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "./fake-runner.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "secrets-support-"));
  await writeFile(join(dir, "wrangler.toml"), 'name = "w"\nmain = "src/index.js"\n[env.staging]\n[env.production]\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A project whose own wrangler is `version` (only its package.json: nothing is spawned). */
async function projectWrangler(version: string): Promise<void> {
  const pkg = join(dir, "node_modules", "wrangler");
  await mkdir(join(pkg, "bin"), { recursive: true });
  await writeFile(join(pkg, "package.json"), JSON.stringify({ name: "wrangler", version, bin: { wrangler: "bin/wrangler.js" } }));
}

function wire(secretValues: Record<string, string>) {
  return wireShared({
    config: testConfig({ workingDirectory: dir }),
    wranglerVersion: "4",
    env: {},
    logger: memoryLogger(),
    signal: new AbortController().signal,
    toolCache: join(dir, "tools"),
    secretValues,
  });
}

describe("secrets need a wrangler with --secrets-file", () => {
  it("refuses an older wrangler before anything runs, naming the input, the version found and the fix", async () => {
    await projectWrangler("4.60.0");
    const error = await wire({ API_KEY: "value-1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("secrets");
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Input \`secrets\` needs wrangler ${SECRETS_FILE_MIN_WRANGLER} or newer .* the wrangler found is 4\\.60\\.0 \\(the project's own\\)`,
      ),
    );
    expect((error as Error).message).toContain(`\`wrangler-version\` set to ">=${SECRETS_FILE_MIN_WRANGLER}"`);
    expect((error as Error).message).not.toContain("value-1");
  });

  it("accepts the same old wrangler when no secrets are uploaded, and a new enough one with secrets", async () => {
    await projectWrangler("4.60.0");
    await expect(wire({})).resolves.toMatchObject({ wrangler: { version: "4.60.0" } });
    await projectWrangler(SECRETS_FILE_MIN_WRANGLER);
    await expect(wire({ API_KEY: "value-1" })).resolves.toMatchObject({ wrangler: { version: SECRETS_FILE_MIN_WRANGLER } });
  });
});
