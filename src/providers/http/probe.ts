/**
 * The HTTP probe gates use: one GET per check, through `fetch` (undici in Node), with a
 * per-request timeout, a bounded body read, and network failures turned into short text.
 */
import { formatDuration } from "../../core/parse.js";
import type { HttpProbe, ProbeRequest, ProbeResponse } from "../../core/ports.js";
import { describeNetworkError } from "./network-error.js";

/**
 * Enough for any health document or page (input `health-max-body-bytes`); a body larger than
 * this is cut, not read to the end, and the probe says where (`bodyCutAt`).
 */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const USER_AGENT = "shipline-probe";

export interface FetchProbeOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Monotonic milliseconds for latency. @default performance.now */
  readonly now?: () => number;
  /** Bytes of body kept when a request names no limit; the rest is not downloaded. @default 4194304 */
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
    const maxBytes = request.maxBodyBytes ?? deps.maxBodyBytes;
    const { text: body, cut } = await readBody(response, maxBytes);
    const headers = Object.fromEntries([...response.headers].map(([name, value]) => [name.toLowerCase(), value]));
    const latencyMs = deps.now() - started;
    return { kind: "response", status: response.status, headers, body, latencyMs, ...(cut ? { bodyCutAt: maxBytes } : {}) };
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

/** Reads at most `maxBytes` of the body as UTF-8, then cancels the rest of the download; `cut` when there was more. */
async function readBody(response: Response, maxBytes: number): Promise<{ text: string; cut: boolean }> {
  if (!response.body) return { text: "", cut: false };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let received = 0;
  let done = false;
  let cut = false;
  try {
    while (!done && !cut) {
      const chunk = await reader.read();
      done = chunk.done;
      if (chunk.value === undefined || chunk.value.byteLength === 0) continue;
      // A chunk arriving once the limit is reached is the proof that the body was longer.
      if (received >= maxBytes) cut = true;
      const kept = chunk.value.subarray(0, maxBytes - received);
      if (kept.byteLength < chunk.value.byteLength) cut = true;
      received += kept.byteLength;
      text += decoder.decode(kept, { stream: true });
    }
    return { text: text + decoder.decode(), cut };
  } finally {
    // Frees the connection instead of downloading a body nobody will read.
    if (!done) await reader.cancel().catch(() => undefined);
  }
}
