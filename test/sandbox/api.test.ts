import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { AUTH, callApi, constantWorker, deploySplit, uploadVersion } from "./direct-api.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

describe("API envelope and errors", () => {
  it("answers unknown scripts with 10007 and unknown services with 10090, both 404", async () => {
    const deployments = await callApi(sandbox, "GET", "/workers/scripts/missing/deployments");
    const service = await callApi(sandbox, "GET", "/workers/services/missing");
    expect(deployments.status).toBe(404);
    expect(deployments.envelope).toMatchObject({ success: false, errors: [{ code: 10007 }] });
    expect(service.envelope).toMatchObject({ success: false, errors: [{ code: 10090 }] });
  });

  it("records unknown routes and answers them with a Cloudflare 404", async () => {
    const reply = await callApi(sandbox, "GET", "/workers/unheard-of");
    expect(reply.status).toBe(404);
    expect(reply.envelope.errors[0]?.code).toBe(7000);
    expect(sandbox.requests.at(-1)).toMatchObject({
      method: "GET",
      path: `/accounts/${sandbox.accountId}/workers/unheard-of`,
      api: true,
      status: 404,
    });
  });

  it("answers the npm update check outside the API base with a plain 404", async () => {
    const response = await fetch(sandbox.apiBaseUrl.replace("/client/v4", "/wrangler"));
    expect(response.status).toBe(404);
    expect(sandbox.requests.at(-1)).toMatchObject({ path: "/wrangler", api: false });
  });

  it("refuses another account with the authentication error code", async () => {
    const response = await fetch(`${sandbox.apiBaseUrl}/accounts/${"0".repeat(32)}/workers/subdomain`, { headers: AUTH });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ success: false, errors: [{ code: 10000 }] });
  });

  it("refuses a request without credentials (400, code 9106) and records which kind a request carried", async () => {
    const url = `${sandbox.apiBaseUrl}/accounts/${sandbox.accountId}/workers/subdomain`;
    const bare = await fetch(url);
    expect(bare.status).toBe(400);
    expect(await bare.json()).toMatchObject({ success: false, errors: [{ code: 9106 }] });
    expect(sandbox.requests.at(-1)?.auth).toBeUndefined();
    const key = await fetch(url, { headers: { "x-auth-key": "k", "x-auth-email": "a@example.com" } });
    expect(key.status).toBe(200);
    expect(sandbox.requests.at(-1)?.auth).toBe("key");
    expect((await fetch(url, { headers: { "x-auth-key": "k" } })).status).toBe(400);
    expect((await fetch(url, { headers: { authorization: "Bearer " } })).status).toBe(400);
  });
});

describe("versions and deployments", () => {
  it("rejects a split that does not add up to 100 and leaves the deployment alone", async () => {
    const v1 = await uploadVersion(sandbox, "split-check", constantWorker("one"));
    const v2 = await uploadVersion(sandbox, "split-check", constantWorker("two"));
    await deploySplit(sandbox, "split-check", [[v1, 100]]);
    const bad = await deploySplit(sandbox, "split-check", [
      [v1, 50],
      [v2, 40],
    ]);
    expect(bad.envelope).toMatchObject({ success: false, errors: [{ code: 10021 }] });
    expect(sandbox.script("split-check")?.deployments).toHaveLength(1);
  });

  it("lists deployments newest first and deployable versions as items", async () => {
    const v1 = await uploadVersion(sandbox, "listing", constantWorker("one"), { annotations: { "workers/tag": "v1.0.0" } });
    const v2 = await uploadVersion(sandbox, "listing", constantWorker("two"));
    await deploySplit(sandbox, "listing", [[v1, 100]]);
    await deploySplit(sandbox, "listing", [[v2, 100]]);
    const { envelope } = await callApi<{ deployments: Array<{ versions: Array<{ version_id: string }> }> }>(
      sandbox,
      "GET",
      "/workers/scripts/listing/deployments",
    );
    expect(envelope.result.deployments.map((d) => d.versions[0]?.version_id)).toEqual([v2, v1]);
    const versions = await callApi<{ items: Array<{ id: string; annotations: Record<string, string> }> }>(
      sandbox,
      "GET",
      "/workers/scripts/listing/versions?deployable=true",
    );
    const tagged = versions.envelope.result.items.find((v) => v.id === v1);
    expect(tagged?.annotations).toEqual({ "workers/tag": "v1.0.0", "workers/triggered_by": "upload" });
  });

  it("keeps secret bindings listed in keep_bindings and never returns their values", async () => {
    await uploadVersion(sandbox, "secrets", constantWorker("one"), { bindings: [{ name: "TOKEN", type: "secret_text", text: "s3cret" }] });
    const v2 = await uploadVersion(sandbox, "secrets", constantWorker("two"), { keep_bindings: ["secret_text"] });
    expect(sandbox.script("secrets")?.versions[1]?.bindings).toEqual([{ name: "TOKEN", type: "secret_text", text: "s3cret" }]);
    const { envelope } = await callApi<{ resources: { bindings: unknown[] } }>(sandbox, "GET", `/workers/scripts/secrets/versions/${v2}`);
    expect(envelope.result.resources.bindings).toEqual([{ name: "TOKEN", type: "secret_text" }]);
    expect(JSON.stringify(sandbox.requests)).not.toContain("s3cret");
  });
});

