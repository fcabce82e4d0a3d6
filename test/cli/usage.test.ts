import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { INPUTS } from "../../src/config/index.js";
import { ensureBuilt, shipline } from "./support.js";

/** The built CLI's help, flag errors and exit codes: nothing here reaches wrangler. */
describe("shipline usage", () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it("--help lists the commands; --version prints the package version", async () => {
    const help = await shipline(["--help"]);
    expect(help.exitCode).toBe(0);
    for (const command of ["release", "rollback", "check", "plan", "sandbox", "demo"]) expect(help.stdout).toContain(`  ${command} `);
    const version = await shipline(["--version"]);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const none = await shipline([]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("Usage: shipline <command>");
  });

  it("release --help lists every input of the action's table with its description and default", async () => {
    const run = await shipline(["release", "--help"]);
    expect(run.exitCode).toBe(0);
    const text = run.stdout.replace(/\s+/g, " ");
    const cliOnly = new Set(["mode", "github-token", "release-token", "deployment-records", "rollback-target", "rollback-reason"]);
    for (const spec of INPUTS.filter((s) => !cliOnly.has(s.name))) {
      expect(text).toContain(spec.kind.type === "boolean" ? `--[no-]${spec.name}` : `--${spec.name} `);
      // The CLI's approval has its own modes (the terminal prompt); every other input reads as in the action.
      if (spec.name !== "approval") expect(text).toContain(spec.description.replace(/`/g, "").replace(/\s+/g, " "));
    }
    expect(text).toContain("prompt (ask on this terminal), none, or issue / environment");
    expect(text).toContain("(default: the release tag at the checked-out commit (git))");
    expect(text).not.toContain("GITHUB_REF");
    expect(text).toContain("--health-interval <duration> Time between measurements. (default: 10s)");
    expect(text).toContain("--approval <prompt|none|issue|environment>");
    expect(text).not.toContain("--github-token");
    const rollback = await shipline(["rollback", "--help"]);
    expect(rollback.stdout).toContain("--rollback-reason <text>");
    expect(rollback.stdout).not.toContain("--smoke-count");
  });

  it.each([
    [
      ["release", "--health-intervall", "2s"],
      ["Unknown flag --health-intervall", "Did you mean --health-interval?"],
    ],
    [
      ["release", "--health-interval", "soon"],
      ['Flag `--health-interval` has the value "soon"', "a duration such as 250ms, 10s, 2m or 1h"],
    ],
    [
      ["release", "--strategy", "fast"],
      ['Flag `--strategy` has the value "fast"', "one of direct, gradual"],
    ],
    [
      ["release", "--approval", "maybe"],
      ["Flag `--approval`", "one of prompt, none, issue, environment"],
    ],
    [["release", "--health-count"], ["Flag --health-count needs a value: a whole number of at least 1"]],
    [
      ["release", "--health-interval", "-5s"],
      ['Flag `--health-interval` has the value "-5s"', "a duration such as 250ms"],
    ],
    [["release", "--version", "nope"], ['Flag --version: "nope" is not a version']],
    [["rollback"], ["Flag `--rollback-reason` is not set", "Run `shipline rollback --help` for its flags."]],
    [["release", "--floating-tags", "--no-floating-tags"], ["contradict"]],
    [["release", "--health-count", "2", "--health-failure-limit", "2", "--version", "v1.0.0"], ["Flag `--health-failure-limit`"]],
    [["check"], ["Missing <url>"]],
    [
      ["check", "not a url"],
      ['Argument <url> has the value "not a url"', "an absolute http:// or https:// URL"],
    ],
    [["plan", "extra"], ['Unexpected argument "extra"']],
    [["sandbox", "--port", "99999"], ['Flag --port has the value "99999"']],
    [["relase"], ['Unknown command "relase" (did you mean release?)']],
  ])("shipline %j is a usage error (exit 2) naming the problem", async (args, messages) => {
    const tmp = await mkdtemp(join(tmpdir(), "shipline-usage-tmp-"));
    try {
      const run = await shipline(args, { env: { TMPDIR: tmp } });
      expect(run.exitCode, run.stderr).toBe(2);
      for (const message of messages) expect(run.stderr.split(message)).toHaveLength(2); // said once
      expect(run.stderr).not.toMatch(/\bInput\b/);
      expect(run.stdout).toBe("");
      expect(await readdir(tmp)).toEqual([]); // no health report of a run that never started
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("a bad config file is a configuration error (exit 1, as the action); a missing --config file is a usage error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "shipline-usage-"));
    try {
      await mkdir(join(dir, ".github"));
      await writeFile(join(dir, ".github/shipline.yml"), "production:\n  strategy: fast\n");
      const run = await shipline(["plan", "--version", "v1.0.0", "--json"], { cwd: dir });
      expect(run.exitCode).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ result: "failed", exitCode: 1 });
      expect(run.stderr).toContain('Config key `production.strategy` has the value "fast"');
      const missing = await shipline(["plan", "--config", "no/such/file.yml", "--version", "v1.0.0"], { cwd: dir });
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toContain("no such file exists");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a working directory without a wrangler config or environment is a configuration error before wrangler is looked for", async () => {
    const dir = await mkdtemp(join(tmpdir(), "shipline-usage-"));
    try {
      const missing = await shipline(["plan", "--version", "v1.0.0", "--working-directory", "no/such/folder"], { cwd: dir });
      expect(missing.exitCode).toBe(1);
      // Once, in the result line (stderr repeats it only when stdout carries --json).
      expect(missing.stdout.split('Flag `--working-directory` has the value "no/such/folder"')).toHaveLength(2);
      expect(missing.stdout).toContain("does not exist");
      expect(missing.stderr).not.toContain("no/such/folder");
      await writeFile(join(dir, "wrangler.toml"), 'name = "w"\n[env.staging]\n');
      const half = await shipline(["release", "--version", "v1.0.0", "--json"], { cwd: dir });
      expect(half.exitCode).toBe(1);
      expect(JSON.parse(half.stdout)).toMatchObject({ result: "failed" });
      expect(half.stderr).toContain('defines no environment "production" (input `production-environment`)');
      expect(half.stderr).not.toContain("Using wrangler");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("plan says what it found in the project, and leaves no health report behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "shipline-usage-"));
    const tmp = await mkdtemp(join(tmpdir(), "shipline-usage-tmp-"));
    try {
      await writeFile(
        join(dir, "wrangler.toml"),
        'name = "w"\naccount_id = "0123456789abcdef0123456789abcdef"\n[env.staging]\n[env.production]\n',
      );
      const bare = { TMPDIR: tmp, CLOUDFLARE_API_TOKEN: "", CLOUDFLARE_ACCOUNT_ID: "" };
      const run = await shipline(["plan", "--version", "v1.0.0"], { cwd: dir, env: bare });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toContain("Project:\n  Wrangler config: wrangler.toml (in ");
      expect(run.stdout).toContain('Environment "staging" (staging-environment): deploys the Worker w-staging');
      expect(run.stdout).toContain('Environment "production" (production-environment): deploys the Worker w-production');
      expect(run.stdout).toMatch(/wrangler: (\d+\.\d+\.\d+, the project's own|the project has none; wrangler@4 would be installed)/);
      expect(run.stdout).toContain("Cloudflare API token: NOT SET");
      expect(run.stdout).toContain("Cloudflare account id: from the wrangler config (0123456789abcdef0123456789abcdef)");
      const token = "plan-token-value-1234567890";
      const withToken = await shipline(["plan", "--version", "v1.0.0"], { cwd: dir, env: { ...bare, CLOUDFLARE_API_TOKEN: token } });
      expect(withToken.stdout).toContain("Cloudflare API token: set");
      expect(withToken.stdout + withToken.stderr).not.toContain(token);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("sandbox: prints the variables for wrangler, serves Workers, keeps --persist-dir, and stops cleanly on SIGINT", async () => {
    let info: { apiBaseUrl: string; trafficBaseUrl: string; env: Record<string, string> } | undefined;
    const persistDir = await mkdtemp(join(tmpdir(), "shipline-sandbox-cli-"));
    const run = await shipline(["sandbox", "--json", "--persist-dir", persistDir], {
      onStart: (child) => {
        child.stdout?.on("data", async (chunk: Buffer) => {
          info = JSON.parse(chunk.toString().split("\n")[0] ?? "");
          const missing = await fetch(`${info?.trafficBaseUrl}/no-such-worker/`);
          expect(missing.status).toBe(404);
          await fetch(`${info?.apiBaseUrl}/accounts/${info?.env["CLOUDFLARE_ACCOUNT_ID"]}/storage/kv/namespaces`, {
            method: "POST",
            headers: { authorization: `Bearer ${info?.env["CLOUDFLARE_API_TOKEN"]}`, "content-type": "application/json" },
            body: JSON.stringify({ title: "kept" }),
          });
          child.kill("SIGINT");
        });
      },
      timeoutMs: 30_000,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const kept = JSON.parse(await readFile(join(persistDir, "shipline-sandbox-resources.json"), "utf8"));
    await rm(persistDir, { recursive: true, force: true });
    expect(kept.kvNamespaces).toEqual([{ title: "kept", id: expect.stringMatching(/^[0-9a-f]{32}$/) }]);
    expect(info?.env["CLOUDFLARE_API_BASE_URL"]).toBe(info?.apiBaseUrl);
    expect(info?.env["CLOUDFLARE_ACCOUNT_ID"]).toMatch(/^[0-9a-f]{32}$/);
    expect(run.stderr).toContain("Stopping the sandbox.");
  });
});
