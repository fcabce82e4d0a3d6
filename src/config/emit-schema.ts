/**
 * Script (`npm run schema`, after the build): writes the generated files, `action.yml` and
 * `schema/shipline.schema.json`, and the README's input and output tables. Tests fail when
 * any of them is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedFiles } from "./generated.js";
import { syncReadme } from "./readme-tables.js";

// lib/config/emit-schema.js (or src/config/emit-schema.ts) → the repository root.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
for (const file of generatedFiles()) {
  const target = join(root, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.text);
  console.log(`wrote ${file.path}`);
}
const readme = join(root, "README.md");
writeFileSync(readme, syncReadme(readFileSync(readme, "utf8")));
console.log("updated the input and output tables of README.md");
