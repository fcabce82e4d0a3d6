import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, globalAgent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { REQUEST_SENT_CHANNEL, nodeHttpRequest } from "../../../src/providers/http/node-transport.js";

let server: Server | undefined;

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((done) => server!.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done) ?? done(undefined));
  server = undefined;
});

describe("nodeHttpRequest", () => {
  it("sends method, headers and body as given and answers status, headers and text", async () => {
    const seen: { method?: string; auth?: string; length?: string; body?: string; encoding?: string } = {};
    const base = await serve((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        Object.assign(seen, {
          method: req.method,
          auth: req.headers.authorization,
          length: req.headers["content-length"],
          body,
          encoding: req.headers["accept-encoding"],
        });
        res.writeHead(201, "Made", [
          ["Set-Cookie", "a=1"],
          ["Set-Cookie", "b=2"],
          ["CF-Ray", "abc"],
        ]);
        res.end('{"ok":"é"}');
      });
    });
    const answer = await nodeHttpRequest(`${base}/x?y=1`, { method: "POST", headers: { Authorization: "Bearer t" }, body: '{"n":"é"}' });
    expect(answer.status).toBe(201);
    expect(answer.statusText).toBe("Made");
    expect(answer.headers.get("cf-ray")).toBe("abc");
    expect(answer.headers.get("Set-Cookie")).toBe("a=1, b=2");
    expect(answer.headers.get("missing")).toBeNull();
    expect(await answer.text()).toBe('{"ok":"é"}');
    expect(seen).toEqual({
      method: "POST",
      auth: "Bearer t",
      length: String(Buffer.byteLength('{"n":"é"}')),
      body: '{"n":"é"}',
      encoding: undefined,
    });
  });

  it("says on its channel when a request has been written to the connected socket, and a timeout mid-body rejects", async () => {
    let release!: () => void;
    const base = await serve((_req, res) => {
      res.writeHead(200, { "Content-Length": "10" });
      res.write("{");
      release = () => res.end('"a":1234}');
    });
    const seen: unknown[] = [];
    const onSent = (message: unknown) => seen.push(message);
    subscribe(REQUEST_SENT_CHANNEL, onSent);
    try {
      const controller = new AbortController();
      const answer = await nodeHttpRequest(`${base}/path?q=1`, { signal: controller.signal });
      expect(seen).toEqual([{ url: `${base}/path` }]);
      controller.abort(new Error("timed out"));
      await expect(answer.text()).rejects.toBeDefined();
      release();
    } finally {
      unsubscribe(REQUEST_SENT_CHANNEL, onSent);
    }
  });

  it("does not follow a redirect", async () => {
    const base = await serve((_req, res) => {
      res.writeHead(302, { Location: "http://127.0.0.1:1/elsewhere" });
      res.end();
    });
    const answer = await nodeHttpRequest(`${base}/`);
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("http://127.0.0.1:1/elsewhere");
  });

  it("rejects text() when the connection drops before the body ends", async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { "Content-Length": "100" });
      res.write('{"partial":');
      setImmediate(() => res.socket?.destroy());
    });
    const answer = await nodeHttpRequest(`${base}/`);
    await expect(answer.text()).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("rejects with the errno code when nothing listens, and with an AbortError when aborted", async () => {
    const base = await serve(() => undefined);
    const port = (server!.address() as AddressInfo).port;
    const controller = new AbortController();
    const pending = nodeHttpRequest(`${base}/`, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    server!.closeAllConnections();
    await new Promise((done) => server!.close(done));
    server = undefined;
    await expect(nodeHttpRequest(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("refuses a protocol other than http and https before sending anything", async () => {
    await expect(nodeHttpRequest("file:///etc/passwd")).rejects.toMatchObject({ code: "ERR_INVALID_URL" });
  });

  it("speaks https through Node's global agent (its trust store: the certificate must be trusted)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shipline-tls-"));
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=127.0.0.1",
          "-addext",
          "subjectAltName=IP:127.0.0.1",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
        ],
        { stdio: "ignore" },
      );
      const cert = readFileSync(join(dir, "cert.pem"));
      const tls = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert }, (_req, res) => res.end('{"tls":true}'));
      await new Promise<void>((done) => tls.listen(0, "127.0.0.1", done));
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`;
      try {
        await expect(nodeHttpRequest(url)).rejects.toMatchObject({ code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
        globalAgent.options.ca = cert;
        globalAgent.destroy();
        const answer = await nodeHttpRequest(url);
        expect([answer.status, await answer.text()]).toEqual([200, '{"tls":true}']);
      } finally {
        delete globalAgent.options.ca;
        globalAgent.destroy();
        tls.closeAllConnections();
        await new Promise((done) => tls.close(done));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
