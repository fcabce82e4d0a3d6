/**
 * The `shipline` command: picks the subcommand, parses its flags, runs it, and turns every
 * failure into a message and an exit code (0 success, 1 failed as the action, 2 usage).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, errorMessage } from "../core/errors.js";
import { COMMANDS, findCommand } from "./commands.js";
import { CliConsole, stderrSink } from "./console.js";
import { SHIPLINE_ROOT } from "./deps.js";
import { parseFlags, type CommandSpec, type ParsedFlags } from "./flags.js";
import { commandHelp, programHelp } from "./help.js";
import type { CommandIo } from "./run.js";
import { terminalOutput } from "./terminal.js";
import { closest, EXIT, UsageError } from "./usage.js";

/** The default I/O: the process's cwd, environment, stdout and stderr. */
export function processIo(): CommandIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (line) => void process.stdout.write(`${line}\n`),
    stderr: stderrSink,
    startedAt: Date.now(),
  };
}

/** Runs `shipline <argv>`; resolves with the exit code. */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(programHelp(COMMANDS, packageVersion()));
    return EXIT.usage;
  }
  if (name === "--help" || name === "-h" || name === "help") return help(rest[0], io);
  if (name === "--version" || name === "-V") {
    io.stdout(packageVersion());
    return EXIT.ok;
  }
  const command = findCommand(name);
  try {
    if (!command) throw unknownCommand(name);
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    return await dispatch(command, parseFlags(command, rest), io);
  } catch (error) {
    return reportError(error, io);
  }
}

/** Loads only the command's own modules: the sandbox (Miniflare) alone takes seconds to import. */
async function dispatch(command: CommandSpec, flags: ParsedFlags, io: CommandIo): Promise<number> {
  switch (command.name) {
    case "release":
    case "rollback":
    case "plan":
      return (await import("./run.js")).runModeCommand(command.name, flags, io);
    case "check":
      return (await import("./check.js")).runCheckCommand(flags, io);
    case "sandbox":
      return (await import("./sandbox.js")).runSandboxCommand(flags, io);
    case "demo":
      return runDemoCommand(flags, io);
    default:
      throw unknownCommand(command.name);
  }
}

async function runDemoCommand(flags: ParsedFlags, io: CommandIo): Promise<number> {
  const verbose = flags.options["verbose"] === true;
  const logger = new CliConsole({ sink: io.stderr, startedAt: io.startedAt, verbose }).logger();
  const summaryPath = flags.options["summary"] as string | undefined;
  const host = flags.options["host"] as string | undefined;
  const { runDemoWithSignals } = await import("./demo.js");
  const { demoJson } = await import("./demo-report.js");
  const { DEMO_HOSTS, runHostDemo } = await import("./demo-host.js");
  if (host !== undefined && !(DEMO_HOSTS as readonly string[]).includes(host)) {
    throw new UsageError(`Flag \`--host\` has the value ${JSON.stringify(host)}: expected one of ${DEMO_HOSTS.join(", ")}.`, "demo");
  }
  const report = await runDemoWithSignals(
    { sink: io.stderr, verbose, terminal: terminalOutput(io), ...(summaryPath ? { summaryPath: join(io.cwd, summaryPath) } : {}) },
    logger,
    ...(host ? [runHostDemo] : []),
  );
  if (flags.options["json"] === true) io.stdout(JSON.stringify(demoJson(report), null, 2));
  else io.stdout(report.ok ? `✔ shipline demo passed in ${(report.totalMs / 1000).toFixed(1)}s` : "✖ shipline demo failed");
  return report.ok ? EXIT.ok : EXIT.failed;
}

function help(commandName: string | undefined, io: CommandIo): number {
  if (commandName === undefined) {
    io.stdout(programHelp(COMMANDS, packageVersion()));
    return EXIT.ok;
  }
  const command = findCommand(commandName);
  if (!command) return reportError(unknownCommand(commandName), io);
  io.stdout(commandHelp(command));
  return EXIT.ok;
}

function unknownCommand(name: string): UsageError {
  const names = COMMANDS.map((c) => c.name);
  const guess = closest(name, names);
  return new UsageError(`Unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ""}: expected one of ${names.join(", ")}.`);
}

/** Prints an error the way its kind deserves and returns the exit code. */
function reportError(error: unknown, io: CommandIo): number {
  if (error instanceof UsageError) {
    const more = error.command ? `Run \`shipline ${error.command} --help\` for its flags.` : "Run `shipline --help` for the commands.";
    io.stderr(`shipline: ${error.message}\n${more}`);
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    io.stderr(`shipline: configuration error: ${error.message}`);
    return EXIT.failed;
  }
  io.stderr(`shipline: ${errorMessage(error)}`);
  return EXIT.failed;
}

/** shipline's own version, from its package.json. */
export function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(SHIPLINE_ROOT, "package.json"), "utf8")) as { version?: string };
    return manifest.version ?? "unknown";
  } catch {
    return "unknown";
  }
}
