// restore: serves SHIPLINE_TARGET_VERSION again. When one of the two slots still runs it, that is
// a switch of the proxy (no start, no build); otherwise its kept release is started in the idle
// slot first. Prints the status document.
import {
  ensureProxy,
  environmentDir,
  fail,
  otherSlot,
  print,
  readState,
  slotServing,
  startSlot,
  statusDocument,
  switchTo,
} from "./lib.mjs";
import { existsSync } from "node:fs";
import { join } from "node:path";

const dir = environmentDir();
const state = readState(dir);
const target = process.env.SHIPLINE_TARGET_VERSION;
if (!target) fail("SHIPLINE_TARGET_VERSION is not set");
try {
  let slot = slotServing(state, target);
  if (!slot) {
    if (!existsSync(join(dir, "releases", target))) fail(`no release ${target} is kept in ${dir}`);
    slot = state.live ? otherSlot(state.live) : "blue";
    const known = state.versions.find((v) => v.versionId === target);
    await startSlot(dir, state, slot, { versionId: target, version: known?.tag?.replace(/^v/, "") });
  }
  await ensureProxy(dir, state);
  switchTo(dir, state, slot, process.env.SHIPLINE_MESSAGE);
  console.error(`${process.env.SHIPLINE_ENVIRONMENT}: ${target} is live again in the ${slot} slot`);
  print(statusDocument(state));
} catch (error) {
  fail(`restore of ${target} failed: ${error.message}`);
}
