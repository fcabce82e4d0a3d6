/**
 * Builds the smoke and health gates (SPEC section 5, Gates) from inputs and the config file.
 *
 * Decisions:
 * - Checks: the config file's `production.health.checks`, else one check built from the
 *   `health-path` / `health-expect-status` / `health-expect-json` inputs (defaults `/`,
 *   `200-299`). If one of those inputs is given while the file has checks, the inputs win
 *   ("inputs override it") for both gates, with a warning.
 * - The smoke gate has its own `count` / `interval` (`smoke-*` inputs). It uses
 *   `staging.smoke.checks` when set, else the health checks; its `timeout` is
 *   `staging.smoke.timeout`, else the health timeout. `failure-limit`,
 *   `consecutive-error-limit` and `max-latency` of the smoke gate exist only in the config file
 *   (`staging.smoke.*`, defaults 0 / 4 / none): SPEC has no smoke inputs for them, and the
 *   health inputs are about production, where a looser rule may be deliberate.
 * - `confirm` and `max-body-bytes` of the smoke gate come from `staging.smoke.*`, else the
 *   health gate's (`health-confirm`, `health-max-body-bytes`): both are about the network and
 *   the Worker's answers, not about how strict an environment's gate is.
 * - `version-header` is one setting for every gate (smoke, staging watch, health, rollback
 *   health): which version answered is a property of the Worker, not of an environment. It has
 *   no config-file key, because turning it off is an empty input, which only an action.yml
 *   default can tell from an omitted one, and that default would always beat the file.
 */
import { ConfigError } from "../core/errors.js";
import type { CheckSpec, GateSettings, Millis, StatusMatcher } from "../core/types.js";
import { expandEnv, keyPath } from "./file.js";
import type { CheckEntry } from "./schema.js";
import { describeOrigin, type Settings, type Sourced } from "./settings.js";
import { fromConfig, HEADER_NAME, parsePath, parseStatus, parseUrl } from "./values.js";

const DEFAULT_STATUS = "200-299";

export interface Gates {
  readonly smoke: GateSettings;
  readonly health: GateSettings;
  /** Expanded header values to mask. */
  readonly secrets: readonly string[];
}

/** Resolves both gates; errors and warnings go to `settings`. */
export function resolveGates(settings: Settings, env: Record<string, string | undefined>): Gates {
  const secrets: string[] = [];
  const inputCheck = checkFromInputs(settings);
  const overridden = ["health-path", "health-expect-status", "health-expect-json"].some((n) => settings.givenInput(n));

  const fileHealth = settings.file.production?.health?.checks;
  const fileSmoke = settings.file.staging?.smoke?.checks;
  const healthFile = fileHealth && checksFromFile(settings, fileHealth, "production.health.checks", env, secrets);
  const smokeFile = fileSmoke && checksFromFile(settings, fileSmoke, "staging.smoke.checks", env, secrets);
  if (overridden && (fileHealth || fileSmoke)) {
    settings.warnings.push(
      "The health-path / health-expect-* inputs replace the checks of the config file for both gates (inputs override the config file).",
    );
  }
  const healthChecks = overridden || !healthFile ? [inputCheck] : healthFile;
  const smokeChecks = overridden ? [inputCheck] : (smokeFile ?? healthChecks);

  const timeout = settings.require<Millis>("health-timeout");
  const confirm = settings.require<number>("health-confirm");
  const maxBodyBytes = settings.require<number>("health-max-body-bytes");
  const header = settings.require<string>("version-header").value;
  const versionHeader = header === "" ? {} : { versionHeader: header };
  const health: GateSettings = {
    ...limits(settings, "health", settings.require<number>("health-count"), {
      failureLimit: settings.require<number>("health-failure-limit"),
      consecutiveErrorLimit: settings.require<number>("health-consecutive-error-limit"),
    }),
    intervalMs: settings.require<Millis>("health-interval").value,
    timeoutMs: timeout.value,
    ...optionalLatency(settings.get<Millis>("health-max-latency").value),
    confirm: confirm.value,
    maxBodyBytes: maxBodyBytes.value,
    checks: healthChecks,
    ...versionHeader,
  };

  const smokeFileGate = (key: string, kind: "non-negative-int" | "count" | "duration", positive = false) =>
    settings.fileValue<number>(`staging.smoke.${key}`, kind === "duration" ? { type: kind, positive } : { type: kind });
  const smoke: GateSettings = {
    ...limits(settings, "smoke", settings.require<number>("smoke-count"), {
      failureLimit: orDefault(smokeFileGate("failure-limit", "non-negative-int"), 0),
      consecutiveErrorLimit: orDefault(smokeFileGate("consecutive-error-limit", "non-negative-int"), 4),
    }),
    intervalMs: settings.require<Millis>("smoke-interval").value,
    timeoutMs: smokeFileGate("timeout", "duration", true).value ?? timeout.value,
    ...optionalLatency(smokeFileGate("max-latency", "duration", true).value),
    confirm: smokeFileGate("confirm", "non-negative-int").value ?? confirm.value,
    maxBodyBytes: smokeFileGate("max-body-bytes", "count").value ?? maxBodyBytes.value,
    checks: smokeChecks,
    ...versionHeader,
  };
  return { smoke, health, secrets };
}

