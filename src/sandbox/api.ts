/**
 * The Cloudflare API endpoints wrangler 4 uses for deploy, versions, deployments and
 * rollback (wrangler.md section 2), answered from the in-memory store.
 */
import type { ApiCall, ApiReply } from "./router.js";
import { Router } from "./router.js";
import { SANDBOX_USER, deploymentJson, fail, ok, scriptJson, serviceJson, settingsJson, versionJson } from "./shapes.js";
import { DeploymentRefused, findVersion, type BindingRecord, type SandboxStore, type ScriptRecord, type UploadedWorker } from "./store.js";
import { UploadRejected, parseUpload } from "./upload.js";
import { addStorageRoutes, type StorageDeps } from "./api-storage.js";
import { ResourceRefused, STORAGE_BINDING_TYPES } from "./resources.js";
import { DurableObjectRefused, isOwnDurableObject, namespacesJson, planDurableObjects } from "./durable-objects.js";

export interface ApiDeps extends StorageDeps {
  readonly store: SandboxStore;
  readonly accountId: string;
  readonly subdomain: string;
  /** Called after every change of a current deployment; the reply waits for it (runtime reload). */
  readonly deploymentsChanged: () => Promise<void>;
  /** Something the sandbox cannot do as Cloudflare would: recorded in `Sandbox.warnings` and logged as a warning. */
  readonly unsupported: (message: string) => void;
}

const SCRIPT = "/accounts/:account/workers/scripts/:script";
/** The newer Workers API resource for the same Worker (wrangler 4.1xx reads workers.dev state here). */
const WORKER = "/accounts/:account/workers/workers/:script";

const SECRET_TYPES: ReadonlySet<string> = new Set(["secret_text", "secret_key"]);
/** Not confirmed against the real API: a code of the same family for "no such secret". */
const SECRET_NOT_FOUND = 10056;
/** wrangler's INVALID_INHERIT_BINDING_CODE: an inherited binding the previous version does not have. */
const INVALID_INHERIT_BINDING = 10057;

/** Error codes wrangler recognises: 10007 script not found, 10090 service not found. */
const SCRIPT_NOT_FOUND = 10007;
const SERVICE_NOT_FOUND = 10090;

/** Builds the router holding every supported endpoint. */
export function createApiRouter(deps: ApiDeps): Router {
  const router = new Router();
  addAccountRoutes(router, deps);
  addScriptRoutes(router, deps);
  addVersionRoutes(router, deps);
  addStorageRoutes(router, deps);
  return router;
}

/** Replies for a path under `/accounts/<id>` of another account, as the API does for a wrong id. */
export function wrongAccount(): ApiReply {
  return { status: 403, body: fail(10000, "Authentication error") };
}

/**
 * The answer to a request without credentials (no `Authorization: Bearer …`, no
 * `X-Auth-Key` + `X-Auth-Email`): HTTP 400, code 9106, as the API answers it.
 */
