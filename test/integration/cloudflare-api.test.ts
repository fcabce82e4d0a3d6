/**
 * The Cloudflare API client against the local sandbox over HTTP (and, for aborts, timeouts and
 * proxies, tiny loopback servers): reads, a missing Worker, faults, the restore POST, and the
 * base URL, credentials, account and proxy worked out as wrangler works them out.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CancelledError, DeployError } from "../../src/core/errors.js";
import { resolveAccountId } from "../../src/providers/cloudflare/account.js";
import { CloudflareApi, type WorkerRef } from "../../src/providers/cloudflare/api.js";
import { apiBaseUrl, connectionFor, credentialsFrom } from "../../src/providers/cloudflare/connection.js";
import { WranglerTargets } from "../../src/providers/wrangler/targets.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { constantWorker, deploySplit, uploadVersion } from "../sandbox/direct-api.js";

/** Cloudflare's refusal of a deployment whose secrets changed since the target version (10220). */
const SECRETS_CHANGED = {
  success: false,
  errors: [{ code: 10220, message: "The following secrets have changed: API_KEY" }],
  messages: [],
  result: null,
};

const TOKEN = "cf-api-test-token-93a1";
const signal = new AbortController().signal;

let sandbox: Sandbox;
let api: CloudflareApi;
let dir: string;
let worker: WorkerRef;
let v1 = "";
let v2 = "";

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = await mkdtemp(join(tmpdir(), "cloudflare-api-"));
  api = new CloudflareApi({ baseUrl: sandbox.apiBaseUrl, auth: { kind: "token", token: TOKEN } });
  worker = { accountId: sandbox.accountId, script: "reader" };
  v1 = await uploadVersion(sandbox, "reader", constantWorker("one"), {
    annotations: { "workers/tag": "v1.0.0", "workers/message": "git:aaa" },
  });
  v2 = await uploadVersion(sandbox, "reader", constantWorker("two"), { annotations: { "workers/tag": "v1.1.0" } });
  await deploySplit(sandbox, "reader", [[v1, 100]]);
  await deploySplit(sandbox, "reader", [
    [v2, 10],
    [v1, 90],
  ]);
});

afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("reads", () => {
  it("lists deployments newest first with their allocation, and deployable versions with their tags", async () => {
    const deployments = await api.deployments(worker, signal);
    expect(deployments.map((d) => d.allocation)).toEqual([
      [
        { versionId: v2, percentage: 10 },
        { versionId: v1, percentage: 90 },
      ],
      [{ versionId: v1, percentage: 100 }],
    ]);
    expect(deployments[0]?.deploymentId).toBe(sandbox.script("reader")?.deployments[0]?.id);
    const versions = await api.versions(worker, signal);
    expect(versions.map((v) => [v.versionId, v.tag, v.message])).toEqual([
      [v2, "v1.1.0", undefined],
      [v1, "v1.0.0", "git:aaa"],
    ]);
    const [read] = sandbox.requests.filter((r) => r.path.endsWith("/reader/versions")).slice(-1);
    expect(read).toMatchObject({ method: "GET", query: { deployable: "true" }, auth: "token", status: 200 });
  });

  it("reads a Worker that does not exist as nothing (10007), not as an error", async () => {
    const missing = { accountId: sandbox.accountId, script: "never-deployed" };
    expect(await api.deployments(missing, signal)).toEqual([]);
    expect(await api.versions(missing, signal)).toEqual([]);
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 404, script: "never-deployed" });
  });
});

