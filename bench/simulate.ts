/**
 * `npm run simulate`: issue 10's figures alone (seconds, no sandbox): 1,000 releases per figure
 * on the library's own gates with the injected clock, each request independently dropped
 * (10 %) or answered 503 (2 %). Exits 1 when a target is missed.
 */
import { printGateFigures } from "./gate-figures.js";

const releases = Number(process.argv[2] ?? 1_000);
console.log(`shipline simulate — ${releases} releases per figure, seed 10 (10 % dropped connections, 2 % transient 503s)\n`);
const line = (label: string, value: string, target = "", note = "") =>
  console.log(`  ${label.padEnd(58)} ${value.padStart(12)}  ${target.padEnd(22)}  ${note}`);
const missed = await printGateFigures(line, { releases });
if (missed > 0) {
  console.log(`\n${missed} target(s) missed.`);
  process.exitCode = 1;
}
