/**
 * Flags + config file + the local repository → the same validated settings the action uses
 * (`resolveConfig`). The CLI adds what only it has: `approval: prompt`, and the commit and
 * release tag read from git in place of `GITHUB_SHA` / `GITHUB_REF`.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfigSource, resolveConfig, type ResolvedSettings } from "../config/index.js";
import { ConfigError } from "../core/errors.js";
import type { Mode, PipelineConfig } from "../core/types.js";
import { checkCommandProject } from "../providers/command/project-check.js";
import { checkWorkerProject, environmentsNeeded } from "../providers/wrangler/project-check.js";
import type { WranglerProject } from "../providers/wrangler/project.js";
import { readGitFacts, type GitFacts } from "./git.js";
import { UsageError } from "./usage.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** Resolved settings plus what the CLI learned about the repository. */
export interface CliSettings extends ResolvedSettings {
  readonly git: GitFacts;
  /** The wrangler config of the working directory, as checked before anything runs. */
  /** The wrangler config found in the working directory (none for the command deployer). */
  readonly project: WranglerProject | undefined;
}

export interface LoadArgs {
  readonly mode: Mode;
  /** Validated flag values by input name. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Directory the command runs in: relative paths (config file, working directory) start here. */
  readonly cwd: string;
  readonly env: Env;
}

export const WORKERS_NOT_IN_CLI =
  "Config key `workers` lists several Workers, but the CLI releases one Worker at a time: expected a config without `workers` (the GitHub Action releases several Workers together).";

/** Resolves the configuration like the action; throws `UsageError` for a bad flag, `ConfigError` otherwise. */
export async function loadSettings(args: LoadArgs): Promise<CliSettings> {
  const { prompt, inputs } = splitPrompt(args.inputs);
  const git = await readGitFacts(resolve(args.cwd, inputs["working-directory"] ?? "."), inputs["tag-prefix"] ?? "v");
  const env = {
    ...args.env,
    GITHUB_SHA: git.sha ?? args.env["GITHUB_SHA"] ?? "",
    GITHUB_REF: git.ref ?? args.env["GITHUB_REF"],
  };
  const readText = (path: string) => {
    const file = resolve(args.cwd, path);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  };
  const all = { ...inputs, mode: args.mode };
  let settings: ResolvedSettings;
  try {
    settings = resolveConfig({ inputs: all, ...loadConfigSource(all, readText), env });
  } catch (error) {
    throw asFlagError(error, args.inputs, args.mode);
  }
  if (settings.workers) throw new ConfigError("workers", WORKERS_NOT_IN_CLI);
  const config: PipelineConfig = {
    ...settings.config,
    workingDirectory: resolve(args.cwd, settings.config.workingDirectory),
    approval: { ...settings.config.approval, mode: approvalMode(prompt, settings.config.approval.mode) },
  };
  const project =
    settings.deployer.kind === "command"
      ? checkCommandFolder(settings.config.workingDirectory, config)
      : checkProject(settings.config.workingDirectory, config);
  const warnings = settings.warnings.map((w) => (w.startsWith("GITHUB_SHA") ? noCommitWarning(config.workingDirectory, git) : w));
  return { ...settings, config, warnings: [...warnings, ...project.warnings], git, project: project.project };
}

/**
 * The working directory's wrangler config and environments, checked before wrangler is
 * located or installed. A failure is a configuration error (exit 1, as in the action), worded
 * for the command line.
 */
function checkProject(given: string, config: PipelineConfig): { project: WranglerProject; warnings: string[] } {
  try {
    return checkWorkerProject({ given, directory: config.workingDirectory, environments: environmentsNeeded(config) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(error.key, error.message.replace(/Input `([a-z-]+)`/g, "Flag `--$1`"));
  }
}

/** The command deployer's folder: it must exist; no wrangler config is looked for. */
function checkCommandFolder(given: string, config: PipelineConfig): { project: undefined; warnings: string[] } {
  try {
    checkCommandProject({ given, directory: config.workingDirectory });
    return { project: undefined, warnings: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(error.key, error.message.replace(/Input `([a-z-]+)`/g, "Flag `--$1`"));
  }
}

/** The resolver's "GITHUB_SHA is not set", in the CLI's terms. */
function noCommitWarning(dir: string, git: GitFacts): string {
  const why = git.isRepository ? "its repository has no commit yet" : "it is not in a git repository";
  return `No commit to release from ${dir}: ${why}, so the release cannot be tagged.`;
}

/** `--approval prompt` is the CLI's own mode: the action's resolver sees `none`. */
function splitPrompt(inputs: Readonly<Record<string, string>>): { prompt: boolean; inputs: Record<string, string> } {
  const { approval, ...rest } = inputs;
  if (approval !== "prompt") return { prompt: false, inputs: { ...inputs } };
  return { prompt: true, inputs: { ...rest, approval: "none" } };
}

/**
 * Outside GitHub the approver is whoever runs the command: an approval asked for by the config
 * file (issue, environment) becomes the terminal prompt.
 */
function approvalMode(prompt: boolean, resolved: PipelineConfig["approval"]["mode"]): PipelineConfig["approval"]["mode"] {
  if (prompt) return "prompt";
  return resolved === "issue" || resolved === "environment" ? "prompt" : resolved;
}

/**
 * The resolver's messages name inputs (`Input \`health-count\``); on the command line they are
 * flags. An error about a flag that was given, or a required flag that was not (`--rollback-reason`),
 * is a usage error (exit 2), pointing at the command's own help.
 */
function asFlagError(error: unknown, given: Readonly<Record<string, string>>, mode: Mode): unknown {
  if (!(error instanceof ConfigError)) return error;
  const message = error.message.replace(/Input `([a-z-]+)`/g, "Flag `--$1`").replace(/^Input ([a-z-]+)\b/, "Flag --$1");
  const errors = "errors" in error ? (error as { errors: readonly ConfigError[] }).errors : [error];
  if (errors.every((e) => e.key in given || isMissingFlag(e))) return new UsageError(message, mode);
  return new ConfigError(error.key, message);
}

/** A required flag that was left out (the resolver says "… is not set"). */
function isMissingFlag(error: ConfigError): boolean {
  return /`--?[a-z-]+` is not set|Input `[a-z-]+` is not set/.test(error.message);
}
