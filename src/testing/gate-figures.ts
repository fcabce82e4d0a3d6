/**
 * The figures issue 10 asks of the gates' defaults on a noisy network (see gate-simulation.ts),
 * with their targets: false rollbacks, wrongful denials of the staging watch over an hour's
 * approval wait, and how soon an outage, a latency regression and a broken staging are caught.
 */
import type { GateSettings, Millis } from "../core/types.js";
import { defaultGates, runTrials, TWO_CHECKS, type Fault, type Trial, type TrialResult } from "./gate-simulation.js";

export interface SimulationOptions {
  /** Releases per gate figure. @default 1000 */
  readonly releases?: number;
  /** Approval waits watched. @default releases */
  readonly waits?: number;
  /** Length of each approval wait. @default 1 hour */
  readonly waitMs?: Millis;
  /** @default 10 */
  readonly seed?: number;
}

/** How soon a fault ended the gate: over the trials where it could. */
export interface Detection {
  readonly trials: number;
  /** Trials whose gate did not fail. */
  readonly missed: number;
  readonly medianMs: Millis;
  readonly maxMs: Millis;
  /** Most measurements taken from the fault's start to the verdict, error retries included. */
  readonly maxMeasurements: number;
  /** The same, counting only measurements on the interval's schedule (not the 1 s retries after an error). */
  readonly maxScheduled: number;
}

export interface GateFigures {
  readonly releases: number;
  readonly waits: number;
  readonly waitMs: Millis;
  readonly health: GateSettings;
  readonly smoke: GateSettings;
  /** Healthy releases rolled back, out of `releases`. */
  readonly falseRollbacks: {
    readonly oneCheck: number;
    readonly twoChecks: number;
    /** The same gates with `confirm: 0` (one probe per check, as in Argo), for comparison. */
    readonly oneCheckSingleProbe: number;
    readonly twoChecksSingleProbe: number;
    /** `max-latency: 500ms` against a healthy 1 % slow tail (2 s). */
    readonly latencyTail: number;
  };
  /** Healthy staging denied during a wait of `waitMs`, out of `waits`. */
  readonly watchFalseDenials: number;
  /** Every request answered 503 from a moment during the health gate. */
  readonly outage503: Detection;
  /** Every connection refused from a moment during the health gate. */
  readonly outageRefused: Detection;
  /** Every answer over `max-latency` from the start (the release is slow). */
  readonly latencyRegression: Detection;
  /** Staging answering 503 from a moment during the wait. */
  readonly stagingBreak: Detection;
  /** Half of all requests answered 503 from the start (no target in issue 10: how much re-probes hide). */
  readonly partialOutage: { readonly oneCheck: Detection; readonly twoChecks: Detection };
}

const MAX_LATENCY = "500ms";

/** Runs every simulation of issue 10 on the default gates. */
export async function simulateGates(options: SimulationOptions = {}): Promise<GateFigures> {
  const releases = options.releases ?? 1_000;
  const waits = options.waits ?? releases;
  const waitMs = options.waitMs ?? 3_600_000;
  const seed = options.seed ?? 10;
  const { health, smoke } = defaultGates();
  const two = defaultGates({}, TWO_CHECKS).health;
  const slow = defaultGates({ "health-max-latency": MAX_LATENCY }).health;
  const gate =
    (settings: GateSettings, extra: Partial<Trial> = {}) =>
    (): Trial => ({ settings, mode: "gate", ...extra });
  const failures = async (make: () => Trial, n = releases, s = seed) =>
    (await runTrials(n, s, make)).filter((r) => r.report.outcome === "failed").length;
  // A fault that starts somewhere within the gate's (or wait's) span, the gate still running.
  const during = (kind: Fault["kind"], spanMs: Millis) => (random: () => number) => ({ kind, fromMs: Math.floor(random() * spanMs) });
  const gateSpan = (health.count - 1) * health.intervalMs;
  return {
    releases,
    waits,
    waitMs,
    health,
    smoke,
    falseRollbacks: {
      oneCheck: await failures(gate(health)),
      twoChecks: await failures(gate(two), releases, seed + 1),
      oneCheckSingleProbe: await failures(gate({ ...health, confirm: 0 }), releases, seed + 2),
      twoChecksSingleProbe: await failures(gate({ ...two, confirm: 0 }), releases, seed + 3),
      latencyTail: await failures(gate(slow, { slowTail: true }), releases, seed + 4),
    },
    watchFalseDenials: await failures(() => ({ settings: smoke, mode: "watch", watchMs: waitMs }), waits, seed + 5),
    outage503: await detect(releases, seed + 6, (r) => ({ settings: health, mode: "gate", fault: during("503", gateSpan)(r) })),
    outageRefused: await detect(releases, seed + 7, (r) => ({ settings: health, mode: "gate", fault: during("refused", gateSpan)(r) })),
    latencyRegression: await detect(releases, seed + 8, () => ({ settings: slow, mode: "gate", fault: { kind: "slow", fromMs: 0 } })),
    partialOutage: {
      oneCheck: await detect(releases, seed + 10, () => ({ settings: health, mode: "gate", fault: { kind: "partial", fromMs: 0 } })),
      twoChecks: await detect(releases, seed + 11, () => ({ settings: two, mode: "gate", fault: { kind: "partial", fromMs: 0 } })),
    },
    // The watch judges only its latest window, so when in the wait staging breaks does not
    // change how soon it is denied: the break comes within the first 10 minutes, which keeps this quick.
    stagingBreak: await detect(waits, seed + 9, (r) => ({
      settings: smoke,
      mode: "watch",
      watchMs: waitMs,
      fault: during("503", Math.min(waitMs - 10 * smoke.intervalMs, 600_000))(r),
    })),
  };
}

