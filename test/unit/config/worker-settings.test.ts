import { describe, expect, it } from "vitest";
import { renderPlan } from "../../../src/config/plan.js";
import { errorFor, resolve } from "./helpers.js";

describe("secrets (input and config key)", () => {
  it("reads each named value from the step's environment, keeps names in the config and masks every value", () => {
    const env = { API_KEY: "s3cret-api-value", DB_URL: "postgres://u:pw-value@db" };
    const { config, runtime, secrets } = resolve({ secrets: "API_KEY\nDB_URL, API_KEY" }, undefined, env);
    expect(config.secrets).toEqual(["API_KEY", "DB_URL"]);
    expect(runtime.secretValues).toEqual(env);
    expect(secrets).toEqual(expect.arrayContaining(["s3cret-api-value", "postgres://u:pw-value@db"]));
    expect(JSON.stringify(config)).not.toContain("s3cret-api-value");
  });

  it("takes a YAML list from the config file", () => {
    const { config, runtime } = resolve({}, "secrets: [API_KEY]\n", { API_KEY: "value-1" });
    expect(config.secrets).toEqual(["API_KEY"]);
    expect(runtime.secretValues).toEqual({ API_KEY: "value-1" });
  });

  it("stops before anything is deployed when a value is missing or empty, naming the variables and never a value", () => {
    const error = errorFor("secrets", () =>
      resolve({ secrets: "API_KEY,DB_URL,TOKEN" }, undefined, { API_KEY: "present-value", DB_URL: "" }),
    );
    expect(error.message).toMatch(/^Input `secrets` names DB_URL, TOKEN, but the environment has no value for them \(unset or empty\)/);
    expect(error.message).toMatch(/env: \{ DB_URL: \$\{\{ secrets\.DB_URL \}\} \}/);
    expect(error.message).toMatch(/Nothing was deployed/);
    expect(error.message).not.toContain("present-value");
  });

  it("names the config key when the names come from the file", () => {
    const error = errorFor("secrets", () => resolve({}, "secrets: [API_KEY]\n"));
    expect(error.message).toMatch(/^Config key `secrets` names API_KEY/);
  });

  it("rejects a name that cannot be a variable or binding name, saying what is accepted", () => {
    const error = errorFor("secrets", () => resolve({ secrets: "API_KEY,my-key" }, undefined, { API_KEY: "x" }));
    expect(error.message).toMatch(/whose entry "my-key" is not a name: expected names of letters, digits and _/);
  });

  it("does not read the values in an emergency rollback (nothing is uploaded)", () => {
    const { config, runtime } = resolve({ mode: "rollback", "rollback-reason": "bad", secrets: "API_KEY" });
    expect(config.secrets).toBeUndefined();
    expect(runtime.secretValues).toEqual({});
  });
});

describe("vars", () => {
  it("reads KEY=value lines, keeping everything after the first =", () => {
    const { config } = resolve({ vars: "LOG_LEVEL=debug\n# comment\n\nQUERY=a=b:c\nEMPTY=" });
    expect(config.vars).toEqual({ LOG_LEVEL: "debug", QUERY: "a=b:c", EMPTY: "" });
  });

  it("reads a YAML mapping from the config file, numbers and booleans as text", () => {
    const { config } = resolve({}, "vars:\n  LOG_LEVEL: info\n  RETRIES: 3\n  BETA: true\n");
    expect(config.vars).toEqual({ LOG_LEVEL: "info", RETRIES: "3", BETA: "true" });
  });

  it("rejects a line without =, naming the entry", () => {
    const error = errorFor("vars", () => resolve({ vars: "LOG_LEVEL=debug\nnonsense" }));
    expect(error.message).toBe(
      'Input `vars` has the entry "nonsense": expected KEY=value lines (KEY of letters, digits and _ not starting with a digit), or a YAML mapping of names to values.',
    );
  });

  it("rejects a nested value in the config file", () => {
    const error = errorFor("vars.A", () => resolve({}, "vars:\n  A: { b: 1 }\n"));
    expect(error.message).toBe('Config key `vars.A` has the value {"b":1}: expected a text, number or boolean.');
  });
});

describe("required-secrets, before-production, after-release", () => {
  it("are read from inputs and from the config file", () => {
    const fromInputs = resolve({
      "required-secrets": "API_KEY",
      "before-production": "npm run migrate",
      "after-release": "./notify.sh",
    }).config;
    expect(fromInputs.requiredSecrets).toEqual(["API_KEY"]);
    expect(fromInputs.production.beforeCommand).toBe("npm run migrate");
    expect(fromInputs.release.afterCommand).toBe("./notify.sh");
    const fromFile = resolve(
      {},
      "required-secrets: [API_KEY, DB_URL]\nbefore-production: npm run migrate\nafter-release: ./notify.sh\n",
    ).config;
    expect(fromFile.requiredSecrets).toEqual(["API_KEY", "DB_URL"]);
    expect(fromFile.production.beforeCommand).toBe("npm run migrate");
    expect(fromFile.release.afterCommand).toBe("./notify.sh");
  });

  it("show in the plan by name, never a secret value", () => {
    const settings = resolve(
      {
        secrets: "API_KEY",
        vars: "LOG_LEVEL=debug",
        "required-secrets": "DB_URL",
        "before-production": "npm run migrate",
        "after-release": "./notify.sh",
      },
      undefined,
      { API_KEY: "plan-secret-value" },
    );
    const plan = renderPlan(settings.config, { version: "1.2.3", tag: "v1.2.3" });
    expect(plan).toContain("Secrets uploaded with each version (from the step's environment): API_KEY");
    expect(plan).toContain("Vars set on each version (--var): LOG_LEVEL");
    expect(plan).toContain("Secrets each Worker must already have: DB_URL");
    expect(plan).toMatch(/Before production: npm run migrate .*\n\s+wrangler rollback does not undo/);
    expect(plan).toContain("After release: ./notify.sh");
    expect(plan).not.toContain("plan-secret-value");
  });
});
