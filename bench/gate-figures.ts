/**
 * Issue 10's figures (the gates' defaults on a noisy network, simulated on the injected clock),
 * printed with their targets; used by `npm run simulate` and `npm run bench`.
 */
import { performance } from "node:perf_hooks";
import { figureLines, simulateGates, type SimulationOptions } from "../src/testing/gate-figures.js";

type Line = (label: string, value: string, target?: string, note?: string) => void;

/** Runs the simulations and prints one line per figure; resolves with how many targets were missed. */
export async function printGateFigures(line: Line, options: SimulationOptions = {}): Promise<number> {
  const started = performance.now();
  const figures = await simulateGates(options);
  const lines = figureLines(figures);
  for (const figure of lines)
    line(figure.label, figure.value, figure.target, `${figure.holds === false ? "MISSED; " : ""}${figure.note ?? ""}`);
  const h = figures.health;
  line(
    "  the gate simulated",
    "",
    "",
    `defaults: count ${h.count}, interval ${h.intervalMs / 1000} s, failure-limit ${h.failureLimit}, ` +
      `consecutive-error-limit ${h.consecutiveErrorLimit}, confirm ${h.confirm}; watch every ${figures.smoke.intervalMs / 1000} s; ` +
      `${Math.round(performance.now() - started)} ms of simulation`,
  );
  return lines.filter((figure) => figure.holds === false).length;
}
