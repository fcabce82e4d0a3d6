/**
 * `shipline sandbox`: the local Workers sandbox on its own, until Ctrl-C. Prints the variables
 * that point wrangler at it and where the deployed Workers answer.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from "../sandbox/index.js";
import type { ParsedFlags } from "./flags.js";
import type { CommandIo } from "./run.js";
import { EXIT, UsageError } from "./usage.js";

/** Runs the sandbox until SIGINT or SIGTERM; returns the exit code. */
export async function runSandboxCommand(flags: ParsedFlags, io: CommandIo, stop: Promise<unknown> = nextSignal()): Promise<number> {
  // What the sandbox cannot do as Cloudflare would is said at once, never left silent.
  const logger = { debug: () => undefined, warn: (message: string) => io.stderr(`⚠ ${message}`) };
  const sandbox = await startSandbox({ ...sandboxOptions(flags), logger });
  try {
    if (flags.options["json"] === true) io.stdout(JSON.stringify(describeSandbox(sandbox)));
    else for (const line of sandboxLines(sandbox)) io.stdout(line);
    await stop;
    io.stderr("Stopping the sandbox.");
  } finally {
    await sandbox.stop();
  }
  return EXIT.ok;
}

/** What `--json` prints: everything a script needs to use the sandbox. */
export function describeSandbox(sandbox: Sandbox): Record<string, unknown> {
  return {
    apiBaseUrl: sandbox.apiBaseUrl,
    trafficBaseUrl: sandbox.trafficBaseUrl,
    accountId: sandbox.accountId,
    env: sandbox.wranglerEnv(),
    workerUrlPattern: `${sandbox.trafficBaseUrl}/<worker-name>/<path>`,
  };
}

/** The human instructions: exports for wrangler, the Worker URL pattern, and a release command. */
export function sandboxLines(sandbox: Sandbox): string[] {
  const exports = Object.entries(sandbox.wranglerEnv()).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  const url = (script: string) => `${sandbox.trafficBaseUrl}/${script}`;
  return [
    "# shipline sandbox: the Cloudflare API wrangler uses, with every deployed Worker running in workerd.",
    "# Point wrangler (and shipline) at it in another shell:",
    ...exports,
    "",
    `# Deployed Workers answer at ${sandbox.trafficBaseUrl}/<worker-name>/<path>`,
    "# (<worker-name> is the wrangler name, <name>-<env> with --env <env>).",
    "# Release a Worker project against it:",
    `#   shipline release --version v1.0.0 --staging-url ${url("<name>-staging")} --production-url ${url("<name>-production")}`,
    "# Ctrl-C stops the sandbox; everything deployed to it is forgotten.",
  ];
}

function sandboxOptions(flags: ParsedFlags): SandboxOptions {
  const accountId = flags.options["account-id"] as string | undefined;
  if (accountId !== undefined && !/^[0-9a-f]{32}$/.test(accountId)) {
    throw new UsageError(`Flag --account-id has the value ${JSON.stringify(accountId)}: expected 32 lowercase hex characters.`, "sandbox");
  }
  const port = portFlag(flags, "port");
  const trafficPort = portFlag(flags, "traffic-port");
  const persistDir = flags.options["persist-dir"] as string | undefined;
  if (persistDir !== undefined && persistDir.trim() === "") {
    throw new UsageError(`Flag --persist-dir has an empty value: expected a directory.`, "sandbox");
  }
  return {
    ...(persistDir ? { persistDir } : {}),
    ...(accountId ? { accountId } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(trafficPort !== undefined ? { trafficPort } : {}),
  };
}

function portFlag(flags: ParsedFlags, name: string): number | undefined {
  const raw = flags.options[name] as string | undefined;
  if (raw === undefined) return undefined;
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`Flag --${name} has the value ${JSON.stringify(raw)}: expected a port number from 0 to 65535.`, "sandbox");
  return port;
}

/** Resolves at the first SIGINT or SIGTERM. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve(signal);
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
