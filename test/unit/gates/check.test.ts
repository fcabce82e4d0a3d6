import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import { checkUrl, evaluate } from "../../../src/core/gate.js";
import { parseStatusMatcher } from "../../../src/core/parse.js";
import type { ProbeResponse } from "../../../src/core/ports.js";
import { check, fail, ok, status } from "./fakes.js";

/** A 200 answer whose body the probe cut at `bytes`. */
const cutAt = (body: string, bytes: number): ProbeResponse => ({
  kind: "response",
  status: 200,
  headers: {},
  body,
  latencyMs: 5,
  bodyCutAt: bytes,
});

const at = (path: string | undefined, base = "https://example.com/app") =>
  checkUrl(base, check("c", path === undefined ? { path: undefined } : { path }));

describe("checkUrl", () => {
  it("appends the path to the base URL, keeping the base's own path", () => {
    expect(at("/api/health")).toBe("https://example.com/app/api/health");
    expect(at("/api/health", "https://example.com/app/")).toBe("https://example.com/app/api/health");
    expect(at("api/health")).toBe("https://example.com/app/api/health");
    expect(at("/api/health", "https://example.com")).toBe("https://example.com/api/health");
    expect(at("/", "https://example.com")).toBe("https://example.com/");
    expect(at("/", "https://example.com/app")).toBe("https://example.com/app/");
  });

  it("keeps query strings of both the base URL and the path", () => {
    expect(at("/health?deep=1")).toBe("https://example.com/app/health?deep=1");
    expect(at("/health?deep=1", "https://example.com/app?token=x")).toBe("https://example.com/app/health?token=x&deep=1");
    expect(at("/health", "https://example.com/app?token=x")).toBe("https://example.com/app/health?token=x");
    expect(at("?deep=1")).toBe("https://example.com/app?deep=1");
  });

  it("keeps ports and drops the base URL's fragment", () => {
    expect(at("/h", "http://127.0.0.1:8787/x#frag")).toBe("http://127.0.0.1:8787/x/h");
  });

  it("probes the base URL itself without a path, and a full url wins", () => {
    expect(at(undefined)).toBe("https://example.com/app");
    expect(checkUrl("https://example.com/app", check("c", { url: "https://other.dev/ping" }))).toBe("https://other.dev/ping");
  });

  it("rejects a base URL that is not absolute http(s)", () => {
    expect(() => at("/h", "example.com")).toThrow(ConfigError);
    expect(() => at("/h", "ftp://example.com")).toThrow(/Invalid base URL "ftp:\/\/example.com"/);
    expect(() => at("/h", "")).toThrow(ConfigError);
  });
});

describe("evaluate", () => {
  const url = "https://example.com/health";

  it("passes a response that meets every expectation", () => {
    const spec = check("GET /health", {
      expect: { status: parseStatusMatcher("200")!, json: { success: true }, body: "success" },
    });
    expect(evaluate(spec, ok(42, '{"success":true,"v":1}'), url)).toEqual({
      check: "GET /health",
      url,
      outcome: "successful",
      status: 200,
      latencyMs: 42,
    });
  });

  it("turns a probe error into an error result with its text", () => {
    expect(evaluate(check(), fail("timeout after 5s", 5000), url)).toEqual({
      check: "GET /health",
      url,
      outcome: "error",
      latencyMs: 5000,
      reason: "timeout after 5s",
    });
  });

  it("fails a status outside the accepted ones, quoting the body", () => {
    const result = evaluate(check(), status(503, "Service   Unavailable\n"), url);
    expect(result).toMatchObject({ outcome: "failed", status: 503 });
    expect(result.reason).toBe("expected status 200-299, got 503: `Service Unavailable`");
    expect(evaluate(check(), status(500), url).reason).toBe("expected status 200-299, got 500");
  });

  it("says where a redirect points", () => {
    const result = evaluate(check(), status(302, "", { location: "https://example.com/login" }), url);
    expect(result.reason).toBe("expected status 200-299, got 302 (location: https://example.com/login)");
  });

  it("trims long bodies in reasons", () => {
    const result = evaluate(check(), status(500, "x".repeat(5000)), url);
    expect(result.reason!.length).toBeLessThan(260);
    expect(result.reason).toContain("x…");
  });

  it("fails a JSON mismatch naming the path, expected and actual", () => {
    const spec = check("GET /health", { expect: { status: parseStatusMatcher("200")!, json: { data: { status: "healthy" } } } });
    const result = evaluate(spec, ok(5, '{"data":{"status":"degraded"}}'), url);
    expect(result).toMatchObject({ outcome: "failed", status: 200 });
    expect(result.reason).toBe('expected JSON $.data.status to contain "healthy", got "degraded"');
    expect(evaluate(spec, ok(5, '{"data":{}}'), url).reason).toBe(
      'expected JSON $.data.status to contain "healthy", got nothing (missing)',
    );
  });

  it("fails a body that is not JSON when JSON is expected", () => {
    const spec = check("GET /health", { expect: { status: parseStatusMatcher("200")!, json: { ok: true } } });
    const result = evaluate(spec, ok(5, "<html>oops</html>", { "content-type": "text/html" }), url);
    expect(result.outcome).toBe("failed");
    expect(result.reason).toBe("expected a JSON body, got `<html>oops</html>` (content-type text/html)");
  });

  it("fails when the expected text is missing from the body", () => {
    const spec = check("GET /", { expect: { status: parseStatusMatcher("200-399")!, body: "<title>" } });
    expect(evaluate(spec, ok(5, "<html>"), url).reason).toBe('expected the body to contain "<title>", got `<html>`');
    expect(evaluate(spec, ok(5, ""), url).reason).toBe('expected the body to contain "<title>", got an empty body');
    expect(evaluate(spec, ok(5, "<title>x</title>"), url).outcome).toBe("successful");
  });

  it("says the body was cut when a JSON or text expectation fails on a cut body", () => {
    const json = check("GET /health", { expect: { status: parseStatusMatcher("200")!, json: { ok: true } } });
    const cut = cutAt('{"ok":true,"big":"xxxx', 20);
    expect(evaluate(json, cut, url).reason).toBe(
      'expected a JSON body, got `{"ok":true,"big":"xxxx` (body cut at 20 bytes: raise health-max-body-bytes)',
    );
    const text = check("GET /", { expect: { status: parseStatusMatcher("200")!, body: "</html>" } });
    expect(evaluate(text, cutAt("<html>", 6), url).reason).toBe(
      'expected the body to contain "</html>", got `<html>` (body cut at 6 bytes: raise health-max-body-bytes)',
    );
    expect(evaluate(text, cutAt("<html></html>", 13), url).outcome).toBe("successful");
  });

  it("checks the status before the body", () => {
    const spec = check("GET /", { expect: { status: parseStatusMatcher("200")!, body: "<title>" } });
    expect(evaluate(spec, status(404, "nope"), url).reason).toMatch(/^expected status 200, got 404/);
  });
});
