// status: what the environment serves, its deployments (newest first) and the releases kept.
import { environmentDir, isAlive, print, readState, statusDocument } from "./lib.mjs";

const state = readState(environmentDir());
if (state.live && !isAlive(state.slots[state.live]?.pid)) console.error(`warning: the live ${state.live} slot's process is not running`);
print(statusDocument(state));
