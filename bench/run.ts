/**
 * `npm run bench`: the speed figures issue 9 asks for, measured on this machine with the built
 * action, the real wrangler and the local sandbox, and issue 10's gate figures (simulated). Prints them with their targets beside them;
 * asserts nothing (a figure that could not be measured prints "n/a" and the error).
 */
import { availableParallelism, loadavg } from "node:os";
import { runDemoBench } from "../src/cli/demo.js";
import { simulateApprovalWaitCost } from "../src/testing/approval-cost.js";
import { measureCancel, measureReleaseOverhead, startActionWorld, type CancelFigures, type Spread } from "./process-bench.js";
import { DEFAULT_SCENARIOS, simulate } from "../src/testing/analysis-simulation.js";
import { printGateFigures } from "./gate-figures.js";
import { approvalLiveLines, measureApprovalLive } from "./approval-live-bench.js";
import { printInstallFigures } from "./install-figures.js";
import { measureReleases, type Decision } from "./release-bench.js";
import { measureHostRollback } from "./host-bench.js";

const ms = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? `${Math.round(value)} ms` : "n/a");
const range = (s: Spread) => `min ${ms(s.minMs)}, max ${ms(s.maxMs)}`;

function header(): void {
  console.log(`  ${"figure".padEnd(62)} ${"value".padStart(9)}  ${"target".padEnd(10)}  note`);
  console.log(`  ${"-".repeat(62)} ${"-".repeat(9)}  ${"-".repeat(10)}  ${"-".repeat(40)}`);
}

function section(title: string): void {
  console.log(`\n${title}`);
}

function line(label: string, value: string, target = "", note = ""): void {
  console.log(`  ${label.padEnd(62)} ${value.padStart(9)}  ${target.padEnd(10)}  ${note}`);
}

let failures = 0;

