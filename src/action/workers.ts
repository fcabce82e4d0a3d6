/**
 * The action's wiring for a release of several Workers (config key `workers`): the first
 * Worker uses the deployer the action already built; each other Worker gets its own, over its
 * own folder (its wrangler, its config, its secrets and vars), through the same shared wiring.
 */
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { ResolvedSettings } from "../config/resolve.js";
import type { WorkerUnit } from "../core/multi.js";
import type { PipelineDeps } from "../core/pipeline.js";
import type { Logger } from "../core/ports.js";
import { wireShared } from "../wiring.js";
import type { ActionWiringOptions } from "./deps.js";
import { definedEnv } from "./env.js";

/** Every Worker of the release, in deploy order, with its own deployer. */
export async function workerUnits(
  settings: ResolvedSettings,
  first: PipelineDeps,
  options: Pick<ActionWiringOptions, "env" | "signal"> & { readonly logger: Logger; readonly workspace: string },
): Promise<WorkerUnit[]> {
  const workers = settings.workers ?? [];
  const units: WorkerUnit[] = [];
  for (const [index, w] of workers.entries()) {
    const config = w.settings.config;
    const directory = relative(options.workspace, config.workingDirectory) || ".";
    if (index === 0) {
      units.push({ name: w.name, config, directory, deps: { deployer: first.deployer } });
      continue;
    }
    options.logger.info(`Worker ${w.name} (${directory}):`);
    const { deps } = await wireShared({
      config,
      wranglerVersion: w.settings.runtime.wranglerVersion,
      apiToken: w.settings.runtime.cloudflareApiToken,
      accountId: w.settings.runtime.cloudflareAccountId,
      env: definedEnv(options.env),
      logger: options.logger,
      signal: options.signal,
      toolCache: options.env["RUNNER_TOOL_CACHE"] || join(tmpdir(), "shipline-tools"),
      tempRoot: options.env["RUNNER_TEMP"] || undefined,
      secretValues: w.settings.runtime.secretValues,
    });
    units.push({
      name: w.name,
      config,
      directory,
      deps: { deployer: deps.deployer, ...(deps.commands ? { commands: deps.commands } : {}) },
    });
  }
  return units;
}
