import { describe, expect, it } from "vitest";
import { parseUrl, redactUserinfo } from "../../../src/config/values.js";
import { ConfigError } from "../../../src/core/errors.js";
import { configErrors, errorFor, resolve } from "./helpers.js";

const PASSWORD = "s3cr3t-Pa55";

describe("URLs with credentials", () => {
  it.each([
    ["staging-url", `https://deploy:${PASSWORD}@staging.example.com`, '"https://deploy:***@staging.example.com"'],
    ["production-url", `https://deploy:${PASSWORD}@example.com/app`, '"https://deploy:***@example.com/app"'],
    ["production-url", `http://:${PASSWORD}@example.com`, '"http://:***@example.com"'],
    ["staging-url", `https://${PASSWORD}@staging.example.com`, '"https://***@staging.example.com"'],
  ])("input %s = %s is refused, naming the input, the value without its password, and what to do", (input, value, shown) => {
    const error = errorFor(input, () => resolve({ [input]: value }));
    expect(error.message).toContain(`Input \`${input}\` has the value ${shown}`);
    expect(error.message).toContain("an absolute http:// or https:// URL");
    expect(error.message).toContain("without a user name or password");
    expect(error.message).toContain("`headers`");
    expect(error.message).not.toContain(PASSWORD);
  });

  it("refuses credentials in the config file's staging.url, production.url and a check's url", () => {
    const text = [
      "staging:",
      `  url: https://u:${PASSWORD}@staging.example.com`,
      "  smoke:",
      `    checks: [{ url: "https://u:${PASSWORD}@staging.example.com/health" }]`,
      "production:",
      `  url: https://u:${PASSWORD}@example.com`,
      "  health:",
      `    checks: [{ url: "https://u:${PASSWORD}@example.com/health" }]`,
      "",
    ].join("\n");
    const errors = configErrors(() => resolve({}, text));
    expect(errors.map((e) => e.key).sort()).toEqual([
      "production.health.checks[0].url",
      "production.url",
      "staging.smoke.checks[0].url",
      "staging.url",
    ]);
    for (const error of errors) {
      expect(error.message).toContain("u:***@");
      expect(error.message).not.toContain(PASSWORD);
    }
  });

  it("does not print the password of any rejected value, valid URL or not", () => {
    for (const value of [
      `ftp://u:${PASSWORD}@example.com`,
      `https://u:${PASSWORD}/x@example.com`,
      `u:${PASSWORD}@example.com`,
      `file://u:${PASSWORD}@host/x`,
    ]) {
      let message = "";
      try {
        parseUrl({ key: "staging-url", label: "Input `staging-url`" }, value);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as ConfigError).message;
      }
      expect(message, value).toMatch(/^Input `staging-url` has the value "/);
      expect(message, value).not.toContain(PASSWORD);
    }
  });

  it("still accepts URLs without credentials, an @ in the path included", () => {
    expect(parseUrl({ key: "k", label: "k" }, "https://example.com/users/@me")).toBe("https://example.com/users/@me");
    expect(resolve({ "staging-url": "https://staging.example.com/app" }).config.staging.url).toBe("https://staging.example.com/app");
  });
});

describe("redactUserinfo", () => {
  it.each([
    ["https://user:pass@host/path", "https://user:***@host/path"],
    ["https://token@host", "https://***@host"],
    ["https://a:b:c@d@host", "https://a:***@host"],
    ["https:user:pass@host", "https:user:***@host"],
    ["user:pass@host", "user:***@host"],
    ["https://host/path", "https://host/path"],
    ["not a url", "not a url"],
  ])("%s → %s", (raw, shown) => {
    expect(redactUserinfo(raw)).toBe(shown);
  });
});
