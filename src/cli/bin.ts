#!/usr/bin/env node
/** The `shipline` executable (package.json `bin`). */
import { stopAllChildren } from "../providers/system/process-tree.js";
import { main } from "./main.js";

try {
  process.exitCode = await main(process.argv.slice(2));
} finally {
  // No wrangler, npm, git or user command outlives the command (an exit hook covers process.exit).
  await stopAllChildren();
}
