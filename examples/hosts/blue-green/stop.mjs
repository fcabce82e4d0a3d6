// Stops the proxy and both slots of every environment under SHIPLINE_HOST_DIR (releases stay).
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { readState, stopGroup } from "./lib.mjs";

const root = resolve(process.env.SHIPLINE_HOST_DIR || ".blue-green");
for (const environment of existsSync(root) ? readdirSync(root) : []) {
  const state = readState(join(root, environment));
  for (const pid of [state.proxy?.pid, state.slots.blue?.pid, state.slots.green?.pid]) stopGroup(pid);
}
