/**
 * The one table of the action's inputs and outputs (SPEC sections 2 and 3). `action.yml`, the
 * config file's JSON Schema descriptions, the defaults `resolveConfig` applies and the way each
 * value is parsed all come from here, so they cannot disagree.
 */

/** How an input's text is parsed and validated (see values.ts). */
export type InputKind =
  | { readonly type: "string" }
  | { readonly type: "secret" }
  | { readonly type: "enum"; readonly values: readonly string[] }
  | { readonly type: "boolean" }
  | { readonly type: "duration"; readonly positive?: boolean }
  | { readonly type: "count" }
  | { readonly type: "non-negative-int" }
  | { readonly type: "status" }
  | { readonly type: "url" }
  | { readonly type: "path" }
  | { readonly type: "json" }
  | { readonly type: "list" }
  | { readonly type: "steps" }
  | { readonly type: "tag-prefix" }
  | { readonly type: "semver-range" }
  | { readonly type: "header-name" }
  /** Environment-variable-style names (secret names): comma- or newline-separated text, or a YAML list. */
  | { readonly type: "names" }
  /** `KEY=value` lines, or a YAML mapping of names to text. */
  | { readonly type: "vars" };

export interface InputSpec {
  /** kebab-case name, public API. */
  readonly name: string;
  readonly description: string;
  /** Literal default (SPEC section 2), applied by `resolveConfig` when neither input nor file sets it. */
  readonly default?: string;
  /** Default that depends on the run (`the URL wrangler reports`), for documentation only. */
  readonly defaultText?: string;
  /**
   * Default written into action.yml. Only for inputs the config file cannot set: the runner
   * passes action.yml defaults as if the user had written them, so a declared default would
   * always beat the config file.
   */
  readonly actionDefault?: string;
  readonly kind: InputKind;
  /** Dotted key of the same setting in the config file (section 4), when it has one. */
  readonly configKey?: string;
  /**
   * An empty value is a setting of its own (it turns something off), so `readInputs` keeps it.
   * Needs an `actionDefault`: the runner passes an omitted input that has no action.yml default
   * as an empty text, which would then turn the setting off in every run.
   */
  readonly keepEmpty?: boolean;
}

export interface OutputSpec {
  readonly name: string;
  readonly description: string;
}

const BOOL = { type: "boolean" } as const;
const DURATION = { type: "duration" } as const;
const POSITIVE_DURATION = { type: "duration", positive: true } as const;
const STRING = { type: "string" } as const;
const SECRET = { type: "secret" } as const;

