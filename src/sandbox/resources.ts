/**
 * The account's storage resources: KV namespaces, D1 databases and R2 buckets. Their data
 * lives in Miniflare's local implementations (see runtime.ts); this registry only knows which
 * exist, under which id and name, and which host-worker binding reaches each.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { BindingRecord } from "./store.js";

export interface KvNamespaceRecord {
  readonly id: string;
  readonly title: string;
}

export interface D1DatabaseRecord {
  readonly uuid: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface R2BucketRecord {
  readonly name: string;
  readonly createdAt: string;
}

/** Resources a sandbox starts with (e.g. the ids a project's wrangler config already names). */
export interface SandboxResourceSeed {
  readonly kvNamespaces?: ReadonlyArray<{ readonly title: string; readonly id?: string }>;
  readonly d1Databases?: ReadonlyArray<{ readonly name: string; readonly id?: string }>;
  readonly r2Buckets?: readonly string[];
}

/** Why a create was refused; the API answers 400 with this code. */
export class ResourceRefused extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** The kind of storage a binding reaches, and the name of the host worker's binding to it. */
export interface HostBinding {
  readonly kind: "kv" | "d1" | "r2";
  readonly hostName: string;
}

/** Storage binding types the sandbox provides. */
export const STORAGE_BINDING_TYPES: ReadonlySet<string> = new Set(["kv_namespace", "d1", "r2_bucket"]);

/** Not confirmed against the real API: codes it uses for a title/name already taken. */
const KV_TITLE_TAKEN = 10014;
const D1_NAME_TAKEN = 7502;
const R2_NAME_TAKEN = 10004;

export class SandboxResources {
  readonly #kv = new Map<string, KvNamespaceRecord>();
  readonly #d1 = new Map<string, D1DatabaseRecord>();
  readonly #r2 = new Map<string, R2BucketRecord>();
  readonly #changed: () => void;

  /** `changed` runs after every create or delete (the runtime then binds the new set). */
  constructor(changed: () => void = () => undefined) {
    this.#changed = changed;
  }

  kvNamespaces(): KvNamespaceRecord[] {
    return [...this.#kv.values()];
  }

  d1Databases(): D1DatabaseRecord[] {
    return [...this.#d1.values()];
  }

  r2Buckets(): R2BucketRecord[] {
    return [...this.#r2.values()];
  }

  /** True when no resource exists: the runtime then binds no storage at all. */
  empty(): boolean {
    return this.#kv.size + this.#d1.size + this.#r2.size === 0;
  }

  createKv(title: string, id: string = randomBytes(16).toString("hex")): KvNamespaceRecord {
    if ([...this.#kv.values()].some((ns) => ns.title === title)) {
      throw new ResourceRefused("A namespace with this account ID and title already exists", KV_TITLE_TAKEN);
    }
    const created = { id: normaliseKvId(id), title };
    this.#kv.set(created.id, created);
    this.#changed();
    return created;
  }

  kv(id: string): KvNamespaceRecord | undefined {
    return this.#kv.get(normaliseKvId(id));
  }

  deleteKv(id: string): boolean {
    const deleted = this.#kv.delete(normaliseKvId(id));
    if (deleted) this.#changed();
    return deleted;
  }

  createD1(name: string, uuid: string = randomUUID(), createdAt = new Date().toISOString()): D1DatabaseRecord {
    if (this.d1ByName(name)) throw new ResourceRefused("A database with that name already exists", D1_NAME_TAKEN);
    const created = { uuid: uuid.toLowerCase(), name, createdAt };
    this.#d1.set(created.uuid, created);
    this.#changed();
    return created;
  }

  /** A database by uuid (hyphenated or not) or by name, as the API's `database/<id or name>` finds it. */
  d1(idOrName: string): D1DatabaseRecord | undefined {
    const wanted = idOrName.replaceAll("-", "").toLowerCase();
    return [...this.#d1.values()].find((db) => db.uuid.replaceAll("-", "") === wanted) ?? this.d1ByName(idOrName);
  }

  d1ByName(name: string): D1DatabaseRecord | undefined {
    return [...this.#d1.values()].find((db) => db.name === name);
  }

  deleteD1(uuid: string): boolean {
    const found = this.d1(uuid);
    if (!found) return false;
    this.#d1.delete(found.uuid);
    this.#changed();
    return true;
  }

  createR2(name: string, createdAt = new Date().toISOString()): R2BucketRecord {
    if (this.#r2.has(name)) throw new ResourceRefused("The bucket you tried to create already exists, and you own it.", R2_NAME_TAKEN);
    const created = { name, createdAt };
    this.#r2.set(name, created);
    this.#changed();
    return created;
  }

  r2(name: string): R2BucketRecord | undefined {
    return this.#r2.get(name);
  }

  /** Adds the resources of a seed (before the runtime starts); one already there (same id or name) is skipped. */
  seed(seed: SandboxResourceSeed | undefined): void {
    for (const ns of seed?.kvNamespaces ?? []) {
      if (!(ns.id && this.kv(ns.id)) && !this.kvNamespaces().some((n) => n.title === ns.title)) this.createKv(ns.title, ns.id);
    }
    for (const db of seed?.d1Databases ?? []) if (!(db.id && this.d1(db.id)) && !this.d1ByName(db.name)) this.createD1(db.name, db.id);
    for (const bucket of seed?.r2Buckets ?? []) if (!this.r2(bucket)) this.createR2(bucket);
  }

  /** Every resource, as a seed that makes them again under the same ids. */
  snapshot(): Required<SandboxResourceSeed> {
    return {
      kvNamespaces: this.kvNamespaces().map((ns) => ({ title: ns.title, id: ns.id })),
      d1Databases: this.d1Databases().map((db) => ({ name: db.name, id: db.uuid })),
      r2Buckets: this.r2Buckets().map((b) => b.name),
    };
  }

  /**
   * The host binding a Worker's storage binding reaches; undefined for other binding types.
   * Throws ResourceRefused naming the binding when its resource does not exist.
   */
  hostBinding(binding: BindingRecord): HostBinding | undefined {
    switch (binding.type) {
      case "kv_namespace": {
        const ns = this.kv(String(binding.namespace_id ?? ""));
        if (!ns) throw new ResourceRefused(`KV namespace '${String(binding.namespace_id)}' (binding ${binding.name}) is not valid`, 10041);
        return { kind: "kv", hostName: kvHostName(ns.id) };
      }
      case "d1": {
        const db = this.d1(String(binding.id ?? ""));
        if (!db) throw new ResourceRefused(`D1 database '${String(binding.id)}' (binding ${binding.name}) was not found`, 7404);
        return { kind: "d1", hostName: d1HostName(db.uuid) };
      }
      case "r2_bucket": {
        const bucket = this.r2(String(binding.bucket_name ?? ""));
        if (!bucket)
          throw new ResourceRefused(`R2 bucket '${String(binding.bucket_name)}' (binding ${binding.name}) does not exist`, 10085);
        return { kind: "r2", hostName: r2HostName(bucket.name) };
      }
      default:
        return undefined;
    }
  }
}

/** KV ids are 32 hex characters; compared lower-case without hyphens. */
function normaliseKvId(id: string): string {
  return id.replaceAll("-", "").toLowerCase();
}

/** Host-worker binding names: plain identifiers derived from the resource's id. */
export function kvHostName(id: string): string {
  return `KV_${normaliseKvId(id)}`;
}

export function d1HostName(uuid: string): string {
  return `D1_${uuid.replaceAll("-", "").toLowerCase()}`;
}

export function r2HostName(name: string): string {
  return `R2_${Buffer.from(name).toString("hex")}`;
}
