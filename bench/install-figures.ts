/**
 * The install figures' lines for `npm run bench`, and `node .cache/bench/bench/install-figures.js`
 * to print them alone. Rounds: SHIPLINE_BENCH_INSTALL_ROUNDS (warm, default 3) and
 * SHIPLINE_BENCH_INSTALL_COLD_ROUNDS (cold, default 3; 0 skips the downloads).
 */
import { pathToFileURL } from "node:url";
import { measureInstalls, type InstallFigures } from "./install-bench.js";

type Line = (label: string, value: string, target?: string, note?: string) => void;
type Ms = (value: number | undefined) => string;

const rounds = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
};

/** Prints the section; returns how many figures could not be measured. */
export async function printInstallFigures(section: (title: string) => void, line: Line, ms: Ms): Promise<number> {
  section("Installing wrangler when the project has none installed (its lockfile pins wrangler; npm): wrangler-action's way vs shipline's");
  let failures = 0;
  for (const [cold, n] of [
    [false, rounds("SHIPLINE_BENCH_INSTALL_ROUNDS", 3)],
    [true, rounds("SHIPLINE_BENCH_INSTALL_COLD_ROUNDS", 3)],
  ] as const) {
    if (n === 0) continue;
    const cache = cold ? "cold: an empty npm cache per install" : "warm: the machine's npm cache";
    try {
      const f: InstallFigures = await measureInstalls(n, cold);
      const tag = cold ? "cold" : "warm";
      const note = (w: InstallFigures["action"], c: InstallFigures["action"]) =>
        `min ${ms(w.minMs)}, max ${ms(w.maxMs)}; CPU ${ms(c.medianMs)}`;
      console.log(`  (${cache}; median of ${n}, alternating order; the project pins wrangler ${f.version})`);
      line(
        `${tag}: wrangler-action, \`npm i wrangler@${f.version}\` in the project`,
        ms(f.action.medianMs),
        "",
        note(f.action, f.cpu.action),
      );
      line(
        `${tag}: shipline, outside the project, from its lockfile`,
        ms(f.shipline.medianMs),
        "≤ action's",
        `${note(f.shipline, f.cpu.shipline)}; ${f.ratio.toFixed(2)}× wrangler-action's; project files ${f.projectUntouched ? "untouched" : "CHANGED"}`,
      );
      line(`${tag}:   shipline before, \`npm install wrangler@4\`, no lockfile`, ms(f.former.medianMs), "", note(f.former, f.cpu.former));
    } catch (error) {
      failures += 1;
      line(`install (${cache})`, "n/a", "", `could not measure: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }
  return failures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const ms: Ms = (v) => (v !== undefined && Number.isFinite(v) ? `${Math.round(v)} ms` : "n/a");
  const line: Line = (label, value, target = "", note = "") =>
    console.log(`  ${label.padEnd(62)} ${value.padStart(9)}  ${target.padEnd(10)}  ${note}`);
  process.exitCode = await printInstallFigures((t) => console.log(`\n${t}`), line, ms);
}
