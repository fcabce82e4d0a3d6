/**
 * `startSandbox`: wires the store, the API server, the Workers runtime and the traffic server.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { answerGraphql } from "./analytics.js";
import { createApiRouter } from "./api.js";
import { API_PREFIX, createApiHandler } from "./api-server.js";
import { FaultRegistry } from "./faults.js";
import { close, listen } from "./http.js";
import { loadMiniflare, WorkerRuntime } from "./runtime.js";
import { SandboxResources, type SandboxResourceSeed } from "./resources.js";
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
  const persist = await persistDirectory(options.persistDir);
  const resources = new SandboxResources(() => {
    persist.save(resources.snapshot());
    void runtime.resourcesChanged();
  });
  const runtime = new WorkerRuntime(options.logger, resources, persist.dir);
  resources.seed(persist.saved);
  resources.seed(options.resources);
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
    deploymentsChanged: () => runtime.apply(store.liveVersions(), (name) => store.get(name)?.tag),
    unsupported,
    resources,
    d1: (uuid) => runtime.d1Database(uuid),
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
      stopping ??= Promise.all([close(apiServer.server), close(trafficServer.server)])
        .then(() => runtime.stop())
        .then(() => persist.remove());
      return stopping;
    },
  };
}

/** Where a given persist directory lists its resources, so that a later sandbox on it finds them again. */
const RESOURCES_FILE = "shipline-sandbox-resources.json";

interface PersistDirectory {
  readonly dir: string;
  /** The resources a sandbox saved there before (none for a fresh directory). */
  readonly saved: SandboxResourceSeed | undefined;
  save(resources: SandboxResourceSeed): void;
  remove(): Promise<void>;
}

/**
 * Where Miniflare keeps the KV, D1 and R2 data: the given directory (kept, with the list of
 * resources), or a fresh one under the system's temp directory, removed when the sandbox stops.
 */
async function persistDirectory(given: string | undefined): Promise<PersistDirectory> {
  if (given === undefined) {
    const dir = await mkdtemp(join(tmpdir(), "shipline-sandbox-data-"));
    return { dir, saved: undefined, save: () => undefined, remove: () => rm(dir, { recursive: true, force: true }) };
  }
  await mkdir(given, { recursive: true });
  const file = join(given, RESOURCES_FILE);
  const saved = await readFile(file, "utf8").then(
    (text) => JSON.parse(text) as SandboxResourceSeed,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw new Error(`The sandbox's persist directory has an unreadable ${file}: ${error.message}`, { cause: error });
    },
  );
  return {
    dir: given,
    saved,
    save: (resources) => writeFileSync(file, `${JSON.stringify(resources, null, 2)}\n`),
    remove: async () => undefined,
  };
}