/** Every input of SPEC section 2, in its order. */
export const INPUTS: readonly InputSpec[] = [
  {
    name: "mode",
    description: "`release`, `rollback` (emergency rollback), or `plan` (validate everything, print the plan, change nothing).",
    default: "release",
    actionDefault: "release",
    kind: { type: "enum", values: ["release", "rollback", "plan"] },
  },
  {
    name: "stages",
    description:
      "`all`, `staging` (resolve, staging deploy, smoke; stop) or `production` (production deploy, health, tags; staging passed in an earlier job of the same run).",
    default: "all",
    actionDefault: "all",
    kind: { type: "enum", values: ["all", "staging", "production"] },
  },
  {
    name: "config",
    description: "YAML file with the full configuration; inputs override it.",
    defaultText: "`.github/shipline.yml` if it exists",
    kind: STRING,
  },
  {
    name: "working-directory",
    description: "Folder holding the Worker's wrangler config.",
    default: ".",
    kind: STRING,
    configKey: "working-directory",
  },
  {
    name: "github-token",
    description: "Token for issues, deployments, tags and releases.",
    defaultText: "`${{ github.token }}`",
    actionDefault: "${{ github.token }}",
    kind: SECRET,
  },
  {
    name: "release-token",
    description: "Token used to create tags and releases (a PAT or App token makes the new tag trigger workflows).",
    defaultText: "`github-token`",
    kind: SECRET,
  },
  {
    name: "cloudflare-api-token",
    description: "Passed to wrangler as `CLOUDFLARE_API_TOKEN`; masked.",
    kind: SECRET,
  },
  {
    name: "cloudflare-account-id",
    description: "Passed to wrangler as `CLOUDFLARE_ACCOUNT_ID`.",
    kind: STRING,
  },
  {
    name: "wrangler-version",
    description: "Semver range; used only when the project has no wrangler of its own that satisfies it.",
    default: "4",
    kind: { type: "semver-range" },
    configKey: "wrangler-version",
  },
  {
    name: "version",
    description: "Version to release: `v1.2.3`, `1.2.3`, `v1.2.3-rc.1`.",
    defaultText: "the tag in `GITHUB_REF`",
    kind: STRING,
  },
  {
    name: "bump",
    description:
      "`major`, `minor`, `patch` or `prerelease`: when there is no tag and no `version`, the next version after the highest semver tag.",
    kind: { type: "enum", values: ["major", "minor", "patch", "prerelease"] },
  },
  {
    name: "tag-prefix",
    description: "Prefix of release tags.",
    default: "v",
    kind: { type: "tag-prefix" },
    configKey: "release.tag-prefix",
  },
  {
    name: "staging-environment",
    description: "wrangler `--env` for staging.",
    default: "staging",
    kind: STRING,
    configKey: "staging.environment",
  },
  {
    name: "production-environment",
    description: "wrangler `--env` for production.",
    default: "production",
    kind: STRING,
    configKey: "production.environment",
  },
  {
    name: "staging-url",
    description: "Base URL the smoke gate probes.",
    defaultText: "the URL wrangler reports",
    kind: { type: "url" },
    configKey: "staging.url",
  },
  {
    name: "production-url",
    description: "Base URL the health gate probes.",
    defaultText: "the URL wrangler reports",
    kind: { type: "url" },
    configKey: "production.url",
  },
  {
    name: "smoke-command",
    description: "Shell command run after the staging deploy, in `working-directory`.",
    kind: STRING,
    configKey: "staging.smoke.command",
  },
  {
    name: "health-path",
    description: "Path probed on staging (smoke) and production (health) when no checks are configured.",
    default: "/",
    kind: { type: "path" },
  },
  {
    name: "health-expect-status",
    description: "Accepted status codes: `200`, `200-299`, `200,204`.",
    default: "200-299",
    kind: { type: "status" },
  },
  {
    name: "health-expect-json",
    description: "JSON the response body must contain (subset match).",
    kind: { type: "json" },
  },
  {
    name: "health-interval",
    description: "Time between measurements.",
    default: "10s",
    kind: DURATION,
    configKey: "production.health.interval",
  },
  {
    name: "health-count",
    description: "Measurements that make a passing gate.",
    default: "6",
    kind: { type: "count" },
    configKey: "production.health.count",
  },
  {
    name: "health-failure-limit",
    description: "Failed measurements tolerated (must be below the count).",
    default: "0",
    kind: { type: "non-negative-int" },
    configKey: "production.health.failure-limit",
  },
  {
    name: "health-consecutive-error-limit",
    description: "Consecutive errors (timeouts, refused connections) tolerated.",
    default: "4",
    kind: { type: "non-negative-int" },
    configKey: "production.health.consecutive-error-limit",
  },
  {
    name: "health-timeout",
    description: "Timeout per request.",
    default: "10s",
    kind: POSITIVE_DURATION,
    configKey: "production.health.timeout",
  },
  {
    name: "health-max-latency",
    description:
      "p95 latency ceiling over the gate, e.g. `500ms`: judged as a p95 from 20 requests on, and earlier only when the slow requests leave no reasonable doubt.",
    kind: POSITIVE_DURATION,
    configKey: "production.health.max-latency",
  },
  {
    name: "health-confirm",
    description:
      "Re-probes of a check whose request was not a quick success (error, unmet expectation, slower than `max-latency`), made right away and within `health-timeout` before the measurement counts; the check succeeds if one does. An answer from another version is not re-probed. `0` probes once, as Argo does.",
    default: "4",
    kind: { type: "non-negative-int" },
    configKey: "production.health.confirm",
  },
  {
    name: "health-max-body-bytes",
    description:
      "Bytes of a response body read for `expect` (JSON, text); a longer body is cut there, and a failure judged on it says `body cut at N bytes`.",
    default: "4194304",
    kind: { type: "count" },
    configKey: "production.health.max-body-bytes",
  },
  {
    name: "smoke-count",
    description: "Measurements in the staging smoke gate.",
    default: "3",
    kind: { type: "count" },
    configKey: "staging.smoke.count",
  },
  {
    name: "smoke-interval",
    description: "Interval in the staging smoke gate.",
    default: "5s",
    kind: DURATION,
    configKey: "staging.smoke.interval",
  },
  {
    name: "approval",
    description: "`issue`, `environment`, or `none`.",
    defaultText: "`issue` when `approvers` is set, else `none`",
    kind: { type: "enum", values: ["issue", "environment", "none"] },
    configKey: "approval.mode",
  },
  {
    name: "approvers",
    description: "Comma-separated GitHub logins and `org/team` slugs.",
    kind: { type: "list" },
    configKey: "approval.approvers",
  },
  {
    name: "minimum-approvals",
    description: "Approvals needed.",
    default: "1",
    kind: { type: "count" },
    configKey: "approval.minimum",
  },
  {
    name: "approval-timeout",
    description: "After this the approval is `timed-out` and the release stops.",
    default: "1h",
    kind: POSITIVE_DURATION,
    configKey: "approval.timeout",
  },
  {
    name: "allow-self-approval",
    description: "Whether the actor who started the run may approve.",
    default: "false",
    kind: BOOL,
    configKey: "approval.allow-self-approval",
  },
  {
    name: "strategy",
    description: "`direct` (`wrangler deploy`) or `gradual` (`versions upload` + `versions deploy` in steps).",
    default: "direct",
    kind: { type: "enum", values: ["direct", "gradual"] },
    configKey: "production.strategy",
  },
  {
    name: "rollout-steps",
    description: "Percentages for `gradual`; the health gate runs at each step.",
    default: "10,50,100",
    kind: { type: "steps" },
    configKey: "production.steps",
  },
  {
    name: "rollback",
    description: "`auto` rolls production back when the health gate fails; `off` only reports.",
    default: "auto",
    kind: { type: "enum", values: ["auto", "off"] },
    configKey: "production.rollback",
  },
  {
    name: "promote-prerelease",
    description: "After a prerelease tag (`v1.4.0-rc.1`) reaches healthy production, create the final tag (`v1.4.0`) on the same commit.",
    default: "true",
    kind: BOOL,
    configKey: "release.promote-prerelease",
  },
  {
    name: "floating-tags",
    description: "Move `v1` and `v1.4` to the released commit.",
    default: "false",
    kind: BOOL,
    configKey: "release.floating-tags",
  },
  {
    name: "create-release",
    description: "Create or update the GitHub Release of the final tag.",
    default: "true",
    kind: BOOL,
    configKey: "release.create-release",
  },
  {
    name: "rollback-target",
    description:
      "`mode: rollback`: a Worker version id, or a release tag deployed earlier (with several Workers, a tag only: each Worker goes back to its version of that release).",
    defaultText: "previous stable version",
    kind: STRING,
  },
  {
    name: "rollback-reason",
    description: "`mode: rollback`: required; also the wrangler rollback message.",
    kind: STRING,
  },
  {
    name: "version-header",
    description:
      "Response header through which the Worker names the version that answered (set from its version-metadata binding); every gate checks it, and an answer from another version is never a success. Empty turns the check off.",
    default: "x-worker-version-id",
    actionDefault: "x-worker-version-id",
    kind: { type: "header-name" },
    keepEmpty: true,
  },
  {
    name: "secrets",
    description:
      "Names of environment variables of the step whose values are uploaded as Worker secrets with the version being released (staging and production), through a file wrangler reads (`--secrets-file`), never on a command line. A missing or empty variable stops the run before anything is deployed.",
    kind: { type: "names" },
    configKey: "secrets",
  },
  {
    name: "vars",
    description: "`KEY=value` lines passed to the deployed version as vars (wrangler `--var`); they add to or replace the config's `vars`.",
    kind: { type: "vars" },
    configKey: "vars",
  },
  {
    name: "required-secrets",
    description:
      "Secret names that must already exist on each target Worker (or be in `secrets`); checked before that Worker is deployed, and a missing one stops the run naming what is missing and where.",
    kind: { type: "names" },
    configKey: "required-secrets",
  },
  {
    name: "before-production",
    description:
      "Shell command run after approval, before the production deploy, in `working-directory`, with wrangler's environment and the SHIPLINE_* variables (e.g. `npx wrangler d1 migrations apply DB --remote --env production`); failing stops the run with production untouched. `wrangler rollback` does not undo what it changed.",
    kind: STRING,
    configKey: "before-production",
  },
  {
    name: "after-release",
    description:
      "Shell command run after a healthy release is tagged, in `working-directory`, with wrangler's environment and the SHIPLINE_* variables; a failure is reported, the release stays released.",
    kind: STRING,
    configKey: "after-release",
  },
  {
    name: "deployment-records",
    description:
      "Write GitHub Deployment records (needs `deployments: write`). `false` runs without them, for a token that may not create deployments.",
    default: "true",
    kind: BOOL,
  },
];

