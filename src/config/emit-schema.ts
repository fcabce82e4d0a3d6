/**
 * Script (`npm run schema`, after the build): writes the generated files, `action.yml` and
 * `schema/shipline.schema.json`, at the repository root. Tests fail when they are stale.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedFiles } from "./generated.js";

// lib/config/emit-schema.js (or src/config/emit-schema.ts) → the repository root.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
for (const file of generatedFiles()) {
  const target = join(root, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.text);
  console.log(`wrote ${file.path}`);
}
