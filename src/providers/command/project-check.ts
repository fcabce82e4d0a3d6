/**
 * The checks of `working-directory` for the command deployer, before anything runs: the folder
 * exists (no wrangler config is looked for), and what a plan says about the commands.
 */
import { statSync } from "node:fs";
import { ConfigError } from "../../core/errors.js";
import type { HostCommands } from "./deployer.js";

/** Throws a `ConfigError` naming `working-directory` when the folder the commands run in is not one. */
export function checkCommandProject(check: { readonly given: string; readonly directory: string }): void {
  const label = `Input \`working-directory\` has the value ${JSON.stringify(check.given)}`;
  let kind: "missing" | "file" | "folder";
  try {
    kind = statSync(check.directory).isDirectory() ? "folder" : "file";
  } catch {
    kind = "missing";
  }
  if (kind === "folder") return;
  const why = kind === "missing" ? `${check.directory} does not exist` : `${check.directory} is a file, not a folder`;
  throw new ConfigError("working-directory", `${label}: ${why}. Expected the folder the deployer's commands run in.`);
}

/** The plan's lines about the commands. */
export function commandProjectFacts(directory: string, commands: HostCommands, timeoutMs: number | undefined): string[] {
  const roles = Object.entries(commands) as [string, { text: string; shell: boolean }][];
  return [
    `Deployer: commands, run in ${directory}${roles.some(([, c]) => c.shell) ? " through the shell" : " without a shell"}, each within ${Math.round((timeoutMs ?? 600_000) / 1000)} s`,
    ...roles.map(([role, c]) => `  ${role}: ${c.text}`),
  ];
}
