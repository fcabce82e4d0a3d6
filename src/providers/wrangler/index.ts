/** The wrangler provider: locating wrangler, running it, and the `Deployer` built on it. */
export {
  WranglerDeployer,
  VERSION_OVERRIDES_HEADER,
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
  defaultInstallRunner,
  installPlan,
  DEFAULT_WRANGLER_RANGE,
  type InstallPlan,
  type InstallRunner,
  type LocateOptions,
  type LocatedWrangler,
  type NpmRunner,
} from "./locate.js";
export {
  readProjectWranglerFacts,
  chooseWranglerSpec,
  type PackageManagerName,
  type ProjectWranglerFacts,
  type WranglerChoice,
} from "./lockfile.js";
export { buildWranglerEnv, type BaseEnv, type WranglerEnvOptions } from "./env.js";
export { parseOutputFile, parseOutputLine, findEntry, type OutputEntry, type KnownEntry } from "./output.js";
export { accountIdWarning, readConfigAccountIds } from "./config-account.js";
export {
  readWranglerProject,
  parseWranglerProject,
  findWranglerConfig,
  workerNameFor,
  accountIdFor,
  acceptsEnvironment,
  environmentNames,
  WranglerConfigError,
  WRANGLER_CONFIG_FILES,
  type WranglerProject,
  type WranglerEnvironment,
} from "./project.js";
export { checkWorkerProject, environmentsNeeded, type NeededEnvironment, type ProjectCheck } from "./project-check.js";
export { WranglerTargets, type WranglerTargetsOptions, type ResolvedTarget } from "./targets.js";
export { stripAnsi } from "./text.js";
