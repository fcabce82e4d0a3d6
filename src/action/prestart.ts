/**
 * The run's first `wrangler deploy`, started while the rest of the action loads.
 *
 * wrangler takes a second or more to start and bundle before it writes anything; the action
 * takes a few hundred milliseconds to load, check GitHub permissions and read production's
 * anchor. Started here, with its writes held at a gate (write-gate.ts), wrangler does its part
 * in the meantime: the pipeline's deploy adopts the process when it reaches its deploy with
 * the same command, and only then does anything reach Cloudflare. A run that stops first
 * (bad permissions, a tag that exists, a cancel) refuses the held writes: nothing changed.
 */
import semver from "semver";
import type { ResolvedSettings } from "../config/resolve.js";
import { resolveVersion } from "../core/version.js";
import { connectionFor } from "../providers/cloudflare/connection.js";
import { deployArgs } from "../providers/wrangler/commands.js";
import { findProjectWrangler } from "../providers/wrangler/locate.js";
import { complianceRegionFor, type WranglerProject } from "../providers/wrangler/project.js";
import { SECRETS_FILE_MIN_WRANGLER, WranglerProcessRunner } from "../providers/wrangler/runner.js";
import { definedEnv, type Env } from "./env.js";

/** The first deploy a run makes, when it can be known before the run starts. */
export interface FirstDeploy {
  readonly environment: string;
  readonly args: readonly string[];
}

/**
 * Which `wrangler deploy` the run makes first, or why none can be started early: only a
 * release whose version is known without GitHub (a tag ref or the `version` input), whose
 * first deploy is a `wrangler deploy` nothing runs before (no `before-production` command
 * ahead of a production-first deploy: it may build or migrate), and with no proxy (wrangler
 * would send the gate's local address to it). A project with a custom build (`build.command`
 * in the wrangler config) is not started early either (see `prestartFirstDeploy`).
 */
export function firstDeploy(settings: ResolvedSettings, env: Env): FirstDeploy | string {
  const config = settings.config;
  if (config.mode !== "release") return "not a release";
  if (settings.deployer.kind !== "wrangler") return "the project is not deployed with wrangler";
  if (PROXY_VARIABLES.some((name) => env[name])) return "a proxy is configured";
  const productionFirst = config.stages === "production";
  if (productionFirst && config.production.strategy !== "direct") return "production is uploaded first (gradual)";
  const before = [config, ...(settings.workers ?? []).map((w) => w.settings.config)].some((c) => c.production.beforeCommand);
  if (productionFirst && before) return "a before-production command runs first";
  const needsTags = !config.version.explicit && !config.version.ref?.startsWith("refs/tags/");
  if (needsTags) return "the version comes from the repository's tags";
  let tag: string;
  let sha: string;
  try {
    ({ tag, sha } = resolveVersion({ ...config.version }));
  } catch {
    return "the version does not resolve";
  }
  const environment = productionFirst ? config.production.environment : config.staging.environment;
  // The same command the pipeline's deploy runs (staging.ts, production.ts): `git:<sha>` as the message.
  return { environment, args: deployArgs(environment, tag, `git:${sha}`, config.vars ?? {}) };
}

const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] as const;

/**
 * Starts the run's first deploy with its writes held, when the project's own wrangler fits:
 * returns the runner that holds it (the wiring runs every wrangler command through it), or
 * undefined when nothing was started.
 */
export async function prestartFirstDeploy(
  settings: ResolvedSettings & { readonly project: WranglerProject | undefined },
  env: Env,
  signal: AbortSignal,
): Promise<WranglerProcessRunner | undefined> {
  const first = firstDeploy(settings, env);
  // A custom build is the project's own code: it runs in its turn, after the run's checks.
  if (typeof first === "string" || !settings.project || settings.project.customBuild) return undefined;
  const { config, runtime } = settings;
  const found = await findProjectWrangler(config.workingDirectory);
  if (!found || !semver.validRange(runtime.wranglerVersion) || !semver.satisfies(found.version, runtime.wranglerVersion)) return undefined;
  const secrets = runtime.secretValues;
  const hasSecrets = Object.keys(secrets).length > 0;
  if (hasSecrets && !semver.gte(semver.coerce(found.version)?.version ?? "0.0.0", SECRETS_FILE_MIN_WRANGLER)) return undefined;
  const base = definedEnv(env);
  const connection = connectionFor({
    env: base,
    apiToken: runtime.cloudflareApiToken,
    accountId: runtime.cloudflareAccountId,
    workingDirectory: config.workingDirectory,
    environment: first.environment,
    complianceRegion: complianceRegionFor(settings.project, first.environment),
  });
  // A proxy set in the project's .env files counts as much as one in the step's environment.
  if (connection.proxy !== undefined) return undefined;
  const upstream = connection.baseUrl;
  const runner = new WranglerProcessRunner({
    binJs: found.binJs,
    cwd: config.workingDirectory,
    env: base,
    apiToken: runtime.cloudflareApiToken,
    accountId: runtime.cloudflareAccountId,
    ...(env["RUNNER_TEMP"] ? { tempRoot: env["RUNNER_TEMP"] } : {}),
  });
  await runner.prestart(first.args, { signal, upstream, ...(hasSecrets ? { secrets } : {}) });
  return runner;
}
