/** Test doubles for code built on shipline: a simulated clock, an in-memory deployment platform, and the gates on a simulated noisy network. */
export { VirtualClock } from "./virtual-clock.js";
export { FakeDeployer, type FakeFault } from "./fake-deployer.js";
export {
  NOISY_NETWORK,
  NoisyProbe,
  runTrial,
  runTrials,
  seededRandom,
  type Fault,
  type NoiseModel,
  type Trial,
} from "./gate-simulation.js";
export { figureLines, simulateGates, type Detection, type GateFigures, type SimulationOptions } from "./gate-figures.js";
