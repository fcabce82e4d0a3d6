/**
 * Turns what `fetch` throws into a short readable cause. undici throws
 * `TypeError("fetch failed")` and keeps the useful part in `cause` (an errno-style `code`,
 * sometimes inside an `AggregateError` when several addresses were tried).
 */

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "DNS lookup failed",
  EAI_AGAIN: "DNS lookup failed (temporary)",
  EAI_FAIL: "DNS lookup failed",
  ECONNRESET: "connection reset",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_HEADERS_TIMEOUT: "no response headers in time",
  UND_ERR_BODY_TIMEOUT: "response body stalled",
  UND_ERR_SOCKET: "connection closed by the server",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ERR_INVALID_URL: "invalid URL",
  CERT_HAS_EXPIRED: "TLS certificate expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS certificate does not match the host name",
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS certificate not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "TLS certificate not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS certificate not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "TLS certificate not trusted",
  EPROTO: "TLS handshake failed",
};

/** `connection refused (ECONNREFUSED)`, `DNS lookup failed (ENOTFOUND)`, or the innermost message. */
export function describeNetworkError(error: unknown): string {
  const code = findCode(error);
  const description = code === undefined ? undefined : (DESCRIPTIONS[code] ?? tlsDescription(code));
  if (code !== undefined) return `${description ?? innermostMessage(error)} (${code})`;
  return innermostMessage(error);
}

function tlsDescription(code: string): string | undefined {
  return code.startsWith("ERR_SSL_") || code.includes("CERT") ? "TLS error" : undefined;
}

/** The first `code` found walking `cause` links and `AggregateError.errors`, outermost first. */
function findCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string" && code !== "") return code;
  const nested = [cause, ...(Array.isArray(errors) ? errors : [])];
  for (const inner of nested) {
    const found = findCode(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** "fetch failed" says nothing; the deepest cause usually says what happened. */
function innermostMessage(error: unknown): string {
  let current = error;
  let message = "request failed";
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return typeof current === "string" && current !== "" ? current : message;
}
