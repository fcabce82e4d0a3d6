import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WranglerProcessRunner, type SpawnEvent, type WranglerProcessOptions } from "../../../src/providers/wrangler/runner.js";

const FAKE = fileURLToPath(new URL("./fixtures/fake-wrangler.mjs", import.meta.url));
const TOKEN = "tok-secret-1234567890";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "runner-test-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runner(fake: Record<string, string>, extra: Partial<WranglerProcessOptions> = {}) {
  return new WranglerProcessRunner({
    binJs: FAKE,
    cwd: dir,
    env: { PATH: process.env.PATH, ...fake },
    apiToken: TOKEN,
    accountId: "acct-1",
    tempRoot: dir,
    ...extra,
  });
}

interface Recorded {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}
const recorded = async (): Promise<Recorded> => JSON.parse(await readFile(join(dir, "record.json"), "utf8"));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0 until it is reaped; it is dead all the same.
  const stat = `/proc/${pid}/stat`;
  return !(existsSync(stat) && / Z /.test(readFileSync(stat, "utf8")));
}

async function waitFor(predicate: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("WranglerProcessRunner", () => {
  it("passes args through, keeps secrets in env only, and runs in the working directory", async () => {
    const record = join(dir, "record.json");
    const result = await runner({ FAKE_RECORD: record }).run(["deploy", "--env", "staging"]);
    const seen = await recorded();
    expect(result.exitCode).toBe(0);
    expect(seen.argv).toEqual(["deploy", "--env", "staging"]);
    expect(seen.argv.join(" ")).not.toContain(TOKEN);
    expect(result.args.join(" ")).not.toContain(TOKEN);
    expect(seen.env.CLOUDFLARE_API_TOKEN).toBe(TOKEN);
    expect(seen.env.CLOUDFLARE_ACCOUNT_ID).toBe("acct-1");
    expect(seen.env.WRANGLER_SEND_METRICS).toBe("false");
    expect(seen.env.CI).toBe("true");
    expect(seen.cwd).toBe(dir);
  });

  it("hands secrets over in a file only this user can read, named by --secrets-file, never in argv, and removes it", async () => {
    const record = join(dir, "record.json");
    const secretsRecord = join(dir, "secrets-record.json");
    const secrets = { API_KEY: "sek-value-0a1b2c", DB_URL: "postgres://u:pw-9z8y@db/app" };
    const result = await runner({ FAKE_RECORD: record, FAKE_SECRETS_RECORD: secretsRecord }).run(["deploy", "--env", "staging"], {
      secrets,
    });
    expect(result.exitCode).toBe(0);
    const seen = await recorded();
    const file = JSON.parse(await readFile(secretsRecord, "utf8")) as { path: string; mode: number; contents: unknown };
    expect(seen.argv).toEqual(["deploy", "--env", "staging", "--secrets-file", file.path]);
    expect(file.mode).toBe(0o600);
    expect(file.contents).toEqual(secrets);
    for (const value of Object.values(secrets)) {
      expect(seen.argv.join(" ")).not.toContain(value);
      expect(JSON.stringify(seen.env)).not.toContain(value);
      expect(result.args.join(" ")).not.toContain(value);
    }
    expect(existsSync(file.path)).toBe(false);
  });

  it("gives wrangler none of the action's INPUT_* variables", async () => {
    const record = join(dir, "record.json");
    await runner({ FAKE_RECORD: record, "INPUT_GITHUB-TOKEN": "ghs_input_token", "INPUT_CLOUDFLARE-API-TOKEN": TOKEN }).run(["deploy"]);
    const seen = await recorded();
    expect(Object.keys(seen.env).filter((name) => /^input_/i.test(name))).toEqual([]);
    expect(JSON.stringify(seen.env)).not.toContain("ghs_input_token");
  });

  it("reads the ND-JSON entries from a fresh output file per command and removes it", async () => {
    const record = join(dir, "record.json");
    const entries = JSON.stringify([{ type: "deploy", version: 1, version_id: "v-1", targets: ["https://a.dev"] }]);
    const run = runner({ FAKE_RECORD: record, FAKE_ENTRIES: entries });
    const first = await run.run(["deploy"]);
    const firstPath = (await recorded()).env.WRANGLER_OUTPUT_FILE_PATH;
    const second = await run.run(["deploy"]);
    const secondPath = (await recorded()).env.WRANGLER_OUTPUT_FILE_PATH;
    expect(first.entries.map((e) => e.type)).toEqual(["wrangler-session", "deploy"]);
    // A reused path would have accumulated four entries.
    expect(second.entries).toHaveLength(2);
    expect(firstPath).not.toBe(secondPath);
    expect(existsSync(firstPath!)).toBe(false);
    expect((await readdir(dir)).filter((name) => name.startsWith("shipline-wrangler-"))).toEqual([]);
  });

  it("returns failures in the same shape, with ANSI codes stripped from stdout and stderr", async () => {
    const result = await runner({
      FAKE_EXIT: "1",
      FAKE_STDOUT: "\u001b[32mpartial\u001b[0m\n",
      FAKE_STDERR: "\u001b[31m✘ \u001b[41;31m[\u001b[41;97mERROR\u001b[41;31m]\u001b[0m \u001b[1mboom\u001b[0m\n",
      FAKE_ENTRIES: JSON.stringify([{ type: "command-failed", version: 1, code: 10013, message: "boom" }]),
    }).run(["versions", "upload"]);
    expect(result).toMatchObject({ exitCode: 1, stdout: "partial", timedOut: false, cancelled: false });
    expect(result.stderr).toBe("✘ [ERROR] boom");
    expect(result.entries.at(-1)).toMatchObject({ type: "command-failed", code: 10013 });
  });

  it("reports the spawn to onSpawn", async () => {
    const events: SpawnEvent[] = [];
    const before = Date.now();
    await runner({}, { onSpawn: (event) => events.push(event) }).run(["--version"]);
    expect(events).toHaveLength(1);
    expect(events[0]!.args).toEqual(["--version"]);
    expect(events[0]!.pid).toBeGreaterThan(0);
    expect(events[0]!.at).toBeGreaterThanOrEqual(before);
  });

  it("kills a command that outlives its timeout and says so", async () => {
    const result = await runner({ FAKE_SLEEP_MS: "30000" }, { timeoutMs: 200 }).run(["deploy"]);
    expect(result.timedOut).toBe(true);
    expect(result.cancelled).toBe(false);
    expect(result.exitCode).toBeUndefined();
    expect(result.signal).toBe("SIGTERM");
    expect(result.durationMs).toBeLessThan(5000);
  });

  it("escalates to SIGKILL when the process ignores SIGTERM", async () => {
    const ready = join(dir, "ready");
    const run = runner({ FAKE_SLEEP_MS: "30000", FAKE_IGNORE_TERM: "1", FAKE_READY: ready }, { timeoutMs: 60_000, killGraceMs: 200 });
    const controller = new AbortController();
    const pending = run.run(["deploy"], { signal: controller.signal });
    await waitFor(() => existsSync(ready));
    controller.abort();
    const result = await pending;
    expect(result.cancelled).toBe(true);
    expect(result.signal).toBe("SIGKILL");
  });

  it("on cancellation kills the whole process tree, not only the wrapper", async () => {
    const pidFile = join(dir, "grandchild.pid");
    const ready = join(dir, "ready");
    const controller = new AbortController();
    const pending = runner({ FAKE_SLEEP_MS: "30000", FAKE_GRANDCHILD_PID: pidFile, FAKE_READY: ready }).run(["dev"], {
      signal: controller.signal,
    });
    await waitFor(() => existsSync(ready));
    const grandchild = Number(await readFile(pidFile, "utf8"));
    expect(isAlive(grandchild)).toBe(true);
    controller.abort();
    const result = await pending;
    expect(result.cancelled).toBe(true);
    await waitFor(() => !isAlive(grandchild));
  });

  it("does not spawn when the signal is already aborted", async () => {
    const events: SpawnEvent[] = [];
    const controller = new AbortController();
    controller.abort();
    const result = await runner({}, { onSpawn: (event) => events.push(event) }).run(["deploy"], { signal: controller.signal });
    expect(result).toMatchObject({ cancelled: true, exitCode: undefined });
    expect(events).toEqual([]);
  });

  it("says why when Node cannot start", async () => {
    const result = await runner({}, { nodePath: join(dir, "no-such-node") }).run(["deploy"]);
    expect(result.exitCode).toBeUndefined();
    expect(result.stderr).toMatch(/ENOENT/);
  });

  it("describes commands as a human would type them", () => {
    expect(runner({}).describe(["deploy", "--env", "staging", "--message", "git:abc def"])).toBe(
      'wrangler deploy --env staging --message "git:abc def"',
    );
  });
});
