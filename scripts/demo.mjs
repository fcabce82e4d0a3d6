#!/usr/bin/env node
// `npm run demo`: compiles src/ to lib/ only when a source file is newer than lib/ (saying so,
// since it takes a while on a slow machine), then runs `shipline demo` with the given flags.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "lib/cli/bin.js");

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const built = existsSync(bin) ? statSync(bin).mtimeMs : 0;
if (newest(join(root, "src")) > built) {
  process.stderr.write(
    `Compiling shipline (${built === 0 ? "lib/ is missing" : "src/ changed since the last build"}): tsc, about a minute on a slow machine…\n`,
  );
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], {
    cwd: root,
    stdio: "inherit",
  });
} else process.stderr.write("lib/ is up to date: starting the demo.\n");
const run = spawnSync(process.execPath, [bin, "demo", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(run.status ?? 1);
