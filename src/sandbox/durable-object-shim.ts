/**
 * What a loaded Worker with Durable Object bindings runs in the sandbox: a main module that
 * re-exports the Worker's own main module, handing its handlers and classes an `env` where each
 * Durable Object binding is a namespace object (`idFromName`, `idFromString`, `newUniqueId`,
 * `get`, `getByName`) whose stubs reach the host worker's namespace entrypoint over RPC (see
 * runtime.ts). A namespace binding itself cannot cross into a loaded Worker (workerd cannot
 * serialise it), and an RPC stub alone would make `idFromName` asynchronous.
 *
 * Ids are computed in the Worker: `idFromName` hashes class and name into 64 hex digits (not
 * Cloudflare's ids, but stable, so `idFromString(id.toString())` reaches the same object).
 * Inside the object, `ctx.id` of a named object is the runtime's own id for that name (so
 * `ctx.id.name` works); its hex differs from the one the caller saw.
 */
import type { BindingRecord, VersionRecord } from "./store.js";
import type { LoaderModule } from "./worker-options.js";
import { isOwnDurableObject } from "./durable-objects.js";

/** The loader main module of a version with Durable Object bindings. */
export const SHIM_MAIN = "__shipline_sandbox_main.js";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The bindings of `version` to its own Durable Object classes. */
export function ownDurableObjectBindings(version: VersionRecord): BindingRecord[] {
  return version.bindings.filter((b) => isOwnDurableObject(b, version.script));
}

/** The shim module for `version`, or undefined when it has no binding to its own classes. */
export function durableObjectShim(version: VersionRecord): LoaderModule | undefined {
  const bindings = ownDurableObjectBindings(version);
  if (bindings.length === 0) return undefined;
  const main = JSON.stringify(`./${version.mainModule}`);
  const classes = [...new Set(bindings.map((b) => String(b.class_name)))].filter((c) => IDENTIFIER.test(c) && c !== "default");
  // Exported under a local alias, so that no class name can clash with the shim's own names.
  const exportsOfClasses = classes
    .map((c, i) => `const __shiplineClass${i} = wrapClass(user.${c});\nexport { __shiplineClass${i} as ${c} };`)
    .join("\n");
  const namespaces = JSON.stringify(bindings.map((b) => [b.name, String(b.class_name)]));
  return {
    js: `import * as user from ${main};\nexport * from ${main};\nconst BINDINGS = ${namespaces};\n${SHIM_BODY}\n${exportsOfClasses}\n`,
  };
}

const SHIM_BODY = `
const HEX = /^[0-9a-f]{64}$/;
function hashHex(text) {
  const bytes = new TextEncoder().encode(text);
  let out = "";
  for (let round = 1; round <= 8; round++) {
    let h = (0x811c9dc5 ^ Math.imul(round, 0x9e3779b1)) >>> 0;
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    out += ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, "0");
  }
  return out;
}
class DurableObjectId {
  #hex; #name;
  constructor(hex, name) { this.#hex = hex; this.#name = name; }
  get name() { return this.#name; }
  toString() { return this.#hex; }
  equals(other) { return other instanceof DurableObjectId && other.#hex === this.#hex; }
}
function stubFor(rpc, id) {
  const hex = id.toString();
  const name = id.name;
  const base = { id, name, fetch: (input, init) => rpc.objectFetch(hex, name, new Request(input, init)) };
  return new Proxy(base, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (typeof prop !== "string" || prop === "then") return undefined;
      return (...args) => rpc.objectCall(hex, name, prop, args);
    },
  });
}
class DurableObjectNamespace {
  #className; #rpc;
  constructor(className, rpc) { this.#className = className; this.#rpc = rpc; }
  idFromName(name) { return new DurableObjectId(hashHex(this.#className + "\\u0000" + String(name)), String(name)); }
  idFromString(hex) {
    if (typeof hex !== "string" || !HEX.test(hex)) throw new TypeError("Invalid Durable Object ID: expected 64 hex digits");
    return new DurableObjectId(hex);
  }
  newUniqueId() {
    return new DurableObjectId([...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join(""));
  }
  get(id) {
    if (!(id instanceof DurableObjectId)) throw new TypeError("get() expects an id from this namespace (idFromName, idFromString or newUniqueId)");
    return stubFor(this.#rpc, id);
  }
  getByName(name) { return this.get(this.idFromName(name)); }
  jurisdiction() { return this; }
}
const wrapped = new WeakMap();
function wrapEnv(env) {
  if (env === null || typeof env !== "object") return env;
  let out = wrapped.get(env);
  if (!out) {
    out = { ...env };
    for (const [name, className] of BINDINGS) if (env[name]) out[name] = new DurableObjectNamespace(className, env[name]);
    wrapped.set(env, out);
  }
  return out;
}
function wrapClass(C) {
  if (typeof C !== "function") return C;
  const W = class extends C { constructor(ctx, env) { super(ctx, wrapEnv(env)); } };
  Object.defineProperty(W, "name", { value: C.name });
  return W;
}
function wrapHandlers(handlers) {
  if (handlers === null || typeof handlers !== "object") return handlers;
  const out = Object.create(handlers);
  for (const key of ["fetch", "scheduled", "queue", "email", "tail", "trace", "tailStream", "test"]) {
    const handler = handlers[key];
    if (typeof handler === "function") out[key] = (event, env, ctx) => handler.call(handlers, event, wrapEnv(env), ctx);
  }
  return out;
}
export default typeof user.default === "function" ? wrapClass(user.default) : wrapHandlers(user.default);
`;
