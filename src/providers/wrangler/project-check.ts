/**
 * Checks `working-directory` before anything runs (before wrangler is located or installed):
 * the folder exists, holds a wrangler config that wrangler itself would read, and defines the
 * environments the run deploys to, as wrangler would accept them (see project.ts). Each
 * failure is a `ConfigError` naming the input, the value as given, and what is accepted.
 */
import { statSync } from "node:fs";
import { relative } from "node:path";
import { ConfigError } from "../../core/errors.js";
import type { PipelineConfig } from "../../core/types.js";
import {
  acceptsEnvironment,
  configFilesIn,
  environmentNames,
  findWranglerConfig,
  readWranglerProject,
  WRANGLER_CONFIG_FILES,
  WranglerConfigError,
  workerNameFor,
  type WranglerProject,
} from "./project.js";

/** An environment the run deploys to, with the input that names it. */
export interface NeededEnvironment {
  readonly name: string;
  /** `staging-environment` or `production-environment`. */
  readonly input: string;
}

export interface ProjectCheck {
  /** `working-directory` as the user wrote it. */
  readonly given: string;
  /** The same folder, resolved (absolute). */
  readonly directory: string;
  readonly environments: readonly NeededEnvironment[];
}

const INPUT = "working-directory";
const FILES = `${WRANGLER_CONFIG_FILES.slice(0, -1).join(", ")} or ${WRANGLER_CONFIG_FILES.at(-1)}`;

/** The environments a run touches: production for a rollback, one of them for `stages`, else both. */
export function environmentsNeeded(config: Pick<PipelineConfig, "mode" | "stages" | "staging" | "production">): NeededEnvironment[] {
  const staging = { name: config.staging.environment, input: "staging-environment" };
  const production = { name: config.production.environment, input: "production-environment" };
  if (config.mode === "rollback") return [production];
  if (config.stages === "staging") return [staging];
  if (config.stages === "production") return [production];
  return [staging, production];
}

/** The project's config, or a `ConfigError` saying why the folder cannot be deployed from; plus warnings. */
export function checkWorkerProject(check: ProjectCheck): { project: WranglerProject; warnings: string[] } {
  const label = `Input \`${INPUT}\` has the value ${JSON.stringify(check.given)}`;
  const fail = (why: string, expected: string) => new ConfigError(INPUT, `${label}: ${why}. Expected ${expected}.`);
  const folder = `a folder holding the Worker's wrangler config (${FILES})`;
  const kind = statKind(check.directory);
  if (kind === "missing") throw fail(`${check.directory} does not exist`, folder);
  if (kind === "file") throw fail(`${check.directory} is a file, not a folder`, folder);

  const own = configFilesIn(check.directory)[0];
  if (!own) throw fail(`${check.directory} holds no wrangler config`, folder);
  const used = findWranglerConfig(check.directory);
  if (used && used !== own) {
    throw fail(
      `wrangler run there reads ${used}, not ${relative(check.directory, own)} (it looks for wrangler.json up to the file-system root before wrangler.jsonc, then wrangler.toml)`,
      `a folder whose own config is the one wrangler reads: rename or move ${used}`,
    );
  }
  let project: WranglerProject;
  try {
    project = readWranglerProject(check.directory) as WranglerProject;
  } catch (error) {
    if (!(error instanceof WranglerConfigError)) throw error;
    throw fail(`its wrangler config does not parse: ${error.message}`, `a valid ${FILES}`);
  }
  const file = relative(check.directory, project.configPath);
  if (!project.legacyEnv) {
    throw fail(
      `${file} sets legacy_env = false (service environments, deprecated in wrangler 4), which shipline does not read or restore`,
      "wrangler environments (the default): remove legacy_env",
    );
  }
  const missing = check.environments.filter((env) => !acceptsEnvironment(project, env.name));
  if (missing.length > 0) {
    const names = missing.map((env) => `"${env.name}" (input \`${env.input}\`)`).join(" and ");
    const defined = environmentNames(project);
    const sections = missing
      .map((env) => (project.format === "toml" ? `[env.${env.name}]` : `"env": { "${env.name}": {…} }`))
      .join(" and ");
    throw fail(
      `${file} defines no environment ${names}; it defines ${defined.length > 0 ? defined.map((n) => `"${n}"`).join(", ") : "none"}`,
      `a config with ${sections}, or the environment names your config uses`,
    );
  }
  const unnamed = check.environments.filter((env) => !workerNameFor(project, env.name));
  if (unnamed.length > 0) {
    throw fail(
      `${file} names no Worker for environment ${unnamed.map((env) => `"${env.name}"`).join(" and ")}`,
      "a top-level `name` (or one in the environment's section)",
    );
  }
  const warnings = check.environments
    .filter((env) => env.name !== "" && !project.hasEnvTable)
    .map(
      (env) =>
        `${file} defines no environments: for --env ${env.name} wrangler deploys its top-level settings ` +
        `as the Worker ${workerNameFor(project, env.name)} (and warns). Add [env.${env.name}] to give it its own settings.`,
    );
  return { project, warnings };
}

function statKind(path: string): "missing" | "file" | "directory" {
  try {
    return statSync(path).isDirectory() ? "directory" : "file";
  } catch {
    return "missing";
  }
}
