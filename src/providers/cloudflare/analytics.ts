/**
 * Per-version traffic of a Worker from Cloudflare's GraphQL Analytics API (`POST /graphql`):
 * the account dataset `workersInvocationsAdaptive`, filtered by the Worker's script name and a
 * `datetime` window, grouped by `scriptVersion`, with `sum { requests errors }` (estimates of
 * every request: the dataset is sampled), `avg { sampleInterval }` (how many requests one stored
 * row stands for) and wall-time quantiles in microseconds. The token needs Account Analytics
 * Read; without it the API answers HTTP 200 with an `authz` error, which `prepare` turns into a
 * clear error before anything is deployed.
 *
 * Requests go through the same client as every other read of production: wrangler's base URL
 * (CLOUDFLARE_API_BASE_URL), credentials and proxy.
 */
import type { VersionTraffic } from "../../core/analysis.js";
import { DeployError, errorMessage } from "../../core/errors.js";
import type { DeployTarget, TrafficAnalytics } from "../../core/ports.js";
import type { CloudflareApi, WorkerRef } from "./api.js";

export const CANARY_QUERY = `query ShiplineCanary($accountTag: string!, $scriptName: string!, $from: Time!, $until: Time!) {
  viewer {
    accounts(filter: { accountTag: $accountTag }) {
      workersInvocationsAdaptive(limit: 100, filter: { scriptName: $scriptName, datetime_geq: $from, datetime_leq: $until }) {
        dimensions { scriptVersion }
        sum { requests errors }
        avg { sampleInterval }
        quantiles { wallTimeP50 wallTimeP75 wallTimeP90 wallTimeP99 }
      }
    }
  }
}`;

export interface CloudflareAnalyticsOptions {
  /** The Worker and client of an environment (`WranglerTargets.resolve`). */
  readonly resolve: (environment: string, signal: AbortSignal) => Promise<{ readonly worker: WorkerRef; readonly api: CloudflareApi }>;
  /** Epoch ms, for the preflight's window. @default Date.now */
  readonly now?: () => number;
}

interface Row {
  readonly dimensions?: { readonly scriptVersion?: unknown };
  readonly sum?: { readonly requests?: unknown; readonly errors?: unknown };
  readonly avg?: { readonly sampleInterval?: unknown };
  readonly quantiles?: Record<string, unknown>;
}

export class CloudflareAnalytics implements TrafficAnalytics {
  readonly #options: CloudflareAnalyticsOptions;

  constructor(options: CloudflareAnalyticsOptions) {
    this.#options = options;
  }

  /**
   * One query over the last minute: proves the token may read the account's analytics. A
   * refusal (no permission, wrong account) fails; an outage (5xx, timeout) does not.
   */
  async prepare(target: DeployTarget, signal: AbortSignal): Promise<void> {
    const now = (this.#options.now ?? Date.now)();
    try {
      await this.read(target, { from: now - 60_000, until: now }, signal);
    } catch (error) {
      // An outage now says nothing about the permission: each step's no-verdict policy handles one then.
      if (error instanceof DeployError && error.transient) return;
      const text = errorMessage(error);
      const denied = /authz|not authorized|permission/i.test(text);
      throw new DeployError(
        `production.analysis is set, but Cloudflare's analytics cannot be read for ${target.environment}: ${text}.${
          denied ? " The API token needs the Account Analytics Read permission (Account › Account Analytics › Read)." : ""
        }`,
        { command: "POST /graphql", detail: text, cause: error },
      );
    }
  }

  async read(
    target: DeployTarget,
    window: { readonly from: number; readonly until: number },
    signal: AbortSignal,
  ): Promise<VersionTraffic[]> {
    const { worker, api } = await this.#options.resolve(target.environment, signal);
    const data = await api.graphql(
      CANARY_QUERY,
      { accountTag: worker.accountId, scriptName: worker.script, from: isoSeconds(window.from), until: isoSeconds(window.until) },
      signal,
    );
    const accounts = (data as { viewer?: { accounts?: unknown } } | null)?.viewer?.accounts;
    if (!Array.isArray(accounts)) {
      throw new DeployError("POST /graphql answered without viewer.accounts", {
        command: "POST /graphql",
        detail: JSON.stringify(data).slice(0, 200),
      });
    }
    const rows = (accounts[0] as { workersInvocationsAdaptive?: unknown } | undefined)?.workersInvocationsAdaptive ?? [];
    if (!Array.isArray(rows)) {
      throw new DeployError("POST /graphql answered without workersInvocationsAdaptive rows", { command: "POST /graphql" });
    }
    return combine(rows as Row[]);
  }
}

/** Rows by version; several rows of one version are added up (quantiles: the larger, to be safe). */
function combine(rows: readonly Row[]): VersionTraffic[] {
  const byVersion = new Map<string, { requests: number; errors: number; observed: number; wallTimeUs: VersionTraffic["wallTimeUs"] }>();
  for (const row of rows) {
    const versionId = typeof row.dimensions?.scriptVersion === "string" ? row.dimensions.scriptVersion : "";
    const requests = num(row.sum?.requests);
    const interval = num(row.avg?.sampleInterval) || 1;
    const q = row.quantiles ?? {};
    const quantiles: VersionTraffic["wallTimeUs"] = {
      p50: num(q["wallTimeP50"]),
      p75: num(q["wallTimeP75"]),
      p90: num(q["wallTimeP90"]),
      p99: num(q["wallTimeP99"]),
    };
    const known = byVersion.get(versionId);
    if (!known) {
      byVersion.set(versionId, { requests, errors: num(row.sum?.errors), observed: requests / interval, wallTimeUs: quantiles });
      continue;
    }
    known.requests += requests;
    known.errors += num(row.sum?.errors);
    known.observed += requests / interval;
    for (const key of ["p50", "p75", "p90", "p99"] as const) {
      known.wallTimeUs = { ...known.wallTimeUs, [key]: Math.max(known.wallTimeUs[key] ?? 0, quantiles[key] ?? 0) };
    }
  }
  return [...byVersion].map(([versionId, v]) => ({
    versionId,
    requests: v.requests,
    errors: v.errors,
    sampleInterval: v.observed > 0 ? v.requests / v.observed : 1,
    wallTimeUs: v.wallTimeUs,
  }));
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** RFC 3339 to the second, as the API's `Time` takes it. */
function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
