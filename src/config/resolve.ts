/**
 * Inputs + config file → one validated `PipelineConfig` (SPEC sections 2, 4, 5). Everything is
 * checked here, before anything is deployed; every error names the input or config key, the
 * value and what is accepted. Inputs override the config file, which overrides the defaults.
 */
import { ConfigError } from "../core/errors.js";
import type { ApprovalMode, BumpKind, Mode, PipelineConfig, RollbackPolicy, StagesSelection, Strategy } from "../core/types.js";
import { resolveVersion } from "../core/version.js";
import { resolveAnalysis } from "./analysis.js";
import { DEFAULT_CONFIG_PATH } from "./file.js";
import { resolveDeployer, type DeployerSettings } from "./deployer.js";
import { resolveGates } from "./gates.js";
import type { ConfigFile } from "./schema.js";
import { Settings, type Sourced } from "./settings.js";
import { fromInput, throwCollected } from "./values.js";
import { resolveWorkers, type WorkerSettings } from "./workers.js";

export interface ResolveArgs {
  /** Inputs by kebab-case name (see `readInputs`), absent when not given. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Text of the config file, when one was found (`resolveConfig` parses it). */
  readonly configText?: string;
  /** The config file, parsed (`resolveSettings` takes this instead of the text). */
  readonly configFile?: ConfigFile;
  /** Path of the config file, for messages. */
  readonly configPath?: string;
  /** `GITHUB_REF`, `GITHUB_SHA`, and the variables `${{ env.NAME }}` references. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface RuntimeSettings {
  readonly githubToken?: string;
  /** `release-token`, else the GitHub token. */
  readonly releaseToken?: string;
  readonly cloudflareApiToken?: string;
  readonly cloudflareAccountId?: string;
  /** Semver range, default `4`. */
  readonly wranglerVersion: string;
  /**
   * Values of the `secrets` names, read from the step's environment; uploaded with each
   * version. Every value is also in `ResolvedSettings.secrets` (masked).
   */
  readonly secretValues: Readonly<Record<string, string>>;
  /** Input `deployment-records`: write GitHub Deployment records. */
  readonly deploymentRecords: boolean;
}

export interface ResolvedSettings {
  readonly config: PipelineConfig;
  readonly runtime: RuntimeSettings;
  /** Every value to mask before anything is printed. */
  readonly secrets: readonly string[];
  readonly warnings: readonly string[];
  /** Which deployer releases the project (input `deployer`, config key `deployer`). */
  readonly deployer: DeployerSettings;
  /** With config key `workers`: every Worker, in deploy order (`config` above is the first one's). */
  readonly workers?: readonly WorkerSettings[];
}

/**
 * Resolves and validates the whole configuration from the inputs and the parsed config file;
 * throws `ConfigError` (or `ConfigErrors`). `resolveConfig` (parse-file.ts) takes the file's text.
 */
