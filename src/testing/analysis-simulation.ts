/**
 * Simulates many canary steps to measure the traffic analysis' false alarms and detections:
 * each trial draws both versions' errors at given true rates (seeded, so results repeat) and
 * judges them with `judgeCanary`. Used by `npm run bench` and by the decision's unit tests.
 */
import { DEFAULT_ANALYSIS, judgeCanary, type AnalysisSettings } from "../core/analysis.js";
import { seededRandom } from "./gate-simulation.js";

export interface SimulatedScenario {
  readonly name: string;
  /** Observed requests per version and step. */
  readonly requests: number;
  readonly baselineErrorRate: number;
  readonly candidateErrorRate: number;
}

export interface SimulationResult {
  readonly scenario: SimulatedScenario;
  readonly trials: number;
  /** Share of trials whose step failed. */
  readonly failedShare: number;
}

/** The scenarios `npm run bench` prints: 1 000 observed requests per version. */
export const DEFAULT_SCENARIOS: readonly SimulatedScenario[] = [
  { name: "no difference (0.5 % vs 0.5 %)", requests: 1000, baselineErrorRate: 0.005, candidateErrorRate: 0.005 },
  { name: "no difference, both failing (3 % vs 3 %)", requests: 1000, baselineErrorRate: 0.03, candidateErrorRate: 0.03 },
  { name: "small regression (0.5 % → 2 %)", requests: 1000, baselineErrorRate: 0.005, candidateErrorRate: 0.02 },
  { name: "real regression (0.5 % → 3 %)", requests: 1000, baselineErrorRate: 0.005, candidateErrorRate: 0.03 },
  { name: "big regression (0.5 % → 5 %)", requests: 1000, baselineErrorRate: 0.005, candidateErrorRate: 0.05 },
];

export function simulate(
  scenario: SimulatedScenario,
  trials: number,
  settings: AnalysisSettings = DEFAULT_ANALYSIS,
  seed = 1,
): SimulationResult {
  const random = seededRandom(seed);
  let failed = 0;
  for (let i = 0; i < trials; i++) {
    const draw = (rate: number) => {
      let errors = 0;
      for (let r = 0; r < scenario.requests; r++) if (random() < rate) errors += 1;
      return errors;
    };
    const traffic = (versionId: string, rate: number) => ({
      versionId,
      requests: scenario.requests,
      errors: draw(rate),
      sampleInterval: 1,
      wallTimeUs: {},
    });
    const decision = judgeCanary(traffic("new", scenario.candidateErrorRate), traffic("old", scenario.baselineErrorRate), settings, {
      candidate: "new",
      baseline: "old",
    });
    if (decision.verdict === "failed") failed += 1;
  }
  return { scenario, trials, failedShare: failed / trials };
}