describe("faults", () => {
  it("fails matching requests the given number of times, then lets them through", async () => {
    sandbox.faults.add({ method: "get", path: "/workers/subdomain", status: 500, times: 1 });
    const first = await callApi(sandbox, "GET", "/workers/subdomain");
    const second = await callApi(sandbox, "GET", "/workers/subdomain");
    expect(first.status).toBe(500);
    expect(first.envelope.success).toBe(false);
    expect(sandbox.requests.at(-2)?.faulted).toBe(true);
    expect(second.envelope).toMatchObject({ success: true, result: { subdomain: "shipline-sandbox" } });
  });

  it("serves a raw non-JSON body until cleared", async () => {
    sandbox.faults.add({ path: /\/deployments$/, status: 502, rawBody: "<html>Bad Gateway</html>" });
    const url = `${sandbox.apiBaseUrl}/accounts/${sandbox.accountId}/workers/scripts/x/deployments`;
    const faulted = await fetch(url, { headers: AUTH });
    expect([faulted.status, await faulted.text()]).toEqual([502, "<html>Bad Gateway</html>"]);
    sandbox.faults.clear();
    expect((await fetch(url, { headers: AUTH })).status).toBe(404);
  });
});

describe("live traffic", () => {
  it("answers 404 for a script with nothing deployed", async () => {
    const response = await fetch(`${sandbox.workerUrl("nothing-here")}/`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("There is nothing here yet");
  });

  it("passes the path without the script segment, and the query, to the Worker", async () => {
    const echo = "export default { fetch(r, env) { return new Response(r.method + ' ' + r.url + ' ' + env.GREETING); } };";
    const id = await uploadVersion(sandbox, "echo", echo, { bindings: [{ name: "GREETING", type: "plain_text", text: "hi" }] });
    await deploySplit(sandbox, "echo", [[id, 100]]);
    const response = await fetch(`${sandbox.workerUrl("echo")}/a/b?c=d`, { method: "POST", body: "x" });
    expect(await response.text()).toBe(`POST ${sandbox.trafficBaseUrl}/a/b?c=d hi`);
  });

  it("answers 500 when the Worker throws", async () => {
    const id = await uploadVersion(sandbox, "thrower", "export default { fetch() { throw new Error('kaput'); } };");
    await deploySplit(sandbox, "thrower", [[id, 100]]);
    const response = await fetch(`${sandbox.workerUrl("thrower")}/`);
    expect(response.status).toBe(500);
  });

  it("serves a new deployment on the very next request", async () => {
    const one = await uploadVersion(sandbox, "swap", constantWorker("one"));
    const two = await uploadVersion(sandbox, "swap", constantWorker("two"));
    await deploySplit(sandbox, "swap", [[one, 100]]);
    expect(await (await fetch(sandbox.workerUrl("swap"))).text()).toBe("one");
    await deploySplit(sandbox, "swap", [[two, 100]]);
    expect(await (await fetch(sandbox.workerUrl("swap"))).text()).toBe("two");
    const load = sandbox.loads.find((l) => l.kind === "version-load" && l.versionIds[0] === two);
    expect(load?.ms).toBeLessThan(1_000);
  });
});

describe("stop", () => {
  it("closes both ports and leaves no workerd child process", async () => {
    const before = new Set(workerdChildren());
    const started = () => workerdChildren().filter((pid) => !before.has(pid));
    const own = await startSandbox();
    const id = await uploadVersion(own, "w", constantWorker("ok"));
    await deploySplit(own, "w", [[id, 100]]);
    expect((await fetch(own.workerUrl("w"))).status).toBe(200);
    expect(started()).toHaveLength(1);
    await own.stop();
    await expect(fetch(own.workerUrl("w"))).rejects.toThrow();
    await expect(fetch(`${own.apiBaseUrl}/user`)).rejects.toThrow();
    expect(started()).toHaveLength(0);
  });
});

/** workerd processes whose parent is this test process (Linux /proc; empty elsewhere). */
function workerdChildren(): string[] {
  if (process.platform !== "linux") return [];
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8").trim();
      const [, comm = "", rest = ""] = /^\d+ \((.*)\) (.*)$/.exec(stat) ?? [];
      return comm === "workerd" && rest.split(" ")[1] === String(process.pid);
    } catch {
      return false;
    }
  });
}