describe("failures", () => {
  const read = () => caught(api.deployments(worker, signal)) as Promise<DeployError>;

  it("handles an HTML 502 from a proxy: malformed, transient, with a snippet of the page", async () => {
    sandbox.faults.add({
      method: "GET",
      path: /\/deployments$/,
      status: 502,
      rawBody: "<html><body>502 Bad Gateway</body></html>",
      times: 1,
    });
    const error = await read();
    expect(error).toBeInstanceOf(DeployError);
    expect(error.transient).toBe(true);
    expect(error.message).toContain("malformed response (HTTP 502");
    expect(error.command).toBe("GET /accounts/…/workers/scripts/reader/deployments");
    expect(error.detail).toContain("502 Bad Gateway</body>");
  });

  it("treats a 500 and a 429 as transient, a 400 as not, and keeps the API's words", async () => {
    sandbox.faults.add({ method: "GET", path: /\/deployments$/, status: 500, times: 1 });
    const server = await read();
    expect([server.transient, server.detail]).toEqual([true, "Injected fault: HTTP 500 [code: 10013]"]);
    sandbox.faults.add({
      method: "GET",
      path: /\/deployments$/,
      status: 429,
      body: { success: false, errors: [{ code: 971, message: "Please wait" }] },
      times: 1,
    });
    expect((await read()).transient).toBe(true);
    sandbox.faults.add({
      method: "GET",
      path: /\/deployments$/,
      status: 400,
      body: { success: false, errors: [{ code: 10021, message: "Bad request" }], messages: [] },
      times: 1,
    });
    const client = await read();
    expect(client.transient).toBe(false);
    expect(client.message).toBe("GET /accounts/…/workers/scripts/reader/deployments failed (HTTP 400): Bad request [code: 10021]");
  });

  it("follows the envelope, not the status, as wrangler does", async () => {
    sandbox.faults.add({
      method: "GET",
      path: /\/deployments$/,
      status: 500,
      body: { success: true, result: { deployments: [] } },
      times: 1,
    });
    expect(await api.deployments(worker, signal)).toEqual([]);
  });

  it("says a refused connection is transient, and never prints the token", async () => {
    const spare = createServer();
    await new Promise<void>((done) => spare.listen(0, "127.0.0.1", done));
    const port = (spare.address() as AddressInfo).port;
    await new Promise((done) => spare.close(done));
    const closed = new CloudflareApi({ baseUrl: `http://127.0.0.1:${port}/client/v4`, auth: { kind: "token", token: TOKEN } });
    const error = (await caught(closed.deployments(worker, signal))) as DeployError;
    expect(error.transient).toBe(true);
    expect(error.message).toMatch(/failed: .*connection refused/);
    expect(`${error.message} ${error.detail} ${error.command}`).not.toContain(TOKEN);
  });

  it("sends nothing without credentials and says what to set", async () => {
    const before = sandbox.requests.length;
    const bare = new CloudflareApi({ baseUrl: sandbox.apiBaseUrl, auth: undefined });
    const error = (await caught(bare.deployments(worker, signal))) as DeployError;
    expect(error.message).toContain("no Cloudflare credentials");
    expect(sandbox.requests.length).toBe(before);
  });
});

