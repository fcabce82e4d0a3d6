/**
 * Command-line flags. Every flag that mirrors an action input is generated from the INPUTS
 * table (name, description, default, accepted values), so `--help`, validation and the action
 * cannot disagree. Parsing is `node:util` `parseArgs`; every failure is a `UsageError` that
 * names the flag and what it accepts.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { INPUTS, type InputKind, type InputSpec } from "../config/index.js";
import { ConfigError } from "../core/errors.js";
import { parseByKind } from "../config/values.js";
import { closest, UsageError } from "./usage.js";

/** A flag of the CLI itself (not an action input). */
export interface ExtraFlag {
  readonly name: string;
  readonly type: "string" | "boolean";
  readonly description: string;
  /** Placeholder in `--help`, e.g. `<file>`. */
  readonly value?: string;
  readonly short?: string;
}

/** One subcommand: the inputs it takes as flags, its own flags and positional arguments. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** e.g. `shipline check <url> [flags]` */
  readonly usage: string;
  readonly inputs: readonly InputSpec[];
  readonly extra: readonly ExtraFlag[];
  readonly positionals: readonly string[];
}

/** What a command line parsed to. */
export interface ParsedFlags {
  /** Input values by input name, as text (booleans as `true`/`false`), validated. */
  readonly inputs: Record<string, string>;
  /** The CLI's own flags. */
  readonly options: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
}

/** Inputs that mean nothing outside GitHub Actions: the command is the mode, and there is no GitHub. */
const NOT_FLAGS = new Set(["mode", "github-token", "release-token", "deployment-records"]);

/** The CLI's approval adds the terminal prompt to the action's modes. */
const CLI_KINDS: Readonly<Record<string, InputKind>> = {
  approval: { type: "enum", values: ["prompt", "none", "issue", "environment"] },
};

/** The input kind as the CLI accepts it. */
export function cliKind(spec: InputSpec): InputKind {
  return CLI_KINDS[spec.name] ?? spec.kind;
}

/** The inputs a command takes, chosen by a rule over the whole table. */
export function inputsWhere(keep: (spec: InputSpec) => boolean): InputSpec[] {
  return INPUTS.filter((spec) => !NOT_FLAGS.has(spec.name) && keep(spec));
}

/** Parses `argv` for `command`; throws `UsageError` for anything it does not accept. */
export function parseFlags(command: CommandSpec, argv: readonly string[]): ParsedFlags {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: joinDashValues(command, argv), options: parseOptions(command), strict: true, allowPositionals: true });
  } catch (error) {
    throw translateParseError(command, error);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const inputs: Record<string, string> = {};
  for (const spec of command.inputs) {
    const raw = inputValue(spec, values);
    if (raw === undefined) continue;
    validate(spec, raw, command.name);
    inputs[spec.name] = raw;
  }
  const options = Object.fromEntries(command.extra.map((flag) => [flag.name, values[flag.name]]));
  checkPositionals(command, parsed.positionals);
  return { inputs, options, positionals: parsed.positionals };
}

/**
 * `--health-interval -5s` is a flag and a (bad) value, not a flag missing its value: a value
 * that starts with `-` but is no flag of the command is joined to its flag (`--health-interval=-5s`),
 * so validation says what is wrong with it.
 */
function joinDashValues(command: CommandSpec, argv: readonly string[]): string[] {
  const takesValue = new Set([
    ...command.inputs.filter((s) => s.kind.type !== "boolean").map((s) => `--${s.name}`),
    ...command.extra.filter((f) => f.type === "string").map((f) => `--${f.name}`),
  ]);
  const known = new Set([...flagNames(command), ...command.extra.flatMap((f) => (f.short ? [`-${f.short}`] : []))]);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (takesValue.has(arg) && next !== undefined && next.startsWith("-") && next !== "--" && !known.has(next.split("=")[0]!)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function parseOptions(command: CommandSpec): NonNullable<ParseArgsConfig["options"]> {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const spec of command.inputs) {
    if (spec.kind.type === "boolean") {
      options[spec.name] = { type: "boolean" };
      options[`no-${spec.name}`] = { type: "boolean" };
    } else options[spec.name] = { type: "string" };
  }
  for (const flag of command.extra) options[flag.name] = { type: flag.type, ...(flag.short ? { short: flag.short } : {}) };
  return options;
}

function inputValue(spec: InputSpec, values: Record<string, string | boolean | undefined>): string | undefined {
  if (spec.kind.type !== "boolean") return values[spec.name] as string | undefined;
  if (values[spec.name] && values[`no-${spec.name}`]) {
    throw new UsageError(`Flags --${spec.name} and --no-${spec.name} contradict each other: give one of them.`);
  }
  if (values[spec.name]) return "true";
  return values[`no-${spec.name}`] ? "false" : undefined;
}

/** Checks one value the way the action checks its input, with the message naming the flag. */
function validate(spec: InputSpec, raw: string, command: string): void {
  try {
    parseByKind(cliKind(spec), { key: spec.name, label: `Flag \`--${spec.name}\`` }, raw.trim());
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message, command);
    throw error;
  }
}

