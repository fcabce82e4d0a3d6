/**
 * `npm run bench`: the speed figures the issues ask for, measured on this machine against
 * the real wrangler and the local sandbox. Prints them; asserts nothing (targets are shown
 * beside the figures for the reader).
 */
import { runDemoBench } from "../src/cli/demo.js";
import { simulateApprovalWaitCost } from "../src/testing/approval-cost.js";
import { measureCancel, measureFirstSpawn } from "./process-bench.js";
import { measureReleases } from "./release-bench.js";

const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : "n/a");

function line(label: string, value: string, note = ""): void {
  console.log(`  ${label.padEnd(58)} ${value.padStart(10)}  ${note}`);
}

async function main(): Promise<void> {
  console.log(`shipline bench — Node ${process.version}, ${new Date().toISOString()}\n`);

  console.log("Action process (dist/index.js)");
  const spawn = await measureFirstSpawn();
  line(
    "process start → first wrangler spawn (median of 7)",
    ms(spawn.medianMs),
    `min ${ms(spawn.minMs)}, max ${ms(spawn.maxMs)}; target ≤ 300 ms`,
  );

  console.log("\nOne release against the sandbox with the real wrangler");
  const releases = await measureReleases();
  const h = releases.healthy;
  line("healthy release: wall time", ms(h.wallMs), `result ${h.result}`);
  line("  in wrangler child processes", ms(h.childMs), `${h.spawns} spawns (one reads production beside the gate)`);
  line("  in deliberate waits (gate intervals)", ms(h.sleepMs));
  line("  in HTTP probes", ms(h.probeMs));
  line("  the engine's own time (wall − union of the above)", ms(h.engineMs));
  line(
    "failed gate's deciding measurement → rollback spawn",
    ms(releases.decisionAfterReadMs),
    "gate decides after the watch's first read; target ≤ 50 ms",
  );
  line(
    "  same, gate fails at its first measurement",
    ms(releases.decisionAtFirstMeasurementMs),
    "waits for the read after the deploy (someone else's deploy?)",
  );
  line("  results", releases.results.join(", "));

  console.log("\nApproval wait (simulated clock, one hour, nobody decides)");
  const cost = await simulateApprovalWaitCost(1);
  line(
    "GitHub requests counted against the rate limit",
    String(cost.conditional),
    `${cost.notModified} free 304s; a 10 s poll without ETags: ${cost.naive}; target ≤ 60`,
  );

  console.log("\nCancellation (SIGINT during the production health gate)");
  const cancel = await measureCancel();
  line(
    "signal → exit with production restored",
    ms(cancel.signalToExitMs),
    `restored: ${cancel.restored}, exit ${cancel.exitCode}; runner kills at 10 s`,
  );

  console.log("\nshipline demo (sandbox + real wrangler: a release, then a rollback)");
  const demo = await runDemoBench();
  line("demo total", ms(demo.totalMs), `${demo.runs.map((r) => `${r.result} ${ms(r.durationMs)}`).join(", ")}; target < 60000 ms`);
  line("sandbox: deploy finished → new version served", ms(demo.serveNewVersionMs ?? Number.NaN), "median of the demo's deploys");
}

await main();
