/**
 * `--help` text: usage, what the command does, and every flag with its description and
 * default, taken from the INPUTS table.
 */
import type { InputSpec } from "../config/index.js";
import type { CommandSpec, ExtraFlag } from "./flags.js";
import { valueText } from "./flags.js";

const WIDTH = 34;

/** Help of one command. */
export function commandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${command.usage}`, "", command.summary, ""];
  if (command.inputs.length > 0) {
    lines.push("Flags (the action's inputs):");
    for (const spec of command.inputs) lines.push(...row(inputFlag(spec), inputDescription(spec)));
    lines.push("");
  }
  lines.push("Options:");
  for (const flag of command.extra) lines.push(...row(extraFlag(flag), flag.description));
  lines.push("", "Exit codes: 0 success, 1 failed (as the action), 2 wrong flags or arguments.");
  return lines.join("\n");
}

/** Help of the whole program: the commands. */
export function programHelp(commands: readonly CommandSpec[], version: string): string {
  const lines = [`shipline ${version}: release pipeline for Cloudflare Workers`, "", "Usage: shipline <command> [flags]", "", "Commands:"];
  for (const command of commands) lines.push(...row(command.name, command.summary));
  lines.push(
    "",
    "Run `shipline <command> --help` for a command's flags. `shipline --version` prints the version.",
    "First time? `shipline demo` runs the whole pipeline against a local Workers sandbox, nothing to configure.",
  );
  return lines.join("\n");
}

function inputFlag(spec: InputSpec): string {
  return spec.kind.type === "boolean" ? `--[no-]${spec.name}` : `--${spec.name} ${valueText(spec)}`;
}

function extraFlag(flag: ExtraFlag): string {
  const short = flag.short ? `-${flag.short}, ` : "";
  return `${short}--${flag.name}${flag.type === "string" ? ` ${flag.value ?? "<value>"}` : ""}`;
}

/** Where the command line differs from the action: its own approval mode, and git in place of `GITHUB_REF`. */
const CLI_HELP: Readonly<Record<string, { readonly description?: string; readonly defaultText?: string }>> = {
  approval: {
    description: "prompt (ask on this terminal), none, or issue / environment (both become the terminal prompt outside GitHub).",
    defaultText: "prompt when approvers is set, else none",
  },
  version: { defaultText: "the release tag at the checked-out commit (git)" },
  "cloudflare-api-token": { defaultText: "CLOUDFLARE_API_TOKEN from the environment" },
  "cloudflare-account-id": { defaultText: "CLOUDFLARE_ACCOUNT_ID from the environment, or wrangler's config" },
};

function inputDescription(spec: InputSpec): string {
  const cli = CLI_HELP[spec.name];
  const plain = (cli?.description ?? spec.description).replace(/`/g, "");
  const fallback = cli?.defaultText ?? spec.default ?? spec.defaultText?.replace(/`/g, "");
  return fallback === undefined ? plain : `${plain} (default: ${fallback})`;
}

/** A flag and its description, wrapped under a fixed column. */
function row(left: string, text: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    if (current && current.length + word.length + 1 > 100 - WIDTH) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  lines.push(current);
  const head = `  ${left}`;
  const first = head.length < WIDTH ? `${head.padEnd(WIDTH)}${lines[0]}` : `${head}\n${" ".repeat(WIDTH)}${lines[0]}`;
  return [first, ...lines.slice(1).map((line) => `${" ".repeat(WIDTH)}${line}`)];
}
