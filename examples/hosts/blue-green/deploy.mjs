// deploy: keeps the project's app as a new release, starts it in the idle slot, waits until it
// answers, switches the proxy to it. The slot that served before keeps running: a restore
// switches back to it in milliseconds. Prints `{ "versionId", "url" }`.
import { ensureProxy, environmentDir, fail, keepRelease, otherSlot, print, readState, startSlot, switchTo, writeState } from "./lib.mjs";

const dir = environmentDir();
const state = readState(dir);
const tag = process.env.SHIPLINE_TAG ?? "";
const versionId = `r${state.next}-${(tag || process.env.SHIPLINE_VERSION || "untagged").replace(/[^\w.-]/g, "_")}`.toLowerCase();
state.next += 1;
writeState(dir, state);
const idle = state.live ? otherSlot(state.live) : "blue";
try {
  keepRelease(dir, versionId);
  state.versions.unshift({
    versionId,
    ...(tag ? { tag } : {}),
    ...(process.env.SHIPLINE_MESSAGE ? { message: process.env.SHIPLINE_MESSAGE } : {}),
    createdOn: new Date().toISOString(),
  });
  await startSlot(dir, state, idle, { versionId, version: process.env.SHIPLINE_VERSION });
  const url = await ensureProxy(dir, state);
  switchTo(dir, state, idle, process.env.SHIPLINE_MESSAGE);
  console.error(`${process.env.SHIPLINE_ENVIRONMENT}: ${versionId} is live in the ${idle} slot, behind ${url}`);
  print({ versionId, url, deploymentId: state.deployments[0].deploymentId });
} catch (error) {
  fail(`deploy of ${versionId} failed, traffic unchanged: ${error.message}`);
}