export function resolveSettings(args: Omit<ResolveArgs, "configText">): ResolvedSettings {
  const { inputs, env } = args;
  const file = loadFile(args);
  const { workers } = file;
  if (workers) return resolveWorkers({ ...file, workers }, inputs, (one) => resolveSettings({ ...args, configFile: one }));
  const settings = new Settings(inputs, file);
  const secrets = ["github-token", "release-token", "cloudflare-api-token"].flatMap((n) => (inputs[n] ? [inputs[n]] : []));

  const mode = settings.require<Mode>("mode").value;
  const gates = resolveGates(settings, env);
  secrets.push(...gates.secrets);
  const staging = {
    environment: settings.require<string>("staging-environment"),
    url: settings.get<string>("staging-url").value,
    smokeCommand: settings.get<string>("smoke-command").value,
  };
  const production = {
    environment: settings.require<string>("production-environment"),
    url: settings.get<string>("production-url").value,
  };
  checkEnvironments(settings, staging.environment, production.environment.value);
  const workerSecrets = resolveSecretValues(settings, mode, env);
  secrets.push(...Object.values(workerSecrets.values));

  const strategy = settings.require<Strategy>("strategy").value;
  const analysis = resolveAnalysis(settings, strategy);
  const config: PipelineConfig = {
    mode,
    stages: settings.require<StagesSelection>("stages").value,
    workingDirectory: settings.require<string>("working-directory").value,
    version: resolveVersionSettings(settings, mode, env),
    staging: { ...staging, environment: staging.environment.value, smoke: gates.smoke },
    production: {
      ...production,
      environment: production.environment.value,
      strategy,
      steps: settings.require<number[]>("rollout-steps").value,
      health: gates.health,
      rollback: settings.require<RollbackPolicy>("rollback").value,
      beforeCommand: settings.get<string>("before-production").value,
      ...(analysis ? { analysis } : {}),
    },
    approval: resolveApproval(settings),
    release: {
      promotePrerelease: settings.require<boolean>("promote-prerelease").value,
      floatingTags: settings.require<boolean>("floating-tags").value,
      createRelease: settings.require<boolean>("create-release").value,
      afterCommand: settings.get<string>("after-release").value,
    },
    secrets: workerSecrets.names,
    vars: settings.get<Record<string, string>>("vars").value,
    requiredSecrets: settings.get<string[]>("required-secrets").value,
    ...resolveEmergency(settings, mode),
  };
  const runtime: RuntimeSettings = {
    githubToken: inputs["github-token"],
    releaseToken: inputs["release-token"] ?? inputs["github-token"],
    cloudflareApiToken: inputs["cloudflare-api-token"],
    cloudflareAccountId: inputs["cloudflare-account-id"],
    wranglerVersion: settings.require<string>("wrangler-version").value,
    secretValues: workerSecrets.values,
    deploymentRecords: settings.require<boolean>("deployment-records").value,
  };
  const deployer = resolveDeployer(settings, config);
  throwCollected(settings.errors);
  return { config: stripUndefined(config), runtime, secrets: [...new Set(secrets)], warnings: settings.warnings, deployer };
}

/** The parsed config file; a `config` input naming a file that was not found is an error. */
function loadFile(args: Omit<ResolveArgs, "configText">): ConfigFile {
  const named = args.inputs["config"];
  if (args.configFile === undefined) {
    if (named !== undefined) {
      throw new ConfigError(
        "config",
        `Input \`config\` has the value ${JSON.stringify(named)}, but no such file exists: expected the path of a YAML config file relative to the repository root (default ${DEFAULT_CONFIG_PATH}, used only when it exists).`,
      );
    }
    return {};
  }
  return args.configFile;
}

function checkEnvironments(settings: Settings, staging: Sourced<string>, production: string): void {
  if (staging.value !== production) return;
  const origin = staging.origin ?? fromInput("staging-environment");
  settings.errors.push(
    new ConfigError(
      origin.key,
      `${origin.label} has the value ${JSON.stringify(staging.value)}, the same as the production environment: expected two different wrangler environments, so that staging never deploys to production.`,
    ),
  );
}

/**
 * The values of the `secrets` names, from the step's environment. A name whose variable is
 * missing or empty is an error before anything is deployed (a Worker would otherwise go out
 * with an empty secret). An emergency rollback uploads nothing: the names are not read then.
 */
function resolveSecretValues(
  settings: Settings,
  mode: Mode,
  env: ResolveArgs["env"],
): { names: string[] | undefined; values: Record<string, string> } {
  const sourced = settings.get<string[]>("secrets");
  const names = sourced.value;
  const values: Record<string, string> = {};
  if (!names || mode === "rollback") return { names: mode === "rollback" ? undefined : names, values };
  const origin = sourced.origin ?? fromInput("secrets");
  const missing: string[] = [];
  for (const name of names) {
    const value = env[name];
    if (value === undefined || value === "") missing.push(name);
    else values[name] = value;
  }
  if (missing.length > 0) {
    const list = missing.join(", ");
    settings.errors.push(
      new ConfigError(
        origin.key,
        `${origin.label} names ${list}, but the environment has no value for ${missing.length === 1 ? "it" : "them"} (unset or empty): expected each name in \`secrets\` to be an environment variable with a non-empty value, e.g. \`env: { ${missing[0]}: \${{ secrets.${missing[0]} }} }\` on the workflow step (or \`export ${missing[0]}=…\` before the CLI). Nothing was deployed.`,
      ),
    );
  }
  return { names, values };
}

