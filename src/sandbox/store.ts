/**
 * In-memory account state of the sandbox: scripts, their immutable versions and their
 * deployments. No HTTP and no runtime here, so the rules can be tested on their own.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { DeploymentView, ScriptView, VersionView } from "./types.js";

/** One module of an uploaded Worker. `type` is the multipart part's content type. */
export interface ModuleRecord {
  readonly name: string;
  readonly type: string;
  readonly contents: Uint8Array;
}

/** One uploaded binding, as in the upload metadata (`{ name, type, ... }`). */
export type BindingRecord = Readonly<Record<string, unknown>> & { readonly name: string; readonly type: string };

/** What an upload carries, already parsed from multipart. */
export interface UploadedWorker {
  readonly mainModule: string;
  /** True for the service-worker format (`body_part` instead of `main_module`). */
  readonly serviceWorker: boolean;
  readonly modules: readonly ModuleRecord[];
  readonly bindings: readonly BindingRecord[];
  readonly compatibilityDate?: string;
  readonly compatibilityFlags: readonly string[];
  readonly annotations: Readonly<Record<string, string>>;
  /** Binding types to copy from the previous version when the upload does not define them. */
  readonly keepBindings: readonly string[];
  /** Durable Object migrations of the upload metadata (durable-objects.ts applies them). */
  readonly migrations?: unknown;
}

export interface VersionRecord extends UploadedWorker {
  readonly id: string;
  readonly number: number;
  readonly script: string;
  readonly createdOn: string;
  readonly etag: string;
}

export interface DeploymentRecord {
  readonly id: string;
  readonly createdOn: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly versions: ReadonlyArray<{ readonly version_id: string; readonly percentage: number }>;
}

export interface ScriptRecord {
  readonly name: string;
  readonly tag: string;
  readonly createdOn: string;
  modifiedOn: string;
  /** Oldest first. */
  readonly versions: VersionRecord[];
  /** Newest first. */
  readonly deployments: DeploymentRecord[];
  tags: string[];
  subdomainEnabled: boolean;
  previewsEnabled: boolean;
  /** Preview settings set through the Workers resource (the sandbox serves no previews). */
  previewsBaseConfig?: unknown;
  /** Cron triggers (`PUT …/schedules` replaces them all). */
  schedules: Array<{ readonly cron: string; readonly createdOn: string }>;
}

/** Why a deployment request was refused; the API maps it to an error envelope. */
export class DeploymentRefused extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** The API's code for a secret edit while the latest version is not deployed (wrangler's VERSION_NOT_DEPLOYED_ERR_CODE). */
export const VERSION_NOT_DEPLOYED = 10215;

/** Platform limit: a deployment splits traffic between at most two versions. */
const MAX_VERSIONS_PER_DEPLOYMENT = 2;

/** Holds every script of the sandbox account. */
export class SandboxStore {
  readonly #scripts = new Map<string, ScriptRecord>();
  #lastTime = 0;

  /** The script, or undefined when it does not exist. */
  get(name: string): ScriptRecord | undefined {
    return this.#scripts.get(name);
  }

