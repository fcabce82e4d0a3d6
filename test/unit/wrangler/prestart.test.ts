import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { firstDeploy } from "../../../src/action/prestart.js";
import { resolveSettings } from "../../../src/config/resolve.js";
import { stopAllChildren } from "../../../src/providers/system/process-tree.js";
import { PRESTART_MAX_HOLD_MS, WranglerProcessRunner } from "../../../src/providers/wrangler/runner.js";
import { startWriteGate } from "../../../src/providers/wrangler/write-gate.js";

const FAKE = fileURLToPath(new URL("./fixtures/fake-wrangler.mjs", import.meta.url));
const TOKEN = "tok-prestart-0123456789";
const DEPLOY = ["deploy", "--env", "production"];
/** What `wrangler deploy` does, in short: reads, then the write that changes the Worker. */
const CALLS = [
  { method: "GET", path: "/accounts/a1/workers/services/w" },
  { method: "POST", path: "/accounts/a1/workers/scripts/w/versions", body: '{"v":1}' },
];

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly authorization: string | undefined;
  readonly at: number;
}

let dir: string;
let upstream: Server;
let upstreamUrl: string;
let seen: Seen[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "prestart-test-"));
  seen = [];
  upstream = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", body, authorization: req.headers.authorization, at: Date.now() });
      res.writeHead(req.method === "GET" ? 200 : 201, { "content-type": "application/json", "x-upstream": "yes" });
      res.end(JSON.stringify({ success: true, result: { echoed: body } }));
    });
  });
  await new Promise<void>((listening) => upstream.listen(0, "127.0.0.1", listening));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/client/v4`;
});

afterEach(async () => {
  upstream.closeAllConnections();
  await new Promise((closed) => upstream.close(closed));
  await rm(dir, { recursive: true, force: true });
});

function runner(fake: Record<string, string> = {}) {
  return new WranglerProcessRunner({
    binJs: FAKE,
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      // What a command not started early talks to; one started early gets the gate's address instead.
      CLOUDFLARE_API_BASE_URL: upstreamUrl,
      FAKE_API: JSON.stringify(CALLS),
      FAKE_API_RECORD: join(dir, "api.ndjson"),
      FAKE_WRITE_MARK: join(dir, "writing"),
      FAKE_RECORD: join(dir, "record.json"),
      ...fake,
    },
    apiToken: TOKEN,
    accountId: "a1",
    tempRoot: dir,
  });
}

const answers = () =>
  existsSync(join(dir, "api.ndjson"))
    ? readFileSync(join(dir, "api.ndjson"), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { path: string; status: number; body: string })
    : [];

async function until(predicate: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Started, read through, and its write sent to the gate (where it waits). */
async function heldAtWrite(r: WranglerProcessRunner, signal = new AbortController().signal): Promise<void> {
  await r.prestart(DEPLOY, { signal, upstream: upstreamUrl });
  await until(() => existsSync(join(dir, "writing")), "the fake's write");
  // The write is on its way to the gate: give it time to arrive, then it must still be held.
  await until(() => seen.some((s) => s.method === "GET"), "the read to pass");
  await new Promise((resolve) => setTimeout(resolve, 200));
}

describe("a deploy started early, its writes held", () => {
  it("passes reads at once and the write only once the run's deploy adopts it, with wrangler's own credentials", async () => {
    const r = runner();
    await heldAtWrite(r);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["GET /client/v4/accounts/a1/workers/services/w"]);
    const adoptedAt = Date.now();
    const result = await r.run(DEPLOY);
    expect(result.exitCode).toBe(0);
    const write = seen.find((s) => s.method === "POST");
    expect(write).toMatchObject({
      url: "/client/v4/accounts/a1/workers/scripts/w/versions",
      body: '{"v":1}',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(write!.at).toBeGreaterThanOrEqual(adoptedAt);
    expect(answers().map((a) => a.status)).toEqual([200, 201]);
    // The same process: the one spawned early (one record, one session).
    expect(JSON.parse(readFileSync(join(dir, "record.json"), "utf8")).env.CLOUDFLARE_API_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("refuses the held write when the run ends before its deploy: nothing reaches the API, the process is gone", async () => {
    const r = runner();
    await heldAtWrite(r);
    await r.discardPrestarted("the tag exists");
    expect(seen.filter((s) => s.method !== "GET")).toEqual([]);
    const refused = answers().find((a) => a.path.endsWith("/versions"));
    // Either the fake read the refusal before it was stopped, or it was stopped first; never a pass.
    if (refused) {
      expect(refused.status).toBe(503);
      expect(refused.body).toContain("the tag exists");
    }
    const { pid } = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as { pid: number };
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it("on a cancel, refuses the held write and stops the process, by the signal alone", async () => {
    const r = runner();
    const controller = new AbortController();
    await heldAtWrite(r, controller.signal);
    const { pid } = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as { pid: number };
    controller.abort();
    await until(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, "the process to end");
    expect(seen.filter((s) => s.method !== "GET")).toEqual([]);
    const refused = answers().find((a) => a.path.endsWith("/versions"));
    if (refused) expect(refused.status).toBe(503);
  });

  it("is not adopted by a deploy with other secrets: that one starts afresh, the early one never writes", async () => {
    const r = runner();
    await r.prestart(DEPLOY, { signal: new AbortController().signal, upstream: upstreamUrl, secrets: { API_KEY: "one" } });
    await until(() => existsSync(join(dir, "writing")), "the fake's write");
    const early = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as { pid: number };
    const result = await r.run(DEPLOY, { secrets: { API_KEY: "two" } });
    expect(result.startedAhead).toBeUndefined();
    expect(seen.filter((s) => s.method !== "GET")).toHaveLength(1);
    expect((JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as { pid: number }).pid).not.toBe(early.pid);
  });

  it("starts afresh when the deploy differs from the one started, and the early one never writes", async () => {
    const r = runner();
    await heldAtWrite(r);
    const early = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as { pid: number };
    const other = ["deploy", "--env", "production", "--tag", "v2.0.0"];
    const result = await r.run(other);
    expect(result.exitCode).toBe(0);
    // One write reached the API: the fresh process's, straight to the API base.
    expect(seen.filter((s) => s.method !== "GET")).toHaveLength(1);
    const fresh = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as {
      pid: number;
      argv: string[];
      env: Record<string, string>;
    };
    expect(fresh.argv).toEqual(other);
    expect(fresh.env.CLOUDFLARE_API_BASE_URL).toBe(upstreamUrl);
    expect(() => process.kill(early.pid, 0)).toThrow();
  });

  it("starts afresh, the held write refused, when it has been held longer than wrangler may wait", async () => {
    const r = runner();
    let now = 0;
    await r.prestart(DEPLOY, { signal: new AbortController().signal, upstream: upstreamUrl, now: () => now });
    await until(() => existsSync(join(dir, "writing")), "the fake's write");
    await new Promise((resolve) => setTimeout(resolve, 200));
    now += PRESTART_MAX_HOLD_MS + 1;
    const early = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as { pid: number };
    const result = await r.run(DEPLOY);
    expect(result.exitCode).toBe(0);
    expect(seen.filter((s) => s.method !== "GET")).toHaveLength(1);
    const fresh = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as { pid: number };
    expect(fresh.pid).not.toBe(early.pid);
  });

  it("starts afresh when the early process has already ended", async () => {
    const r = runner({ FAKE_API: "[]" });
    const started = await r.prestart(DEPLOY, { signal: new AbortController().signal, upstream: upstreamUrl });
    await started!.ended;
    const first = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as { pid: number };
    const result = await r.run(DEPLOY);
    expect(result.exitCode).toBe(0);
    const second = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as { pid: number };
    expect(second.pid).not.toBe(first.pid);
  });
});

describe("a shift started ahead of the approval, every request held", () => {
  const record = () => JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as { pid: number };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it("reads nothing until adopted, is renewed while it waits, and the renewed process is the one adopted", async () => {
    const r = runner();
    const options = { signal: new AbortController().signal, upstream: upstreamUrl, holdReads: true, maxHoldMs: 60_000, renewAfterMs: 300 };
    await r.prestart(DEPLOY, options);
    await until(() => existsSync(join(dir, "record.json")), "the first process");
    const first = record().pid;
    await until(() => existsSync(join(dir, "record.json")) && record().pid !== first, "the renewal");
    expect(alive(first)).toBe(false);
    expect(seen).toEqual([]);
    const adoptedAt = Date.now();
    const result = await r.run(DEPLOY);
    expect(result).toMatchObject({ exitCode: 0, startedAhead: true });
    expect(seen.map((s) => s.method)).toEqual(["GET", "POST"]);
    expect(seen[0]!.at).toBeGreaterThanOrEqual(adoptedAt);
  });

  it("stops waiting, and renewing, when every child process is stopped", async () => {
    const r = runner();
    await r.prestart(DEPLOY, { signal: new AbortController().signal, upstream: upstreamUrl, holdReads: true, renewAfterMs: 200 });
    await until(() => existsSync(join(dir, "record.json")), "the process");
    const pid = record().pid;
    await stopAllChildren();
    expect(alive(pid)).toBe(false);
    // Past two renewal periods: no process was started again.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(record().pid).toBe(pid);
    expect(seen).toEqual([]);
  });
});

describe("the write gate", () => {
  it("relays status, headers and body of answers as they are, and refuses writes with the API's error envelope", async () => {
    let now = 1_000;
    const gate = await startWriteGate(upstreamUrl, { now: () => now });
    try {
      const read = await fetch(`${gate.url}/accounts/a1/x?page=2`);
      expect(read.status).toBe(200);
      expect(read.headers.get("x-upstream")).toBe("yes");
      expect(seen[0]!.url).toBe("/client/v4/accounts/a1/x?page=2");
      const held = fetch(`${gate.url}/accounts/a1/y`, { method: "PUT", body: "payload" });
      await until(() => gate.sawWrite, "the write to arrive");
      now += 750;
      expect(gate.heldForMs()).toBe(750);
      gate.refuse("the run was cancelled before its deploy");
      const answer = await held;
      expect(answer.status).toBe(503);
      expect(await answer.json()).toMatchObject({
        success: false,
        errors: [{ message: expect.stringContaining("the run was cancelled before its deploy") }],
      });
      expect(seen.map((s) => s.method)).toEqual(["GET"]);
      expect(gate.heldForMs()).toBe(0);
    } finally {
      await gate.close();
    }
  });

  it("lets a held write through with its body once opened", async () => {
    const gate = await startWriteGate(upstreamUrl);
    try {
      const held = fetch(`${gate.url}/accounts/a1/y`, { method: "POST", body: "payload" });
      await until(() => gate.sawWrite, "the write to arrive");
      expect(seen).toEqual([]);
      gate.open();
      const answer = await held;
      expect(answer.status).toBe(201);
      expect(seen).toMatchObject([{ method: "POST", url: "/client/v4/accounts/a1/y", body: "payload" }]);
    } finally {
      await gate.close();
    }
  });
});

describe("which deploy a run starts early", () => {
  const settings = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
    resolveSettings({
      inputs: { "working-directory": ".", ...inputs },
      env: { GITHUB_SHA: "a".repeat(40), GITHUB_REF: "refs/tags/v1.2.3", ...env },
    });

  it("is staging's deploy for a full release, production's for a production-only one, with the pipeline's message", () => {
    expect(firstDeploy(settings({}), {})).toEqual({
      environment: "staging",
      args: expect.arrayContaining(["deploy", "--env", "staging", "--tag", "v1.2.3", `git:${"a".repeat(40)}`]),
    });
    expect(firstDeploy(settings({ stages: "production" }), {})).toMatchObject({ environment: "production" });
  });

  it("is none where something must happen first or the command is not known yet", () => {
    expect(firstDeploy(settings({ stages: "production", strategy: "gradual" }), {})).toMatch(/gradual/);
    expect(firstDeploy(settings({ stages: "production", "before-production": "npm run migrate" }), {})).toMatch(/before-production/);
    expect(firstDeploy(settings({}), { HTTPS_PROXY: "http://proxy:8080" })).toMatch(/proxy/);
    expect(firstDeploy(settings({ bump: "patch" }, { GITHUB_REF: "refs/heads/main" }), {})).toMatch(/tags/);
    expect(firstDeploy(settings({ mode: "rollback", "rollback-reason": "drill" }), {})).toBe("not a release");
  });
});
