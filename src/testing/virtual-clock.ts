import type { Clock } from "../core/ports.js";

interface Timer {
  readonly wake: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A clock whose sleeps take no real time. Pending sleeps fire in order of their wake time,
 * one per turn of the event loop, and `now()` jumps to each wake time, so concurrent
 * sleepers (an approval wait beside a staging watch) see one consistent timeline.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];
  #scheduled = false;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward without waking anyone (e.g. to simulate slow work). */
  advance(ms: number): void {
    this.#now += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        wake: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#timers.push(timer);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#timers.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#timers.sort((a, b) => a.wake - b.wake || a.seq - b.seq);
      const next = this.#timers.shift();
      if (next) {
        this.#now = Math.max(this.#now, next.wake);
        next.resolve();
      }
      this.#schedule();
    });
  }
}
