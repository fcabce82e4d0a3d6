/**
 * `startSandbox`: wires the store, the API server, the Workers runtime and the traffic server.
 */
import { randomBytes } from "node:crypto";
import { answerGraphql } from "./analytics.js";
import { createApiRouter } from "./api.js";
import { API_PREFIX, createApiHandler } from "./api-server.js";
import { FaultRegistry } from "./faults.js";
import { close, listen } from "./http.js";
import { loadMiniflare, WorkerRuntime } from "./runtime.js";
import { SandboxStore, viewScript } from "./store.js";
import { createTrafficHandler } from "./traffic.js";
import type { RecordedRequest, Sandbox, SandboxOptions, TrafficRecord } from "./types.js";

const DEFAULT_SUBDOMAIN = "shipline-sandbox";
/** Any non-empty value works: the sandbox accepts every token. */
const SANDBOX_TOKEN = "shipline-sandbox-token";
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Starts a local stand-in for the Cloudflare API that wrangler 4 uses, serving deployed Workers. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const accountId = options.accountId ?? randomBytes(16).toString("hex");
  if (!/^[0-9a-f]{32}$/.test(accountId)) throw new Error(`accountId must be 32 lowercase hex characters, got "${accountId}"`);
  // Fails here, before any port is opened, when the optional peer miniflare is not installed.
  await loadMiniflare();
  const store = new SandboxStore();
  const runtime = new WorkerRuntime(options.logger);
  const requests: RecordedRequest[] = [];
  const traffic: TrafficRecord[] = [];
  const faults = new FaultRegistry();
  const warnings: string[] = [];
  const unsupported = (message: string) => {
    warnings.push(message);
    options.logger?.warn(message);
  };
  const router = createApiRouter({
    store,
    accountId,
    subdomain: options.subdomain ?? DEFAULT_SUBDOMAIN,
    deploymentsChanged: () => runtime.apply(store.liveVersions()),
    unsupported,
  });
  // The GraphQL Analytics API, answered from the traffic served (analytics.ts).
  router.on("POST", "/graphql", (call) =>
    answerGraphql({ accountId, traffic, ingestionDelayMs: () => options.analyticsDelayMs ?? 0, unsupported }, call),
  );
  const apiServer = await listen(options.port ?? 0, createApiHandler({ router, faults, records: requests, accountId, unsupported }));
  let trafficOrigin = "";
  const trafficServer = await listen(
    options.trafficPort ?? 0,
    createTrafficHandler({ store, runtime, origin: () => trafficOrigin, records: traffic }),
  ).catch(async (error: unknown) => {
    await close(apiServer.server);
    throw error;
  });
  trafficOrigin = `http://127.0.0.1:${trafficServer.port}`;
  const apiOrigin = `http://127.0.0.1:${apiServer.port}`;
  let stopping: Promise<void> | undefined;

  return {
    apiBaseUrl: `${apiOrigin}${API_PREFIX}`,
    trafficBaseUrl: trafficOrigin,
    accountId,
    requests,
    traffic,
    warnings,
    loads: runtime.loads,
    faults: { add: (rule) => faults.add(rule), clear: () => faults.clear() },
    workerUrl: (scriptName) => `${trafficOrigin}/${encodeURIComponent(scriptName)}`,
    wranglerEnv: () => ({
      CLOUDFLARE_API_BASE_URL: `${apiOrigin}${API_PREFIX}`,
      CLOUDFLARE_API_TOKEN: SANDBOX_TOKEN,
      CLOUDFLARE_ACCOUNT_ID: accountId,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      // wrangler's update check reads the registry through rc("npm"): keep it on loopback.
      npm_registry: `${apiOrigin}/`,
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      // Newer wrangler releases hang offline in the banner's update check, which npm_registry
      // no longer redirects: no banner, no check.
      WRANGLER_HIDE_BANNER: "true",
    }),
    script: (name) => {
      const found = store.get(name);
      return found && viewScript(found);
    },
    scripts: () => store.all().map(viewScript),
    writesTo: (script) =>
      requests.filter(
        (r) =>
          WRITE_METHODS.has(r.method) &&
          r.script !== undefined &&
          (typeof script === "string" ? r.script === script : script.test(r.script)),
      ),
    settled: () => runtime.settled(),
    stop: () => {
      stopping ??= Promise.all([close(apiServer.server), close(trafficServer.server)]).then(() => runtime.stop());
      return stopping;
    },
  };
}