function checkPositionals(command: CommandSpec, given: readonly string[]): void {
  const wanted = command.positionals;
  if (given.length > wanted.length) {
    const extra = given
      .slice(wanted.length)
      .map((p) => JSON.stringify(p))
      .join(", ");
    const expected = wanted.length === 0 ? "no arguments" : `only ${wanted.map((w) => `<${w}>`).join(" ")}`;
    throw new UsageError(`Unexpected argument ${extra}: \`shipline ${command.name}\` takes ${expected}.`, command.name);
  }
  const missing = wanted[given.length];
  if (missing !== undefined) throw new UsageError(`Missing <${missing}>: usage is \`${command.usage}\`.`, command.name);
}

/** Every flag name a command accepts, with dashes. */
export function flagNames(command: CommandSpec): string[] {
  const inputs = command.inputs.flatMap((s) => (s.kind.type === "boolean" ? [`--${s.name}`, `--no-${s.name}`] : [`--${s.name}`]));
  return [...inputs, ...command.extra.map((f) => `--${f.name}`)];
}

/** parseArgs' errors, reworded to name the flag and what is accepted. */
function translateParseError(command: CommandSpec, error: unknown): Error {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-{1,2}[^' =]+)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const guess = closest(flag, flagNames(command));
    const hint = guess ? ` Did you mean ${guess}?` : "";
    return new UsageError(`Unknown flag ${flag} for \`shipline ${command.name}\`.${hint}`, command.name);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const spec = command.inputs.find((s) => flag === `--${s.name}` || flag === `--no-${s.name}`);
    const extra = command.extra.find((f) => flag === `--${f.name}`);
    const takesValue = spec ? spec.kind.type !== "boolean" : extra?.type === "string";
    const what = takesValue
      ? `needs a value: ${spec ? acceptedText(spec) : (extra?.value ?? "<value>")}`
      : "takes no value (it is a switch)";
    return new UsageError(`Flag ${flag} ${what}.`, command.name);
  }
  return new UsageError(message, command.name);
}

/** What a flag accepts, in the words of its validation error: `a duration such as 250ms, 10s...`. */
function acceptedText(spec: InputSpec): string {
  try {
    parseByKind(cliKind(spec), { key: spec.name, label: "" }, "");
  } catch (error) {
    const accepted = error instanceof ConfigError ? /expected (.*)\.$/s.exec(error.message)?.[1] : undefined;
    if (accepted) return accepted;
  }
  return valueText(spec);
}

/** How a flag's value is written, for help and errors: `<duration>`, `<release|rollback|plan>`. */
export function valueText(spec: InputSpec): string {
  const kind = cliKind(spec);
  switch (kind.type) {
    case "enum":
      return `<${kind.values.join("|")}>`;
    case "duration":
      return "<duration>";
    case "count":
    case "non-negative-int":
      return "<n>";
    case "status":
      return "<codes>";
    case "url":
      return "<url>";
    case "path":
      return "<path>";
    case "json":
      return "<json>";
    case "list":
      return "<a,b>";
    case "steps":
      return "<p1,p2,100>";
    case "semver-range":
      return "<range>";
    case "secret":
      return "<secret>";
    case "header-name":
      return "<header>";
    case "names":
      return "<NAME,NAME>";
    case "vars":
      return "<KEY=value>";
    default:
      return "<text>";
  }
}
