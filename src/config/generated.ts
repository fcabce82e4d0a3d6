/**
 * The files generated from source and committed: `action.yml` and the config file's JSON
 * Schema. One list, used by the script that writes them and by the test that checks them.
 */
import { renderActionYml } from "./emit-action-yml.js";
import { emitJsonSchema } from "./schema.js";

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
  ];
}