export function missingCredentials(): ApiReply {
  return { status: 400, body: fail(9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers") };
}

/**
 * The Cloudflare answer for a path with no route (code 7000), its message extended with what
 * the sandbox does not support, so that wrangler's error output names it.
 */
export function noRoute(method: string, path: string): ApiReply {
  return { status: 404, body: fail(7000, `No route for that URI: ${unsupportedRequest(method, path)}`) };
}

/** How the sandbox names a request it has no route for. */
export function unsupportedRequest(method: string, path: string): string {
  return `shipline's sandbox does not support ${method} ${path.replace(/^\/accounts\/[^/]+/, "/accounts/…")} (yet): the real Cloudflare API may`;
}

/** Binding types a deployed version runs with in the sandbox; `inherit` is resolved at upload. */
const RUNNABLE_BINDINGS: ReadonlySet<string> = new Set([
  "plain_text",
  "secret_text",
  "json",
  "version_metadata",
  "inherit",
  ...STORAGE_BINDING_TYPES,
]);

/**
 * A KV, D1 or R2 binding to a resource the account does not have is refused, as the API
 * refuses it (the Worker would otherwise run with the binding undefined).
 */
function refuseUnknownStorage(deps: ApiDeps, upload: UploadedWorker): ApiReply | undefined {
  for (const binding of upload.bindings) {
    try {
      deps.resources.hostBinding(binding);
    } catch (error) {
      if (!(error instanceof ResourceRefused)) throw error;
      return {
        status: 400,
        body: fail(error.code, `${error.message}: create it first (wrangler kv namespace create, d1 create, r2 bucket create)`),
      };
    }
  }
  return undefined;
}

/** Warns, naming each binding of an upload that the sandbox cannot give the Worker (it would be undefined at run time). */
function warnUnsupportedBindings(deps: ApiDeps, script: string, bindings: UploadedWorker["bindings"]): void {
  for (const binding of bindings) {
    if (RUNNABLE_BINDINGS.has(binding.type) || isOwnDurableObject(binding, script)) continue;
    if (binding.type === "durable_object_namespace") {
      deps.unsupported(
        `sandbox: ${script} was uploaded with binding ${binding.name} to Durable Object class ${String(binding.class_name)} of another Worker (script_name ${String(binding.script_name)}), which shipline's sandbox does not provide: env.${binding.name} is undefined when the Worker runs here (only classes of the Worker itself run)`,
      );
      continue;
    }
    deps.unsupported(
      `sandbox: ${script} was uploaded with binding ${binding.name} of type ${binding.type}, which shipline's sandbox does not provide: env.${binding.name} is undefined when the Worker runs here (Cloudflare would provide it)`,
    );
  }
}

function reply(result: unknown, status = 200): ApiReply {
  return { status, body: ok(result) };
}

function scriptMissing(name: string, code = SCRIPT_NOT_FOUND): ApiReply {
  return { status: 404, body: fail(code, `This Worker (${name}) does not exist on your account.`) };
}

/** Runs `fn` with the script named in the path, or answers "not found". */
function withScript(deps: ApiDeps, fn: (script: ScriptRecord, call: ApiCall) => ApiReply | Promise<ApiReply>) {
  return (call: ApiCall) => {
    const script = deps.store.get(call.params.script ?? "");
    return script ? fn(script, call) : scriptMissing(call.params.script ?? "");
  };
}

function addAccountRoutes(router: Router, deps: ApiDeps): void {
  const account = { id: deps.accountId, name: "shipline sandbox account" };
  router
    .on("GET", "/user/tokens/verify", () => reply({ id: SANDBOX_USER.id, status: "active" }))
    .on("GET", "/user", () => reply({ id: SANDBOX_USER.id, email: SANDBOX_USER.email }))
    .on("GET", "/accounts", () => reply([account]))
    .on("GET", "/accounts/:account", () => reply(account))
    .on("GET", "/memberships", () => ({
      status: 200,
      body: ok([{ id: SANDBOX_USER.id, status: "accepted", account, roles: ["Administrator"] }], {
        page: 1,
        per_page: 20,
        count: 1,
        total_count: 1,
        total_pages: 1,
      }),
    }))
    .on("GET", "/accounts/:account/workers/subdomain", () => reply({ subdomain: deps.subdomain }))
    .on("GET", "/accounts/:account/workers/scripts", () => reply(deps.store.all().map(scriptJson)))
    // One namespace per Durable Object class a script's migrations created.
    // Newer `wrangler delete` (4.16x) reads it to find namespaces the Worker owns.
    .on("GET", "/accounts/:account/workers/durable_objects/namespaces", () => {
      const namespaces = namespacesJson(deps.store);
      const count = namespaces.length;
      return { status: 200, body: ok(namespaces, { page: 1, per_page: 1000, count, total_count: count, total_pages: count ? 1 : 0 }) };
    })
    // The sandbox runs no Containers, so the account has no container applications. Newer
    // `wrangler delete` lists them when the Worker owns a Durable Object namespace.
    .on("GET", "/accounts/:account/containers/applications", () => reply([]))
    // `wrangler delete` deletes the service (the Worker with all its environments' state).
    .on("DELETE", "/accounts/:account/workers/services/:script", (call) => deleteWorker(deps, call.params.script ?? ""))
    .on("GET", "/accounts/:account/workers/services/:script", (call) => {
      const script = deps.store.get(call.params.script ?? "");
      return script ? reply(serviceJson(script)) : scriptMissing(call.params.script ?? "", SERVICE_NOT_FOUND);
    });
}

function addScriptRoutes(router: Router, deps: ApiDeps): void {
  router
    .on("PUT", SCRIPT, (call) => legacyUpload(deps, call))
    .on("DELETE", SCRIPT, (call) => deleteWorker(deps, call.params.script ?? ""))
    // Cron triggers: `deploy` with `[triggers] crons`, and `triggers deploy`, replace them all.
    .on(
      "PUT",
      `${SCRIPT}/schedules`,
      withScript(deps, (s, call) => putSchedules(deps, s, call.json)),
    )
    .on(
      "GET",
      `${SCRIPT}/schedules`,
      withScript(deps, (s) => reply(schedulesJson(s))),
    )
    .on(
      "GET",
      `${SCRIPT}/deployments`,
      withScript(deps, (s) => reply({ deployments: s.deployments.map(deploymentJson) })),
    )
    .on(
      "POST",
      `${SCRIPT}/deployments`,
      withScript(deps, (s, call) => createDeployment(deps, s, call.json)),
    )
    .on(
      "GET",
      `${SCRIPT}/settings`,
      withScript(deps, (s) => reply(settingsJson(s, currentMainVersion(s)))),
    )
    .on(
      "GET",
      `${SCRIPT}/script-settings`,
      withScript(deps, (s) => reply(scriptSettings(s))),
    )
    .on(
      "GET",
      WORKER,
      withScript(deps, (s) => reply(workerJson(s))),
    )
    .on(
      "PATCH",
      WORKER,
      withScript(deps, (s, call) => {
        const patch = (call.json ?? {}) as { previews_base_config?: unknown };
        if (patch.previews_base_config && typeof patch.previews_base_config === "object") s.previewsBaseConfig = patch.previews_base_config;
        return reply(workerJson(s));
      }),
    )
    // `wrangler secret list`; newer wrangler also lists a Worker's secrets before a deploy (a var must not shadow one).
    .on(
      "GET",
      `${SCRIPT}/secrets`,
      withScript(deps, (s) => reply(secretsJson(currentMainVersion(s)))),
    )
    // `wrangler secret put`: JSON `{ name, text, type: "secret_text" }`, stdin-fed by wrangler.
    .on("PUT", `${SCRIPT}/secrets`, (call) => putSecret(deps, call))
    // `wrangler secret delete <name>` (`?url_encoded=true`: the name is percent-encoded in the path).
    .on(
      "DELETE",
      `${SCRIPT}/secrets/:secret`,
      withScript(deps, (s, call) => deleteSecret(deps, s, call.params.secret ?? "")),
    )
    // `wrangler secret bulk` since about 4.150: a JSON merge patch `{ secrets: { NAME: { name, text, type } | null } }`.
    .on("PATCH", `${SCRIPT}/secrets-bulk`, (call) => patchSecretsBulk(deps, call))
    // `wrangler secret bulk` before that: multipart `settings` = `{ bindings }`; a binding with only type and name keeps its value.
    .on(
      "PATCH",
      `${SCRIPT}/settings`,
      withScript(deps, (s, call) => patchSettings(deps, s, call)),
    )
    .on(
      "PATCH",
      `${SCRIPT}/script-settings`,
      withScript(deps, (s, call) => {
        const tags = (call.json as { tags?: unknown } | undefined)?.tags;
        if (Array.isArray(tags)) s.tags = tags.filter((t): t is string => typeof t === "string");
        return reply(scriptSettings(s));
      }),
    )
    .on(
      "GET",
      `${SCRIPT}/subdomain`,
      withScript(deps, (s) => reply(subdomainJson(s))),
    )
    .on(
      "POST",
      `${SCRIPT}/subdomain`,
      withScript(deps, (s, call) => {
        const body = (call.json ?? {}) as { enabled?: unknown; previews_enabled?: unknown };
        if (typeof body.enabled === "boolean") s.subdomainEnabled = body.enabled;
        s.previewsEnabled = typeof body.previews_enabled === "boolean" ? body.previews_enabled : s.subdomainEnabled;
        return reply(subdomainJson(s));
      }),
    );
}

function addVersionRoutes(router: Router, deps: ApiDeps): void {
  router
    .on("POST", `${SCRIPT}/versions`, async (call) => {
      const parsed = await readUpload(call);
      if ("status" in parsed) return parsed;
      const refused =
        missingInherited(deps, call.params.script ?? "", parsed) ?? refuseUnknownStorage(deps, parsed) ?? refuseVersionMigrations(parsed);
      if (refused) return refused;
      const durableObjects = planMigrations(deps, call.params.script ?? "", parsed);
      if ("status" in durableObjects) return durableObjects;
      warnUnsupportedBindings(deps, call.params.script ?? "", parsed.bindings);
      const version = deps.store.addVersion(call.params.script ?? "", parsed, "upload");
      durableObjects.commit();
      return reply(versionJson(version));
    })
    .on(
      "GET",
      `${SCRIPT}/versions`,
      withScript(deps, (s) => reply({ items: [...s.versions].reverse().map(versionJson) })),
    )
    .on(
      "GET",
      `${SCRIPT}/versions/:version`,
      withScript(deps, (s, call) => {
        const version = findVersion(s, call.params.version ?? "");
        if (version) return reply(versionJson(version));
        return { status: 404, body: fail(10025, `Version ${call.params.version} not found`) };
      }),
    );
}

/** First-deploy path: upload a version and deploy it at 100% in one call. */
async function legacyUpload(deps: ApiDeps, call: ApiCall): Promise<ApiReply> {
  const parsed = await readUpload(call);
  if ("status" in parsed) return parsed;
  const name = call.params.script ?? "";
  const refused = missingInherited(deps, name, parsed) ?? refuseUnknownStorage(deps, parsed);
  if (refused) return refused;
  const durableObjects = planMigrations(deps, name, parsed);
  if ("status" in durableObjects) return durableObjects;
  warnUnsupportedBindings(deps, name, parsed.bindings);
  const version = deps.store.addVersion(name, parsed, "upload");
  durableObjects.commit();
  const message = version.annotations["workers/message"];
  deps.store.deploy(name, [{ version_id: version.id, percentage: 100 }], message ? { "workers/message": message } : {});
  await deps.deploymentsChanged();
  const script = deps.store.ensure(name);
  // The API returns the new version's id under `deployment_id` here (wrangler.md 2.1).
  return reply({ ...scriptJson(script), deployment_id: version.id, startup_time_ms: 1 });
}

/**
 * An `inherit` binding (wrangler sends one per `secrets.required` name it does not upload) for
 * a name the latest version does not have is refused, as the API refuses it: code 10057,
 * "inherit binding '<name>' is invalid", which wrangler turns into "required secrets have not been set".
 */
function missingInherited(deps: ApiDeps, name: string, upload: UploadedWorker): ApiReply | undefined {
  const previous = deps.store.get(name)?.versions.at(-1);
  const missing = upload.bindings.filter((b) => b.type === "inherit" && !previous?.bindings.some((old) => old.name === b.name));
  if (missing.length === 0) return undefined;
  return {
    status: 400,
    body: {
      success: false,
      errors: missing.map((b) => ({ code: INVALID_INHERIT_BINDING, message: `inherit binding '${b.name}' is invalid` })),
      messages: [],
      result: null,
    },
  };
}

/** Checks an upload's Durable Object migrations and bindings; `commit` records the migrations once the version is stored. */
/**
 * Cloudflare applies Durable Object migrations with a script upload (`wrangler deploy`) only:
 * a version upload that carries them is refused (wrangler itself never sends them there). The
 * error code is not confirmed against the real API.
 */
const MIGRATIONS_ON_VERSION_UPLOAD = 10211;

function refuseVersionMigrations(upload: UploadedWorker): ApiReply | undefined {
  if (upload.migrations === undefined || upload.migrations === null) return undefined;
  return {
    status: 400,
    body: fail(
      MIGRATIONS_ON_VERSION_UPLOAD,
      "Durable Object migrations cannot be applied by uploading a version: deploy the Worker (wrangler deploy) to apply them",
    ),
  };
}

function planMigrations(deps: ApiDeps, script: string, upload: UploadedWorker): ApiReply | { commit: () => void } {
  try {
    return { commit: planDurableObjects(deps.store, script, upload) };
  } catch (error) {
    if (!(error instanceof DurableObjectRefused)) throw error;
    return { status: 400, body: fail(error.code, error.message) };
  }
}

async function readUpload(call: ApiCall) {
  try {
    const { upload, summary } = await parseUpload(await call.request.formData());
    call.recordBody(summary);
    return upload;
  } catch (error) {
    const code = error instanceof UploadRejected ? error.code : 10021;
    const message = error instanceof Error ? error.message : String(error);
    return { status: 400, body: fail(code, `Upload rejected: ${message}`) };
  }
}

async function createDeployment(deps: ApiDeps, script: ScriptRecord, json: unknown): Promise<ApiReply> {
  const body = (json ?? {}) as { versions?: unknown; annotations?: unknown };
  const versions = Array.isArray(body.versions) ? body.versions : [];
  try {
    const deployment = deps.store.deploy(script.name, versions, stringRecord(body.annotations));
    await deps.deploymentsChanged();
    return reply(deploymentJson(deployment));
  } catch (error) {
    if (!(error instanceof DeploymentRefused)) throw error;
    return { status: error.code === 10025 ? 404 : 400, body: fail(error.code, error.message) };
  }
}

async function deleteWorker(deps: ApiDeps, name: string): Promise<ApiReply> {
  if (!deps.store.get(name)) return scriptMissing(name);
  deps.store.delete(name);
  await deps.deploymentsChanged();
  return reply(null);
}

function putSchedules(deps: ApiDeps, script: ScriptRecord, json: unknown): ApiReply {
  const given = Array.isArray(json) ? json : undefined;
  const crons = given?.map((entry: unknown) => (entry as { cron?: unknown } | null)?.cron);
  if (!crons?.every((cron): cron is string => typeof cron === "string" && cron.trim() !== "")) {
    return { status: 400, body: fail(10021, 'Schedules must be a list of { "cron": <expression> }') };
  }
  const now = deps.store.timestamp();
  script.schedules = crons.map((cron) => ({ cron, createdOn: script.schedules.find((s) => s.cron === cron)?.createdOn ?? now }));
  if (crons.length > 0) {
    deps.unsupported(
      `sandbox: ${script.name} has cron triggers (${crons.join(", ")}), which the sandbox stores but never fires: its scheduled() handler does not run here`,
    );
  }
  return reply(schedulesJson(script));
}

function schedulesJson(script: ScriptRecord): Record<string, unknown> {
  return { schedules: script.schedules.map((s) => ({ cron: s.cron, created_on: s.createdOn, modified_on: s.createdOn })) };
}

/** A secret edit: a new version with the changed bindings, live at 100% (see `SandboxStore.editSettings`). */
async function editSecrets(
  deps: ApiDeps,
  script: ScriptRecord,
  change: (bindings: readonly BindingRecord[]) => BindingRecord[],
  result: unknown,
): Promise<ApiReply> {
  try {
    deps.store.editSettings(script.name, change, "secret");
  } catch (error) {
    if (!(error instanceof DeploymentRefused)) throw error;
    return { status: 400, body: fail(error.code, error.message) };
  }
  await deps.deploymentsChanged();
  return reply(result);
}

function putSecret(deps: ApiDeps, call: ApiCall): Promise<ApiReply> | ApiReply {
  const body = (call.json ?? {}) as { name?: unknown; text?: unknown; type?: unknown };
  // The request log is readable by anything holding the sandbox: the value leaves it first, whatever the answer.
  call.recordBody({ ...body, ...(body.text === undefined ? {} : { text: "[redacted]" }) });
  const script = deps.store.get(call.params.script ?? "");
  if (!script) return scriptMissing(call.params.script ?? "");
  if (typeof body.name !== "string" || body.name === "" || typeof body.text !== "string" || body.type !== "secret_text") {
    return { status: 400, body: fail(10021, 'A secret needs { "name": <text>, "text": <text>, "type": "secret_text" }') };
  }
  const secret: BindingRecord = { name: body.name, type: "secret_text", text: body.text };
  return editSecrets(deps, script, (bindings) => [...bindings.filter((b) => b.name !== secret.name), secret], {
    name: secret.name,
    type: secret.type,
  });
}

/** `PATCH …/secrets-bulk`: each named secret set (`{ name, text, type }`) or removed (`null`), in one new version. */
function patchSecretsBulk(deps: ApiDeps, call: ApiCall): Promise<ApiReply> | ApiReply {
  const given = (call.json as { secrets?: unknown } | undefined)?.secrets;
  const entries = given !== null && typeof given === "object" ? Object.entries(given as Record<string, unknown>) : [];
  // The request log is readable by anything holding the sandbox: values leave it first, whatever the answer.
  call.recordBody({
    secrets: Object.fromEntries(
      entries.map(([name, value]) => [name, value === null ? null : { ...(value as object), text: "[redacted]" }]),
    ),
  });
  const script = deps.store.get(call.params.script ?? "");
  if (!script) return scriptMissing(call.params.script ?? "");
  const set: BindingRecord[] = [];
  const removed = new Set<string>();
  for (const [name, value] of entries) {
    if (value === null) {
      removed.add(name);
      continue;
    }
    const secret = value as { text?: unknown; type?: unknown };
    if (typeof secret.text !== "string" || (secret.type !== undefined && secret.type !== "secret_text")) {
      return { status: 400, body: fail(10021, `Secret ${name} needs { "name": <text>, "text": <text>, "type": "secret_text" } or null`) };
    }
    set.push({ name, type: "secret_text", text: secret.text });
  }
  if (entries.length === 0) return { status: 400, body: fail(10021, 'The body needs { "secrets": { NAME: { … } | null } }') };
  const names = new Set([...set.map((b) => b.name), ...removed]);
  return editSecrets(deps, script, (bindings) => [...bindings.filter((b) => !names.has(b.name)), ...set], null);
}

function deleteSecret(deps: ApiDeps, script: ScriptRecord, name: string): Promise<ApiReply> | ApiReply {
  const latest = script.versions.at(-1);
  if (!latest?.bindings.some((b) => b.name === name && SECRET_TYPES.has(b.type))) {
    return { status: 404, body: fail(SECRET_NOT_FOUND, `Secret ${name} not found on Worker ${script.name}`) };
  }
  return editSecrets(deps, script, (bindings) => bindings.filter((b) => b.name !== name), null);
}

async function patchSettings(deps: ApiDeps, script: ScriptRecord, call: ApiCall): Promise<ApiReply> {
  let settings: { bindings?: unknown };
  try {
    const part = (await call.request.formData()).get("settings");
    settings = JSON.parse(typeof part === "string" ? part : ((await part?.text()) ?? "")) as { bindings?: unknown };
  } catch {
    return { status: 400, body: fail(10021, "The settings part is not a JSON object") };
  }
  const given = Array.isArray(settings.bindings) ? settings.bindings.filter(isNamedBinding) : [];
  call.recordBody({ settings: { bindings: given.map((b) => (b.type === "secret_text" ? { ...b, text: "[redacted]" } : b)) } });
  const latest = script.versions.at(-1);
  const unknown = given.filter((b) => Object.keys(b).length === 2 && !latest?.bindings.some((old) => old.name === b.name));
  if (unknown.length > 0) {
    return { status: 400, body: fail(INVALID_INHERIT_BINDING, `Bindings to keep do not exist: ${unknown.map((b) => b.name).join(", ")}`) };
  }
  // A binding given with only its type and name keeps what the latest version has; one not given is removed.
  const change = (old: readonly BindingRecord[]) =>
    given.map((b) => (Object.keys(b).length === 2 ? (old.find((o) => o.name === b.name) ?? b) : b));
  return editSecrets(deps, script, change, settingsJson(script, latest));
}

function isNamedBinding(value: unknown): value is BindingRecord {
  const record = value as Record<string, unknown> | null;
  return typeof record === "object" && record !== null && typeof record.name === "string" && typeof record.type === "string";
}

/** The version with the largest share of the current deployment. */
function currentMainVersion(script: ScriptRecord) {
  const shares = [...(script.deployments[0]?.versions ?? [])].sort((a, b) => b.percentage - a.percentage);
  const top = shares[0];
  return top ? findVersion(script, top.version_id) : script.versions.at(-1);
}

/** The secret bindings of a version, by name and type only: the API never returns secret values. */
function secretsJson(
  version: { readonly bindings: ReadonlyArray<{ readonly name?: unknown; readonly type?: unknown }> } | undefined,
): Array<Record<string, unknown>> {
  return (version?.bindings ?? []).filter((b) => SECRET_TYPES.has(String(b.type))).map((b) => ({ name: b.name, type: b.type }));
}

function scriptSettings(script: ScriptRecord): Record<string, unknown> {
  return { logpush: false, tags: [...script.tags], tail_consumers: [], observability: { enabled: false } };
}

/** The Worker as the newer Workers API resource shows it: its workers.dev state and preview settings. */
function workerJson(script: ScriptRecord): Record<string, unknown> {
  return {
    id: script.tag,
    name: script.name,
    created_on: script.createdOn,
    updated_on: script.modifiedOn,
    subdomain: subdomainJson(script),
    previews_base_config: script.previewsBaseConfig ?? {},
    tags: [...script.tags],
  };
}

function subdomainJson(script: ScriptRecord): Record<string, unknown> {
  return { enabled: script.subdomainEnabled, previews_enabled: script.previewsEnabled };
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [key, item] of Object.entries(value)) if (typeof item === "string") out[key] = item;
  return out;
}
