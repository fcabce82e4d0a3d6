/**
 * The suite's NODE_OPTIONS, for the processes it starts with an environment of its own (the
 * action, the CLI, wrangler): on Node 20, scripts/test-all.sh preloads the compile cache
 * (compile-cache.cjs) there, and the children should have it too.
 */
export const NODE_OPTIONS_ENV: Record<string, string> = process.env["NODE_OPTIONS"] ? { NODE_OPTIONS: process.env["NODE_OPTIONS"] } : {};