/** Every output of SPEC section 3. */
export const OUTPUTS: readonly OutputSpec[] = [
  {
    name: "result",
    description:
      "`released`, `rolled-back`, `rollback-failed`, `rejected` (approval denied or timed out), `failed` (stopped before production), `planned`.",
  },
  { name: "version", description: "Version deployed, without prefix: `1.2.3`." },
  { name: "release-tag", description: "The final tag, e.g. `v1.2.3` (empty unless released)." },
  { name: "staging-version-id", description: "Worker version id on staging." },
  { name: "production-version-id", description: "Worker version id deployed to production." },
  { name: "previous-version-id", description: "Version id that served production before this run." },
  { name: "rollback-version-id", description: "Version id production was rolled back to (empty if none)." },
  { name: "staging-url", description: "Base URL used for staging." },
  { name: "production-url", description: "Base URL used for production." },
  { name: "approval-status", description: "`approved`, `denied`, `timed-out`, `cancelled`, `skipped`." },
  { name: "approved-by", description: "Comma-separated logins of the approvers." },
  { name: "health-report", description: "Path of a JSON file with every measurement of every gate." },
  {
    name: "workers",
    description:
      "With config key `workers`: a JSON list with one object per Worker, in deploy order (`name`, `result`, `message`, `stagingVersionId`, `productionVersionId`, `previousVersionId`, `rollbackVersionId`, `stagingUrl`, `productionUrl`); the other outputs are the first Worker's, `result` the release's. Empty otherwise.",
  },
];

const BY_NAME = new Map(INPUTS.map((spec) => [spec.name, spec]));

/** The table entry of input `name`; throws for a name that is not an input (a programming error). */
export function inputSpec(name: string): InputSpec {
  const spec = BY_NAME.get(name);
  if (!spec) throw new Error(`Unknown input "${name}".`);
  return spec;
}

/** The input whose config-file key is `configKey`, if any. */
export function inputForConfigKey(configKey: string): InputSpec | undefined {
  return INPUTS.find((spec) => spec.configKey === configKey);
}

/** The environment variable the Actions runner sets for an input: upper case, spaces to `_`, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

/**
 * Reads every known input from `INPUT_<NAME>` variables: trimmed, empty values left out
 * except for inputs whose empty value means something (`keepEmpty`).
 */
export function readInputs(env: Record<string, string | undefined>): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const spec of INPUTS) {
    const value = env[inputEnvName(spec.name)]?.trim();
    if (value || (value === "" && spec.keepEmpty === true)) inputs[spec.name] = value;
  }
  return inputs;
}
