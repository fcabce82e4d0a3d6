/**
 * `shipline check <url>`: one gate, with the rules of the health-* flags, against any URL.
 * Prints every measurement and the verdict; exit code 0 when the gate passed.
 */
import { resolveConfig } from "../config/index.js";
import { parseUrl } from "../config/values.js";
import { ConfigError } from "../core/errors.js";
import { runGate } from "../core/gate.js";
import { formatMs, versionNote } from "../core/report.js";
import type { GateReport, GateSettings } from "../core/types.js";
import { createFetchProbe } from "../providers/http/probe.js";
import { systemClock } from "../providers/system/clock.js";
import { installSignalHandlers } from "../action/signals.js";
import { CliConsole } from "./console.js";
import { terminalOutput } from "./terminal.js";
import type { ParsedFlags } from "./flags.js";
import { measurementLine } from "./progress.js";
import type { CommandIo } from "./run.js";
import { EXIT, UsageError } from "./usage.js";

/** Runs the gate and prints the verdict; returns the exit code. */
export async function runCheckCommand(flags: ParsedFlags, io: CommandIo): Promise<number> {
  const url = checkedUrl(flags.positionals[0] ?? "");
  const settings = gateSettings(flags.inputs, url);
  const out = new CliConsole({ sink: io.stderr, startedAt: io.startedAt, verbose: false, ...terminalOutput(io) });
  out.line(`▸ Checking ${url}: ${settings.count} measurement${settings.count === 1 ? "" : "s"}, ${formatMs(settings.intervalMs)} apart`);
  out.live?.start(`checking ${url}`, Date.now());
  const controller = new AbortController();
  const signals = installSignalHandlers(controller, out.logger());
  let report: GateReport;
  try {
    report = await runGate({
      gate: "check",
      environment: "url",
      baseUrl: url,
      settings,
      probe: createFetchProbe(),
      clock: systemClock,
      signal: controller.signal,
      onMeasurement: (m) => out.line(`    ${measurementLine("check", m)}`, m.at),
    });
  } finally {
    out.live?.stop();
    signals.dispose();
  }
  const exitCode = report.outcome === "passed" ? EXIT.ok : EXIT.failed;
  if (flags.options["json"] === true) io.stdout(JSON.stringify({ outcome: report.outcome, exitCode, report }, null, 2));
  else {
    io.stdout(verdictLine(report));
    const note = versionNote(report);
    if (note !== undefined) io.stdout(`⚠ ${note}`);
  }
  return exitCode;
}

/** `✔ passed: 3 measurements (3 successful, 0 failed, 0 errors), p50 2ms, p95 4ms` */
export function verdictLine(report: GateReport): string {
  const s = report.stats;
  const mark = report.outcome === "passed" ? "✔" : "✖";
  const latency = s.p95Ms === undefined ? "" : `, p50 ${formatMs(s.p50Ms ?? 0)}, p95 ${formatMs(s.p95Ms)}`;
  const reason = report.reason ? `. ${report.reason}` : "";
  const counted = `${s.count} measurement${s.count === 1 ? "" : "s"}`;
  return `${mark} ${report.outcome}: ${counted} (${s.successful} successful, ${s.failed} failed, ${s.errors} errors)${latency}${reason}`;
}

function checkedUrl(raw: string): string {
  try {
    return parseUrl({ key: "url", label: "Argument <url>" }, raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message, "check");
    throw error;
  }
}

/**
 * The health gate the action would build from these inputs. Without `--health-path` the URL
 * itself is probed (the action's default path `/` would be appended to it otherwise).
 */
function gateSettings(inputs: Readonly<Record<string, string>>, url: string): GateSettings {
  try {
    const health = resolveConfig({ inputs: { ...inputs, mode: "plan" }, env: {} }).config.production.health;
    if (inputs["health-path"] !== undefined) return health;
    const name = `GET ${new URL(url).pathname}`;
    return { ...health, checks: health.checks.map(({ path: _path, ...check }) => ({ ...check, name, url })) };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message.replace(/Input `([a-z-]+)`/g, "Flag `--$1`"), "check");
    throw error;
  }
}
