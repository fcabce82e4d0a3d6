/**
 * The README's input and output tables, generated from the same table as action.yml so the
 * documentation cannot drift from what the action accepts. `npm run schema` rewrites the
 * regions between the markers; a test fails when they are stale.
 */
import { INPUTS, OUTPUTS } from "./inputs.js";

const REGIONS = {
  inputs: renderInputsTable,
  outputs: renderOutputsTable,
} as const;

/** The Markdown table of every input: name, default, config-file key, meaning. */
export function renderInputsTable(): string {
  const rows = INPUTS.map((input) => {
    const def = input.default !== undefined ? `\`${input.default}\`` : (input.defaultText ?? "—");
    const key = input.configKey ? `\`${input.configKey}\`` : "—";
    return `| \`${input.name}\` | ${def} | ${key} | ${cell(input.description)} |`;
  });
  return ["| input | default | config file key | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** The Markdown table of every output. */
export function renderOutputsTable(): string {
  const rows = OUTPUTS.map((output) => `| \`${output.name}\` | ${cell(output.description)} |`);
  return ["| output | meaning |", "|---|---|", ...rows].join("\n");
}

/** `text` with each `<!-- name:start -->…<!-- name:end -->` region replaced by its generated table. */
export function syncReadme(text: string): string {
  let result = text;
  for (const [name, render] of Object.entries(REGIONS)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README has no ${start} … ${end} region`);
    result = `${result.slice(0, from + start.length)}\n${render()}\n${result.slice(to)}`;
  }
  return result;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
