import { DeployError } from "../core/errors.js";
import type {
  Deployer,
  DeployOutcome,
  DeployRequest,
  DeployTarget,
  HttpProbe,
  ProbeRequest,
  ProbeResponse,
  RestoreOptions,
  SecretListing,
  UploadOutcome,
} from "../core/ports.js";
import type { Allocation, DeploymentInfo, LiveState, VersionInfo } from "../core/types.js";

type Method = "deploy" | "upload" | "shift" | "restore" | "status" | "deployments" | "versions";

/** A scripted failure of one deployer call. */
export interface FakeFault {
  readonly method: Method;
  readonly environment?: string;
  /** For deploy/shift/rollback: the change happens, then the call fails (wrangler's exit 1 after going live). */
  readonly afterChange?: boolean;
  /** The failed call reports no version id (wrangler's output stops early). */
  readonly hideVersionId?: boolean;
  /** The failure is a passing one (HTTP 502, a dropped connection): a retry may succeed. */
  readonly transient?: boolean;
  /** How many calls fail. @default 1 */
  times?: number;
}

interface EnvState {
  deployments: DeploymentInfo[];
  versions: VersionInfo[];
}

/**
 * An in-memory deployment platform: environments with versions and deployments (newest
 * first). Each version is healthy or not; `probe` answers as the live version would, so a
 * rollback really restores health. Every call is recorded.
 */
export class FakeDeployer implements Deployer {
  readonly name = "fake";
  readonly calls: Array<{ method: Method; environment: string; args?: unknown }> = [];
  readonly faults: FakeFault[] = [];
  /** Health of each version id. */
  readonly healthy = new Map<string, boolean>();
  /** Health of the next version uploaded to each environment (default true). */
  readonly nextHealthy = new Map<string, boolean>();
  /** Called on every read of what is live (`status` or `deployments`): lets a test simulate someone else deploying. */
  onRead?: (environment: string) => void;
  /** Secret names each environment's Worker has (absent: the Worker has none; `null`: it does not exist). */
  readonly secrets = new Map<string, readonly string[] | null>();
  /** Signals the calls were given, in call order (a test can check a restore was never aborted). */
  readonly signals: Array<{ method: Method; signal: AbortSignal | undefined }> = [];
  readonly #holds = new Map<Method, Promise<void>>();
  readonly #envs = new Map<string, EnvState>();
  #seq = 0;
  #time = Date.UTC(2026, 0, 1);

