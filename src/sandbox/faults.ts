/**
 * Fault injection: rules that make matching API requests fail, in the order they were added.
 */
import { fail } from "./shapes.js";
import type { FaultRule } from "./types.js";

/** The answer a fault produces; `status` 0 answers as usual once `delayMs` has passed. */
export interface FaultReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly delayMs: number;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

/** Holds the active fault rules. */
export class FaultRegistry {
  #rules: ActiveRule[] = [];

  /** Adds a rule; it applies to every later matching request until `times` is used up. */
  add(rule: FaultRule): void {
    this.#rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules = [];
  }

  /** The fault answer for this request, consuming one use of the first matching rule. */
  take(method: string, path: string): FaultReply | undefined {
    const active = this.#rules.find((r) => r.remaining > 0 && matches(r.rule, method, path));
    if (!active) return undefined;
    active.remaining -= 1;
    return render(active.rule);
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  return typeof rule.path === "string" ? path.includes(rule.path) : rule.path.test(path);
}

function render(rule: FaultRule): FaultReply {
  const delayMs = rule.delayMs ?? 0;
  if (rule.rawBody !== undefined) {
    return { status: rule.status, headers: { "content-type": "text/html", ...rule.headers }, body: rule.rawBody, delayMs };
  }
  const body = rule.body ?? fail(10013, `Injected fault: HTTP ${rule.status}`);
  return { status: rule.status, headers: { "content-type": "application/json", ...rule.headers }, body: JSON.stringify(body), delayMs };
}
