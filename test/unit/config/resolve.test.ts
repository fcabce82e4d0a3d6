import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/config/parse-file.js";
import { resolve, TAG_ENV } from "./helpers.js";

const DEFAULT_CHECK = { name: "GET /", path: "/", headers: {}, expect: { status: { ranges: [[200, 299]], text: "200-299" } } };

describe("resolveConfig defaults (SPEC section 2)", () => {
  it("gives every default with no inputs and no file", () => {
    const { config, runtime, secrets, warnings } = resolve();
    expect(config).toEqual({
      mode: "release",
      stages: "all",
      workingDirectory: ".",
      version: { ref: "refs/tags/v1.2.3", tagPrefix: "v", sha: TAG_ENV.GITHUB_SHA },
      staging: {
        environment: "staging",
        smoke: {
          count: 3,
          intervalMs: 5_000,
          failureLimit: 0,
          consecutiveErrorLimit: 4,
          timeoutMs: 10_000,
          confirm: 4,
          maxBodyBytes: 4_194_304,
          checks: [DEFAULT_CHECK],
          versionHeader: "x-worker-version-id",
        },
      },
      production: {
        environment: "production",
        strategy: "direct",
        steps: [10, 50, 100],
        health: {
          count: 6,
          intervalMs: 10_000,
          failureLimit: 0,
          consecutiveErrorLimit: 4,
          timeoutMs: 10_000,
          confirm: 4,
          maxBodyBytes: 4_194_304,
          checks: [DEFAULT_CHECK],
          versionHeader: "x-worker-version-id",
        },
        rollback: "auto",
      },
      approval: { mode: "none", approvers: [], minimum: 1, timeoutMs: 3_600_000, allowSelfApproval: false },
      release: { promotePrerelease: true, floatingTags: false, createRelease: true },
    });
    expect(runtime).toEqual({ wranglerVersion: "4", secretValues: {}, deploymentRecords: true });
    expect(secrets).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it("gives the smoke gate the health gate's confirm and body limit unless staging.smoke sets its own", () => {
    const inputs = { "health-confirm": "2", "health-max-body-bytes": "1000000" };
    const same = resolve(inputs).config;
    expect(same.staging.smoke).toMatchObject({ confirm: 2, maxBodyBytes: 1_000_000 });
    expect(same.production.health).toMatchObject({ confirm: 2, maxBodyBytes: 1_000_000 });
    const own = resolve(
      {},
      "staging:\n  smoke:\n    confirm: 0\n    max-body-bytes: 5000\nproduction:\n  health:\n    confirm: 6\n",
    ).config;
    expect(own.staging.smoke).toMatchObject({ confirm: 0, maxBodyBytes: 5000 });
    expect(own.production.health).toMatchObject({ confirm: 6, maxBodyBytes: 4_194_304 });
  });

  it("defaults approval to issue when approvers are set", () => {
    const { approval } = resolve({ approvers: "alice, @my-org/ops,alice" }).config;
    expect(approval).toMatchObject({ mode: "issue", approvers: ["alice", "my-org/ops"] });
  });

  it("passes tokens through, defaults the release token to the GitHub token, and masks them", () => {
    const { runtime, secrets } = resolve({ "github-token": "ghs_a", "cloudflare-api-token": "cf_b", "cloudflare-account-id": "acc" });
    expect(runtime).toEqual({
      githubToken: "ghs_a",
      releaseToken: "ghs_a",
      cloudflareApiToken: "cf_b",
      cloudflareAccountId: "acc",
      wranglerVersion: "4",
      secretValues: {},
      deploymentRecords: true,
    });
    expect(secrets).toEqual(["ghs_a", "cf_b"]);
    expect(resolve({ "deployment-records": "false" }).runtime.deploymentRecords).toBe(false);
    expect(resolve({ "github-token": "ghs_a", "release-token": "pat_c" }).runtime.releaseToken).toBe("pat_c");
  });
});

const FILE = `
working-directory: workers/api
wrangler-version: ^4.20.0
staging:
  environment: stage
  url: https://staging.example.com
  smoke:
    command: npm run test:smoke
    count: 2
    interval: 1s
    failure-limit: 1
    consecutive-error-limit: 2
    timeout: 3s
    max-latency: 800ms
approval: { mode: issue, approvers: [alice, my-org/ops], minimum: 2, timeout: 4h, allow-self-approval: true }
production:
  environment: prod
  url: https://example.com/app
  strategy: gradual
  steps: [25, 100]
  health:
    interval: 20s
    count: 8
    failure-limit: 1
    consecutive-error-limit: 3
    timeout: 5s
    max-latency: 500ms
    checks:
      - path: /api/health
        headers: { x-health-token: "\${{ env.HEALTH_TOKEN }}" }
        expect: { status: 200, json: { success: true } }
      - url: https://status.example.com/ping
        expect: { status: 200-399, body: "<title>" }
  rollback: "off"
release: { tag-prefix: rel-, promote-prerelease: false, floating-tags: true, create-release: false }
`;
const FILE_ENV = { HEALTH_TOKEN: "tok-123", GITHUB_REF: "refs/tags/rel-2.0.0" };

describe("the config file alone", () => {
  const { config, runtime, secrets } = resolve({}, FILE, FILE_ENV);

  it("sets every section", () => {
    expect(config.workingDirectory).toBe("workers/api");
    expect(runtime.wranglerVersion).toBe("^4.20.0");
    expect(config.staging).toMatchObject({ environment: "stage", url: "https://staging.example.com", smokeCommand: "npm run test:smoke" });
    expect(config.approval).toEqual({
      mode: "issue",
      approvers: ["alice", "my-org/ops"],
      minimum: 2,
      timeoutMs: 14_400_000,
      allowSelfApproval: true,
    });
    expect(config.production).toMatchObject({
      environment: "prod",
      url: "https://example.com/app",
      strategy: "gradual",
      steps: [25, 100],
      rollback: "off",
    });
    expect(config.release).toEqual({ promotePrerelease: false, floatingTags: true, createRelease: false });
    expect(config.version.tagPrefix).toBe("rel-");
  });

  it("builds the health gate with its checks, headers expanded", () => {
    const { health } = config.production;
    expect(health).toMatchObject({
      intervalMs: 20_000,
      count: 8,
      failureLimit: 1,
      consecutiveErrorLimit: 3,
      timeoutMs: 5_000,
      maxLatencyMs: 500,
    });
    expect(health.checks).toEqual([
      {
        name: "GET /api/health",
        path: "/api/health",
        headers: { "x-health-token": "tok-123" },
        expect: { status: { ranges: [[200, 200]], text: "200" }, json: { success: true } },
      },
      {
        name: "GET https://status.example.com/ping",
        url: "https://status.example.com/ping",
        headers: {},
        expect: { status: { ranges: [[200, 399]], text: "200-399" }, body: "<title>" },
      },
    ]);
    expect(secrets).toEqual(["tok-123"]);
  });

  it("gives the smoke gate its own rules and the health checks when it has none", () => {
    const { smoke } = config.staging;
    expect(smoke).toMatchObject({
      count: 2,
      intervalMs: 1_000,
      failureLimit: 1,
      consecutiveErrorLimit: 2,
      timeoutMs: 3_000,
      maxLatencyMs: 800,
    });
    expect(smoke.checks).toEqual(config.production.health.checks);
  });
});

describe("inputs override the config file", () => {
  const inputs = {
    "working-directory": "other",
    "wrangler-version": "4.86.0",
    "staging-environment": "qa",
    "production-url": "https://override.example.com",
    "smoke-command": "make smoke",
    "health-interval": "15s",
    "health-count": "4",
    "health-failure-limit": "0",
    "health-timeout": "2s",
    "health-max-latency": "1s",
    "smoke-count": "5",
    approvers: "bob",
    "minimum-approvals": "1",
    strategy: "direct",
    "rollout-steps": "50,100",
    rollback: "auto",
    "floating-tags": "false",
    "tag-prefix": "v",
  };
  const { config, runtime } = resolve(inputs, FILE, { ...FILE_ENV, GITHUB_REF: "refs/tags/v2.0.0" });

  it("wins key by key, leaving the rest to the file", () => {
    expect(config.workingDirectory).toBe("other");
    expect(runtime.wranglerVersion).toBe("4.86.0");
    expect(config.staging).toMatchObject({ environment: "qa", url: "https://staging.example.com", smokeCommand: "make smoke" });
    expect(config.production).toMatchObject({
      url: "https://override.example.com",
      strategy: "direct",
      steps: [50, 100],
      rollback: "auto",
      environment: "prod",
    });
    expect(config.production.health).toMatchObject({
      intervalMs: 15_000,
      count: 4,
      failureLimit: 0,
      consecutiveErrorLimit: 3,
      timeoutMs: 2_000,
      maxLatencyMs: 1_000,
    });
    expect(config.staging.smoke).toMatchObject({ count: 5, intervalMs: 1_000, timeoutMs: 3_000 });
    expect(config.approval).toMatchObject({ mode: "issue", approvers: ["bob"], minimum: 1, timeoutMs: 14_400_000 });
    expect(config.release).toEqual({ promotePrerelease: false, floatingTags: false, createRelease: false });
  });

  it("replaces the file's checks with the health-* inputs, with a warning", () => {
    const { config: c, warnings } = resolve(
      { "health-path": "healthz", "health-expect-status": "200,204", "health-expect-json": '{"ok":true}' },
      FILE,
      FILE_ENV,
    );
    const check = {
      name: "GET /healthz",
      path: "/healthz",
      headers: {},
      expect: {
        status: {
          ranges: [
            [200, 200],
            [204, 204],
          ],
          text: "200,204",
        },
        json: { ok: true },
      },
    };
    expect(c.production.health.checks).toEqual([check]);
    expect(c.staging.smoke.checks).toEqual([check]);
    expect(warnings.join("\n")).toMatch(/replace the checks of the config file/);
  });
});

describe("gates", () => {
  it("uses staging.smoke.checks for the smoke gate when set, and the health timeout otherwise", () => {
    const { config } = resolve({ "health-timeout": "7s" }, "staging:\n  smoke:\n    checks: [{ path: /smoke }]\n");
    expect(config.staging.smoke.checks.map((c) => c.path)).toEqual(["/smoke"]);
    expect(config.staging.smoke.timeoutMs).toBe(7_000);
    expect(config.production.health.checks).toEqual([DEFAULT_CHECK]);
  });

  it("masks the variable and the whole header when the variable is part of the value", () => {
    const text = "production:\n  health:\n    checks: [{ path: /, headers: { authorization: 'Bearer ${{ env.T }}' } }]\n";
    expect(resolve({}, text, { T: "sekret" }).secrets).toEqual(["sekret", "Bearer sekret"]);
  });
});

describe("modes and versions", () => {
  it("records the emergency target and reason in mode rollback, without needing a version", () => {
    const { config } = resolveConfig({
      inputs: { mode: "rollback", "rollback-target": "v1.1.0", "rollback-reason": "500s" },
      env: { GITHUB_REF: "refs/heads/main" },
    });
    expect(config.emergency).toEqual({ target: "v1.1.0", reason: "500s" });
  });

  it("warns about rollback inputs outside mode rollback", () => {
    expect(resolve({ "rollback-reason": "x" }).warnings.join()).toMatch(/only with mode: rollback/);
  });

  it("plans without a version, with a warning", () => {
    const { config, warnings } = resolveConfig({ inputs: { mode: "plan" }, env: { GITHUB_REF: "refs/heads/main", GITHUB_SHA: "abc" } });
    expect(config.mode).toBe("plan");
    expect(warnings.join()).toMatch(/No version to release/);
  });

  it("takes version, bump, ref and sha as given", () => {
    const { version } = resolveConfig({
      inputs: { version: "1.4.0", bump: "minor" },
      env: { GITHUB_REF: "refs/heads/main", GITHUB_SHA: "abc" },
    }).config;
    expect(version).toEqual({ explicit: "1.4.0", bump: "minor", ref: "refs/heads/main", tagPrefix: "v", sha: "abc" });
  });
});
