import { describe, expect, it } from "vitest";
import { DeployError } from "../../../src/core/errors.js";
import {
  deploymentsOf,
  liveStateOf,
  parseStatusDocument,
  parseVersionDocument,
  QUOTE_LIMIT,
  versionsOf,
} from "../../../src/providers/command/contract.js";

const source = { command: "./deploy.sh", role: "deploy", environment: "production" };
const statusSource = { command: "./status.sh", role: "status", environment: "production" };

function versionError(stdout: string): DeployError {
  try {
    parseVersionDocument(stdout, source);
  } catch (error) {
    expect(error).toBeInstanceOf(DeployError);
    return error as DeployError;
  }
  return expect.fail(`accepted ${stdout}`);
}

function statusError(stdout: string): DeployError {
  try {
    parseStatusDocument(stdout, statusSource);
  } catch (error) {
    expect(error).toBeInstanceOf(DeployError);
    return error as DeployError;
  }
  return expect.fail(`accepted ${stdout}`);
}

describe("version document (deploy, upload)", () => {
  it("reads the version id, URL and deployment id, around surrounding whitespace", () => {
    expect(parseVersionDocument('\n {"versionId":"r3-v1.2.0","url":"http://127.0.0.1:8080","deploymentId":"d3"}\n', source)).toEqual({
      versionId: "r3-v1.2.0",
      url: "http://127.0.0.1:8080",
      deploymentId: "d3",
    });
  });

  it.each([
    ["nothing", "", /printed nothing on stdout/],
    ["only whitespace", "  \n", /printed nothing on stdout/],
    ["a log line", "Deploying...\n", /did not print one JSON document/],
    ["a log line before the JSON", 'starting\n{"versionId":"a"}', /did not print one JSON document/],
    ["two documents", '{"versionId":"a"}\n{"versionId":"b"}', /did not print one JSON document/],
    ["truncated JSON", '{"versionId":"a"', /did not print one JSON document/],
    ["an array", '[{"versionId":"a"}]', /JSON that is not an object/],
    ["a string", '"a"', /JSON that is not an object/],
    ["null", "null", /JSON that is not an object/],
    ["a number", "42", /JSON that is not an object/],
    ["no version id", '{"url":"http://x.test"}', /`versionId` is missing/],
    ["an empty version id", '{"versionId":"  "}', /`versionId`: expected a non-empty text/],
    ["a numeric version id", '{"versionId":3}', /`versionId`: /],
    ["a relative URL", '{"versionId":"a","url":"/health"}', /`url`: expected an absolute URL/],
    ["a typo'd key", '{"versionid":"a"}', /unknown key `versionid`/],
    ["headers that are not text", '{"versionId":"a","headers":{"x":1}}', /`headers\.x`/],
  ])("refuses %s, quoting what was printed", (_what, stdout, problem) => {
    const error = versionError(stdout);
    expect(error.message).toMatch(problem);
    expect(error.message).toContain("The deploy command `./deploy.sh` (production)");
    expect(error.message).toContain("Expected one JSON document on stdout");
    expect(error.message).toContain(stdout.trim() ? JSON.stringify(stdout) : "(nothing)");
    expect(error.command).toBe("./deploy.sh");
  });

  it("cuts a long output in the quote and says so", () => {
    const stdout = "x".repeat(QUOTE_LIMIT * 3);
    const error = versionError(stdout);
    expect(error.message).toContain(`(cut at ${QUOTE_LIMIT} of ${QUOTE_LIMIT * 3} characters)`);
    expect(error.message.length).toBeLessThan(QUOTE_LIMIT + 600);
  });
});

describe("status document (status, restore, shift)", () => {
  it("reads what serves, deployments and versions", () => {
    const doc = parseStatusDocument(
      JSON.stringify({
        allocation: [{ versionId: "r2", percentage: 100 }],
        url: "http://127.0.0.1:1",
        deploymentId: "d2",
        createdOn: "2026-01-01T00:00:00Z",
        deployments: [
          { deploymentId: "d2", allocation: [{ versionId: "r2", percentage: 100 }] },
          { deploymentId: "d1", allocation: [{ versionId: "r1", percentage: 100 }], message: "git:abc" },
        ],
        versions: [
          { versionId: "r2", tag: "v1.1.0" },
          { versionId: "r1", tag: "v1.0.0" },
        ],
      }),
      statusSource,
    );
    expect(liveStateOf(doc)).toEqual({
      allocation: [{ versionId: "r2", percentage: 100 }],
      deploymentId: "d2",
      createdOn: "2026-01-01T00:00:00Z",
    });
    expect(deploymentsOf(doc).map((d) => d.deploymentId)).toEqual(["d2", "d1"]);
    expect(versionsOf(doc)).toEqual([
      { versionId: "r2", tag: "v1.1.0" },
      { versionId: "r1", tag: "v1.0.0" },
    ]);
  });

  it("reads an empty allocation as an environment with nothing deployed", () => {
    const doc = parseStatusDocument('{"allocation":[]}', statusSource);
    expect(liveStateOf(doc)).toBeNull();
    expect(deploymentsOf(doc)).toEqual([]);
    expect(versionsOf(doc)).toEqual([]);
  });

  it("takes the current deployment as the only one when no list is given", () => {
    const doc = parseStatusDocument('{"allocation":[{"versionId":"a","percentage":10},{"versionId":"b","percentage":90}]}', statusSource);
    expect(deploymentsOf(doc)).toEqual([{ allocation: doc.allocation }]);
  });

  it.each([
    ["no allocation", "{}", /`allocation` is missing/],
    ["an allocation that is not a list", '{"allocation":"r1"}', /`allocation`: /],
    ["a share without a percentage", '{"allocation":[{"versionId":"a"}]}', /`allocation\[0\]\.percentage` is missing/],
    ["a percentage above 100", '{"allocation":[{"versionId":"a","percentage":150}]}', /`allocation\[0\]\.percentage`/],
    ["a negative percentage", '{"allocation":[{"versionId":"a","percentage":-5}]}', /`allocation\[0\]\.percentage`/],
    ["a percentage as text", '{"allocation":[{"versionId":"a","percentage":"100"}]}', /`allocation\[0\]\.percentage`/],
    ["shares that do not add up to 100", '{"allocation":[{"versionId":"a","percentage":50}]}', /add up to 100, got 50/],
    [
      "three versions",
      '{"allocation":[{"versionId":"a","percentage":50},{"versionId":"b","percentage":25},{"versionId":"c","percentage":25}]}',
      /at most two versions/,
    ],
    ["one version twice", '{"allocation":[{"versionId":"a","percentage":50},{"versionId":"A","percentage":50}]}', /each version once/],
    ["a version without an id", '{"allocation":[],"versions":[{"tag":"v1"}]}', /`versions\[0\]\.versionId` is missing/],
    [
      "a deployment with a bad split",
      '{"allocation":[],"deployments":[{"allocation":[{"versionId":"a","percentage":99}]}]}',
      /`deployments\[0\]\.allocation`: expected shares that add up to 100/,
    ],
    ["a typo'd key", '{"allocation":[],"version":[]}', /unknown key `version`/],
    ["a version document", '{"versionId":"a"}', /`allocation` is missing; the document has unknown key `versionId`/],
  ])("refuses %s", (_what, stdout, problem) => {
    const error = statusError(stdout);
    expect(error.message).toMatch(problem);
    expect(error.message).toContain("The status command `./status.sh` (production)");
    expect(error.message).toContain(JSON.stringify(stdout));
  });
});
