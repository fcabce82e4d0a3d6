/**
 * What `wrangler … --env <environment>` would talk to, without starting wrangler: the Worker
 * name from the project's config, the account in wrangler's order, and an API client with
 * wrangler's base URL, credentials and proxy. The deployer reads production through this.
 * The config is read once; each environment's account is resolved once (a failed lookup is
 * tried again next time).
 */
import { DeployError } from "../../core/errors.js";
import type { Logger } from "../../core/ports.js";
import type { DeploymentInfo, Millis } from "../../core/types.js";
import { resolveAccountId } from "../cloudflare/account.js";
import { CloudflareApi, type FetchLike, type WorkerRef } from "../cloudflare/api.js";
import { connectionFor, type Connection } from "../cloudflare/connection.js";
import type { BaseEnv } from "./env.js";
import {
  accountIdFor,
  complianceRegionFor,
  readWranglerProject,
  WranglerConfigError,
  workerNameFor,
  type WranglerProject,
} from "./project.js";

export interface WranglerTargetsOptions {
  /** The folder wrangler runs in. */
  readonly workingDirectory: string;
  /** The step's environment (usually `process.env`). */
  readonly env: BaseEnv;
  /** The `cloudflare-api-token` input. */
  readonly apiToken?: string | undefined;
  /** The `cloudflare-account-id` input. */
  readonly accountId?: string | undefined;
  /** Replaces the HTTP transport (tests). */
  readonly fetch?: FetchLike;
  /** Per API request. @default 10000 */
  readonly requestTimeoutMs?: Millis;
  /** Says once per environment where the account came from, and warns when the token input is not what wrangler uses. */
  readonly logger?: Pick<Logger, "debug" | "warn">;
  /** Epoch ms, for the age of an early read. @default Date.now */
  readonly now?: () => number;
}

/** An early read is handed to the run's first read of its environment only while it is this fresh. */
export const EARLY_READ_MAX_AGE_MS: Millis = 5_000;

/** A Worker and the client that reaches it. */
export interface ResolvedTarget {
  readonly worker: WorkerRef;
  readonly api: CloudflareApi;
}

export class WranglerTargets {
  readonly #options: WranglerTargetsOptions;
  #project: WranglerProject | undefined;
  readonly #resolved = new Map<string, Promise<ResolvedTarget>>();
  readonly #early = new Map<string, { readonly at: number; readonly read: Promise<DeploymentInfo[]> }>();

  constructor(options: WranglerTargetsOptions) {
    this.#options = options;
  }

  /** The project's wrangler config, read once. Throws `DeployError` when there is none or it does not parse. */
  project(): WranglerProject {
    if (this.#project) return this.#project;
    const dir = this.#options.workingDirectory;
    let project: WranglerProject | undefined;
    try {
      project = readWranglerProject(dir);
    } catch (error) {
      if (!(error instanceof WranglerConfigError)) throw error;
      throw new DeployError(`Cannot read the wrangler config: ${error.message}`, {
        command: `read ${error.configPath}`,
        detail: error.message,
        cause: error,
      });
    }
    if (!project) {
      throw new DeployError(`${dir} holds no wrangler config (wrangler.json, wrangler.jsonc or wrangler.toml)`, {
        command: `read the wrangler config in ${dir}`,
      });
    }
    this.#project = project;
    return project;
  }

  /** The Worker `wrangler … --env <environment>` targets. */
  scriptName(environment: string): string {
    const project = this.project();
    const name = workerNameFor(project, environment);
    if (!name) {
      throw new DeployError(`${project.configPath} names no Worker for environment "${environment}"`, {
        command: `read ${project.configPath}`,
        detail: "set `name` at the top level (or in the environment's section)",
      });
    }
    return name;
  }

  /**
   * Starts reading an environment's deployments now (the action does so for production before
   * the rest of it has loaded), for the run's first read of that environment to take: see
   * `takeEarlyRead`. Its failure is the taker's to handle; nobody taking it is harmless.
   */
  startEarlyRead(environment: string, signal: AbortSignal): Promise<DeploymentInfo[]> {
    const read = this.resolve(environment, signal).then(({ worker, api }) => api.deployments(worker, signal));
    read.catch(() => undefined);
    this.#early.set(environment, { at: (this.#options.now ?? Date.now)(), read });
    return read;
  }

  /** The early read of an environment, once, and only while it is fresh (else the caller reads anew). */
  takeEarlyRead(environment: string): Promise<DeploymentInfo[]> | undefined {
    const early = this.#early.get(environment);
    this.#early.delete(environment);
    if (!early || (this.#options.now ?? Date.now)() - early.at > EARLY_READ_MAX_AGE_MS) return undefined;
    return early.read;
  }

  /**
   * The API base URL wrangler uses for `--env <environment>`, and whether a proxy is set (then
   * a local gate in front of it cannot be used: wrangler would send the gate's address to the proxy).
   */
  apiBase(environment: string): { readonly url: string; readonly proxied: boolean } {
    const connection = this.#connection(environment);
    return { url: connection.baseUrl, proxied: connection.proxy !== undefined };
  }

  /** How wrangler reaches the API for `--env <environment>` (base URL, credentials, proxy). */
  #connection(environment: string): Connection {
    const options = this.#options;
    return connectionFor({
      env: options.env,
      apiToken: options.apiToken,
      accountId: options.accountId,
      workingDirectory: options.workingDirectory,
      environment,
      complianceRegion: complianceRegionFor(this.project(), environment),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  /** Worker, account and API client for an environment. */
  resolve(environment: string, signal: AbortSignal): Promise<ResolvedTarget> {
    const known = this.#resolved.get(environment);
    if (known) return known;
    const pending = this.#resolve(environment, signal);
    this.#resolved.set(environment, pending);
    pending.catch(() => this.#resolved.delete(environment));
    return pending;
  }

  async #resolve(environment: string, signal: AbortSignal): Promise<ResolvedTarget> {
    const script = this.scriptName(environment);
    const project = this.project();
    const options = this.#options;
    const connection = this.#connection(environment);
    const api = new CloudflareApi({
      baseUrl: connection.baseUrl,
      auth: connection.auth,
      ...(connection.missingAuthHint ? { missingAuthHint: connection.missingAuthHint } : {}),
      fetch: connection.fetch,
      headers: connection.headers,
      ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }),
    });
    const account = await resolveAccountId(
      {
        configAccountId: accountIdFor(project, environment),
        env: connection.env,
        workingDirectory: options.workingDirectory,
        memberships: (s) => api.memberships(s),
      },
      signal,
    );
    if (options.apiToken && connection.auth?.kind === "key") {
      options.logger?.warn(
        "CLOUDFLARE_API_KEY and CLOUDFLARE_EMAIL are set: wrangler (and shipline's reads) use that global key, not the cloudflare-api-token input.",
      );
    }
    const via = connection.proxy ? ` through the proxy ${connection.proxy}` : "";
    options.logger?.debug(
      `Cloudflare API for --env ${environment}: Worker ${script}, account from ${account.source}, ${connection.baseUrl}${via}`,
    );
    return { worker: { accountId: account.accountId, script }, api };
  }
}
