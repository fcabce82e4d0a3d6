/**
 * The terminal extras of a command's console: a live line and colour on a TTY (stderr), plain
 * lines in a pipe or CI. A command given its own stderr sink (tests, the bench) gets neither
 * unless FORCE_COLOR asks for colour.
 */
import { stderrSink } from "./console.js";
import { colourEnabled, processLiveLine, type LiveLine } from "./live.js";
import type { CommandIo } from "./run.js";

export function terminalOutput(io: Pick<CommandIo, "env" | "stderr">): { live?: LiveLine; colour: boolean } {
  const onTerminal = io.stderr === stderrSink && process.stderr.isTTY === true;
  const live = onTerminal ? processLiveLine() : undefined;
  return { ...(live ? { live } : {}), colour: colourEnabled(io.env, onTerminal) };
}
