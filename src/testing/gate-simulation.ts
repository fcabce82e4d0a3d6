/**
 * The gates on a noisy network, simulated (issue 10): the library's own `runGate` and
 * `watchGate` with a `VirtualClock` and a seeded probe that drops 10 % of connections, answers
 * 2 % of requests with a transient 503 and, when asked, 1 % slowly. Thousands of releases take
 * seconds. `npm run simulate` prints the figures; `npm run bench` includes them.
 */
import { resolveConfig } from "../config/parse-file.js";
import { runGate, watchGate } from "../core/gate.js";
import type { HttpProbe, ProbeRequest, ProbeResponse } from "../core/ports.js";
import type { GateReport, GateSettings, Millis } from "../core/types.js";
import { VirtualClock } from "./virtual-clock.js";

/** What happens to each request, independently. */
export interface NoiseModel {
  /** Share of requests whose connection is dropped (an `error`). */
  readonly dropped: number;
  /** Share of requests answered 503 (a `failed` check). */
  readonly transient503: number;
  /** Share of answers slower than any sensible `max-latency` (`slowMs`). */
  readonly slowTail: number;
  readonly fastMs: Millis;
  readonly slowMs: Millis;
}

/** Issue 10's model: 10 % dropped connections, 2 % transient 503s; a slow tail of 1 % at 2 s when latency is judged. */
export const NOISY_NETWORK: NoiseModel = { dropped: 0.1, transient503: 0.02, slowTail: 0.01, fastMs: 40, slowMs: 2_000 };

/** What goes wrong from `fromMs` after the gate starts: every request fails, is refused, or is slow; or half of them fail (`partial`). */
export type Fault = { readonly kind: "503" | "refused" | "slow" | "partial"; readonly fromMs: Millis };

/** mulberry32: a small seeded PRNG, so a simulation gives the same figures every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An `HttpProbe` answering from the noise model (and a fault), spending its latency on the virtual clock. */
export class NoisyProbe implements HttpProbe {
  requests = 0;
  constructor(
    private readonly clock: VirtualClock,
    private readonly random: () => number,
    private readonly noise: NoiseModel,
    private readonly slowTail: boolean,
    private readonly fault?: { readonly kind: Fault["kind"]; readonly at: number },
  ) {}

  async probe(_request: ProbeRequest): Promise<ProbeResponse> {
    this.requests++;
    const faulty = this.fault !== undefined && this.clock.now() >= this.fault.at ? this.fault.kind : undefined;
    const draw = this.random();
    if (faulty === "refused") return this.error("connection refused (ECONNREFUSED)");
    if (draw < this.noise.dropped) return this.error("connection reset (ECONNRESET)");
    if (faulty === "503" || draw < this.noise.dropped + this.noise.transient503) return this.answer(503, "Service Unavailable");
    if (faulty === "partial" && this.random() < 0.5) return this.answer(503, "Service Unavailable");
    const slow = faulty === "slow" || (this.slowTail && this.random() < this.noise.slowTail);
    return this.answer(200, "OK", slow ? this.noise.slowMs : this.noise.fastMs);
  }

  private error(error: string): ProbeResponse {
    this.clock.advance(5);
    return { kind: "error", error, latencyMs: 5 };
  }

  private answer(status: number, body: string, latencyMs = this.noise.fastMs): ProbeResponse {
    this.clock.advance(latencyMs);
    return { kind: "response", status, headers: {}, body, latencyMs };
  }
}

/** The default smoke and health gates, as a run with no inputs resolves them (plus `inputs`, `configText`). */
export function defaultGates(inputs: Record<string, string> = {}, configText?: string): { smoke: GateSettings; health: GateSettings } {
  const env = { GITHUB_REF: "refs/tags/v1.0.0", GITHUB_SHA: "0".repeat(40) };
  const args = { inputs, env, ...(configText === undefined ? {} : { configText, configPath: "shipline.yml" }) };
  const { config } = resolveConfig(args);
  return { smoke: config.staging.smoke, health: config.production.health };
}

/** The health gate's checks as two paths, to simulate gates with two checks. */
export const TWO_CHECKS = "production:\n  health:\n    checks:\n      - path: /api/health\n      - path: /\n";

export interface Trial {
  readonly settings: GateSettings;
  /** `gate`: runs to a verdict; `watch`: watches until `watchMs`, as during an approval wait. */
  readonly mode: "gate" | "watch";
  readonly watchMs?: Millis;
  readonly slowTail?: boolean;
  readonly fault?: Fault;
}

export interface TrialResult {
  readonly report: GateReport;
  /** With a fault: ms from its start to the verdict, and measurements taken from its start (all, and those on the interval's schedule, not error retries). */
  readonly afterFault?: { readonly ms: Millis; readonly measurements: number; readonly scheduled: number };
}

/** One release's gate (or watch) on its own clock. */
export async function runTrial(trial: Trial, random: () => number, noise: NoiseModel = NOISY_NETWORK): Promise<TrialResult> {
  const clock = new VirtualClock(0);
  const fault = trial.fault && { kind: trial.fault.kind, at: trial.fault.fromMs };
  const probe = new NoisyProbe(clock, random, noise, trial.slowTail ?? false, fault);
  const controller = new AbortController();
  const options = {
    gate: trial.mode === "gate" ? "health" : "staging-watch",
    environment: "simulated",
    baseUrl: "https://simulated.example",
    settings: trial.settings,
    probe,
    clock,
    signal: controller.signal,
  };
  let report: GateReport;
  if (trial.mode === "gate") report = await runGate(options);
  else {
    const stop = new AbortController();
    const timer = clock.sleep(trial.watchMs ?? 3_600_000, stop.signal).then(
      () => controller.abort(),
      () => undefined,
    );
    report = await watchGate(options);
    stop.abort();
    await timer;
  }
  return { report, ...(fault ? { afterFault: afterFault(report, fault.at) } : {}) };
}

function afterFault(report: GateReport, at: number): TrialResult["afterFault"] {
  const since = report.measurements.filter((m) => m.at >= at);
  // A measurement right after an error is the quick retry; the others are on the interval's schedule.
  const scheduled = since.filter((m) => report.measurements[m.index - 1]?.outcome !== "error").length;
  return { ms: report.endedAt - at, measurements: since.length, scheduled };
}

/** Runs `releases` trials made by `make` (the i-th with its own draws), `parallel` at a time. */
export async function runTrials(
  releases: number,
  seed: number,
  make: (random: () => number) => Trial,
  parallel = 100,
): Promise<TrialResult[]> {
  const random = seededRandom(seed);
  const results: TrialResult[] = [];
  for (let start = 0; start < releases; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, releases - start) }, () => {
      const own = seededRandom(Math.floor(random() * 2 ** 32));
      return runTrial(make(own), own);
    });
    results.push(...(await Promise.all(batch)));
  }
  return results;
}
