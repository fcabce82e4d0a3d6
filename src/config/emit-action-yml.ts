/**
 * Generates `action.yml` from the input and output table, so that the metadata the runner reads
 * and the values `resolveConfig` applies cannot drift apart (a test compares the committed file).
 */
import { stringify } from "yaml";
import { INPUTS, OUTPUTS, type InputSpec } from "./inputs.js";

const HEADER = "# Generated from src/config/inputs.ts by src/config/emit-action-yml.ts (npm run schema). Do not edit.\n";

/** The text of `action.yml`. */
export function renderActionYml(): string {
  const metadata = {
    name: "shipline",
    description:
      "Release pipeline for Cloudflare Workers: staging, smoke gate, approval, production, health gate, automatic rollback, tags and releases.",
    author: "shipline",
    branding: { icon: "upload-cloud", color: "orange" },
    inputs: Object.fromEntries(INPUTS.map((spec) => [spec.name, inputMetadata(spec)])),
    outputs: Object.fromEntries(OUTPUTS.map((spec) => [spec.name, { description: spec.description }])),
    runs: { using: "node24", main: "dist/index.js" },
  };
  return HEADER + stringify(metadata, { lineWidth: 0 });
}

/** One input's entry; defaults the config file can also set are described, not declared. */
function inputMetadata(spec: InputSpec): { description: string; required: false; default?: string } {
  const entry: { description: string; required: false; default?: string } = {
    description: spec.description + defaultNote(spec),
    required: false,
  };
  if (spec.actionDefault !== undefined) entry.default = spec.actionDefault;
  return entry;
}

function defaultNote(spec: InputSpec): string {
  if (spec.actionDefault !== undefined && spec.defaultText === undefined) return "";
  const value = spec.default !== undefined ? `\`${spec.default}\`` : spec.defaultText;
  const file = spec.configKey ? `config file key \`${spec.configKey}\`` : undefined;
  if (value === undefined) return file ? ` Overrides the ${file}.` : "";
  return file ? ` Default: the ${file}, else ${value}.` : ` Default: ${value}.`;
}
