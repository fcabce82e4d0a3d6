/**
 * Subset matching of JSON values, for a check's `expect.json`: the response must contain
 * what the user wrote, and may contain more.
 */

export type JsonSubsetResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Where the first mismatch is, JSONPath-like: `$`, `$.data.status`, `$["a b"]`. */
      readonly path: string;
      readonly expected: unknown;
      /** `undefined` when the key is missing. */
      readonly actual: unknown;
    };

const OK: JsonSubsetResult = { ok: true };

/**
 * Whether `actual` contains `expected`.
 * - Objects: every expected key is present in `actual` and its value matches (extra keys are fine).
 * - Arrays: order-independent containment. Every expected element must match a *different*
 *   actual element (so `[1, 1]` needs two ones); health endpoints list components in no
 *   promised order, which makes positional matching brittle. A mismatch is reported at the
 *   array's path with both whole arrays, since no single index is to blame.
 * - Scalars and null: strict equality (`1` does not match `"1"`).
 */
export function jsonSubset(expected: unknown, actual: unknown): JsonSubsetResult {
  return matchAt("$", expected, actual);
}

function matchAt(path: string, expected: unknown, actual: unknown): JsonSubsetResult {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && arrayContains(expected, actual) ? OK : mismatch(path, expected, actual);
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return mismatch(path, expected, actual);
    for (const [key, value] of Object.entries(expected)) {
      const child = childPath(path, key);
      if (!Object.hasOwn(actual, key)) return mismatch(child, value, undefined);
      const result = matchAt(child, value, actual[key]);
      if (!result.ok) return result;
    }
    return OK;
  }
  return expected === actual ? OK : mismatch(path, expected, actual);
}

/**
 * Finds a one-to-one assignment of expected elements to actual elements (bipartite matching
 * by augmenting paths), so that the outcome does not depend on the order elements appear in.
 * Arrays in health responses are small; the quadratic cost does not matter.
 */
function arrayContains(expected: readonly unknown[], actual: readonly unknown[]): boolean {
  if (expected.length > actual.length) return false;
  const fits = expected.map((e) => actual.map((a) => matchAt("$", e, a).ok));
  const owner: Array<number | undefined> = actual.map(() => undefined);
  const assign = (e: number, seen: boolean[]): boolean => {
    for (let a = 0; a < actual.length; a++) {
      if (!fits[e]?.[a] || seen[a]) continue;
      seen[a] = true;
      const current = owner[a];
      if (current === undefined || assign(current, seen)) {
        owner[a] = e;
        return true;
      }
    }
    return false;
  };
  return expected.every((_, e) =>
    assign(
      e,
      actual.map(() => false),
    ),
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function mismatch(path: string, expected: unknown, actual: unknown): JsonSubsetResult {
  return { ok: false, path, expected, actual };
}
