import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/config/parse-file.js";
import { ConfigErrors } from "../../../src/config/values.js";
import { configErrors, errorFor, resolve } from "./helpers.js";

// [input, bad value, what the message must say is accepted]
const BAD_INPUTS: Array<[string, string, string]> = [
  ["health-interval", "10x", "a duration such as 250ms, 10s, 2m or 1h"],
  ["smoke-interval", "5", "a duration such as"],
  ["health-timeout", "0", "a duration above zero"],
  ["approval-timeout", "forever", "a duration above zero"],
  ["health-max-latency", "fast", "a duration above zero"],
  ["health-expect-status", "2000", "HTTP status codes such as 200, 200-299 or 200,204"],
  ["health-expect-status", "299-200", "200-299"],
  ["staging-url", "staging.example.com", "an absolute http:// or https:// URL"],
  ["production-url", "ftp://example.com", "http:// or https://"],
  ["allow-self-approval", "yes", "true or false"],
  ["floating-tags", "True", "true or false"],
  ["promote-prerelease", "1", "true or false"],
  ["create-release", "no", "true or false"],
  ["health-count", "0", "a whole number of at least 1"],
  ["smoke-count", "2.5", "a whole number of at least 1"],
  ["minimum-approvals", "0", "a whole number of at least 1"],
  ["health-failure-limit", "-1", "a whole number of 0 or more"],
  ["health-consecutive-error-limit", "many", "a whole number of 0 or more"],
  ["health-confirm", "-1", "a whole number of 0 or more"],
  ["health-max-body-bytes", "0", "a whole number of at least 1"],
  ["health-max-body-bytes", "4MB", "a whole number of at least 1"],
  ["approvers", "alice,,bob", "GitHub logins and org/team slugs"],
  ["approvers", "a/b/c", "org/team slugs"],
  ["rollout-steps", "50,10,100", "increasing percentages between 1 and 100 ending at 100"],
  ["rollout-steps", "10,50", "ending at 100"],
  ["rollout-steps", "0,100", "between 1 and 100"],
  ["rollout-steps", "10,150", "between 1 and 100"],
  ["mode", "deploy", "one of release, rollback, plan"],
  ["stages", "both", "one of all, staging, production"],
  ["approval", "slack", "one of issue, environment, none"],
  ["strategy", "canary", "one of direct, gradual"],
  ["rollback", "manual", "one of auto, off"],
  ["bump", "huge", "one of major, minor, patch, prerelease"],
  ["wrangler-version", "four", "a semver range such as 4"],
  ["health-expect-json", "{ok:true}", "JSON text"],
  ["health-path", "https://example.com/health", "a URL path such as / or /api/health"],
  ["tag-prefix", "release v", "a tag prefix such as v"],
  ["tag-prefix", "v..", "no .."],
];

