/**
 * The end of a run: the health-report file, the outputs the action would set, the summary it
 * would write, and the result printed for a human (stdout) or a program (`--json`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { formatMs, healthReport, isSuccess, renderSummary, toOutputs, versionNote } from "../core/report.js";
import type { PipelineResult } from "../core/types.js";
import type { LineSink } from "./console.js";
import { EXIT } from "./usage.js";

/** What the CLI prints with `--json`: the result and the action's outputs. */
export interface JsonReport {
  readonly result: PipelineResult["result"];
  readonly success: boolean;
  readonly exitCode: number;
  readonly message: string;
  readonly outputs: Record<string, string>;
  readonly manualCommand?: string;
  readonly summaryPath?: string;
  readonly warnings: readonly string[];
}

export interface FinishOptions {
  readonly json: boolean;
  readonly stdout: LineSink;
  /** Write the Markdown summary here (relative to `cwd`). */
  readonly summaryPath?: string;
  readonly cwd: string;
  /** Hides secrets in everything printed. */
  readonly mask: (text: string) => string;
}

/** Writes the report files, prints the result, and returns the exit code (the action's). */
export async function finishRun(result: PipelineResult, options: FinishOptions): Promise<number> {
  // A report of no measurements (a plan, a run stopped before any stage) is not worth a file in /tmp.
  const reportPath = result.stages.length > 0 || result.gates.length > 0 ? await writeHealthReport(result, options.mask) : "";
  const outputs = toOutputs(result, reportPath);
  const summaryPath = options.summaryPath ? resolve(options.cwd, options.summaryPath) : undefined;
  if (summaryPath) await writeText(summaryPath, options.mask(renderSummary(result)));
  const success = isSuccess(result);
  const exitCode = success ? EXIT.ok : EXIT.failed;
  if (options.json) {
    const report: JsonReport = {
      result: result.result,
      success,
      exitCode,
      message: result.message,
      outputs,
      ...(result.manualCommand ? { manualCommand: result.manualCommand } : {}),
      ...(summaryPath ? { summaryPath } : {}),
      warnings: result.warnings,
    };
    options.stdout(options.mask(JSON.stringify(report, null, 2)));
  } else {
    for (const line of humanLines(result, outputs, summaryPath)) options.stdout(options.mask(line));
  }
  return exitCode;
}

/** The result as a human reads it: verdict, explanation, which versions answered the gates (when news), and the outputs that are set. */
export function humanLines(result: PipelineResult, outputs: Record<string, string>, summaryPath?: string): string[] {
  const mark = isSuccess(result) ? "✔" : "✖";
  const lines = [`${mark} shipline: ${result.result} (${formatMs(result.endedAt - result.startedAt)}). ${result.message}`];
  if (result.manualCommand) lines.push(`  Run by hand: ${result.manualCommand}`);
  for (const gate of result.gates) {
    const note = versionNote(gate);
    if (note !== undefined) lines.push(`  ⚠ ${note}`);
  }
  for (const [name, value] of Object.entries(outputs)) if (value && name !== "result") lines.push(`  ${name}: ${value}`);
  if (summaryPath) lines.push(`  summary: ${summaryPath}`);
  return lines;
}

/** The health report, masked like everything else the CLI writes (a response excerpt may hold anything). */
async function writeHealthReport(result: PipelineResult, mask: (text: string) => string): Promise<string> {
  const file = join(tmpdir(), `shipline-health-report-${process.pid}-${Date.now()}.json`);
  await writeText(file, mask(JSON.stringify(healthReport(result), null, 2)));
  return file;
}

/** Writes `text` to `file`, creating its folder. */
export async function writeText(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}
