import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../support/e2e-world.js";

interface BadInput {
  readonly name: string;
  readonly inputs?: Record<string, string>;
  readonly ref?: string;
  readonly configFile?: string;
  /** Files written into the workspace first, by relative path. */
  readonly files?: Readonly<Record<string, string>>;
  /** Fragments the error must contain: the input or key, the value, what is accepted. */
  readonly expect: readonly (string | RegExp)[];
}

const CASES: readonly BadInput[] = [
  {
    name: "a duration with a bad unit",
    inputs: { "health-interval": "10x" },
    expect: ["`health-interval`", '"10x"', /250ms, 10s, 2m or 1h/],
  },
  { name: "a status range out of bounds", inputs: { "health-expect-status": "200-700" }, expect: ["`health-expect-status`", "200-700"] },
  {
    name: "a URL that is not http(s)",
    inputs: { "staging-url": "ftp://example.com" },
    expect: ["`staging-url`", "ftp://example.com", /http/],
  },
  {
    name: "a boolean that is not true/false",
    inputs: { "allow-self-approval": "yes", approvers: "alice" },
    expect: ["`allow-self-approval`", '"yes"', /true.*false/],
  },
  { name: "a count of zero", inputs: { "health-count": "0" }, expect: ["`health-count`", '"0"'] },
  {
    name: "rollout steps that go down",
    inputs: { strategy: "gradual", "rollout-steps": "10,5,100" },
    expect: ["`rollout-steps`", "10,5,100"],
  },
  { name: "an unknown mode", inputs: { mode: "deploy" }, expect: ["`mode`", '"deploy"', /release.*rollback.*plan/] },
  {
    name: "a failure limit that lets every measurement fail",
    inputs: { "health-count": "3", "health-failure-limit": "3" },
    expect: ["health-failure-limit", /below|less than/],
  },
  { name: "issue approval without approvers", inputs: { approval: "issue" }, expect: ["approvers"] },
  {
    name: "issue approval without a GitHub token",
    inputs: { approval: "issue", approvers: "alice", "github-token": "" },
    expect: ["approval: issue needs `github-token`"],
  },
  {
    name: "JSON that does not parse",
    inputs: { "health-expect-json": "{success: true" },
    expect: ["`health-expect-json`", "{success: true"],
  },
  { name: "a version that is not strict semver", inputs: { version: "v1.2" }, expect: ["version", '"v1.2"', /semver/i] },
  { name: "a branch ref without bump", ref: "refs/heads/main", expect: ["GITHUB_REF", "refs/heads/main", /bump/] },
  { name: "an emergency rollback without a reason", inputs: { mode: "rollback" }, expect: ["`rollback-reason`"] },
  { name: "a wrangler version that is not a range", inputs: { "wrangler-version": "latest!" }, expect: ["`wrangler-version`", "latest!"] },
  { name: "a config file that does not exist", inputs: { config: "missing.yml" }, expect: ["`config`", "missing.yml"] },
  {
    name: "a config file with an unknown key",
    configFile: "production:\n  helth: {}\n",
    expect: ["`production`", "`helth`", /did you mean `health`/],
  },
  {
    name: "a config file with a bad duration",
    configFile: "production:\n  health:\n    interval: soon\n",
    expect: ["production.health.interval", '"soon"'],
  },
  { name: "a config file that is not YAML", configFile: "production: [unclosed\n", expect: [/line \d+/i] },
  {
    name: "a working directory that does not exist",
    inputs: { "working-directory": "no/such/folder" },
    expect: ["`working-directory`", '"no/such/folder"', "does not exist", /wrangler\.json, wrangler\.jsonc or wrangler\.toml/],
  },
  {
    name: "a working directory without a wrangler config",
    inputs: { "working-directory": "../../etc" },
    expect: ["`working-directory`", '"../../etc"', "holds no wrangler config", /wrangler\.json, wrangler\.jsonc or wrangler\.toml/],
  },
  {
    name: "a working directory without the production environment",
    inputs: { "working-directory": "staging-only" },
    files: { "staging-only/wrangler.toml": 'name = "half"\nmain = "index.js"\n[env.staging]\n' },
    expect: [
      "`working-directory`",
      '"staging-only"',
      'defines no environment "production" (input `production-environment`)',
      "[env.production]",
    ],
  },
];

/** Bad input stops the run before anything is deployed: not one Cloudflare request. */
describe("bad input end to end", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => {
    await world.stop();
  });

  it.each(CASES)("rejects $name with a clear error and zero Cloudflare calls", async (bad) => {
    const inputs = { ...bad.inputs };
    if (bad.configFile !== undefined) {
      await mkdir(join(world.workspace, "cfg"), { recursive: true });
      const file = `cfg/${bad.name.replace(/\W+/g, "-")}.yml`;
      await writeFile(join(world.workspace, file), bad.configFile);
      inputs["config"] = file;
    }
    for (const [file, text] of Object.entries(bad.files ?? {})) {
      await mkdir(join(world.workspace, file, ".."), { recursive: true });
      await writeFile(join(world.workspace, file), text);
    }
    const before = world.sandbox.requests.length;
    const run = await world.run(inputs, { ref: bad.ref ?? "refs/tags/v1.0.0" });
    expect(run.exitCode).toBe(1);
    expect(run.outputs["result"]).toBe("failed");
    const error = run.stdout.split("\n").find((line) => line.startsWith("::error::")) ?? "";
    for (const fragment of bad.expect) {
      if (typeof fragment === "string") expect(error).toContain(fragment);
      else expect(error).toMatch(fragment);
    }
    expect(world.sandbox.requests.length - before).toBe(0);
    expect(run.stdout).not.toContain("Using wrangler");
    // A bad working directory stops the run before wrangler is located or installed: no npm install, no hang.
    if (bad.inputs?.["working-directory"] !== undefined) expect(run.durationMs).toBeLessThan(5_000);
  });

  it("rejects a URL with a password without printing the password anywhere", async () => {
    const password = "hunter2-e2e-Pa55word";
    await mkdir(join(world.workspace, "cfg"), { recursive: true });
    await writeFile(
      join(world.workspace, "cfg/url-credentials.yml"),
      `production:\n  health:\n    checks: [{ url: "https://ops:${password}@example.com/health" }]\n`,
    );
    const before = world.sandbox.requests.length;
    const run = await world.run({ "staging-url": `https://deploy:${password}@staging.example.com`, config: "cfg/url-credentials.yml" });
    expect(run.exitCode).toBe(1);
    expect(run.outputs["result"]).toBe("failed");
    const error = run.stdout.split("\n").find((line) => line.startsWith("::error::")) ?? "";
    for (const fragment of [
      "`staging-url`",
      '"https://deploy:***@staging.example.com"',
      "production.health.checks[0].url",
      "ops:***@example.com",
      "without a user name or password",
      "`headers`",
    ]) {
      expect(error).toContain(fragment);
    }
    expect(world.sandbox.requests.length - before).toBe(0);
    for (const [what, text] of Object.entries({
      stdout: run.stdout,
      stderr: run.stderr,
      outputs: JSON.stringify(run.outputs),
      summary: run.summary,
    })) {
      expect(text, what).not.toContain(password);
    }
  });
});
