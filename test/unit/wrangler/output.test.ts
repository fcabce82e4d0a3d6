import { describe, expect, it } from "vitest";
import { findEntry, parseOutputFile, parseOutputLine } from "../../../src/providers/wrangler/output.js";

// Lines as wrangler 4.86.0 writes them (wrangler.md section 3).
const FILE = [
  '{"type":"wrangler-session","version":1,"wrangler_version":"4.86.0","command_line_args":["deploy","--env","staging"],"log_file_path":"/l.log","timestamp":"2026-01-01T00:00:00.000Z"}',
  '{"type":"deploy","version":1,"worker_name":"w-staging","worker_tag":null,"version_id":"728c5689-aaaa","targets":["https://w-staging.acct.workers.dev"],"wrangler_environment":"staging","worker_name_overridden":false,"timestamp":"2026-01-01T00:00:01.000Z"}',
  '{"type":"autoconfig","version":1,"something":true}',
  "",
].join("\n");

describe("wrangler output file", () => {
  it("parses known entries and keeps unknown types as `other`", () => {
    const entries = parseOutputFile(FILE);
    expect(entries.map((e) => e.type)).toEqual(["wrangler-session", "deploy", "other"]);
    expect(entries[2]).toMatchObject({ type: "other", originalType: "autoconfig" });
    expect(findEntry(entries, "deploy")).toMatchObject({
      version_id: "728c5689-aaaa",
      targets: ["https://w-staging.acct.workers.dev"],
      worker_tag: null,
    });
  });

  it("reads version-upload, version-deploy and command-failed entries", () => {
    const entries = parseOutputFile(
      [
        '{"type":"version-upload","version":1,"worker_name":"w","version_id":"v-1","preview_url":"https://p"}',
        '{"type":"version-deploy","version":1,"worker_name":"w","deployment_id":"d-1","version_traffic":{}}',
        '{"type":"command-failed","version":1,"code":10013,"message":"failed."}',
        '{"type":"command-failed","version":1,"message":"fetch failed"}',
      ].join("\n"),
    );
    expect(findEntry(entries, "version-upload")?.preview_url).toBe("https://p");
    expect(findEntry(entries, "version-deploy")?.deployment_id).toBe("d-1");
    expect(findEntry(entries, "command-failed")).toEqual({ type: "command-failed", version: 1, message: "fetch failed" });
  });

  it("skips a torn last line (a killed process) and non-objects", () => {
    expect(parseOutputLine('{"type":"deploy","vers')).toBeUndefined();
    expect(parseOutputLine("42")).toBeUndefined();
    expect(parseOutputLine("   ")).toBeUndefined();
  });

  it("keeps a known type with an unexpected shape as `other` instead of failing", () => {
    expect(parseOutputLine('{"type":"deploy","version_id":42}')).toMatchObject({ type: "other", originalType: "deploy" });
  });

  it("findEntry returns the last entry of a type", () => {
    const entries = parseOutputFile('{"type":"deploy","version_id":"a"}\n{"type":"deploy","version_id":"b"}');
    expect(findEntry(entries, "deploy")?.version_id).toBe("b");
    expect(findEntry(entries, "version-upload")).toBeUndefined();
  });
});
