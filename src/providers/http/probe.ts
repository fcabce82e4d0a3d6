/**
 * The HTTP probe gates use: one GET per check, through `fetch` (undici in Node), with a
 * per-request timeout, a bounded body read, and network failures turned into short text.
 */
import { formatDuration } from "../../core/parse.js";
import type { HttpProbe, ProbeRequest, ProbeResponse } from "../../core/ports.js";
import { describeNetworkError } from "./network-error.js";

/** Enough for any health document; a page larger than this is cut, not read to the end. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const USER_AGENT = "shipline-probe";

export interface FetchProbeOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Monotonic milliseconds for latency. @default performance.now */
  readonly now?: () => number;
  /** Bytes of body kept; the rest is not downloaded. @default 65536 */
  readonly maxBodyBytes?: number;
}

interface ProbeDeps {
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly maxBodyBytes: number;
}

/** An `HttpProbe` over `fetch` that does not follow redirects (a gate sees the 3xx itself). */
export function createFetchProbe(options: FetchProbeOptions = {}): HttpProbe {
  const deps: ProbeDeps = {
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: options.now ?? (() => performance.now()),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  return { probe: (request, signal) => probeOnce(deps, request, signal) };
}

/**
 * Resolves with a response or a `kind: "error"` (timeout, refused, DNS...); rejects only when
 * the caller's signal aborts, so that a cancelled run is not recorded as a failing service.
 */
async function probeOnce(deps: ProbeDeps, request: ProbeRequest, callerSignal: AbortSignal): Promise<ProbeResponse> {
  callerSignal.throwIfAborted();
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([callerSignal, timeout]);
  const started = deps.now();
  try {
    const response = await deps.fetch(request.url, {
      method: "GET",
      headers: withUserAgent(request.headers),
      redirect: "manual",
      signal,
    });
    const body = await readBody(response, deps.maxBodyBytes);
    const headers = Object.fromEntries([...response.headers].map(([name, value]) => [name.toLowerCase(), value]));
    return { kind: "response", status: response.status, headers, body, latencyMs: deps.now() - started };
  } catch (error) {
    callerSignal.throwIfAborted();
    const message = timeout.aborted ? `timeout after ${formatDuration(request.timeoutMs)}` : describeNetworkError(error);
    return { kind: "error", error: message, latencyMs: deps.now() - started };
  }
}

function withUserAgent(headers: Readonly<Record<string, string>>): Record<string, string> {
  const named = Object.keys(headers).some((name) => name.toLowerCase() === "user-agent");
  return named ? { ...headers } : { "user-agent": USER_AGENT, ...headers };
}

/** Reads at most `maxBytes` of the body as UTF-8, then cancels the rest of the download. */
async function readBody(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let received = 0;
  let done = false;
  try {
    while (!done && received < maxBytes) {
      const chunk = await reader.read();
      done = chunk.done;
      if (chunk.value === undefined) continue;
      const kept = chunk.value.subarray(0, maxBytes - received);
      received += kept.byteLength;
      text += decoder.decode(kept, { stream: true });
    }
    return text + decoder.decode();
  } finally {
    // Frees the connection instead of downloading a body nobody will read.
    if (!done) await reader.cancel().catch(() => undefined);
  }
}