async function detect(trials: number, seed: number, make: (random: () => number) => Trial): Promise<Detection> {
  const results: TrialResult[] = await runTrials(trials, seed, make);
  const caught = results.filter((r) => r.report.outcome === "failed" && r.afterFault !== undefined);
  const ms = caught.map((r) => r.afterFault!.ms).sort((a, b) => a - b);
  return {
    trials,
    missed: trials - caught.length,
    medianMs: ms[Math.floor(ms.length / 2)] ?? Number.NaN,
    maxMs: ms.at(-1) ?? Number.NaN,
    maxMeasurements: Math.max(0, ...caught.map((r) => r.afterFault!.measurements)),
    maxScheduled: Math.max(0, ...caught.map((r) => r.afterFault!.scheduled)),
  };
}

/** One printed figure: what, the value, the target, and whether it holds (`undefined`: a figure without a target). */
export interface FigureLine {
  readonly label: string;
  readonly value: string;
  readonly target: string;
  readonly holds: boolean | undefined;
  readonly note?: string;
}

/** The figures as lines with their targets (issue 10's "What must hold"). */
export function figureLines(f: GateFigures): FigureLine[] {
  const per = (n: number, of: number) => `${n} / ${of}`;
  const rate = (n: number, of: number) => n / of <= 1 / 1_000;
  const fr = f.falseRollbacks;
  const deadline = f.health.intervalMs + 5_000;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const detection = (label: string, d: Detection, maxMeasurements: number, deadlineMs?: number): FigureLine => ({
    label,
    value: `${d.maxScheduled} meas.`,
    target: `≤ ${maxMeasurements} meas.${deadlineMs === undefined ? "" : `, ≤ ${seconds(deadlineMs)}`}`,
    holds: d.missed === 0 && d.maxScheduled <= maxMeasurements && (deadlineMs === undefined || d.maxMs <= deadlineMs),
    note: `worst ${seconds(d.maxMs)}, median ${seconds(d.medianMs)} after the start; ${d.maxMeasurements} measurements with error retries; missed ${d.missed} of ${d.trials}`,
  });
  return [
    {
      label: "false rollbacks, one check",
      value: per(fr.oneCheck, f.releases),
      target: "≤ 1 / 1000",
      holds: rate(fr.oneCheck, f.releases),
      note: `confirm 0 (one probe, as Argo): ${per(fr.oneCheckSingleProbe, f.releases)}`,
    },
    {
      label: "false rollbacks, two checks",
      value: per(fr.twoChecks, f.releases),
      target: "≤ 1 / 1000",
      holds: rate(fr.twoChecks, f.releases),
      note: `confirm 0: ${per(fr.twoChecksSingleProbe, f.releases)}`,
    },
    {
      label: "false rollbacks, max-latency 500ms, 1 % slow tail",
      value: per(fr.latencyTail, f.releases),
      target: "≤ 1 / 1000",
      holds: rate(fr.latencyTail, f.releases),
    },
    {
      label: `staging watch: wrongful denials over a ${Math.round(f.waitMs / 60_000)}-minute wait`,
      value: per(f.watchFalseDenials, f.waits),
      target: "≤ 1 / 1000",
      holds: rate(f.watchFalseDenials, f.waits),
    },
    detection("hard outage (every request 503): caught after", f.outage503, 2, deadline),
    detection("hard outage (every connection refused): caught after", f.outageRefused, 2, deadline),
    detection("full latency regression: caught at", f.latencyRegression, 2),
    detection("staging breaks during the wait: denied after", f.stagingBreak, 2),
    ...(["oneCheck", "twoChecks"] as const).map((checks) => {
      const d = f.partialOutage[checks];
      return {
        label: `half of all requests 503 (${checks === "oneCheck" ? "one check" : "two checks"}): caught`,
        value: per(d.trials - d.missed, d.trials),
        target: "no target",
        holds: undefined,
        note: `re-probes would hide it were answers not also counted; worst ${seconds(d.maxMs)}`,
      };
    }),
  ];
}