/** Runs one measurement; when it throws, says so on its line and goes on with the next. */
async function measured<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    failures += 1;
    line(label, "n/a", "", `could not measure: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    return undefined;
  }
}

function cancelLines(c: CancelFigures, exitTarget: string): void {
  const load = c.hogs > 0 ? `${c.hogs} CPU hogs` : "quiet";
  const restored = c.restored ? "production back on the anchor" : "production NOT back on the anchor";
  const ended = c.signal ? `killed by ${c.signal}` : `exit ${c.exitCode}`;
  line(
    `SIGINT → restore request (${load})`,
    ms(c.signalToRestoreMs),
    "≤ 200 ms",
    "first POST …/deployments of production after the SIGINT",
  );
  line(`SIGINT → exit with production read back (${load})`, ms(c.signalToExitMs), exitTarget, `${restored}; result ${c.result}, ${ended}`);
}

function decisionLine(label: string, d: Decision): void {
  line(label, ms(d.ms), "≤ 50 ms", `read in flight at the decision: ${d.readInFlight ? "yes" : "no"}; result ${d.result}`);
}

async function main(): Promise<void> {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  console.log(`shipline bench — Node ${process.version}, ${availableParallelism()} CPUs, load ${load}, ${new Date().toISOString()}\n`);
  header();

  section("The built action as a process (node dist/index.js, a runner's environment, sandbox + real wrangler + local fake GitHub)");
  const world = await startActionWorld();
  try {
    const rel = await measured("production-only release", () => measureReleaseOverhead(world, 8));
    if (rel) {
      const n = rel.overhead.samples.length;
      line(
        `start → first Cloudflare request (median of ${rel.firstRequest.samples.length})`,
        ms(rel.firstRequest.medianMs),
        "≤ 150 ms",
        `${range(rel.firstRequest)}; the read of production, from the runs below`,
      );
      line(
        `production-only release − gate waits (median of ${n})`,
        ms(rel.action.medianMs),
        "",
        `stages: production, approval: none, health-count 1 (${ms(rel.gateWaitsMs)} of gate waits); ` +
          `Deployment records and tags on the fake GitHub; results: ${rel.results.join(", ")}`,
      );
      line(
        `bare \`wrangler deploy --env production\`, same run (median of ${n})`,
        ms(rel.bare.medianMs),
        "",
        `same project and environment; exits: ${rel.bareExits.join(", ")}`,
      );
      line(
        `release overhead over the bare deploy (median of ${n} pairs)`,
        ms(rel.overhead.medianMs),
        "≤ 300 ms",
        `${range(rel.overhead)}; pairs alternate which runs first; was about 2500 ms`,
      );
      line(
        "  of which the sandbox loads the new version (first probe)",
        ms(rel.versionLoad.medianMs),
        "",
        "workerd starting the new version while the health probe waits: the sandbox's cost, not shipline's",
      );
    }

    section("Cancellation (SIGINT 300 ms into the production health gate: 6 × 1 s)");
    const quiet = await measured("SIGINT (quiet)", () => measureCancel(world, 0));
    if (quiet) cancelLines(quiet, "≤ 3000 ms");
    const busy = await measured("SIGINT (2 CPU hogs)", () => measureCancel(world, 2));
    if (busy) cancelLines(busy, "≤ 7000 ms");

    section("Approval → live in one call (gradual + issue approval, real clock: comment at a random point of the 2 s poll)");
    const live = await measured("approval → live", () => measureApprovalLive(world, 3));
    if (live) approvalLiveLines(live, line);
  } finally {
    await world.stop();
  }

  section("Releases in process (the engine with the real wrangler and the sandbox)");
  const releases = await measured("releases in process", () => measureReleases());
  if (releases) {
    decisionLine("failed gate's deciding measurement → rollback spawn, no read", releases.quiet);
    decisionLine("  same, the watch's read of production in flight (held 3 s)", releases.readInFlight);
    const h = releases.healthy;
    line("healthy release (staging, smoke, production, health): wall time", ms(h.wallMs), "", `result ${h.result}`);
    line("  in wrangler child processes", ms(h.childMs), "", `${h.spawns} spawns`);
    line("  in Cloudflare API reads of production", ms(h.apiMs), "", "anchor, the watch beside the gate, read-back");
    line("  in deliberate waits (gate intervals)", ms(h.sleepMs));
    line("  in HTTP probes", ms(h.probeMs));
    line("  the engine's own time (wall − union of the above)", ms(h.engineMs));
  }

  section("Command deployer on the blue-green example host (in process, no Cloudflare: a healthy release, then one broken in production)");
  const host = await measured("blue-green host rollback", () => measureHostRollback());
  if (host) {
    const note = `results: ${host.results.join(", ")}`;
    line("failed health gate → restore script spawned", ms(host.decisionToRestoreSpawnMs), "≤ 50 ms", note);
    line(
      "failed health gate → old version answers through the proxy",
      ms(host.decisionToOldVersionMs),
      "",
      "the restore switches the proxy back to the slot still running it",
    );
  }

  section("Approval wait (simulated clock, one hour, nobody decides)");
  const cost = await measured("approval wait", () => simulateApprovalWaitCost(1));
  if (cost) {
    line(
      "GitHub requests counted against the rate limit",
      String(cost.conditional),
      "≤ 60",
      `${cost.notModified} free 304s; a 10 s poll without ETags: ${cost.naive}`,
    );
  }
  const fast = await measured("approval wait, faster poll", () => simulateApprovalWaitCost(1, 0, true));
  if (fast) {
    line(
      `  same at the faster poll (every ${fast.pollIntervalMs / 1000} s: gradual, live on approval)`,
      String(fast.conditional),
      "≤ 60",
      `counted = answers other than 304 (open, first read, closing comment, close); ${fast.notModified} polls answered 304, not counted by GitHub`,
    );
  }

  section("Gates on a noisy network (simulated clock, 1,000 releases each: 10 % dropped connections, 2 % transient 503s)");
  const missed = await measured("gate simulation", () => printGateFigures(line));
  if (missed) failures += missed;

  section("Traffic analysis of a gradual step (defaults: one-sided Fisher exact test at 1 %, 1 % error floor; 10,000 seeded trials each)");
  for (const scenario of DEFAULT_SCENARIOS) {
    const { failedShare } = simulate(scenario, 10_000);
    const alarm = scenario.candidateErrorRate === scenario.baselineErrorRate;
    line(
      `${alarm ? "false alarms" : "detected"}: ${scenario.name}`,
      `${(failedShare * 100).toFixed(2)} %`,
      alarm ? "≤ 1 %" : "",
      `${scenario.requests} observed requests per version`,
    );
  }

  failures += await printInstallFigures(section, line, ms);

  section("shipline demo (sandbox + real wrangler: a release, then a rollback)");
  const demo = await measured("demo", () => runDemoBench());
  if (demo) {
    line("demo total", ms(demo.totalMs), "< 60000 ms", demo.runs.map((r) => `${r.result} ${ms(r.durationMs)}`).join(", "));
    line("  sandbox: deploy finished → new version served", ms(demo.serveNewVersionMs ?? Number.NaN), "", "median of the demo's deploys");
  }
  if (failures > 0) {
    console.log(`\n${failures} figure(s) could not be measured.`);
    process.exitCode = 1;
  }
}

await main();