describe("bad inputs fail before anything runs, naming input, value and accepted forms", () => {
  it.each(BAD_INPUTS)("%s: %s", (name, value, accepted) => {
    const error = errorFor(name, () => resolve({ approvers: "alice", [name]: value }));
    expect(error.message).toContain(`Input \`${name}\``);
    expect(error.message).toContain(JSON.stringify(value));
    expect(error.message).toContain(accepted);
  });

  it("formats the message as SPEC's example", () => {
    expect(errorFor("health-interval", () => resolve({ "health-interval": "10x" })).message).toBe(
      'Input `health-interval` has the value "10x": expected a duration such as 250ms, 10s, 2m or 1h.',
    );
  });

  it("reports every bad input at once, each specifically", () => {
    let thrown: unknown;
    try {
      resolve({ "health-interval": "10x", bump: "huge", "health-count": "0" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigErrors);
    const errors = (thrown as ConfigErrors).errors;
    expect(errors.map((e) => e.key)).toEqual(["bump", "health-interval", "health-count"]);
    expect((thrown as Error).message).toContain("3 configuration errors");
  });
});

describe("rules across settings", () => {
  it("rejects failure-limit >= count, naming where each came from", () => {
    const error = errorFor("health-failure-limit", () => resolve({ "health-failure-limit": "6" }));
    expect(error.message).toContain("Input `health-failure-limit` has the value 6");
    expect(error.message).toContain("below the health gate's count (6, from the default of `health-count`)");
    expect(error.message).toContain("every measurement failed");
    const fromFile = errorFor("production.health.failure-limit", () =>
      resolve({ "health-count": "2" }, "production: { health: { failure-limit: 2 } }\n"),
    );
    expect(fromFile.message).toContain("Config key `production.health.failure-limit` has the value 2");
    expect(fromFile.message).toContain("from input `health-count`");
    const smoke = errorFor("staging.smoke.failure-limit", () => resolve({}, "staging: { smoke: { failure-limit: 3 } }\n"));
    expect(smoke.message).toContain("below the smoke gate's count (3, from the default of `smoke-count`)");
  });

  it("accepts failure-limit just below count", () => {
    expect(resolve({ "health-failure-limit": "5" }).config.production.health.failureLimit).toBe(5);
  });

  it("requires approvers for approval: issue", () => {
    const error = errorFor("approval", () => resolve({ approval: "issue" }));
    expect(error.message).toContain('Input `approval` has the value "issue" but no approvers are set');
    expect(errorFor("approval.mode", () => resolve({}, "approval: { mode: issue }\n")).message).toContain("Config key `approval.mode`");
  });

  it("rejects more required approvals than there are approving users", () => {
    const error = errorFor("minimum-approvals", () => resolve({ approvers: "alice,bob", "minimum-approvals": "3" }));
    expect(error.message).toContain("has the value 3: expected at most 2");
    // A team may have any number of members.
    expect(resolve({ approvers: "alice,my-org/ops", "minimum-approvals": "3" }).config.approval.minimum).toBe(3);
  });

  it("requires rollback-reason in mode rollback", () => {
    const error = errorFor("rollback-reason", () => resolveConfig({ inputs: { mode: "rollback" }, env: {} }));
    expect(error.message).toContain("Input `rollback-reason` is not set");
    expect(error.message).toContain("mode: rollback");
  });

  it("rejects the same environment for staging and production", () => {
    const error = errorFor("staging-environment", () => resolve({ "staging-environment": "production" }));
    expect(error.message).toContain('has the value "production", the same as the production environment');
  });

  it("rejects a version that is not semver, and a tag ref that is not a release tag", () => {
    expect(errorFor("version", () => resolve({ version: "1.2" })).message).toContain('"1.2"');
    expect(configErrors(() => resolveConfig({ inputs: {}, env: { GITHUB_REF: "refs/tags/nightly" } })).length).toBeGreaterThan(0);
    expect(errorFor("version", () => resolveConfig({ inputs: {}, env: { GITHUB_REF: "refs/heads/main" } })).message).toContain("bump");
  });
});

describe("config file errors", () => {
  it("names a `config` input whose file does not exist", () => {
    const error = errorFor("config", () => resolveConfig({ inputs: { config: "ops/ship.yml" }, env: {} }));
    expect(error.message).toContain('Input `config` has the value "ops/ship.yml", but no such file exists');
  });

  it("names values with their key path", () => {
    const error = errorFor("production.health.interval", () => resolve({}, "production:\n  health:\n    interval: 10x\n"));
    expect(error.message).toBe(
      'Config key `production.health.interval` has the value "10x": expected a duration such as 250ms, 10s, 2m or 1h.',
    );
    expect(errorFor("staging.url", () => resolve({}, "staging: { url: 'example.com' }\n")).message).toContain("http:// or https://");
    expect(errorFor("production.steps", () => resolve({}, "production: { steps: [50, 20] }\n")).message).toContain("[50,20]");
    expect(errorFor("wrangler-version", () => resolve({}, "wrangler-version: latest\n")).message).toContain("semver range");
    expect(resolve({}, "wrangler-version: 4\n").runtime.wranglerVersion).toBe("4");
  });

  it("accepts an empty tag prefix from the file (tags such as 1.2.3)", () => {
    const { config } = resolveConfig({ inputs: {}, configText: 'release: { tag-prefix: "" }\n', env: { GITHUB_REF: "refs/tags/1.2.3" } });
    expect(config.version.tagPrefix).toBe("");
  });

  it("requires exactly one of path and url in a check", () => {
    const both = "production: { health: { checks: [{ path: /, url: 'https://a.dev' }] } }\n";
    expect(errorFor("production.health.checks[0]", () => resolve({}, both)).message).toContain(
      "both `path` and `url`: expected exactly one",
    );
    const neither = "production: { health: { checks: [{ expect: { status: 200 } }] } }\n";
    expect(errorFor("production.health.checks[0]", () => resolve({}, neither)).message).toContain("neither `path` nor `url`");
  });

  it("validates check statuses and URLs with their paths", () => {
    const text = "staging: { smoke: { checks: [{ path: /, expect: { status: 700 } }, { url: 'mailto:x@y.z' }] } }\n";
    const keys = configErrors(() => resolve({}, text)).map((e) => e.key);
    expect(keys).toEqual(expect.arrayContaining(["staging.smoke.checks[0].expect.status", "staging.smoke.checks[1].url"]));
  });

  it("names a header's missing environment variable", () => {
    const text = "production: { health: { checks: [{ path: /, headers: { x-token: '${{ env.HEALTH_TOKEN }}' } }] } }\n";
    const error = errorFor("production.health.checks[0].headers.x-token", () => resolve({}, text));
    expect(error.message).toContain("HEALTH_TOKEN");
  });

  it("rejects a header name that HTTP does not allow", () => {
    const text = "production: { health: { checks: [{ path: /, headers: { 'x token': v } }] } }\n";
    expect(errorFor("production.health.checks[0].headers.x token", () => resolve({}, text)).message).toContain("header name");
  });
});

describe("config file values hidden by inputs", () => {
  it("rejects a bad config-file value even when an input overrides that key", () => {
    expect(() =>
      resolveConfig({
        inputs: { "health-interval": "5s" },
        configText: "production:\n  health:\n    interval: soon\n",
        configPath: ".github/shipline.yml",
        env: { GITHUB_REF: "refs/tags/v1.0.0", GITHUB_SHA: "abc" },
      }),
    ).toThrow(/production\.health\.interval.*"soon"/s);
  });
});
