import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expandEnv, loadConfigSource } from "../../../src/config/file.js";
import { parseConfigFile } from "../../../src/config/parse-file.js";
import { DURATION_PATTERN, emitJsonSchema, SCHEMA_ID } from "../../../src/config/schema.js";
import { parseDuration } from "../../../src/core/parse.js";
import { configErrors, errorFor } from "./helpers.js";

const PATH = ".github/shipline.yml";
const parse = (text: string) => () => parseConfigFile(text, PATH);

describe("published JSON Schema", () => {
  it("is committed as emitted, with $id, title and description", () => {
    const committed = JSON.parse(readFileSync(new URL("../../../schema/shipline.schema.json", import.meta.url), "utf8")) as Record<
      string,
      unknown
    >;
    const emitted = emitJsonSchema();
    expect(committed).toEqual(emitted);
    expect(emitted["$id"]).toBe(SCHEMA_ID);
    expect(emitted["title"]).toMatch(/shipline/);
    expect(emitted["description"]).toMatch(/inputs override/i);
    expect(emitted["additionalProperties"]).toBe(false);
  });

  it("describes keys with the input that overrides them", () => {
    const schema = emitJsonSchema() as {
      properties: { production: { properties: { health: { properties: Record<string, { description: string }> } } } };
    };
    const interval = schema.properties.production.properties.health.properties["interval"];
    expect(interval?.description).toContain("health-interval");
    expect(interval?.description).toContain("10s");
  });

  it("has a duration pattern that accepts exactly what parseDuration accepts", () => {
    const pattern = new RegExp(DURATION_PATTERN);
    const samples = [
      "0",
      "250ms",
      "10s",
      "1.5s",
      "2m",
      "1h",
      "1h30m",
      "1m30s",
      "1m0.5s",
      "10",
      "10x",
      "",
      "s",
      "30m1h",
      "1.s",
      "-1s",
      "1d",
      "5 s",
      "1ms1s",
    ];
    for (const sample of samples) {
      expect(pattern.test(sample), sample).toBe(parseDuration(sample) !== undefined);
    }
  });
});

