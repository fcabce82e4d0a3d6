/**
 * Durable Object classes a Worker implements, as its uploads' `migrations` declare them
 * (`new_classes`, `new_sqlite_classes`, `renamed_classes`, `deleted_classes`), and the
 * account's Durable Object namespaces built from them. The objects themselves run in the
 * Workers runtime (runtime.ts): one host object per (script, class, object id) runs the
 * class of the script's newest live version as a facet, so state survives new versions.
 */
import { createHash } from "node:crypto";
import type { BindingRecord, ScriptRecord, SandboxStore, UploadedWorker } from "./store.js";

/** One class a script implements; `sqlite` for `new_sqlite_classes`. */
export interface DurableObjectClass {
  readonly name: string;
  readonly sqlite: boolean;
}

interface ScriptDurableObjects {
  readonly tag: string | undefined;
  readonly classes: readonly DurableObjectClass[];
}

/** Why an upload's migrations or Durable Object bindings were refused; the API answers 400 with this code. */
export class DurableObjectRefused extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/**
 * Not confirmed against the real API: codes it uses for a migration whose `old_tag` is not the
 * script's tag, an invalid step, and a binding to a class no migration created (the message
 * mirrors Cloudflare's "not currently configured to implement Durable Objects").
 */
const MIGRATION_TAG_MISMATCH = 10079;
const MIGRATION_INVALID = 10074;
const CLASS_NOT_CONFIGURED = 10061;

/** Per script record: a deleted and re-created Worker starts with no classes. */
const state = new WeakMap<ScriptRecord, ScriptDurableObjects>();

/** The script's migration tag (`migration_tag` in `GET workers/scripts`, which wrangler reads to send only newer migrations). */
export function migrationTag(script: ScriptRecord): string | undefined {
  return state.get(script)?.tag;
}

/** The classes the script implements, in the order migrations created them. */
export function durableObjectClasses(script: ScriptRecord): readonly DurableObjectClass[] {
  return state.get(script)?.classes ?? [];
}

/** True for a binding to a class of `script` itself (no `script_name`, or its own name). */
export function isOwnDurableObject(binding: BindingRecord, script: string): boolean {
  if (binding.type !== "durable_object_namespace" || typeof binding.class_name !== "string") return false;
  return binding.script_name === undefined || binding.script_name === script;
}

/**
 * Checks an upload's migrations and Durable Object bindings against what the script has;
 * returns the function that records the migrations once the version is stored. Throws
 * DurableObjectRefused (nothing recorded) when they do not fit.
 */
export function planDurableObjects(store: SandboxStore, scriptName: string, upload: UploadedWorker): () => void {
  const script = store.get(scriptName);
  const current: ScriptDurableObjects = (script && state.get(script)) ?? { tag: undefined, classes: [] };
  const next = applyMigrations(current, upload.migrations);
  for (const binding of upload.bindings) {
    if (!isOwnDurableObject(binding, scriptName)) continue;
    const className = String(binding.class_name);
    if (!next.classes.some((c) => c.name === className)) {
      throw new DurableObjectRefused(
        `Cannot create binding ${binding.name} for class '${className}' that is not currently configured to implement Durable Objects. Did you forget to apply a Durable Object migration (new_sqlite_classes or new_classes)?`,
        CLASS_NOT_CONFIGURED,
      );
    }
  }
  return () => {
    const target = store.get(scriptName);
    if (target && next !== current) state.set(target, next);
  };
}

interface MigrationStep {
  new_classes?: unknown;
  new_sqlite_classes?: unknown;
  renamed_classes?: unknown;
  deleted_classes?: unknown;
  transferred_classes?: unknown;
}

/** Applies `migrations` (wrangler sends `{ old_tag?, new_tag, steps }`) to `current`; absent migrations change nothing. */
export function applyMigrations(current: ScriptDurableObjects, migrations: unknown): ScriptDurableObjects {
  if (migrations === undefined || migrations === null) return current;
  if (typeof migrations !== "object") throw invalid("migrations must be an object");
  const m = migrations as { old_tag?: unknown; new_tag?: unknown; steps?: unknown } & MigrationStep;
  if ((m.old_tag ?? undefined) !== current.tag) {
    throw new DurableObjectRefused(
      `Migration tag precondition failed: old_tag ${JSON.stringify(m.old_tag ?? null)} is not the script's current migration tag ${JSON.stringify(current.tag ?? null)}`,
      MIGRATION_TAG_MISMATCH,
    );
  }
  if (m.new_tag !== undefined && typeof m.new_tag !== "string") throw invalid("new_tag must be a string");
  const steps: MigrationStep[] = Array.isArray(m.steps) ? (m.steps as MigrationStep[]) : [m];
  const classes = new Map(current.classes.map((c) => [c.name, c]));
  for (const step of steps) {
    if (step.transferred_classes !== undefined) throw invalid("transferred_classes is not supported by shipline's sandbox");
    for (const [field, sqlite] of [
      ["new_classes", false],
      ["new_sqlite_classes", true],
    ] as const) {
      for (const name of names(step[field], field)) {
        if (classes.has(name)) throw invalid(`${field}: class ${name} already exists`);
        classes.set(name, { name, sqlite });
      }
    }
    for (const rename of list(step.renamed_classes, "renamed_classes")) {
      const { from, to } = (rename ?? {}) as { from?: unknown; to?: unknown };
      const existing = typeof from === "string" ? classes.get(from) : undefined;
      if (!existing || typeof to !== "string" || classes.has(to))
        throw invalid(`renamed_classes: cannot rename ${String(from)} to ${String(to)}`);
      classes.delete(existing.name);
      classes.set(to, { name: to, sqlite: existing.sqlite });
    }
    for (const name of names(step.deleted_classes, "deleted_classes")) {
      if (!classes.delete(name)) throw invalid(`deleted_classes: class ${name} does not exist`);
    }
  }
  return { tag: typeof m.new_tag === "string" ? m.new_tag : current.tag, classes: [...classes.values()] };
}

function list(value: unknown, field: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(`${field} must be an array`);
  return value;
}

function names(value: unknown, field: string): string[] {
  const items = list(value, field);
  if (!items.every((n): n is string => typeof n === "string" && n !== "")) throw invalid(`${field} must list class names`);
  return items;
}

function invalid(message: string): DurableObjectRefused {
  return new DurableObjectRefused(`Invalid Durable Object migration: ${message}`, MIGRATION_INVALID);
}

/** `GET durable_objects/namespaces`: one namespace per class a script implements. */
export function namespacesJson(store: SandboxStore): Array<Record<string, unknown>> {
  return store.all().flatMap((script) =>
    durableObjectClasses(script).map((c) => ({
      id: namespaceId(script.name, c.name),
      name: `${script.name}_${c.name}`,
      script: script.name,
      class: c.name,
      use_sqlite: c.sqlite,
    })),
  );
}

/** A stable 32-hex namespace id for (script, class). */
function namespaceId(script: string, className: string): string {
  return createHash("sha256").update(`${script}\u0000${className}`).digest("hex").slice(0, 32);
}
