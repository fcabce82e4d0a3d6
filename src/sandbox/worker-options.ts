/**
 * Turns a stored Worker version into the spec workerd's Worker Loader takes
 * (`{ compatibilityDate, compatibilityFlags, mainModule, modules, env }`), as JSON: binary
 * modules travel base64-encoded and the host worker decodes them.
 */
import type { BindingRecord, ModuleRecord, VersionRecord } from "./store.js";
import type { SandboxResources } from "./resources.js";
import type { SandboxLogger } from "./types.js";
import { isOwnDurableObject } from "./durable-objects.js";
import { SHIM_MAIN, durableObjectShim } from "./durable-object-shim.js";

/**
 * Key of the JSON stand-in for a storage binding in a spec's `env`: the host worker replaces
 * `{ [STORAGE_MARKER]: { kind, hostName } }` with a stub reaching its own Miniflare binding.
 */
export const STORAGE_MARKER = "$shiplineStorage";

/** The host worker's Durable Object namespace: one host object per (script, class, object id). */
export const DO_HOST_BINDING = "DO_HOST";

/** One module as the host worker receives it; `b64` marks base64 contents. */
export type LoaderModule = { js: string } | { cjs: string } | { text: string } | { data: string; b64: true } | { wasm: string; b64: true };

export interface LoaderSpec {
  compatibilityDate: string;
  compatibilityFlags: string[];
  mainModule: string;
  modules: Record<string, LoaderModule>;
  env: Record<string, unknown>;
}

/** Used when an upload names no compatibility date (the platform would pick its oldest). */
const FALLBACK_COMPATIBILITY_DATE = "2024-01-01";

/** The Worker Loader spec of a version. Unsupported modules and bindings are left out with a warning. */
export function loaderSpecFor(version: VersionRecord, logger?: SandboxLogger, resources?: SandboxResources): LoaderSpec {
  const modules = modulesFor(version, logger);
  // Durable Object bindings need a main module that gives the Worker namespace objects (see durable-object-shim.ts).
  const shim = modules[version.mainModule] ? durableObjectShim(version) : undefined;
  return {
    compatibilityDate: version.compatibilityDate ?? FALLBACK_COMPATIBILITY_DATE,
    compatibilityFlags: [...version.compatibilityFlags],
    mainModule: shim ? SHIM_MAIN : version.mainModule,
    modules: shim ? { ...modules, [SHIM_MAIN]: shim } : modules,
    env: bindingsFor(version, logger, resources),
  };
}

function modulesFor(version: VersionRecord, logger?: SandboxLogger): Record<string, LoaderModule> {
  const modules: Record<string, LoaderModule> = {};
  for (const module of version.modules) {
    const converted = convertModule(module, version.serviceWorker && module.name === version.mainModule);
    if (converted) modules[module.name] = converted;
    else if (module.type !== "application/source-map") {
      logger?.warn(`sandbox: module ${module.name} (${module.type}) of version ${version.id} is not supported; left out`);
    }
  }
  return modules;
}

/** Maps an upload part's content type (as wrangler sends it) to a loader module. */
function convertModule(module: ModuleRecord, serviceWorkerMain: boolean): LoaderModule | undefined {
  const text = () => new TextDecoder().decode(module.contents);
  const base64 = () => Buffer.from(module.contents).toString("base64");
  // The loader runs ES modules only; a service-worker script is not supported.
  if (serviceWorkerMain) return undefined;
  switch (module.type) {
    case "application/javascript+module":
      return { js: text() };
    case "application/javascript":
    case "text/javascript":
      return { cjs: text() };
    case "text/plain":
      return { text: text() };
    case "application/octet-stream":
      return { data: base64(), b64: true };
    case "application/wasm":
      return { wasm: base64(), b64: true };
    default:
      return undefined;
  }
}

/**
 * plain_text, secret_text and json become env values; version_metadata gets this version's id
 * and tag; KV, D1 and R2 bindings reach Miniflare's local storage through the host worker, and
 * Durable Object bindings to the Worker's own classes its Durable Object host.
 */
function bindingsFor(version: VersionRecord, logger?: SandboxLogger, resources?: SandboxResources): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const binding of version.bindings) {
    const value = bindingValue(binding, version) ?? storageValue(binding, resources) ?? durableObjectValue(binding, version);
    if (value === undefined) {
      logger?.warn(`sandbox: binding ${binding.name} of type ${binding.type} is not supported; left out of version ${version.id}`);
    } else {
      env[binding.name] = value;
    }
  }
  return env;
}

function bindingValue(binding: BindingRecord, version: VersionRecord): unknown {
  switch (binding.type) {
    case "plain_text":
    case "secret_text":
      return typeof binding.text === "string" ? binding.text : "";
    case "json":
      return binding.json;
    case "version_metadata":
      return { id: version.id, tag: version.annotations["workers/tag"] ?? "", timestamp: version.createdOn };
    default:
      return undefined;
  }
}

/** KV, D1 and R2 bindings: a marker the host worker turns into a stub; undefined when the resource is gone. */
function storageValue(binding: BindingRecord, resources: SandboxResources | undefined): unknown {
  try {
    const host = resources?.hostBinding(binding);
    return host && { [STORAGE_MARKER]: host };
  } catch {
    return undefined;
  }
}

/** A binding to a class of the Worker itself: a marker for the host's namespace entrypoint. Other Workers' classes are not run. */
function durableObjectValue(binding: BindingRecord, version: VersionRecord): unknown {
  if (!isOwnDurableObject(binding, version.script)) return undefined;
  return { [STORAGE_MARKER]: { kind: "do", hostName: DO_HOST_BINDING, script: version.script, className: binding.class_name } };
}
