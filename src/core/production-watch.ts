import { DeployError, errorMessage, isAbort } from "./errors.js";
import type { Clock, Deployer, DeployTarget } from "./ports.js";
import type { DeploymentInfo, LiveState } from "./types.js";

/** One read of production: its deployment history, newest first (the first is what serves now). */
export interface ProductionReading {
  /** Epoch ms (injected clock) when the read finished. */
  readonly at: number;
  readonly history?: readonly DeploymentInfo[];
  /** Set when the read failed. */
  readonly error?: string;
}

/** What production serves according to a reading: `null` for no deployment, `undefined` when unknown. */
export function liveOf(reading: ProductionReading | undefined): LiveState | null | undefined {
  if (!reading?.history) return undefined;
  return reading.history[0] ?? null;
}

/** Whether a failure may pass on its own (a 5xx, 429, dropped connection or timeout). */
export function isTransient(error: unknown): boolean {
  if (isAbort(error)) return false;
  return error instanceof DeployError ? error.transient : true;
}

/** Pauses between tries of a read or a restore: short, since production may be serving a broken version. */
export const RETRY_DELAYS_MS: readonly number[] = [250, 1_000, 2_000];

/** Runs `fn`, trying again after each transient failure (`RETRY_DELAYS_MS`, on the injected clock); throws the last failure. */
export async function retrying<T>(clock: Clock, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined || !isTransient(error) || signal.aborted || !(await pause(clock, delay, signal))) throw error;
    }
  }
}

/**
 * Reads production's deployments, retrying transient failures (within `signal`). A failed
 * read is a reading with `error`, never a throw: callers decide what an unknown means.
 */
export async function readProduction(
  deployer: Deployer,
  target: DeployTarget,
  clock: Clock,
  signal: AbortSignal,
): Promise<ProductionReading> {
  try {
    return { at: clock.now(), history: await retrying(clock, signal, () => deployer.deployments(target, signal)) };
  } catch (error) {
    return { at: clock.now(), error: errorMessage(error) };
  }
}

/** What production serves (`null`: no deployment yet), retrying transient failures; throws otherwise. */
export function readAnchor(deployer: Deployer, target: DeployTarget, clock: Clock, signal: AbortSignal): Promise<LiveState | null> {
  return retrying(clock, signal, () => deployer.status(target, signal));
}

/** Sleeps on the injected clock; false when `signal` ended the wait. */
export async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads production in the background while a health gate judges a new deploy, so that a
 * failed gate can decide (someone else's deploy, or ours to roll back) without a read first.
 * A read still in flight when the decision comes is abandoned, never waited for.
 */
export class ProductionWatch {
  #latest: ProductionReading | undefined;
  readonly #stop = new AbortController();

  constructor(
    private readonly read: (signal: AbortSignal) => Promise<readonly DeploymentInfo[]>,
    private readonly clock: Clock,
    private readonly refreshMs: number,
  ) {}

  /** Starts the first read now and keeps refreshing until `stop()`. */
  start(): this {
    void this.#loop();
    return this;
  }

  /** The newest finished reading, if any: never waits. */
  current(): ProductionReading | undefined {
    return this.#latest;
  }

  stop(): void {
    this.#stop.abort();
  }

  async #loop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      const reading: ProductionReading = await this.read(this.#stop.signal).then(
        (history) => ({ at: this.clock.now(), history }),
        (error: unknown) => ({ at: this.clock.now(), error: errorMessage(error) }),
      );
      if (this.#stop.signal.aborted) return;
      // A failed refresh keeps the last good reading: an old answer beats none.
      if (reading.history || !this.#latest?.history) this.#latest = reading;
      if (!(await pause(this.clock, this.refreshMs, this.#stop.signal))) return;
    }
  }
}