  /** Every script in creation order. */
  all(): ScriptRecord[] {
    return [...this.#scripts.values()];
  }

  /** The script, created empty when missing. */
  ensure(name: string): ScriptRecord {
    const existing = this.#scripts.get(name);
    if (existing) return existing;
    const now = this.timestamp();
    const created: ScriptRecord = {
      name,
      tag: randomBytes(16).toString("hex"),
      createdOn: now,
      modifiedOn: now,
      versions: [],
      deployments: [],
      tags: [],
      subdomainEnabled: false,
      previewsEnabled: false,
      schedules: [],
    };
    this.#scripts.set(name, created);
    return created;
  }

  /** Deletes a script with its versions and deployments; false when it did not exist. */
  delete(name: string): boolean {
    return this.#scripts.delete(name);
  }

  /** Stores a new immutable version of `name` (creating the script) and returns it. */
  addVersion(name: string, upload: UploadedWorker, triggeredBy: string): VersionRecord {
    const script = this.ensure(name);
    const previous = script.versions.at(-1);
    const version: VersionRecord = {
      ...upload,
      bindings: inheritBindings(upload, previous),
      annotations: { ...upload.annotations, "workers/triggered_by": triggeredBy },
      id: randomUUID(),
      number: script.versions.length + 1,
      script: name,
      createdOn: this.timestamp(),
      etag: randomBytes(32).toString("hex"),
    };
    script.versions.push(version);
    script.modifiedOn = version.createdOn;
    return version;
  }

  /** Makes `versions` the live split of `name`; throws DeploymentRefused on an invalid split. */
  deploy(
    name: string,
    versions: ReadonlyArray<{ version_id: string; percentage: number }>,
    annotations: Readonly<Record<string, string>>,
  ): DeploymentRecord {
    const script = this.#scripts.get(name);
    if (!script) throw new DeploymentRefused(`Worker ${name} does not exist`, 10007);
    validateSplit(script, versions);
    const deployment: DeploymentRecord = {
      id: randomUUID(),
      createdOn: this.timestamp(),
      annotations: { ...annotations },
      versions: versions.map((v) => ({ version_id: v.version_id, percentage: v.percentage })),
    };
    script.deployments.unshift(deployment);
    script.modifiedOn = deployment.createdOn;
    return deployment;
  }

  /**
   * A settings edit (secret put, delete, bulk): a new version of `name` copied from its latest
   * one with `bindings` changed, deployed at 100% at once, as the API does. Refused with
   * 10215 when the latest version is not the one serving all traffic: the edit would deploy a
   * version nobody deployed (wrangler then points at `versions secret put` and `--secrets-file`).
   */
  editSettings(
    name: string,
    change: (bindings: readonly BindingRecord[]) => BindingRecord[],
    triggeredBy: string,
  ): { version: VersionRecord; deployment: DeploymentRecord } {
    const script = this.#scripts.get(name);
    if (!script) throw new DeploymentRefused(`Worker ${name} does not exist`, 10007);
    const latest = script.versions.at(-1);
    const current = script.deployments[0]?.versions ?? [];
    const servesLatest = latest !== undefined && current.length === 1 && current[0]?.version_id === latest.id;
    if (!latest || !servesLatest) {
      throw new DeploymentRefused(
        "Secret edit failed: the latest version of this Worker is not the one deployed at 100%; upload a version with its secrets instead",
        VERSION_NOT_DEPLOYED,
      );
    }
    const { id: _id, number: _number, script: _script, createdOn: _created, etag: _etag, ...upload } = latest;
    // The copy is a settings change, not a release: the latest version's message and tag stay with it.
    const copy = { ...upload, bindings: change(latest.bindings), keepBindings: [], annotations: {} };
    const version = this.addVersion(name, copy, triggeredBy);
    const deployment = this.deploy(name, [{ version_id: version.id, percentage: 100 }], { "workers/triggered_by": triggeredBy });
    return { version, deployment };
  }

  /** Versions referenced by some script's current deployment: what the runtime must host. */
  liveVersions(): VersionRecord[] {
    const live: VersionRecord[] = [];
    for (const script of this.#scripts.values()) {
      for (const share of script.deployments[0]?.versions ?? []) {
        const version = findVersion(script, share.version_id);
        if (version && share.percentage > 0) live.push(version);
      }
    }
    return live;
  }

  /**
   * ISO timestamps strictly increasing across the store: wrangler sorts versions and
   * deployments by `created_on`, so two records in the same millisecond must not tie.
   */
  timestamp(): string {
    this.#lastTime = Math.max(Date.now(), this.#lastTime + 1);
    return new Date(this.#lastTime).toISOString();
  }
}

/** The version of `script` with this id (hyphenated or not), if any. */
export function findVersion(script: ScriptRecord, id: string): VersionRecord | undefined {
  const wanted = normaliseId(id);
  return script.versions.find((v) => normaliseId(v.id) === wanted);
}

/** Ids compare without hyphens and case: wrangler re-hyphenates 32-hex ids. */
function normaliseId(id: string): string {
  return id.replaceAll("-", "").toLowerCase();
}

function validateSplit(script: ScriptRecord, versions: ReadonlyArray<{ version_id: string; percentage: number }>): void {
  if (versions.length === 0 || versions.length > MAX_VERSIONS_PER_DEPLOYMENT) {
    throw new DeploymentRefused(`A deployment needs 1 to ${MAX_VERSIONS_PER_DEPLOYMENT} versions`, 10021);
  }
  let total = 0;
  for (const share of versions) {
    if (typeof share?.version_id !== "string") throw new DeploymentRefused("Each version needs a version_id", 10021);
    if (!findVersion(script, share.version_id)) {
      throw new DeploymentRefused(`Version ${share.version_id} not found for Worker ${script.name}`, 10025);
    }
    if (!Number.isFinite(share.percentage) || share.percentage < 0 || share.percentage > 100) {
      throw new DeploymentRefused(`Invalid percentage ${share.percentage}`, 10021);
    }
    total += share.percentage;
  }
  if (Math.abs(total - 100) > 1e-9) {
    throw new DeploymentRefused(`Percentages must add up to 100, got ${total}`, 10021);
  }
}

/**
 * Applies `keep_bindings` (copy bindings of these types from the previous version) and
 * `{type: "inherit"}` bindings (copy this name from the previous version), as the API does.
 */
function inheritBindings(upload: UploadedWorker, previous: VersionRecord | undefined): BindingRecord[] {
  const own = upload.bindings.filter((b) => b.type !== "inherit");
  if (!previous) return own;
  const names = new Set(own.map((b) => b.name));
  const inheritedNames = new Set(upload.bindings.filter((b) => b.type === "inherit").map((b) => b.name));
  const kept = previous.bindings.filter((b) => !names.has(b.name) && (upload.keepBindings.includes(b.type) || inheritedNames.has(b.name)));
  return [...own, ...kept];
}

/** Read-only snapshot of a script for inspection. */
export function viewScript(script: ScriptRecord): ScriptView {
  return {
    name: script.name,
    tag: script.tag,
    createdOn: script.createdOn,
    versions: script.versions.map(viewVersion),
    deployments: script.deployments.map(viewDeployment),
    tags: [...script.tags],
  };
}

function viewVersion(v: VersionRecord): VersionView {
  return {
    id: v.id,
    number: v.number,
    createdOn: v.createdOn,
    annotations: { ...v.annotations },
    mainModule: v.mainModule,
    compatibilityDate: v.compatibilityDate,
    compatibilityFlags: [...v.compatibilityFlags],
    bindings: v.bindings.map((b) => ({ ...b })),
    modules: v.modules.map((m) => ({ name: m.name, type: m.type, size: m.contents.byteLength })),
  };
}

function viewDeployment(d: DeploymentRecord): DeploymentView {
  return {
    id: d.id,
    createdOn: d.createdOn,
    annotations: { ...d.annotations },
    versions: d.versions.map((v) => ({ versionId: v.version_id, percentage: v.percentage })),
  };
}
