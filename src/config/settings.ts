/**
 * The lookup every resolved setting goes through: the input if given, else the config file's
 * key, else the table default. Errors are collected (not thrown) so that one run reports every
 * bad value at once; a bad value falls back to its default so that later checks still run.
 */
import { ConfigError } from "../core/errors.js";
import { INPUTS, inputSpec, type InputKind } from "./inputs.js";
import type { ConfigFile } from "./schema.js";
import { fromConfig, fromInput, parseByKind, type Origin } from "./values.js";

/** A resolved value and where it came from (`undefined` origin: the default). */
export interface Sourced<T> {
  readonly value: T;
  readonly origin?: Origin;
}

export class Settings {
  readonly errors: ConfigError[] = [];
  readonly warnings: string[] = [];
  private readonly parsedInputs = new Map<string, unknown>();

  constructor(
    readonly inputs: Readonly<Record<string, string>>,
    readonly file: ConfigFile,
  ) {
    // Every given input is parsed up front, so an unused but invalid one (`bump: huge` in a
    // run with a tag) still fails the run.
    for (const spec of INPUTS) {
      const raw = inputs[spec.name];
      if (raw === undefined) continue;
      const parsed = this.attempt(() => parseByKind(spec.kind, fromInput(spec.name), raw));
      if (parsed !== undefined) this.parsedInputs.set(spec.name, parsed);
    }
    // Likewise every config-file value an input overrides in this run: a broken file is an
    // error even when today's inputs happen to hide the bad key.
    for (const spec of INPUTS) {
      if (spec.configKey !== undefined && this.givenInput(spec.name)) this.fileValue(spec.configKey, spec.kind);
    }
  }

  /** Runs `fn`, recording a `ConfigError` instead of throwing it. */
  attempt<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ConfigError) {
        this.errors.push(error);
        return undefined;
      }
      throw error;
    }
  }

  /** Whether input `name` was given with a valid value. */
  hasInput(name: string): boolean {
    return this.parsedInputs.has(name);
  }

  /** Whether input `name` was given at all (valid or not). */
  givenInput(name: string): boolean {
    return this.inputs[name] !== undefined;
  }

  /** The value of input `name`: the input, else its config key, else its default. */
  get<T>(name: string): Sourced<T | undefined> {
    const spec = inputSpec(name);
    if (this.parsedInputs.has(name)) return { value: this.parsedInputs.get(name) as T, origin: fromInput(name) };
    if (this.givenInput(name)) return this.fallback<T>(spec.kind, spec.default);
    if (spec.configKey !== undefined) {
      const fromFile = this.fileValue<T>(spec.configKey, spec.kind);
      if (fromFile.value !== undefined) return fromFile;
    }
    return this.fallback<T>(spec.kind, spec.default);
  }

  /** Like `get`, for settings that always have a default. */
  require<T>(name: string): Sourced<T> {
    const sourced = this.get<T>(name);
    if (sourced.value === undefined) throw new Error(`Input "${name}" has no default.`);
    return sourced as Sourced<T>;
  }

  /** A config-file-only value at dotted `key`, parsed as `kind`. */
  fileValue<T>(key: string, kind: InputKind): Sourced<T | undefined> {
    const raw = rawAt(this.file, key);
    if (raw === undefined) return { value: undefined };
    const origin = fromConfig(key);
    return { value: this.attempt(() => parseByKind(kind, origin, raw) as T), origin };
  }

  private fallback<T>(kind: InputKind, text: string | undefined): Sourced<T | undefined> {
    if (text === undefined) return { value: undefined };
    // Table defaults are valid by construction (a test parses every one).
    return { value: parseByKind(kind, fromInput("default"), text) as T };
  }
}

/** The raw value at dotted `key` (`production.health.interval`) of the parsed file. */
export function rawAt(file: unknown, key: string): unknown {
  let node: unknown = file;
  for (const segment of key.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** How a message names where a value came from; defaults are named as such. */
export function describeOrigin(origin: Origin | undefined, name: string): string {
  return origin ? origin.label.replace(/^Input/, "input").replace(/^Config key/, "config key") : `the default of \`${name}\``;
}