describe("time limits", () => {
  let hanging: Server;
  let base = "";
  beforeAll(async () => {
    hanging = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((done) => hanging.listen(0, "127.0.0.1", done));
    base = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/client/v4`;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise((done) => hanging.close(done));
  });

  it("rejects at once when the caller aborts mid-request", async () => {
    const slow = new CloudflareApi({ baseUrl: base, auth: { kind: "token", token: TOKEN }, timeoutMs: 30_000 });
    const controller = new AbortController();
    const started = Date.now();
    const pending = caught(slow.deployments(worker, controller.signal));
    setTimeout(() => controller.abort(), 100);
    const error = await pending;
    expect(error).toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("gives up after its own timeout, as a transient failure", async () => {
    const slow = new CloudflareApi({ baseUrl: base, auth: { kind: "token", token: TOKEN }, timeoutMs: 200 });
    const error = (await caught(slow.versions(worker, signal))) as DeployError;
    expect(error).toBeInstanceOf(DeployError);
    expect(error.transient).toBe(true);
    expect(error.message).toContain("timed out after 200 ms");
  });

  it("rejects without a request when the signal is already aborted", async () => {
    const before = sandbox.requests.length;
    await expect(api.deployments(worker, AbortSignal.abort())).rejects.toBeInstanceOf(CancelledError);
    expect(sandbox.requests.length).toBe(before);
  });
});

describe("the restore POST", () => {
  it("sends the body wrangler rollback sends, with the message cut to 120 characters", async () => {
    const message = `cancelled during the health gate:\n${"x".repeat(200)}`;
    const before = sandbox.requests.length;
    const { deploymentId } = await api.deploy(worker, [{ versionId: v1, percentage: 100 }], message, signal);
    const posts = sandbox.requests.slice(before);
    expect(posts).toHaveLength(1);
    const sent = posts[0]!.body as { strategy: string; versions: unknown; annotations: Record<string, string> };
    expect(sent.strategy).toBe("percentage");
    expect(sent.versions).toEqual([{ version_id: v1, percentage: 100 }]);
    expect(sent.annotations["workers/message"]).toMatch(/^cancelled during the health gate: x+…$/);
    expect(sent.annotations["workers/message"]).toHaveLength(120);
    const live = sandbox.script("reader")?.deployments[0];
    expect(live).toMatchObject({
      id: deploymentId,
      versions: [{ versionId: v1, percentage: 100 }],
      annotations: { "workers/message": sent.annotations["workers/message"] },
    });
  });

  it("sends a split as versions deploy does", async () => {
    await api.deploy(
      worker,
      [
        { versionId: v2, percentage: 30 },
        { versionId: v1, percentage: 70 },
      ],
      "restore split",
      signal,
    );
    expect(sandbox.script("reader")?.deployments[0]?.versions).toEqual([
      { versionId: v2, percentage: 30 },
      { versionId: v1, percentage: 70 },
    ]);
  });

  it("posts again with ?force=true when a rollback is refused because secrets changed (10220)", async () => {
    sandbox.faults.add({ method: "POST", path: /\/reader\/deployments$/, status: 400, body: SECRETS_CHANGED, times: 1 });
    const before = sandbox.requests.length;
    await api.deploy(worker, [{ versionId: v2, percentage: 100 }], "rollback", signal);
    expect(sandbox.requests.slice(before).map((r) => [r.method, r.query, r.status])).toEqual([
      ["POST", {}, 400],
      ["POST", { force: "true" }, 200],
    ]);
    expect(sandbox.script("reader")?.deployments[0]?.versions).toEqual([{ versionId: v2, percentage: 100 }]);
  });

  it("does not force a split (versions deploy does not), and a refused POST is not transient", async () => {
    sandbox.faults.add({ method: "POST", path: /\/reader\/deployments$/, status: 400, body: SECRETS_CHANGED, times: 1 });
    const error = (await caught(
      api.deploy(
        worker,
        [
          { versionId: v1, percentage: 50 },
          { versionId: v2, percentage: 50 },
        ],
        "m",
        signal,
      ),
    )) as DeployError;
    expect(error.detail).toContain("[code: 10220]");
    expect(error.transient).toBe(false);
    const unknown = (await caught(
      api.deploy(worker, [{ versionId: "00000000-0000-0000-0000-000000000000", percentage: 100 }], "m", signal),
    )) as DeployError;
    expect(unknown.detail).toContain("[code: 10025]");
  });
});

describe("connection: base URL, credentials and proxies as wrangler", () => {
  it("takes the base URL from CLOUDFLARE_API_BASE_URL, then CF_API_BASE_URL, else the public API (fed, staging)", () => {
    expect(apiBaseUrl({ CLOUDFLARE_API_BASE_URL: "http://a/client/v4", CF_API_BASE_URL: "http://b/client/v4" })).toBe("http://a/client/v4");
    expect(apiBaseUrl({ CF_API_BASE_URL: "http://b/client/v4" })).toBe("http://b/client/v4");
    expect(apiBaseUrl({})).toBe("https://api.cloudflare.com/client/v4");
    expect(apiBaseUrl({ CLOUDFLARE_COMPLIANCE_REGION: "fedramp_high" })).toBe("https://api.fed.cloudflare.com/client/v4");
    expect(apiBaseUrl({ WRANGLER_API_ENVIRONMENT: "staging" }, "fedramp_high")).toBe("https://api.fed.staging.cloudflare.com/client/v4");
  });

  it("prefers a global key with its email over a token, and reads the CF_ aliases only when the new name is absent", () => {
    expect(credentialsFrom({ CLOUDFLARE_API_KEY: "k", CLOUDFLARE_EMAIL: "e@x", CLOUDFLARE_API_TOKEN: "t" }).auth).toEqual({
      kind: "key",
      key: "k",
      email: "e@x",
    });
    expect(credentialsFrom({ CLOUDFLARE_API_KEY: "k", CLOUDFLARE_API_TOKEN: "t" }).auth).toEqual({ kind: "token", token: "t" });
    expect(credentialsFrom({ CF_API_TOKEN: "old" }).auth).toEqual({ kind: "token", token: "old" });
    expect(credentialsFrom({ CLOUDFLARE_API_TOKEN: "", CF_API_TOKEN: "old" }).auth).toBeUndefined();
  });

  it("falls back to the `wrangler login` OAuth token while it is valid", async () => {
    const home = join(dir, "home");
    const xdg = join(dir, "xdg");
    await mkdir(join(xdg, ".wrangler", "config"), { recursive: true });
    await mkdir(home, { recursive: true });
    const file = join(xdg, ".wrangler", "config", "default.toml");
    const env = { HOME: home, XDG_CONFIG_HOME: xdg };
    await writeFile(file, 'oauth_token = "oauth-abc"\nexpiration_time = "2999-01-01T00:00:00.000Z"\n');
    expect(credentialsFrom(env).auth).toEqual({ kind: "token", token: "oauth-abc" });
    expect(credentialsFrom({ ...env, CLOUDFLARE_API_TOKEN: "t" }).auth).toEqual({ kind: "token", token: "t" });
    await writeFile(file, 'oauth_token = "oauth-abc"\nexpiration_time = "2000-01-01T00:00:00.000Z"\n');
    expect(credentialsFrom(env)).toEqual({ auth: undefined, hint: expect.stringContaining("expired") });
  });

  it("lets the inputs beat the step's variables, over the project's .env files", async () => {
    const project = join(dir, "dotenv");
    await mkdir(project, { recursive: true });
    await writeFile(join(project, ".env"), "CLOUDFLARE_API_TOKEN=from-dotenv\nCLOUDFLARE_ACCOUNT_ID=dotenv-account\n");
    await writeFile(join(project, ".env.production"), "CLOUDFLARE_ACCOUNT_ID=production-account\n");
    const fromFiles = connectionFor({ env: {}, workingDirectory: project, environment: "production" });
    expect(fromFiles.auth).toEqual({ kind: "token", token: "from-dotenv" });
    expect(fromFiles.env["CLOUDFLARE_ACCOUNT_ID"]).toBe("production-account");
    expect(connectionFor({ env: {}, workingDirectory: project, environment: "staging" }).env["CLOUDFLARE_ACCOUNT_ID"]).toBe(
      "dotenv-account",
    );
    const stepWins = connectionFor({ env: { CLOUDFLARE_API_TOKEN: "step" }, workingDirectory: project, environment: "production" });
    expect(stepWins.auth).toEqual({ kind: "token", token: "step" });
    const inputWins = connectionFor({
      env: { CLOUDFLARE_API_TOKEN: "step" },
      apiToken: "input",
      accountId: "input-account",
      workingDirectory: project,
      environment: "production",
    });
    expect(inputWins.auth).toEqual({ kind: "token", token: "input" });
    expect(inputWins.env["CLOUDFLARE_ACCOUNT_ID"]).toBe("input-account");
  });

  it("sends a global key and email as X-Auth-Key / X-Auth-Email", async () => {
    const keyed = new CloudflareApi({ baseUrl: sandbox.apiBaseUrl, auth: { kind: "key", key: "k", email: "ops@example.com" } });
    await keyed.versions(worker, signal);
    expect(sandbox.requests.at(-1)).toMatchObject({ auth: "key", status: 200 });
  });

  describe("proxies", () => {
    let proxy: Server;
    let proxyUrl = "";
    const seen: string[] = [];
    beforeAll(async () => {
      proxy = createServer((req, res) => {
        // A plain proxy request (absolute-form URL): forward it.
        seen.push(`${req.method} ${req.url}`);
        const upstream = httpRequest(req.url ?? "", { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        req.pipe(upstream);
      });
      proxy.on("connect", (req, socket) => {
        // A tunnel: loopback targets only, so nothing leaves the machine.
        seen.push(`CONNECT ${req.url}`);
        const [host, port] = (req.url ?? "").split(":");
        if (host !== "127.0.0.1") {
          socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
          return;
        }
        import("node:net").then(({ connect }) => {
          const upstream = connect(Number(port), host, () => {
            socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            upstream.pipe(socket);
            socket.pipe(upstream);
          });
          upstream.on("error", () => socket.destroy());
          socket.on("error", () => upstream.destroy());
        });
      });
      await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", done));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      proxy.closeAllConnections();
      await new Promise((done) => proxy.close(done));
    });

    const client = (env: Record<string, string>) => {
      const connection = connectionFor({
        env: { CLOUDFLARE_API_BASE_URL: sandbox.apiBaseUrl, CLOUDFLARE_API_TOKEN: TOKEN, ...env },
        workingDirectory: dir,
        environment: "production",
      });
      return {
        connection,
        api: new CloudflareApi({ baseUrl: connection.baseUrl, auth: connection.auth, fetch: connection.fetch, timeoutMs: 5_000 }),
      };
    };

    it("goes through HTTP_PROXY when NO_PROXY does not cover the API host", async () => {
      seen.length = 0;
      const { connection, api: proxied } = client({ HTTP_PROXY: proxyUrl, NO_PROXY: "example.invalid" });
      expect(connection.proxy).toBe(`${proxyUrl}/`);
      expect((await proxied.deployments(worker, signal)).length).toBeGreaterThan(0);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.join("\n")).toContain(new URL(sandbox.apiBaseUrl).host);
    });

    it("bypasses the proxy for loopback when NO_PROXY is unset (it defaults to localhost,127.0.0.1,::1), and honours lower case", async () => {
      seen.length = 0;
      expect((await client({ http_proxy: proxyUrl }).api.deployments(worker, signal)).length).toBeGreaterThan(0);
      expect(seen).toEqual([]);
      expect((await client({ http_proxy: proxyUrl, no_proxy: "example.invalid" }).api.deployments(worker, signal)).length).toBeGreaterThan(
        0,
      );
      expect(seen.length).toBeGreaterThan(0);
    });

    it("tunnels https through HTTPS_PROXY", async () => {
      seen.length = 0;
      const { api: proxied } = client({ HTTPS_PROXY: proxyUrl, CLOUDFLARE_API_BASE_URL: "https://api.shipline.invalid/client/v4" });
      const error = (await caught(proxied.deployments(worker, signal))) as DeployError;
      expect(seen).toEqual(["CONNECT api.shipline.invalid:443"]);
      expect(error.transient).toBe(true);
    });
  });
});

describe("account, in wrangler's order", () => {
  const memberships = (ids: string[]) => async () => ids.map((id) => ({ id, name: id }));

  it("config, then CLOUDFLARE_ACCOUNT_ID (or CF_ACCOUNT_ID), then the cache file, then the one membership", async () => {
    const project = join(dir, "accounts");
    await mkdir(join(project, "node_modules", ".cache", "wrangler"), { recursive: true });
    const lookup = { env: { CLOUDFLARE_ACCOUNT_ID: "env-account" }, workingDirectory: project, memberships: memberships(["member"]) };
    expect(await resolveAccountId({ ...lookup, configAccountId: "config-account" }, signal)).toEqual({
      accountId: "config-account",
      source: "config",
    });
    expect(await resolveAccountId(lookup, signal)).toEqual({ accountId: "env-account", source: "environment" });
    expect(await resolveAccountId({ ...lookup, env: { CF_ACCOUNT_ID: "old-env" } }, signal)).toEqual({
      accountId: "old-env",
      source: "environment",
    });
    expect(await resolveAccountId({ ...lookup, env: {} }, signal)).toEqual({ accountId: "member", source: "memberships" });
    await writeFile(
      join(project, "node_modules", ".cache", "wrangler", "wrangler-account.json"),
      JSON.stringify({ account: { id: "cached", name: "x" } }),
    );
    expect(await resolveAccountId({ ...lookup, env: { CLOUDFLARE_ACCOUNT_ID: "" } }, signal)).toEqual({
      accountId: "cached",
      source: "cache",
    });
    expect(await resolveAccountId(lookup, signal)).toEqual({ accountId: "env-account", source: "environment" });
  });

  it("refuses to guess between several accounts, or with none", async () => {
    const lookup = { env: {}, workingDirectory: join(dir, "none"), memberships: memberships(["a", "b"]) };
    await expect(resolveAccountId(lookup, signal)).rejects.toThrow(/reach 2 accounts/);
    await expect(resolveAccountId({ ...lookup, memberships: memberships([]) }, signal)).rejects.toThrow(/no account/);
  });

  it("finds the sandbox's account through GET /memberships when nothing names one", async () => {
    const project = join(dir, "memberships");
    await mkdir(project, { recursive: true });
    await writeFile(join(project, "wrangler.toml"), 'name = "reader-parent"\n[env.production]\nname = "reader"\n');
    const targets = new WranglerTargets({
      workingDirectory: project,
      env: { CLOUDFLARE_API_BASE_URL: sandbox.apiBaseUrl, CLOUDFLARE_API_TOKEN: TOKEN },
    });
    const { worker: found, api: client } = await targets.resolve("production", signal);
    expect(found).toEqual({ accountId: sandbox.accountId, script: "reader" });
    expect(sandbox.requests.filter((r) => r.path === "/memberships").at(-1)).toMatchObject({
      query: { page: "1" },
      auth: "token",
      status: 200,
    });
    expect((await client.deployments(found, signal)).length).toBeGreaterThan(0);
  });

  it("sends reads to the config's account_id even when the input names another, as wrangler does", async () => {
    const project = join(dir, "config-account");
    await mkdir(project, { recursive: true });
    await writeFile(
      join(project, "wrangler.toml"),
      `name = "reader"\n[env.production]\nname = "reader"\naccount_id = "${"f".repeat(32)}"\n`,
    );
    const targets = new WranglerTargets({
      workingDirectory: project,
      env: { CLOUDFLARE_API_BASE_URL: sandbox.apiBaseUrl },
      apiToken: TOKEN,
      accountId: sandbox.accountId,
    });
    const { worker: found, api: client } = await targets.resolve("production", signal);
    expect(found.accountId).toBe("f".repeat(32));
    const error = (await caught(client.deployments(found, signal))) as DeployError;
    expect(error.detail).toContain("[code: 10000]");
  });
});
