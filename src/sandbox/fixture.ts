/**
 * Writes a small Worker project for wrangler to deploy to the sandbox: end-to-end tests,
 * `shipline demo` and `shipline sandbox` use it.
 *
 * The Worker answers:
 * - `GET /api/health`: `{"success":true,"data":{"status":"healthy"}}` (or 503 / a thrown error, see `health`;
 *   503 too when a secret named in `secrets` is missing or empty, or, with `d1`, when the D1
 *   binding `DB` is missing or its database lacks the row the fixture's migration inserts)
 * - `GET /api/config?vars=A,B&secrets=C,D`: `{ vars: { A: <value> }, secrets: { C: <sha-256 hex of the value> } }`
 *   (a secret's value never leaves the Worker; `null` for one that is not set)
 * - `GET /api/version`: `{ label, environment, version: { id, tag, timestamp }, url }`
 * - `GET /api/items`: `{ items: [...] }`; with `itemsFailShare` set, that share of its requests
 *   throws (a 500 from the runtime): a regression the health path does not see
 * - `GET /`: a small HTML page with `<title><name></title>`
 * - anything else: 404
 * Every answer carries `x-sample-label: <label>` and `x-worker-version-id: <version id>`, so a
 * test can tell which version answered, as a real deployment would through version metadata.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What `GET /api/health` does: 200 healthy JSON, 503 unhealthy JSON, or throw (a 500 from the runtime). */
export type SampleHealth = "healthy" | "unhealthy" | "throw";

export interface SampleWorkerOptions {
  /** Top-level Worker name; environment X deploys as `<name>-<X>`. @default "sample-worker" */
  name?: string;
  /** Marks this build: baked into the code (so every label is a different script). @default "v1" */
  label?: string;
  /** Health behaviour for every environment, or per environment name (missing ones are healthy). @default "healthy" */
  health?: SampleHealth | Readonly<Record<string, SampleHealth>>;
  /** The `[env.*]` sections, each with `vars = { ENVIRONMENT = "<env>", HEALTH = ... }`. @default ["staging", "production"] */
  environments?: readonly string[];
  /** @default "2025-01-01" */
  compatibilityDate?: string;
  /** Share (0..1) of `GET /api/items` requests that throw, spread evenly. @default 0 */
  itemsFailShare?: number;
  /** Secrets the health check needs: missing or empty ones make it answer 503 naming them. @default [] */
  secrets?: readonly string[];
  /**
   * A D1 database per environment (`{ staging: "<database id>", … }`), bound as `DB`, with
   * `migrations/0001_health.sql` creating the table the health check reads. @default none
   */
  d1?: Readonly<Record<string, string>>;
}

/** What the fixture's migration creates, and the health check reads back. */
export const SAMPLE_MIGRATION = {
  file: "0001_health.sql",
  sql: "CREATE TABLE health_checks (id INTEGER PRIMARY KEY, note TEXT NOT NULL);\nINSERT INTO health_checks (note) VALUES ('migrated');\n",
} as const;

export interface SampleWorkerProject {
  readonly dir: string;
  readonly configPath: string;
  readonly name: string;
  /** The Worker script name wrangler uses for `--env <environment>` (top-level name without one). */
  workerName(environment?: string): string;
}

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const VERSION_METADATA_BINDING = "CF_VERSION_METADATA";

/** Writes (or overwrites) `wrangler.toml` and `src/index.js` in `dir`. */
export async function writeSampleWorker(dir: string, options: SampleWorkerOptions = {}): Promise<SampleWorkerProject> {
  const name = options.name ?? "sample-worker";
  const environments = options.environments ?? ["staging", "production"];
  for (const candidate of [name, ...environments]) {
    if (!NAME_PATTERN.test(candidate)) throw new Error(`Invalid name "${candidate}": use lowercase letters, digits and "-"`);
  }
  await mkdir(join(dir, "src"), { recursive: true });
  const configPath = join(dir, "wrangler.toml");
  await writeFile(configPath, wranglerToml(name, environments, options));
  await writeFile(
    join(dir, "src", "index.js"),
    workerSource(name, options.label ?? "v1", options.secrets ?? [], options.d1 !== undefined, options.itemsFailShare ?? 0),
  );
  if (options.d1) {
    await mkdir(join(dir, "migrations"), { recursive: true });
    await writeFile(join(dir, "migrations", SAMPLE_MIGRATION.file), SAMPLE_MIGRATION.sql);
  }
  return {
    dir,
    configPath,
    name,
    workerName: (environment) => (environment ? `${name}-${environment}` : name),
  };
}

function healthFor(options: SampleWorkerOptions, environment: string): SampleHealth {
  const health = options.health ?? "healthy";
  return typeof health === "string" ? health : (health[environment] ?? "healthy");
}

