import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { findCommand } from "../../../src/cli/commands.js";
import { parseFlags } from "../../../src/cli/flags.js";
import { UsageError } from "../../../src/cli/usage.js";
import { renderActionYml } from "../../../src/config/emit-action-yml.js";
import { inputSpec, readInputs } from "../../../src/config/inputs.js";
import { errorFor, resolve } from "./helpers.js";

describe("input version-header", () => {
  it("defaults to x-worker-version-id for every gate's rules (smoke and staging watch, health and rollback health)", () => {
    const { config } = resolve();
    expect(config.staging.smoke.versionHeader).toBe("x-worker-version-id");
    expect(config.production.health.versionHeader).toBe("x-worker-version-id");
  });

  it("takes any header name, lower-cased", () => {
    const { config } = resolve({ "version-header": "X-Release-Version" });
    expect(config.staging.smoke.versionHeader).toBe("x-release-version");
    expect(config.production.health.versionHeader).toBe("x-release-version");
  });

  it("is turned off by an empty value: no gate reads a version header", () => {
    const { config } = resolve({ "version-header": "" });
    expect(config.staging.smoke).not.toHaveProperty("versionHeader");
    expect(config.production.health).not.toHaveProperty("versionHeader");
  });

  it("reaches the resolver empty from the action's INPUT_ variable (the runner passes an explicit empty value as is)", () => {
    const inputs = readInputs({ "INPUT_VERSION-HEADER": "", INPUT_MODE: "release" });
    expect(resolve(inputs).config.production.health).not.toHaveProperty("versionHeader");
  });

  it.each(["x worker version", "x-version:", "x-vérsion", "a/b"])("rejects %j naming the input, the value and what is accepted", (bad) => {
    const error = errorFor("version-header", () => resolve({ "version-header": bad }));
    expect(error.message).toBe(
      `Input \`version-header\` has the value ${JSON.stringify(bad)}: expected an HTTP header name such as x-worker-version-id (letters, digits and -_.!#$%&'*+^\`|~ only), or nothing to turn the check off.`,
    );
  });

  it("declares its default in action.yml, so that only an explicit empty value turns the check off", () => {
    const meta = parse(renderActionYml()) as { inputs: Record<string, { default?: string; description: string }> };
    expect(meta.inputs["version-header"]?.default).toBe("x-worker-version-id");
    expect(meta.inputs["version-header"]?.description).toContain("Empty turns the check off");
  });

  it("has no config-file key (a declared action.yml default would always beat it)", () => {
    expect(inputSpec("version-header").configKey).toBeUndefined();
    const error = errorFor("version-header", () => resolve({}, "version-header: x-other\n"));
    expect(error.message).toContain("has the unknown key `version-header`");
  });
});

describe("flag --version-header", () => {
  it("is taken by every command that runs a gate, an empty value included", () => {
    for (const name of ["release", "rollback", "check", "plan"]) {
      const command = findCommand(name)!;
      const url = name === "check" ? ["https://example.com"] : [];
      expect(parseFlags(command, [...url, "--version-header", ""]).inputs, name).toEqual({ "version-header": "" });
      expect(parseFlags(command, [...url, "--version-header", "X-V"]).inputs, name).toEqual({ "version-header": "X-V" });
    }
  });

  it("rejects a value that is not a header name, naming the flag", () => {
    expect(() => parseFlags(findCommand("check")!, ["--version-header", "x v"])).toThrow(UsageError);
    expect(() => parseFlags(findCommand("check")!, ["--version-header", "x v"])).toThrow(
      'Flag `--version-header` has the value "x v": expected an HTTP header name',
    );
  });
});
