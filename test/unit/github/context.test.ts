import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import { isGitHubActions, readGitHubContext } from "../../../src/providers/github/context.js";

const env = {
  GITHUB_ACTIONS: "true",
  GITHUB_REPOSITORY: "acme/shop",
  GITHUB_SHA: "a".repeat(40),
  GITHUB_REF: "refs/tags/v1.2.3",
  GITHUB_ACTOR: "alice",
  GITHUB_RUN_ID: "123456",
  GITHUB_RUN_ATTEMPT: "1",
  GITHUB_SERVER_URL: "https://github.example.com/",
  GITHUB_API_URL: "https://github.example.com/api/v3/",
  GITHUB_EVENT_NAME: "push",
  GITHUB_EVENT_PATH: "/tmp/event.json",
  GITHUB_WORKFLOW: "release",
};

describe("readGitHubContext", () => {
  it("reads every field and builds the run URL", () => {
    expect(readGitHubContext(env)).toEqual({
      owner: "acme",
      repo: "shop",
      sha: "a".repeat(40),
      ref: "refs/tags/v1.2.3",
      actor: "alice",
      runId: "123456",
      runAttempt: 1,
      serverUrl: "https://github.example.com",
      apiUrl: "https://github.example.com/api/v3",
      runUrl: "https://github.example.com/acme/shop/actions/runs/123456",
      eventName: "push",
      eventPath: "/tmp/event.json",
      workflow: "release",
    });
    expect(isGitHubActions(env)).toBe(true);
  });

  it("links the attempt of a re-run", () => {
    expect(readGitHubContext({ ...env, GITHUB_RUN_ATTEMPT: "3" }).runUrl).toBe(
      "https://github.example.com/acme/shop/actions/runs/123456/attempts/3",
    );
  });

  it("defaults to github.com and leaves optional fields undefined", () => {
    const context = readGitHubContext({ GITHUB_REPOSITORY: "acme/shop", GITHUB_SHA: "abc", GITHUB_REF: "" });
    expect(context).toMatchObject({ serverUrl: "https://github.com", apiUrl: "https://api.github.com", runAttempt: 1 });
    expect(context.ref).toBeUndefined();
    expect(context.runUrl).toBeUndefined();
    expect(isGitHubActions({})).toBe(false);
  });

  it("refuses a missing or malformed repository, and a missing commit", () => {
    expect(() => readGitHubContext({ GITHUB_SHA: "abc" })).toThrow(ConfigError);
    expect(() => readGitHubContext({ GITHUB_REPOSITORY: "acme", GITHUB_SHA: "abc" })).toThrow(/expected `owner\/repo`/);
    expect(() => readGitHubContext({ GITHUB_REPOSITORY: "acme/shop" })).toThrow(/GITHUB_SHA/);
  });
});