/** version_metadata is not inherited by environments, so every section declares it. */
function wranglerToml(name: string, environments: readonly string[], options: SampleWorkerOptions): string {
  // d1_databases are not inherited by environments either.
  const database = (environment: string) => {
    const id = options.d1?.[environment];
    return id ? `d1_databases = [{ binding = "DB", database_name = "${name}-${environment}", database_id = "${id}" }]\n` : "";
  };
  const section = (environment: string) =>
    `vars = { ENVIRONMENT = "${environment}", HEALTH = "${healthFor(options, environment)}" }\n` +
    `version_metadata = { binding = "${VERSION_METADATA_BINDING}" }\n` +
    database(environment);
  const lines = [
    `name = "${name}"`,
    `main = "src/index.js"`,
    `compatibility_date = "${options.compatibilityDate ?? "2025-01-01"}"`,
    section("default"),
    ...environments.map((environment) => `[env.${environment}]\n${section(environment)}`),
  ];
  return `${lines.join("\n")}\n`;
}

function workerSource(name: string, label: string, secrets: readonly string[], database: boolean, itemsFailShare: number): string {
  return `// Sample Worker written by shipline's sandbox fixture.
const NAME = ${JSON.stringify(name)};
const ITEMS_FAIL_SHARE = ${JSON.stringify(itemsFailShare)};
let itemsServed = 0;
const LABEL = ${JSON.stringify(label)};
const NEEDED_SECRETS = ${JSON.stringify(secrets)};
const NEEDS_DATABASE = ${JSON.stringify(database)};

/** Why the D1 database cannot serve (no binding, or the migration not applied), or undefined. */
async function databaseProblem(env) {
  if (!NEEDS_DATABASE) return undefined;
  if (!env.DB) return "the D1 binding DB is missing";
  try {
    const row = await env.DB.prepare("SELECT note FROM health_checks ORDER BY id LIMIT 1").first();
    return row?.note === "migrated" ? undefined : "the health_checks row is missing";
  } catch (error) {
    return "the D1 database is not migrated: " + String(error?.message ?? error);
  }
}

async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function names(url, key) {
  return (url.searchParams.get(key) ?? "").split(",").filter(Boolean);
}

function answer(body, status, env, contentType) {
  const version = env.${VERSION_METADATA_BINDING} ?? {};
  return new Response(body, {
    status,
    headers: { "content-type": contentType, "x-sample-label": LABEL, "x-worker-version-id": version.id ?? "" },
  });
}

function json(value, status, env) {
  return answer(JSON.stringify(value), status, env, "application/json");
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/api/health") {
      const health = env.HEALTH ?? "healthy";
      if (health === "throw") throw new Error(NAME + " " + LABEL + ": the health check blew up");
      if (health === "unhealthy") return json({ success: false, data: { status: "unhealthy" } }, 503, env);
      const missing = NEEDED_SECRETS.filter((secret) => typeof env[secret] !== "string" || env[secret] === "");
      if (missing.length > 0) return json({ success: false, data: { status: "unhealthy", missingSecrets: missing } }, 503, env);
      const database = await databaseProblem(env);
      if (database) return json({ success: false, data: { status: "unhealthy", database } }, 503, env);
      return json({ success: true, data: { status: "healthy" } }, 200, env);
    }
    if (url.pathname === "/api/health/detailed") {
      // A large health document (about 200 KB): the verdict comes after every service's details.
      const services = Array.from({ length: 2000 }, (_, i) => ({ name: "service-" + i, status: "healthy", detail: "x".repeat(64) }));
      return json({ services, success: true, data: { status: "healthy" } }, 200, env);
    }
    if (url.pathname === "/api/version") {
      const version = env.${VERSION_METADATA_BINDING} ?? null;
      return json({ label: LABEL, environment: env.ENVIRONMENT ?? null, version, url: request.url }, 200, env);
    }
    if (url.pathname === "/api/config") {
      const vars = Object.fromEntries(names(url, "vars").map((key) => [key, env[key] ?? null]));
      const secrets = {};
      for (const key of names(url, "secrets")) secrets[key] = typeof env[key] === "string" ? await sha256(env[key]) : null;
      return json({ vars, secrets }, 200, env);
    }
    if (url.pathname === "/api/items") {
      itemsServed += 1;
      // Fails exactly the configured share, spread evenly: request n fails when n * share crosses a whole number.
      if (Math.floor(itemsServed * ITEMS_FAIL_SHARE) > Math.floor((itemsServed - 1) * ITEMS_FAIL_SHARE)) {
        throw new Error(NAME + " " + LABEL + ": /api/items blew up");
      }
      return json({ items: [{ id: 1, name: "first" }, { id: 2, name: "second" }] }, 200, env);
    }
    if (url.pathname === "/") {
      return answer("<!doctype html><title>" + NAME + "</title><p>" + LABEL + "</p>", 200, env, "text/html");
    }
    return json({ success: false, error: "not found" }, 404, env);
  },
};
`;
}
