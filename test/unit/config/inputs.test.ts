import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderActionYml } from "../../../src/config/emit-action-yml.js";
import { generatedFiles } from "../../../src/config/generated.js";
import { INPUTS, OUTPUTS, inputEnvName, readInputs } from "../../../src/config/inputs.js";
import { acceptedKeysAt } from "../../../src/config/schema.js";
import { fromInput, parseByKind } from "../../../src/config/values.js";

const ROOT = new URL("../../../", import.meta.url);

// SPEC sections 2 and 3, in order: these names are public API.
const SPEC_INPUTS = [
  "mode",
  "stages",
  "config",
  "working-directory",
  "github-token",
  "release-token",
  "cloudflare-api-token",
  "cloudflare-account-id",
  "wrangler-version",
  "version",
  "bump",
  "tag-prefix",
  "staging-environment",
  "production-environment",
  "staging-url",
  "production-url",
  "smoke-command",
  "health-path",
  "health-expect-status",
  "health-expect-json",
  "health-interval",
  "health-count",
  "health-failure-limit",
  "health-consecutive-error-limit",
  "health-timeout",
  "health-max-latency",
  // Issue 10: the gates' confirming re-probes and the body limit (beyond SPEC section 2).
  "health-confirm",
  "health-max-body-bytes",
  "smoke-count",
  "smoke-interval",
  "approval",
  "approvers",
  "minimum-approvals",
  "approval-timeout",
  "allow-self-approval",
  "strategy",
  "rollout-steps",
  "rollback",
  "promote-prerelease",
  "floating-tags",
  "create-release",
  "rollback-target",
  "rollback-reason",
  "version-header",
  "secrets",
  "vars",
  "required-secrets",
  "before-production",
  "after-release",
  "deployment-records",
];
const SPEC_OUTPUTS = [
  "result",
  "version",
  "release-tag",
  "staging-version-id",
  "production-version-id",
  "previous-version-id",
  "rollback-version-id",
  "staging-url",
  "production-url",
  "approval-status",
  "approved-by",
  "health-report",
  // Issue 12: a release of several Workers (SPEC section 7) reports each one.
  "workers",
];

describe("input table", () => {
  it("has exactly SPEC's inputs and outputs", () => {
    expect(INPUTS.map((i) => i.name)).toEqual(SPEC_INPUTS);
    expect(OUTPUTS.map((o) => o.name)).toEqual(SPEC_OUTPUTS);
  });

  it("has defaults that parse with the input's own parser", () => {
    for (const spec of INPUTS.filter((i) => i.default !== undefined)) {
      expect(() => parseByKind(spec.kind, fromInput(spec.name), spec.default), spec.name).not.toThrow();
    }
  });

  it("declares no action.yml default for settings the config file can set (it would always win)", () => {
    for (const spec of INPUTS.filter((i) => i.configKey !== undefined)) {
      expect(spec.actionDefault, spec.name).toBeUndefined();
    }
  });

  it("maps inputs to config keys that exist in the schema", () => {
    for (const spec of INPUTS.filter((i) => i.configKey !== undefined)) {
      const path = (spec.configKey as string).split(".");
      const leaf = path.pop() as string;
      expect(acceptedKeysAt(path), spec.name).toContain(leaf);
    }
  });
});

describe("readInputs", () => {
  it("reads INPUT_<NAME> with hyphens kept, trims, and leaves out empty values", () => {
    const inputs = readInputs({
      "INPUT_HEALTH-INTERVAL": " 30s ",
      INPUT_MODE: "plan",
      "INPUT_ROLLBACK-TARGET": "",
      "INPUT_ROLLBACK-REASON": "   ",
      INPUT_HEALTH_COUNT: "9", // underscores are not how the runner names hyphenated inputs
      "input_smoke-count": "2", // nor lower case
      INPUT_UNKNOWN: "x",
    });
    expect(inputs).toEqual({ "health-interval": "30s", mode: "plan" });
  });

  it('keeps an empty value where it means something (version-header: "" turns the check off)', () => {
    expect(readInputs({ "INPUT_VERSION-HEADER": " ", "INPUT_ROLLBACK-TARGET": "" })).toEqual({ "version-header": "" });
    expect(readInputs({})).toEqual({});
  });

  it("declares an action.yml default for every input that keeps an empty value (the runner passes an omitted one as empty)", () => {
    for (const spec of INPUTS.filter((i) => i.keepEmpty)) expect(spec.actionDefault, spec.name).toBe(spec.default);
  });

  it("names variables as the runner does", () => {
    expect(inputEnvName("health-consecutive-error-limit")).toBe("INPUT_HEALTH-CONSECUTIVE-ERROR-LIMIT");
    expect(inputEnvName("two words")).toBe("INPUT_TWO_WORDS");
  });
});

describe("action.yml", () => {
  it("is the committed generated text", () => {
    expect(readFileSync(new URL("action.yml", ROOT), "utf8")).toBe(renderActionYml());
  });

  it("every generated file is committed up to date (run `npm run schema` after a change)", () => {
    for (const file of generatedFiles()) {
      expect(readFileSync(new URL(file.path, ROOT), "utf8"), file.path).toBe(file.text);
    }
  });

  it("declares every input and output, node24 and dist/index.js", () => {
    const meta = parse(renderActionYml()) as {
      author: string;
      branding: { icon: string; color: string };
      inputs: Record<string, { description: string; default?: string }>;
      outputs: Record<string, { description: string }>;
      runs: { using: string; main: string };
    };
    expect(Object.keys(meta.inputs)).toEqual(SPEC_INPUTS);
    expect(Object.keys(meta.outputs)).toEqual(SPEC_OUTPUTS);
    expect(meta.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(meta.author).toBe("shipline");
    expect(meta.branding.icon).not.toBe("");
    expect(meta.inputs["github-token"]?.default).toBe("${{ github.token }}");
    expect(meta.inputs["mode"]?.default).toBe("release");
    expect(meta.inputs["health-interval"]?.default).toBeUndefined();
    expect(meta.inputs["health-interval"]?.description).toContain("`10s`");
    expect(meta.inputs["health-interval"]?.description).toContain("production.health.interval");
  });
});
