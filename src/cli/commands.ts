/**
 * The CLI's commands and the flags each one takes. Input flags are chosen by rules over the
 * INPUTS table, never listed by hand.
 */
import type { InputSpec } from "../config/index.js";
import { inputsWhere, type CommandSpec, type ExtraFlag } from "./flags.js";

const HELP: ExtraFlag = { name: "help", short: "h", type: "boolean", description: "Show this help." };
const JSON_FLAG: ExtraFlag = {
  name: "json",
  type: "boolean",
  description: "Print machine-readable JSON on stdout (progress stays on stderr).",
};
const VERBOSE: ExtraFlag = { name: "verbose", type: "boolean", description: "Also print the engine's and wrangler's log lines." };
const SUMMARY: ExtraFlag = {
  name: "summary",
  type: "string",
  value: "<file>",
  description: "Write the Markdown summary the action writes on GitHub to this file.",
};

const ROLLBACK_ONLY = new Set(["rollback-target", "rollback-reason"]);
/** Settings every run against Cloudflare needs. */
const RUN_BASICS = new Set([
  "config",
  "working-directory",
  "cloudflare-api-token",
  "cloudflare-account-id",
  "wrangler-version",
  "tag-prefix",
]);

const releaseInputs = (spec: InputSpec) => !ROLLBACK_ONLY.has(spec.name);
/** The rules of a gate: the health-* settings and the header naming the version that answered. */
const gateInputs = (spec: InputSpec) => spec.name.startsWith("health-") || spec.name === "version-header";
const rollbackInputs = (spec: InputSpec) =>
  RUN_BASICS.has(spec.name) || ROLLBACK_ONLY.has(spec.name) || gateInputs(spec) || spec.name.startsWith("production-");

/** Every command, in the order `shipline --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "release",
    summary:
      "Run the release pipeline: staging, smoke gate, approval (terminal prompt), production, health gate, rollback or local git tags.",
    usage: "shipline release [flags]",
    inputs: inputsWhere(releaseInputs),
    extra: [JSON_FLAG, SUMMARY, VERBOSE, HELP],
    positionals: [],
  },
  {
    name: "rollback",
    summary: "Emergency rollback: put an earlier version back on production, read it back, and run the health gate on it.",
    usage: "shipline rollback --rollback-reason <text> --production-url <url> [flags]",
    inputs: inputsWhere(rollbackInputs),
    extra: [JSON_FLAG, SUMMARY, VERBOSE, HELP],
    positionals: [],
  },
  {
    name: "check",
    summary: "Run one gate against a URL with the health-* settings; print every measurement and the verdict.",
    usage: "shipline check <url> [flags]",
    inputs: inputsWhere(gateInputs),
    extra: [JSON_FLAG, HELP],
    positionals: ["url"],
  },
  {
    name: "plan",
    summary: "Validate the flags and the config file and print what a release would do. Changes nothing.",
    usage: "shipline plan [flags]",
    inputs: inputsWhere(releaseInputs),
    extra: [JSON_FLAG, HELP],
    positionals: [],
  },
  {
    name: "sandbox",
    summary:
      "Start the local Workers sandbox (the Cloudflare API wrangler uses, Workers run in workerd) until Ctrl-C; print how to point wrangler at it.",
    usage: "shipline sandbox [flags]",
    inputs: [],
    extra: [
      { name: "port", type: "string", value: "<port>", description: "Port of the API server (default: a free port)." },
      { name: "traffic-port", type: "string", value: "<port>", description: "Port serving the deployed Workers (default: a free port)." },
      { name: "account-id", type: "string", value: "<hex32>", description: "Account id the sandbox answers for (default: a random one)." },
      {
        name: "persist-dir",
        type: "string",
        value: "<dir>",
        description: "Keep KV, D1 and R2 data and their list here, for the next start (default: a temporary directory, removed at exit).",
      },
      JSON_FLAG,
      HELP,
    ],
    positionals: [],
  },
  {
    name: "demo",
    summary:
      "With nothing configured: start the sandbox, create a sample Worker in a git repository, and release it twice with the real wrangler (a healthy v1.0.0, then a broken v1.1.0 that is rolled back).",
    usage: "shipline demo [flags]",
    inputs: [],
    extra: [
      {
        name: "dir",
        type: "string",
        value: "<folder>",
        description: "Folder for the sample Worker's git repository (default: a new temporary folder, kept).",
      },
      {
        name: "host",
        type: "string",
        value: "blue-green",
        description:
          "Release a sample HTTP service through an example host instead of the Workers sandbox: blue-green (two slots behind a local proxy, with the command deployer; no Cloudflare, no wrangler).",
      },
      SUMMARY,
      JSON_FLAG,
      VERBOSE,
      HELP,
    ],
    positionals: [],
  },
];

/** The command named `name`, if there is one. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
