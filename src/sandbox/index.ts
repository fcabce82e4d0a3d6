/**
 * The local Cloudflare API sandbox: a stand-in for the part of the Cloudflare API that
 * wrangler 4 uses, on 127.0.0.1, which runs every deployed Worker version in workerd.
 */
export { startSandbox } from "./sandbox.js";
export { SAMPLE_MIGRATION, writeSampleWorker } from "./fixture.js";
export type { SampleHealth, SampleWorkerOptions, SampleWorkerProject } from "./fixture.js";
export type { SandboxResourceSeed } from "./resources.js";
export { parseVersionOverrides, VERSION_OVERRIDES_HEADER } from "./routing.js";
export type {
  DeploymentView,
  FaultRule,
  RecordedRequest,
  RuntimeLoad,
  Sandbox,
  SandboxLogger,
  SandboxOptions,
  ScriptView,
  TrafficRecord,
  VersionView,
} from "./types.js";
