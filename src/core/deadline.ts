import type { Clock } from "./ports.js";

/**
 * How long cleanup may take once a run is cancelled, on the injected clock. Until `cancel`
 * aborts it never passes; from then on `signal` aborts `budgetMs` later. Work that must not
 * be cut in half (a restore already running) gets `signal` instead of the run's own signal:
 * it is awaited after a cancel, and stopped only when the budget is spent.
 */
export class CleanupDeadline {
  readonly #passed = new AbortController();
  readonly #timer = new AbortController();
  #at = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly cancel: AbortSignal,
    readonly budgetMs: number,
  ) {
    if (cancel.aborted) this.#start();
    else cancel.addEventListener("abort", () => this.#start(), { once: true });
  }

  /** Aborts when the cleanup budget after a cancellation is spent. */
  get signal(): AbortSignal {
    return this.#passed.signal;
  }

  get cancelled(): boolean {
    return this.cancel.aborted;
  }

  /** Runs `fn` when the run is cancelled (at once if it is already); returns an unsubscribe. */
  onCancel(fn: () => void): () => void {
    if (this.cancel.aborted) {
      fn();
      return () => undefined;
    }
    this.cancel.addEventListener("abort", fn, { once: true });
    return () => this.cancel.removeEventListener("abort", fn);
  }

  /**
   * A signal for a last read after the work the budget bounds: the budget's own signal while
   * it lasts, else one that gives `graceMs` more (a read-back must not run on a spent signal).
   */
  lastRead(graceMs: number): AbortSignal {
    if (!this.passed) return this.signal;
    const controller = new AbortController();
    // Tied to `dispose`, so that a finished cleanup leaves no timer holding the process open.
    this.clock.sleep(graceMs, this.#timer.signal).then(
      () => controller.abort(new DeadlineError(this.#at + graceMs)),
      () => undefined,
    );
    return controller.signal;
  }

  get passed(): boolean {
    return this.#passed.signal.aborted;
  }

  /** Milliseconds left: infinite until cancelled, never negative. */
  remaining(): number {
    return Math.max(0, this.#at - this.clock.now());
  }

  /** Stops the timer once cleanup is over. */
  dispose(): void {
    this.#timer.abort();
  }

  #start(): void {
    if (this.#at !== Number.POSITIVE_INFINITY || this.#timer.signal.aborted) return;
    this.#at = this.clock.now() + this.budgetMs;
    this.clock.sleep(this.budgetMs, this.#timer.signal).then(
      () => this.#passed.abort(new DeadlineError(this.#at)),
      () => undefined,
    );
  }
}

export class DeadlineError extends Error {
  constructor(readonly at: number) {
    super("the cleanup budget after the cancellation is spent");
    this.name = "DeadlineError";
  }
}