function resolveVersionSettings(settings: Settings, mode: Mode, env: ResolveArgs["env"]): PipelineConfig["version"] {
  const version = {
    explicit: settings.get<string>("version").value,
    ref: env["GITHUB_REF"] || undefined,
    bump: settings.get<BumpKind>("bump").value,
    tagPrefix: settings.require<string>("tag-prefix").value,
    sha: env["GITHUB_SHA"] ?? "",
  };
  if (mode === "rollback") return version;
  if (!version.sha) settings.warnings.push("GITHUB_SHA is not set: tags cannot be created without the commit.");
  // The version is resolved again by the engine (with the repository's tags for `bump`); here
  // it only proves that an explicit version or a tag ref is usable before anything deploys.
  try {
    resolveVersion({ ...version, existingTags: [] });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (mode === "plan" && error.key === "version" && !version.explicit) settings.warnings.push(error.message);
    else settings.errors.push(error);
  }
  return version;
}

function resolveApproval(settings: Settings): PipelineConfig["approval"] {
  const approvers = settings.get<string[]>("approvers");
  const list = approvers.value ?? [];
  const explicit = settings.get<ApprovalMode>("approval");
  const mode: ApprovalMode = explicit.value ?? (list.length > 0 ? "issue" : "none");
  const minimum = settings.require<number>("minimum-approvals");
  if (mode === "issue" && list.length === 0 && !settings.givenInput("approvers")) {
    const origin = explicit.origin ?? fromInput("approval");
    settings.errors.push(
      new ConfigError(
        origin.key,
        `${origin.label} has the value "issue" but no approvers are set: expected \`approvers\` (input, or \`approval.approvers\` in the config file) such as alice,my-org/ops.`,
      ),
    );
  }
  // Users only (no org/team slug) cap how many distinct people can approve.
  const teams = list.some((a) => a.includes("/"));
  if (mode === "issue" && list.length > 0 && !teams && minimum.value > list.length) {
    const origin = minimum.origin ?? fromInput("minimum-approvals");
    settings.errors.push(
      new ConfigError(
        origin.key,
        `${origin.label} has the value ${minimum.value}: expected at most ${list.length}, the number of approvers (${list.join(", ")}); the approval could never pass.`,
      ),
    );
  }
  if ((mode === "none" || mode === "environment") && list.length > 0) {
    settings.warnings.push(`approvers are ignored with approval: ${mode}.`);
  }
  return {
    mode,
    approvers: list,
    minimum: minimum.value,
    timeoutMs: settings.require<number>("approval-timeout").value,
    allowSelfApproval: settings.require<boolean>("allow-self-approval").value,
  };
}

function resolveEmergency(settings: Settings, mode: Mode): Pick<PipelineConfig, "emergency"> {
  const target = settings.get<string>("rollback-target").value;
  const reason = settings.get<string>("rollback-reason").value;
  if (mode !== "rollback") {
    if (target !== undefined || reason !== undefined) {
      settings.warnings.push(`rollback-target and rollback-reason are used only with mode: rollback (mode is ${mode}).`);
    }
    return {};
  }
  if (reason === undefined) {
    settings.errors.push(
      new ConfigError(
        "rollback-reason",
        "Input `rollback-reason` is not set: expected a reason for the emergency rollback (required with `mode: rollback`; it becomes the wrangler rollback message).",
      ),
    );
    return { emergency: { reason: "", ...(target !== undefined ? { target } : {}) } };
  }
  return { emergency: { reason, ...(target !== undefined ? { target } : {}) } };
}

/** Drops keys whose value is `undefined`, so that the config prints and compares cleanly. */
function stripUndefined<T>(value: T): T {
  if (Array.isArray(value) || value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = stripUndefined(item);
  return out as T;
}
