// The entry point stays small: it reads the settings, starts reading production and starts the
// run's first deploy with its writes held, then loads the rest of the action (a separate chunk
// of the bundle) while those are under way.
import { startEarly } from "./early.js";

const early = await startEarly(process.env);
await early.sent;
await early.prestarted;
const { run } = await import("./main.js");
process.exitCode = await run(process.env, early);
