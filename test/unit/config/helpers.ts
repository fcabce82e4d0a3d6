import { expect } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import { resolveConfig } from "../../../src/config/parse-file.js";
import type { ResolveArgs, ResolvedSettings } from "../../../src/config/resolve.js";
import { ConfigErrors } from "../../../src/config/values.js";

/** A tag push, so that version resolution succeeds unless a test says otherwise. */
export const TAG_ENV = { GITHUB_REF: "refs/tags/v1.2.3", GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567" };

/** Resolves with a tag-push environment and the given inputs / config text. */
export function resolve(inputs: Record<string, string> = {}, configText?: string, env: Record<string, string> = {}): ResolvedSettings {
  const args: ResolveArgs = {
    inputs,
    env: { ...TAG_ENV, ...env },
    ...(configText !== undefined ? { configText, configPath: ".github/shipline.yml" } : {}),
  };
  return resolveConfig(args);
}

/** The individual ConfigErrors `fn` throws (flattening a ConfigErrors); fails when it does not throw one. */
export function configErrors(fn: () => unknown): ConfigError[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error instanceof ConfigErrors ? [...error.errors] : [error as ConfigError];
  }
  expect.fail("expected a ConfigError");
}

/** The single ConfigError with `key` among those `fn` throws. */
export function errorFor(key: string, fn: () => unknown): ConfigError {
  const errors = configErrors(fn);
  const match = errors.filter((e) => e.key === key);
  expect(match, `errors: ${errors.map((e) => `${e.key}: ${e.message}`).join(" | ")}`).toHaveLength(1);
  return match[0] as ConfigError;
}
