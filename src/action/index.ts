// The entry point stays small: it reads the settings and starts reading production first,
// then loads the rest of the action (a separate chunk of the bundle) while that request is out.
import { startEarly } from "./early.js";

const early = await startEarly(process.env);
await early.sent;
const { run } = await import("./main.js");
process.exitCode = await run(process.env, early);
