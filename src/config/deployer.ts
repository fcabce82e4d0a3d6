/**
 * Which deployer a run uses (input `deployer`, config key `deployer`), checked before anything
 * runs: the command deployer needs its deploy, status and restore commands, and what it cannot
 * do (`gradual` without upload and shift, Worker secrets and vars) is refused here with the
 * key, the value and what is accepted.
 */
import { parseDuration } from "../core/parse.js";
import { ConfigError } from "../core/errors.js";
import type { Millis, PipelineConfig } from "../core/types.js";
import { commandLine, type CommandLine } from "../providers/command/command-line.js";
import type { HostCommands } from "../providers/command/deployer.js";
import type { ConfigFile } from "./schema.js";
import type { Settings } from "./settings.js";
import { ACCEPTED } from "./values.js";

export type DeployerSettings =
  { readonly kind: "wrangler" } | { readonly kind: "command"; readonly commands: HostCommands; readonly timeoutMs?: Millis };

const ROLES = ["deploy", "status", "restore", "upload", "shift", "versions"] as const;
const REQUIRED = ["deploy", "status", "restore"] as const;

/** The deployer settings; errors are collected in `settings`. */
export function resolveDeployer(settings: Settings, config: PipelineConfig): DeployerSettings {
  const kind = settings.fileValue<"wrangler" | "command">("deployer.kind", { type: "enum", values: ["wrangler", "command"] });
  const section: NonNullable<ConfigFile["deployer"]> = settings.file.deployer ?? {};
  const given = ROLES.filter((role) => section[role] !== undefined);
  if (kind.value !== "command") {
    if (given.length > 0) {
      const kindText = kind.value === undefined ? "not set (wrangler)" : "`wrangler`";
      settings.errors.push(
        new ConfigError(
          `deployer.${given[0]}`,
          `Config key \`deployer.${given[0]}\` is set, but \`deployer.kind\` is ${kindText}: commands are run by the command deployer only. Expected \`kind: command\`, or no commands.`,
        ),
      );
    }
    return { kind: "wrangler" };
  }
  const shell = section.shell === true;
  const commands: Partial<Record<(typeof ROLES)[number], CommandLine>> = {};
  for (const role of ROLES) {
    const raw = section[role];
    if (raw === undefined) continue;
    const line = settings.attempt(() => {
      try {
        return commandLine(raw, shell);
      } catch (error) {
        throw new ConfigError(
          `deployer.${role}`,
          `Config key \`deployer.${role}\` has the value ${JSON.stringify(raw)}: ${(error as Error).message}.`,
        );
      }
    });
    if (line) commands[role] = line;
  }
  const missing = REQUIRED.filter((role) => section[role] === undefined);
  if (missing.length > 0) {
    settings.errors.push(
      new ConfigError(
        `deployer.${missing[0]}`,
        `The command deployer needs config key${missing.length > 1 ? "s" : ""} ${missing.map((m) => `\`deployer.${m}\``).join(", ")}: the commands that deploy a version, report what an environment serves, and restore an earlier version. Expected each as a command line or a list, such as \`${missing[0]}: ./${missing[0]}.sh\`.`,
      ),
    );
  }
  refuseUnsupported(settings, config, section);
  const timeoutMs = section.timeout === undefined ? undefined : settings.attempt(() => parseTimeout(section.timeout as string));
  if (!commands.deploy || !commands.status || !commands.restore) return { kind: "wrangler" };
  return {
    kind: "command",
    commands: commands as HostCommands,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

/** What wrangler does and the commands cannot: refused before anything is deployed. */
function refuseUnsupported(settings: Settings, config: PipelineConfig, section: NonNullable<ConfigFile["deployer"]>): void {
  const refuse = (key: string, message: string) => settings.errors.push(new ConfigError(key, message));
  if (config.production.strategy === "gradual" && (!section.upload || !section.shift)) {
    const lacking = [!section.upload && "`deployer.upload`", !section.shift && "`deployer.shift`"].filter(Boolean).join(" and ");
    refuse(
      "strategy",
      `\`strategy: gradual\` with the command deployer needs ${lacking}: a gradual rollout uploads the release without traffic, then shifts traffic step by step. Expected \`strategy: direct\`, or upload and shift commands.`,
    );
  }
  for (const [key, names] of [
    ["secrets", config.secrets],
    ["required-secrets", config.requiredSecrets],
  ] as const) {
    if (names && names.length > 0) {
      refuse(
        key,
        `Input \`${key}\` (${names.join(", ")}) is for Worker secrets, which the command deployer does not upload or list: give them to your deploy command through the step's environment instead. Expected no \`${key}\` with \`deployer: command\`.`,
      );
    }
  }
  if (config.vars && Object.keys(config.vars).length > 0) {
    refuse(
      "vars",
      `Input \`vars\` (${Object.keys(config.vars).join(", ")}) sets Worker vars, which the command deployer does not pass on: give them to your deploy command through the step's environment instead. Expected no \`vars\` with \`deployer: command\`.`,
    );
  }
}

function parseTimeout(text: string): Millis {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(
      "deployer.timeout",
      `Config key \`deployer.timeout\` has the value ${JSON.stringify(text)}: expected ${ACCEPTED.positiveDuration}.`,
    );
  }
  return ms;
}
