import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildWranglerEnv } from "../../../src/providers/wrangler/env.js";

const outputFile = "/tmp/x/output.ndjson";

describe("buildWranglerEnv", () => {
  it("keeps the step's environment and adds credentials, CI and a per-command output file", () => {
    const env = buildWranglerEnv({
      base: { PATH: "/bin", HTTPS_PROXY: "http://proxy:3128", UNSET: undefined },
      apiToken: "tok",
      accountId: "acct",
      outputFile,
    });
    expect(env).toEqual({
      PATH: "/bin",
      HTTPS_PROXY: "http://proxy:3128",
      CLOUDFLARE_API_TOKEN: "tok",
      CLOUDFLARE_ACCOUNT_ID: "acct",
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      CI: "true",
      WRANGLER_OUTPUT_FILE_PATH: outputFile,
      WRANGLER_HIDE_BANNER: "true",
      NODE_COMPILE_CACHE: join(tmpdir(), "shipline-node-compile-cache"),
    });
  });

  it("keeps a compile cache the workflow chose", () => {
    const env = buildWranglerEnv({ base: { NODE_COMPILE_CACHE: "/cache/node" }, outputFile });
    expect(env.NODE_COMPILE_CACHE).toBe("/cache/node");
  });

  it("exports no empty credential: wrangler treats an empty variable as set", () => {
    const env = buildWranglerEnv({
      base: { CLOUDFLARE_API_BASE_URL: "", CLOUDFLARE_ACCOUNT_ID: "", CLOUDFLARE_API_TOKEN: "" },
      apiToken: "",
      accountId: "",
      outputFile,
    });
    expect(Object.keys(env)).not.toContain("CLOUDFLARE_API_BASE_URL");
    expect(Object.keys(env)).not.toContain("CLOUDFLARE_ACCOUNT_ID");
    expect(Object.keys(env)).not.toContain("CLOUDFLARE_API_TOKEN");
  });

  it("lets the workflow's own credentials and metrics choice stand when no input overrides them", () => {
    const env = buildWranglerEnv({
      base: { CLOUDFLARE_API_TOKEN: "from-env", CLOUDFLARE_API_BASE_URL: "http://127.0.0.1:1/client/v4", WRANGLER_SEND_METRICS: "true" },
      outputFile,
    });
    expect(env.CLOUDFLARE_API_TOKEN).toBe("from-env");
    expect(env.CLOUDFLARE_API_BASE_URL).toBe("http://127.0.0.1:1/client/v4");
    expect(env.WRANGLER_SEND_METRICS).toBe("true");
  });

  it("gives the inputs precedence over the step's variables", () => {
    const env = buildWranglerEnv({
      base: { CLOUDFLARE_API_TOKEN: "old", CLOUDFLARE_ACCOUNT_ID: "old" },
      apiToken: "new",
      accountId: "new",
      outputFile,
    });
    expect([env.CLOUDFLARE_API_TOKEN, env.CLOUDFLARE_ACCOUNT_ID]).toEqual(["new", "new"]);
  });

  it("passes on none of the action's INPUT_* variables (they hold the tokens given in `with:`)", () => {
    const env = buildWranglerEnv({
      base: {
        PATH: "/bin",
        "INPUT_GITHUB-TOKEN": "ghs_x",
        "INPUT_RELEASE-TOKEN": "ghp_y",
        "INPUT_CLOUDFLARE-API-TOKEN": "cf",
        input_other: "z",
        MY_INPUTS: "kept",
      },
      apiToken: "cf",
      outputFile,
    });
    expect(Object.keys(env).filter((name) => /^input_/i.test(name))).toEqual([]);
    expect(Object.values(env)).not.toContain("ghs_x");
    expect(env.MY_INPUTS).toBe("kept");
    expect(env.CLOUDFLARE_API_TOKEN).toBe("cf");
  });

  it("always uses its own output file, whatever the step set", () => {
    const env = buildWranglerEnv({ base: { WRANGLER_OUTPUT_FILE_PATH: "/shared.json", CI: "false" }, outputFile });
    expect(env.WRANGLER_OUTPUT_FILE_PATH).toBe(outputFile);
    expect(env.CI).toBe("true");
  });
});