describe("parseConfigFile", () => {
  it("reads SPEC's example file", () => {
    const file = parseConfigFile(
      [
        "staging:",
        "  environment: staging",
        "  smoke: { command: npm run test:smoke, count: 3, interval: 5s, checks: [{ path: /api/health, expect: { status: 200, json: { success: true } } }] }",
        "approval: { mode: issue, approvers: [alice, my-org/ops], minimum: 1, timeout: 4h, allow-self-approval: false }",
        "production: { strategy: gradual, steps: [10, 50, 100], health: { count: 6, failure-limit: 0, max-latency: 500ms }, rollback: auto }",
        "release: { tag-prefix: v, promote-prerelease: true, floating-tags: false, create-release: true }",
      ].join("\n"),
      PATH,
    );
    expect(file.approval?.approvers).toEqual(["alice", "my-org/ops"]);
    expect(file.staging?.smoke?.checks?.[0]?.expect?.json).toEqual({ success: true });
  });

  it("treats an empty file as no settings", () => {
    expect(parseConfigFile("", PATH)).toEqual({});
    expect(parseConfigFile("# only a comment\n", PATH)).toEqual({});
  });

  it("names an unknown top-level key and lists the accepted ones", () => {
    const error = errorFor("stagin", parse("stagin:\n  url: https://x.dev\n"));
    expect(error.message).toContain("unknown key `stagin`");
    expect(error.message).toContain("did you mean `staging`?");
    expect(error.message).toContain("`staging`, `approval`, `production`, `release`");
  });

  it("names a nested unknown key with its path", () => {
    const error = errorFor("production.health.intervall", parse("production:\n  health:\n    intervall: 10s\n"));
    expect(error.message).toBe(
      "Config key `production.health` has the unknown key `intervall` (did you mean `interval`?): accepted keys are `interval`, `count`, `failure-limit`, `consecutive-error-limit`, `timeout`, `max-latency`, `confirm`, `max-body-bytes`, `checks`.",
    );
  });

  it("names unknown keys inside a check of a list", () => {
    const error = errorFor(
      "staging.smoke.checks[1].expects",
      parse("staging:\n  smoke:\n    checks:\n      - path: /\n      - path: /a\n        expects: {}\n"),
    );
    expect(error.message).toContain("Config key `staging.smoke.checks[1]`");
    expect(error.message).toContain("`expect`");
  });

  it("reports a wrong type with the key path, the value and what is accepted", () => {
    const error = errorFor("production.health.count", parse("production:\n  health:\n    count: six\n"));
    expect(error.message).toBe('Config key `production.health.count` has the value "six": expected a whole number of at least 1.');
    expect(errorFor("approval.mode", parse("approval: { mode: slack }\n")).message).toContain("one of issue, environment, none");
    expect(errorFor("release.floating-tags", parse("release: { floating-tags: yes please }\n")).message).toContain("true or false");
    expect(
      errorFor(
        "production.health.checks[0].expect.status",
        parse("production: { health: { checks: [{ path: /, expect: { status: [200] } }] } }\n"),
      ).message,
    ).toContain("200-299");
  });

  it("reports every schema problem at once", () => {
    const errors = configErrors(parse("production:\n  strategy: fast\n  helth: {}\nrelease: { tag-prefix: 1 }\n"));
    expect(errors.map((e) => e.key).sort()).toEqual(["production.helth", "production.strategy", "release.tag-prefix"]);
  });

  it("reports YAML syntax errors with their line", () => {
    const error = errorFor("config", parse("production:\n  strategy: direct\n  strategy: gradual\n"));
    expect(error.message).toMatch(
      /^Config file `\.github\/shipline\.yml` is not valid YAML at line 3, column \d+: Map keys must be unique\.$/,
    );
    expect(errorFor("config", parse("staging:\n  url: https://a.dev\n bad: 1\n")).message).toContain("at line 3");
  });

  it("rejects a file that is not a mapping", () => {
    expect(errorFor("config", parse("- staging\n- production\n")).message).toContain("must be a mapping");
  });
});

describe("expandEnv", () => {
  const KEY = "production.health.checks[0].headers.authorization";

  it("expands ${{ env.NAME }} and returns what to mask", () => {
    const result = expandEnv("Bearer ${{ env.TOKEN }} / ${{env.OTHER}}", KEY, { TOKEN: "t0k", OTHER: "o7h" });
    expect(result).toEqual({ value: "Bearer t0k / o7h", secrets: ["t0k", "o7h", "Bearer t0k / o7h"] });
  });

  it("leaves plain values alone and masks nothing", () => {
    expect(expandEnv("application/json", KEY, {})).toEqual({ value: "application/json", secrets: [] });
  });

  it("names a missing or empty variable", () => {
    expect(errorFor(KEY, () => expandEnv("${{ env.HEALTH_TOKEN }}", KEY, {})).message).toContain("HEALTH_TOKEN, which is not set or empty");
    expect(errorFor(KEY, () => expandEnv("${{ env.HEALTH_TOKEN }}", KEY, { HEALTH_TOKEN: "" })).message).toContain("HEALTH_TOKEN");
  });

  it("rejects other expressions instead of sending them literally", () => {
    expect(errorFor(KEY, () => expandEnv("${{ secrets.TOKEN }}", KEY, {})).message).toContain("only ${{ env.NAME }} is expanded");
  });
});

describe("loadConfigSource", () => {
  it("reads input `config`, else the default path", () => {
    const files: Record<string, string> = { ".github/shipline.yml": "a", "ops/ship.yml": "b" };
    const read = (path: string) => files[path];
    expect(loadConfigSource({}, read)).toEqual({ configPath: ".github/shipline.yml", configText: "a" });
    expect(loadConfigSource({ config: "ops/ship.yml" }, read)).toEqual({ configPath: "ops/ship.yml", configText: "b" });
    expect(loadConfigSource({ config: "missing.yml" }, read)).toEqual({ configPath: "missing.yml" });
  });
});