function orDefault(sourced: Sourced<number | undefined>, fallback: number): Sourced<number> {
  return sourced.value === undefined ? { value: fallback } : (sourced as Sourced<number>);
}

function optionalLatency(ms: Millis | undefined): { maxLatencyMs?: Millis } {
  return ms === undefined ? {} : { maxLatencyMs: ms };
}

/** Count and limits, with the rule that `failure-limit` stays below `count`. */
function limits(
  settings: Settings,
  gate: "smoke" | "health",
  count: Sourced<number>,
  rest: { failureLimit: Sourced<number>; consecutiveErrorLimit: Sourced<number> },
): Pick<GateSettings, "count" | "failureLimit" | "consecutiveErrorLimit"> {
  const { failureLimit } = rest;
  if (failureLimit.value >= count.value) {
    const origin = failureLimit.origin ?? fromConfig(gate === "health" ? "production.health.failure-limit" : "staging.smoke.failure-limit");
    const countFrom = describeOrigin(count.origin, `${gate}-count`);
    settings.errors.push(
      new ConfigError(
        origin.key,
        `${origin.label} has the value ${failureLimit.value}: expected a whole number below the ${gate} gate's count (${count.value}, from ${countFrom}), because a gate that could pass with every measurement failed is a configuration error.`,
      ),
    );
  }
  return { count: count.value, failureLimit: failureLimit.value, consecutiveErrorLimit: rest.consecutiveErrorLimit.value };
}

/** The single check of the `health-*` inputs (defaults `/` and `200-299`). */
function checkFromInputs(settings: Settings): CheckSpec {
  const path = settings.require<string>("health-path").value;
  const status = settings.require<StatusMatcher>("health-expect-status").value;
  const json = settings.get<unknown>("health-expect-json").value;
  return { name: `GET ${path}`, path, headers: {}, expect: json === undefined ? { status } : { status, json } };
}

function checksFromFile(
  settings: Settings,
  entries: readonly CheckEntry[],
  base: string,
  env: Record<string, string | undefined>,
  secrets: string[],
): CheckSpec[] {
  return entries.flatMap((entry, index) => {
    const key = keyPath([...base.split("."), index]);
    const check = settings.attempt(() => checkFromEntry(entry, key, env, secrets));
    return check ? [check] : [];
  });
}

/** One `checks` entry → `CheckSpec`; throws `ConfigError` naming the entry's key. */
function checkFromEntry(entry: CheckEntry, key: string, env: Record<string, string | undefined>, secrets: string[]): CheckSpec {
  if ((entry.path === undefined) === (entry.url === undefined)) {
    const has = entry.path === undefined ? "neither `path` nor `url`" : "both `path` and `url`";
    throw new ConfigError(
      key,
      `Config key \`${key}\` has ${has}: expected exactly one of them (a path such as /api/health, or a full URL).`,
    );
  }
  const target: { path: string } | { url: string } =
    entry.path !== undefined
      ? { path: parsePath(fromConfig(`${key}.path`), entry.path) }
      : { url: parseUrl(fromConfig(`${key}.url`), entry.url) };
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(entry.headers ?? {})) {
    const headerKey = `${key}.headers.${name}`;
    if (!HEADER_NAME.test(name)) {
      throw new ConfigError(
        headerKey,
        `Config key \`${key}.headers\` has the header name ${JSON.stringify(name)}: expected letters, digits and -_.!#$%&'*+^\`|~ only.`,
      );
    }
    const expanded = expandEnv(raw, headerKey, env);
    headers[name] = expanded.value;
    secrets.push(...expanded.secrets);
  }
  const status = parseStatus(fromConfig(`${key}.expect.status`), entry.expect?.status ?? DEFAULT_STATUS);
  const expect: CheckSpec["expect"] = {
    status,
    ...(entry.expect?.json !== undefined ? { json: entry.expect.json } : {}),
    ...(entry.expect?.body !== undefined ? { body: entry.expect.body } : {}),
  };
  const label = "path" in target ? target.path : target.url;
  return { name: `GET ${label}`, ...target, headers, expect };
}
