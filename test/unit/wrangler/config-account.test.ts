import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { accountIdWarning } from "../../../src/providers/wrangler/config-account.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "config-account-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("accountIdWarning", () => {
  it("warns when wrangler.toml names another account (it silently wins)", async () => {
    await writeFile(join(dir, "wrangler.toml"), 'name = "w"\naccount_id = "aaa"\n[env.production]\naccount_id = "bbb"\n');
    const warning = await accountIdWarning(dir, "bbb");
    expect(warning).toContain("wrangler.toml sets account_id aaa");
  });

  it("reads wrangler.jsonc too", async () => {
    await writeFile(join(dir, "wrangler.jsonc"), '{\n  // comment\n  "name": "w",\n  "account_id": "ccc"\n}');
    expect(await accountIdWarning(dir, "ddd")).toContain("wrangler.jsonc sets account_id ccc");
  });

  it("stays quiet when ids match, no id is configured, or no input is given", async () => {
    await writeFile(join(dir, "wrangler.toml"), 'name = "w"\naccount_id = "aaa"\n');
    expect(await accountIdWarning(dir, "aaa")).toBeUndefined();
    expect(await accountIdWarning(dir, undefined)).toBeUndefined();
    await writeFile(join(dir, "wrangler.toml"), 'name = "w"\n# account_id = "zzz"\n');
    expect(await accountIdWarning(dir, "aaa")).toBeUndefined();
  });
});
