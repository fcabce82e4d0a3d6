/**
 * The preload the suite's children get, for the processes it starts with an environment of
 * its own (the action, the CLI, wrangler): on Node 20, scripts/test-all.sh names the compile
 * cache (compile-cache.cjs) in SHIPLINE_TEST_PRELOAD. Only that: whatever else a developer's
 * NODE_OPTIONS holds (`--inspect`, an IDE's bootloader) does not reach the runs under test.
 */
const preload = process.env["SHIPLINE_TEST_PRELOAD"];
export const NODE_OPTIONS_ENV: Record<string, string> = preload ? { NODE_OPTIONS: `--require ${JSON.stringify(preload)}` } : {};
