/** The wrangler provider: locating wrangler, running it, and the `Deployer` built on it. */
export {
  WranglerDeployer,
  type WranglerDeployerOptions,
  type WranglerDeployerProcessOptions,
  type WranglerDeployerRunnerOptions,
} from "./deployer.js";
export {
  WranglerProcessRunner,
  DEFAULT_WRANGLER_TIMEOUT_MS,
  type RunOptions,
  type SpawnEvent,
  type WranglerProcessOptions,
  type WranglerResult,
  type WranglerRunner,
} from "./runner.js";
export {
  locateWrangler,
  findProjectWrangler,
  installDirFor,
  npmInstallArgs,
  defaultNpmRunner,
  DEFAULT_WRANGLER_RANGE,
  type LocateOptions,
  type LocatedWrangler,
  type NpmRunner,
} from "./locate.js";
export { buildWranglerEnv, type BaseEnv, type WranglerEnvOptions } from "./env.js";
export { parseOutputFile, parseOutputLine, findEntry, type OutputEntry, type KnownEntry } from "./output.js";
export { accountIdWarning, readConfigAccountIds } from "./config-account.js";
export { stripAnsi } from "./text.js";
