/**
 * Parsers for the small value languages of inputs and config: durations (`250ms`, `10s`,
 * `1m30s`) and accepted HTTP statuses (`200`, `200-299`, `200,204`). They return `undefined`
 * on bad input so that the caller can raise an error naming the input and what is accepted.
 */
import type { Millis, StatusMatcher } from "./types.js";

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
/** Units in the only order a compound duration may use them (`1h30m`, never `30m1h`). */
const UNIT_ORDER: readonly Unit[] = ["h", "m", "s", "ms"];

// `ms` comes before `m` in the alternation so that `250ms` is not read as `250m` + `s`.
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;

/**
 * Parses a duration (`250ms`, `10s`, `1.5s`, `2m`, `1h`, compound `1m30s`, or a bare `0`) to
 * milliseconds; `undefined` when invalid. Compound parts must go from larger to smaller units
 * so that `formatDuration` output reads back. Sub-millisecond results are rejected rather
 * than rounded silently.
 */
export function parseDuration(text: string): Millis | undefined {
  const input = text.trim();
  if (input === "0") return 0;
  if (input === "") return undefined;
  let total = 0;
  let lastUnit = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const match = PART.exec(input);
    if (!match) return undefined;
    const unitIndex = UNIT_ORDER.indexOf(match[2] as Unit);
    if (unitIndex <= lastUnit) return undefined;
    lastUnit = unitIndex;
    total += Number(match[1]) * UNIT_MS[match[2] as Unit];
  }
  return toWholeMillis(total);
}

/** Accepts a float that is a whole number of ms up to float noise (`1.1s` = 1100.0000000000002). */
function toWholeMillis(value: number): Millis | undefined {
  const rounded = Math.round(value);
  if (!Number.isSafeInteger(rounded) || Math.abs(value - rounded) > 1e-6) return undefined;
  return rounded;
}

/**
 * Formats ms in the shortest readable form: `1h`, `1m30s`, `1.5s`, `250ms`; fractions of a
 * millisecond (latencies) are rounded. `parseDuration` reads every output back.
 */
export function formatDuration(ms: Millis): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? "-" : "";
  let rest = Math.round(Math.abs(ms));
  if (rest < 1_000) return `${sign}${rest}ms`;
  const parts: string[] = [];
  for (const unit of ["h", "m"] as const) {
    const whole = Math.floor(rest / UNIT_MS[unit]);
    if (whole > 0) parts.push(`${whole}${unit}`);
    rest -= whole * UNIT_MS[unit];
  }
  // Seconds carry the leftover ms as a decimal (`1.25s`), which is shorter than `1s250ms`.
  if (rest > 0) parts.push(`${rest / 1_000}s`);
  return sign + parts.join("");
}

const STATUS_PART = /^(\d{3})(?:\s*-\s*(\d{3}))?$/;
const STATUS_CLASS = /^([1-5])xx$/i;

/**
 * Parses accepted statuses: `200`, `200-299`, `200,204`, `200-299,304` (and the shorthand
 * `2xx`); every code within 100-599 and every range low <= high, else `undefined`.
 */
export function parseStatusMatcher(text: string): StatusMatcher | undefined {
  const input = text.trim();
  if (input === "") return undefined;
  const ranges: Array<readonly [number, number]> = [];
  for (const part of input.split(",")) {
    const range = parseStatusRange(part.trim());
    if (!range) return undefined;
    ranges.push(range);
  }
  return { ranges, text: input };
}

function parseStatusRange(part: string): readonly [number, number] | undefined {
  const statusClass = STATUS_CLASS.exec(part);
  if (statusClass) {
    const low = Number(statusClass[1]) * 100;
    return [low, low + 99];
  }
  const match = STATUS_PART.exec(part);
  if (!match) return undefined;
  const low = Number(match[1]);
  const high = match[2] === undefined ? low : Number(match[2]);
  if (low < 100 || high > 599 || low > high) return undefined;
  return [low, high];
}

/** Whether `status` is one of the statuses `matcher` accepts. */
export function statusMatches(matcher: StatusMatcher, status: number): boolean {
  return matcher.ranges.some(([low, high]) => status >= low && status <= high);
}
