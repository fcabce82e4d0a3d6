/**
 * A gate in front of the Cloudflare API for one wrangler process started ahead of its turn.
 *
 * `wrangler deploy` spends a second or more starting and bundling before its first request
 * that changes anything. Started with its API base URL pointing here, it can do all of that
 * while the run is still checking permissions and reading production's anchor: its reads pass
 * through at once, and its first write (any method but GET, HEAD or OPTIONS) waits until the
 * run opens the gate. A run that stops before its deploy refuses the gate instead: the held
 * writes are answered with an error and never reach Cloudflare.
 *
 * Bytes are relayed as they are (headers, bodies, compression); the gate adds no credentials
 * of its own: wrangler's own Authorization header is what reaches the API.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";

export interface WriteGate {
  /** The base URL to give wrangler as CLOUDFLARE_API_BASE_URL. */
  readonly url: string;
  /** Lets held and later writes through. */
  open(): void;
  /** Answers held and later writes with a Cloudflare-shaped error naming `reason`; nothing more reaches the API. */
  refuse(reason: string): void;
  /** Whether a write has reached the gate (held or passed). */
  readonly sawWrite: boolean;
  /** How long the oldest write still held has waited (0 when none is). */
  heldForMs(): number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Hop-by-hop headers (RFC 9110 §7.6.1) are the gate's own business on each side. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

/** Starts a gate on 127.0.0.1 that relays to `upstream` (the API base URL wrangler would use, e.g. `https://api.cloudflare.com/client/v4`). */
export interface WriteGateOptions {
  /** Hold reads too: the command waits at its first request (its reads are then fresh when it goes on). */
  readonly holdReads?: boolean;
  /** Milliseconds, for `heldForMs`. @default performance.now */
  readonly now?: () => number;
}

export async function startWriteGate(upstream: string, options: WriteGateOptions = {}): Promise<WriteGate> {
  const now = options.now ?? (() => performance.now());
  const base = new URL(upstream);
  const basePath = base.pathname.replace(/\/+$/, "");
  // TLS loads only for an https upstream (the sandbox and tests are plain http).
  const send = base.protocol === "https:" ? (await import("node:https")).request : httpRequest;
  let state: { kind: "held" } | { kind: "open" } | { kind: "refused"; reason: string } = { kind: "held" };
  let sawWrite = false;
  let heldSince: number | undefined;
  const waiting: (() => void)[] = [];
  const settle = () => {
    heldSince = undefined;
    waiting.splice(0).forEach((go) => go());
  };

  const relay = (req: IncomingMessage, res: ServerResponse) => {
    if (state.kind === "refused") return refuse(res, state.reason);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name) && name !== "host") headers[name] = value;
    }
    const out = send(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port || undefined,
        method: req.method,
        path: basePath + (req.url ?? "/"),
        headers: { ...headers, host: base.host },
      },
      (answer) => {
        const back: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) back[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, back);
        // A reset on either side ends the other at once (wrangler sees the error, never a stall).
        pipeline(answer, res).catch(noop);
      },
    );
    pipeline(req, out).catch((error: Error) => {
      if (res.headersSent) res.destroy(error);
      else answerError(res, 502, `shipline's gate could not reach ${base.origin}: ${error.message}`);
    });
  };

  const server = createServer((req, res) => {
    if (READS.has(req.method ?? "GET") && (!options.holdReads || state.kind !== "held")) return relay(req, res);
    if (!READS.has(req.method ?? "GET")) sawWrite = true;
    if (state.kind !== "held") return relay(req, res);
    // The body waits in the socket until the gate decides.
    req.pause();
    heldSince ??= now();
    const go = () => {
      // A client that gave up while held (its connection closed) is not relayed: it may retry.
      if (req.destroyed || res.destroyed || res.writableEnded) return;
      req.resume();
      relay(req, res);
    };
    waiting.push(go);
    res.once("close", () => {
      const at = waiting.indexOf(go);
      if (at >= 0) waiting.splice(at, 1);
      if (waiting.length === 0 && state.kind === "held") heldSince = undefined;
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((listening, failed) => {
    server.once("error", failed);
    server.listen(0, "127.0.0.1", () => listening());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    open() {
      if (state.kind !== "held") return;
      state = { kind: "open" };
      settle();
    },
    refuse(reason: string) {
      if (state.kind !== "held") return;
      state = { kind: "refused", reason };
      settle();
    },
    get sawWrite() {
      return sawWrite;
    },
    heldForMs: () => (heldSince === undefined ? 0 : now() - heldSince),
    close: () =>
      new Promise<void>((closed) => {
        server.close(() => closed());
        server.closeAllConnections();
      }),
  };
}

function refuse(res: ServerResponse, reason: string): void {
  answerError(res, 503, `shipline stopped this request before it reached Cloudflare: ${reason}`);
}

/** An error in the API's envelope, so that wrangler reports the message as it reports Cloudflare's. */
function answerError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ success: false, errors: [{ code: 10000, message }], messages: [], result: null });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function noop(): void {}
