import { errorMessage } from "./errors.js";
import type { Clock } from "./ports.js";
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
export function liveOf(reading: ProductionReading): LiveState | null | undefined {
  if (!reading.history) return undefined;
  return reading.history[0] ?? null;
}

/**
 * Reads production in the background while a health gate judges a new deploy. Deciding a
 * rollback needs to know whether someone else deployed since the anchor; reading that only
 * once the gate has failed would put a wrangler call (a second or more) between the failing
 * measurement and the rollback. The watch reads right after the deploy and then every
 * `refreshMs`, so the decision usually has its answer already.
 */
export class ProductionWatch {
  #latest: ProductionReading | undefined;
  #inFlight: Promise<ProductionReading> | undefined;
  readonly #stop = new AbortController();

  constructor(
    private readonly read: (signal: AbortSignal) => Promise<DeploymentInfo[]>,
    private readonly clock: Clock,
    private readonly refreshMs: number,
  ) {}

  /** Starts the first read now and keeps refreshing until `stop()`. */
  start(): this {
    void this.#loop();
    return this;
  }

  /**
   * The newest finished reading; when none has finished yet, waits for the one in flight
   * (bounded by `signal`, e.g. a cancelled run's cleanup budget).
   */
  async latest(signal?: AbortSignal): Promise<ProductionReading> {
    if (this.#latest) return this.#latest;
    const pending = this.#inFlight ?? this.#readOnce();
    if (!signal) return pending;
    return Promise.race([pending, aborted(signal).then(() => ({ at: this.clock.now(), error: "no reading of production in time" }))]);
  }

  stop(): void {
    this.#stop.abort();
  }

  async #loop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      this.#latest = await this.#readOnce();
      try {
        await this.clock.sleep(this.refreshMs, this.#stop.signal);
      } catch {
        return;
      }
    }
  }

  #readOnce(): Promise<ProductionReading> {
    this.#inFlight = this.read(this.#stop.signal).then(
      (history) => ({ at: this.clock.now(), history }),
      (error: unknown) => ({ at: this.clock.now(), error: errorMessage(error) }),
    );
    return this.#inFlight;
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
}
