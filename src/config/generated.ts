/**
 * The files generated from source and committed: `action.yml`, the config file's JSON Schema
 * and the health report's. One list, used by the script that writes them and by the test that checks them.
 */
import { renderActionYml } from "./emit-action-yml.js";
import { emitHealthReportSchema } from "./health-report-schema.js";
import { emitJsonSchema } from "./schema.js";
import { emitCommandDeployerSchema } from "../providers/command/contract.js";

export interface GeneratedFile {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly text: string;
}

/** Every generated file with its expected content. */
export function generatedFiles(): GeneratedFile[] {
  return [
    { path: "action.yml", text: renderActionYml() },
    { path: "schema/shipline.schema.json", text: `${JSON.stringify(emitJsonSchema(), null, 2)}\n` },
    { path: "schema/health-report.schema.json", text: `${JSON.stringify(emitHealthReportSchema(), null, 2)}\n` },
    { path: "schema/command-deployer.schema.json", text: `${JSON.stringify(emitCommandDeployerSchema(), null, 2)}\n` },
  ];
}