  /** Puts `versionId` live at 100% in `environment`, as an earlier release would have. */
  seed(environment: string, versionId: string, options: { healthy?: boolean; tag?: string; message?: string } = {}): void {
    this.healthy.set(versionId, options.healthy ?? true);
    const env = this.#env(environment);
    env.versions.push({ versionId, tag: options.tag, message: options.message, createdOn: this.#stamp() });
    this.#deploy(environment, [{ versionId, percentage: 100 }], "seed");
  }

  /** The secret names set with `secrets`, as the platform lists them. */
  async secretNames(target: DeployTarget): Promise<SecretListing> {
    const names = this.secrets.get(target.environment);
    return { where: `the ${target.environment} Worker`, names: names === undefined ? [] : names };
  }

  /** What an environment serves now. */
  live(environment: string): LiveState | null {
    return this.#envs.get(environment)?.deployments[0] ?? null;
  }

  /** Writes (deploy, upload, shift, rollback) made to an environment. */
  writes(environment: string): string[] {
    const writing = new Set<Method>(["deploy", "upload", "shift", "restore"]);
    return this.calls.filter((c) => c.environment === environment && writing.has(c.method)).map((c) => c.method);
  }

  async deploy(target: DeployTarget, request: DeployRequest): Promise<DeployOutcome> {
    this.#record("deploy", target, request.release.tag);
    const fault = this.#fault("deploy", target);
    if (fault && !fault.afterChange) throw this.#error("deploy", target);
    const versionId = this.#newVersion(target, request);
    this.#deploy(target.environment, [{ versionId, percentage: 100 }], request.message);
    if (fault) throw this.#error("deploy", target, fault.hideVersionId ? undefined : versionId);
    return { versionId, url: `https://${target.environment}.example.test` };
  }

  async upload(target: DeployTarget, request: DeployRequest): Promise<UploadOutcome> {
    this.#record("upload", target, request.release.tag);
    if (this.#fault("upload", target)) throw this.#error("upload", target);
    return { versionId: this.#newVersion(target, request) };
  }

  async shift(target: DeployTarget, allocation: Allocation, message: string): Promise<void> {
    this.#record("shift", target, allocation);
    this.#change("shift", target, allocation, message);
  }

  async restore(
    target: DeployTarget,
    allocation: Allocation,
    message: string,
    signal?: AbortSignal,
    options: RestoreOptions = {},
  ): Promise<void> {
    this.#record("restore", target, { allocation, urgent: options.urgent === true });
    this.signals.push({ method: "restore", signal });
    await this.#holds.get("restore");
    this.#change("restore", target, allocation, message);
  }

  /**
   * Holds every later call of `method` until the returned function is called (a restore that
   * is still running when a cancel arrives).
   */
  hold(method: Method): () => void {
    let release!: () => void;
    this.#holds.set(method, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.#holds.delete(method);
      release();
    };
  }

  async status(target: DeployTarget): Promise<LiveState | null> {
    this.#record("status", target);
    this.onRead?.(target.environment);
    const fault = this.#fault("status", target);
    if (fault) throw this.#error("status", target, undefined, fault.transient);
    return this.live(target.environment);
  }

  async deployments(target: DeployTarget): Promise<DeploymentInfo[]> {
    this.#record("deployments", target);
    this.onRead?.(target.environment);
    const fault = this.#fault("deployments", target);
    if (fault) throw this.#error("deployments", target, undefined, fault.transient);
    return [...(this.#envs.get(target.environment)?.deployments ?? [])];
  }

  async versions(target: DeployTarget): Promise<VersionInfo[]> {
    this.#record("versions", target);
    return [...(this.#envs.get(target.environment)?.versions ?? [])];
  }

  manualRestoreCommand(target: DeployTarget, allocation: Allocation): string {
    return `restore ${target.environment} ${allocation.map((s) => `${s.versionId}@${s.percentage}`).join(" ")}`;
  }

  pinHeaders(_target: DeployTarget, versionId: string): Record<string, string> {
    return { "x-pin-version": versionId };
  }

  /** An HTTP probe that answers as the live version of the environment named by the URL's host. */
  probe(): HttpProbe {
    return {
      probe: async (request: ProbeRequest): Promise<ProbeResponse> => {
        const environment = new URL(request.url).hostname.split(".")[0] ?? "";
        const live = this.live(environment);
        const pinned = request.headers["x-pin-version"];
        const versionId = pinned ?? live?.allocation.find((s) => s.percentage > 0)?.versionId;
        if (!versionId) return { kind: "response", status: 404, headers: {}, body: "no deployment", latencyMs: 5 };
        const ok = this.healthy.get(versionId) ?? true;
        const body = ok ? JSON.stringify({ success: true, version: versionId }) : "internal error";
        return { kind: "response", status: ok ? 200 : 500, headers: {}, body, latencyMs: 5 };
      },
    };
  }

  #change(method: Method, target: DeployTarget, allocation: Allocation, message: string): void {
    const fault = this.#fault(method, target);
    if (fault && !fault.afterChange) throw this.#error(method, target, undefined, fault.transient);
    this.#deploy(target.environment, allocation, message);
    if (fault) throw this.#error(method, target, undefined, fault.transient);
  }

  #newVersion(target: DeployTarget, request: DeployRequest): string {
    const versionId = `${target.environment}-v${++this.#seq}`;
    this.healthy.set(versionId, this.nextHealthy.get(target.environment) ?? true);
    this.#env(target.environment).versions.push({
      versionId,
      tag: request.release.tag,
      message: request.message,
      createdOn: this.#stamp(),
    });
    return versionId;
  }

  #deploy(environment: string, allocation: Allocation, message: string): void {
    const deploymentId = `d${++this.#seq}`;
    this.#env(environment).deployments.unshift({ deploymentId, allocation, message, createdOn: this.#stamp() });
  }

  #env(environment: string): EnvState {
    let env = this.#envs.get(environment);
    if (!env) this.#envs.set(environment, (env = { deployments: [], versions: [] }));
    return env;
  }

  #stamp(): string {
    this.#time += 60_000;
    return new Date(this.#time).toISOString();
  }

  #record(method: Method, target: DeployTarget, args?: unknown): void {
    this.calls.push({ method, environment: target.environment, args });
  }

  #fault(method: Method, target: DeployTarget): FakeFault | undefined {
    const fault = this.faults.find(
      (f) => f.method === method && (!f.environment || f.environment === target.environment) && (f.times ?? 1) > 0,
    );
    if (fault) fault.times = (fault.times ?? 1) - 1;
    return fault;
  }

  #error(method: Method, target: DeployTarget, versionId?: string, transient = false): DeployError {
    return new DeployError(`fake ${method} failed`, {
      command: `fake ${method} --env ${target.environment}`,
      exitCode: 1,
      detail: transient ? "502 Bad Gateway" : "injected fault",
      versionId,
      transient,
    });
  }
}
