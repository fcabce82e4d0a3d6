/**
 * The config file's schema (SPEC section 4), in zod, and the JSON Schema published from it
 * (`schema/shipline.schema.json`). Every object is strict: a typo such as `intervall` is an
 * error naming the key, never silently ignored. The schema checks shapes and types; values
 * with their own grammar (durations, statuses, URLs) are checked by resolve.ts with the same
 * parsers as inputs, so a value means the same thing in both places.
 */
import * as z from "zod";
import { analysisSchema } from "./analysis-schema.js";
import { deployerSchema } from "./deployer-schema.js";
import { inputForConfigKey } from "./inputs.js";
import { ACCEPTED } from "./values.js";

/** Canonical location of the published schema (`$id`). */
export const SCHEMA_ID = "https://raw.githubusercontent.com/shipline/shipline/main/schema/shipline.schema.json";

// Matches exactly what core/parse.ts `parseDuration` accepts (test/unit/config/schema.test.ts
// compares them), so editors flag the same values the run would reject.
const NUM = "\\d+(?:\\.\\d+)?";
export const DURATION_PATTERN = `^(?:0|(?=\\d)(?:${NUM}h)?(?:${NUM}m)?(?:${NUM}s)?(?:${NUM}ms)?)$`;

/** The description of `key`: its own text, plus the input that overrides it. */
function describe(key: string, fallback?: string): string {
  const input = inputForConfigKey(key);
  const text = fallback ?? input?.description ?? "";
  if (!input) return text;
  const def = input.default !== undefined ? ` Default: \`${input.default}\`.` : "";
  return `${text}${def} Input \`${input.name}\` overrides it.`;
}

const err = (accepted: string) => ({ error: `expected ${accepted}` });

const text = (key: string, description?: string) => z.string(err("a text")).meta({ description: describe(key, description) });
const duration = (key: string, description?: string) =>
  z.string(err(ACCEPTED.duration)).meta({ description: describe(key, description), pattern: DURATION_PATTERN });
const count = (key: string, description?: string) =>
  z
    .int(err(ACCEPTED.count))
    .min(1, err(ACCEPTED.count))
    .meta({ description: describe(key, description) });
const nonNegative = (key: string, description?: string) =>
  z
    .int(err(ACCEPTED.nonNegativeInt))
    .min(0, err(ACCEPTED.nonNegativeInt))
    .meta({ description: describe(key, description) });
const bool = (key: string) => z.boolean(err(ACCEPTED.boolean)).meta({ description: describe(key) });
const url = (key: string) => z.string(err(ACCEPTED.url)).meta({ description: describe(key), format: "uri" });
const oneOf = <T extends string>(key: string, values: readonly [T, ...T[]], description?: string) =>
  z.enum(values, err(`one of ${values.join(", ")}`)).meta({ description: describe(key, description) });
const mapping = <S extends z.ZodRawShape>(shape: S, description: string) =>
  z.strictObject(shape, err("a mapping of keys to values")).meta({ description });

const status = z
  .union([z.int(), z.string()], err(ACCEPTED.status))
  .meta({ description: 'Accepted status codes: 200, "200-299" or "200,204". Default: 200-299.' });

/** One HTTP check: exactly one of `path` and `url`. */
const checkSchema = z
  .strictObject(
    {
      path: z.string(err(ACCEPTED.path)).meta({ description: "Path appended to the gate's base URL (keeping its own path)." }).optional(),
      url: z.string(err(ACCEPTED.url)).meta({ description: "Full URL probed instead of a path.", format: "uri" }).optional(),
      headers: z
        .record(z.string(), z.string(err("a text (header value)")), err("a mapping of header names to values"))
        .meta({ description: "Request headers. Values may reference `${{ env.NAME }}`; expanded values are masked." })
        .optional(),
      expect: mapping(
        {
          status: status.optional(),
          json: z.unknown().meta({ description: "JSON the response body must contain (subset match)." }).optional(),
          body: z.string(err("a text")).meta({ description: "Text the response body must contain." }).optional(),
        },
        "What the response must look like.",
      ).optional(),
    },
    err("a mapping with `path` or `url`, and optionally `headers` and `expect`"),
  )
  .meta({ description: "One HTTP check of a gate.", oneOf: [{ required: ["path"] }, { required: ["url"] }] });

const checks = (description: string) =>
  z.array(checkSchema, err("a list of checks")).min(1, err("a list of at least one check")).meta({ description });

/** The measurement rules every gate shares; `base` is `staging.smoke` or `production.health`. */
function gateShape(base: string) {
  const smoke = base === "staging.smoke";
  return {
    interval: duration(`${base}.interval`, "Time between measurements.").optional(),
    count: count(`${base}.count`, "Measurements that make a passing gate.").optional(),
    "failure-limit": nonNegative(
      `${base}.failure-limit`,
      `Failed measurements tolerated (must be below count).${smoke ? " Default: 0." : ""}`,
    ).optional(),
    "consecutive-error-limit": nonNegative(
      `${base}.consecutive-error-limit`,
      `Consecutive errors tolerated.${smoke ? " Default: 4." : ""}`,
    ).optional(),
    timeout: duration(`${base}.timeout`, `Timeout per request.${smoke ? " Default: the health gate's timeout." : ""}`).optional(),
    "max-latency": duration(`${base}.max-latency`, "p95 latency ceiling over the gate, e.g. 500ms.").optional(),
    confirm: nonNegative(
      `${base}.confirm`,
      `Re-probes of a check whose request was not a quick success, made right away before the measurement counts; 0 probes once.${smoke ? " Default: the health gate's." : ""}`,
    ).optional(),
    "max-body-bytes": count(
      `${base}.max-body-bytes`,
      `Bytes of a response body read for expect; a longer body is cut there.${smoke ? " Default: the health gate's." : ""}`,
    ).optional(),
    checks: checks(
      smoke
        ? "Checks of the smoke gate. Default: the health gate's checks."
        : "Checks of the health gate. Default: one check built from the health-path and health-expect-* inputs.",
    ).optional(),
  };
}

/** The config file's keys but `workers`. */
const baseSchema = z
  .strictObject(
    {
      "working-directory": text("working-directory").optional(),
      "wrangler-version": z
        .union([z.string(), z.number()], err(ACCEPTED.semverRange))
        .meta({ description: describe("wrangler-version") })
        .optional(),
      secrets: z
        .array(z.string(err("a name such as API_KEY")), err(`a list of ${ACCEPTED.names}`))
        .meta({ description: describe("secrets") })
        .optional(),
      vars: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()], err("a text, number or boolean")), err(ACCEPTED.vars))
        .meta({ description: describe("vars", "Vars passed to the deployed version (wrangler `--var`), by name.") })
        .optional(),
      "required-secrets": z
        .array(z.string(err("a name such as API_KEY")), err(`a list of ${ACCEPTED.names}`))
        .meta({ description: describe("required-secrets") })
        .optional(),
      "before-production": text("before-production").optional(),
      "after-release": text("after-release").optional(),
      staging: mapping(
        {
          environment: text("staging.environment").optional(),
          url: url("staging.url").optional(),
          smoke: mapping(
            { command: text("staging.smoke.command").optional(), ...gateShape("staging.smoke") },
            "The smoke gate run on staging after its deploy.",
          ).optional(),
        },
        "The staging deploy and its smoke gate.",
      ).optional(),
      approval: mapping(
        {
          mode: oneOf("approval.mode", ["issue", "environment", "none"]).optional(),
          approvers: z
            .array(z.string(err("a GitHub login or org/team slug")), err(`a list of ${ACCEPTED.approver}`))
            .meta({ description: describe("approval.approvers", "GitHub logins and org/team slugs.") })
            .optional(),
          minimum: count("approval.minimum").optional(),
          timeout: duration("approval.timeout").optional(),
          "allow-self-approval": bool("approval.allow-self-approval").optional(),
        },
        "Approval between staging and production.",
      ).optional(),
      production: mapping(
        {
          environment: text("production.environment").optional(),
          url: url("production.url").optional(),
          strategy: oneOf("production.strategy", ["direct", "gradual"]).optional(),
          steps: z
            .array(z.int(err(ACCEPTED.steps)), err(ACCEPTED.steps))
            .meta({ description: describe("production.steps") })
            .optional(),
          health: mapping(gateShape("production.health"), "The health gate run on production.").optional(),
          rollback: oneOf("production.rollback", ["auto", "off"]).optional(),
          analysis: analysisSchema({ duration, count }).optional(),
        },
        "The production deploy, its health gate and the rollback policy.",
      ).optional(),
      release: mapping(
        {
          "tag-prefix": z
            .string(err("a text"))
            .meta({ description: describe("release.tag-prefix") })
            .optional(),
          "promote-prerelease": bool("release.promote-prerelease").optional(),
          "floating-tags": bool("release.floating-tags").optional(),
          "create-release": bool("release.create-release").optional(),
        },
        "Tags and the GitHub Release created after a healthy production deploy.",
      ).optional(),
      deployer: deployerSchema.optional(),
    },
    err(
      "a mapping with the keys working-directory, wrangler-version, secrets, vars, required-secrets, before-production, after-release, staging, approval, production, release, deployer, workers",
    ),
  )
  .meta({ title: "shipline" });

/** One Worker of a several-Worker release: its own folder, environments, URLs and checks (see config/workers.ts). */
const workerSchema = baseSchema
  .pick({
    "working-directory": true,
    secrets: true,
    vars: true,
    "required-secrets": true,
    "before-production": true,
    "after-release": true,
    staging: true,
    production: true,
  })
  .extend({
    name: z
      .string(err("a name such as api"))
      .meta({ description: "The Worker's name in logs, outputs and the summary (letters, digits, `.`, `_`, `-`)." }),
  })
  .meta({
    title: "worker",
    description:
      "One Worker of the release. Its keys override the top-level ones for this Worker; `working-directory` defaults to the repository root.",
  });

/** The config file's zod schema. */
export const configFileSchema = baseSchema
  .extend({
    workers: z
      .array(workerSchema, err("a list of Workers, each a mapping with `name`"))
      .min(1, err("a list of at least one Worker"))
      .meta({
        description:
          "Several Workers in one release, deployed in this order: every staging deploy and smoke gate, one approval, every production anchor, then each production deploy with its health gate; a failed gate restores every Worker already deployed, in reverse order.",
      })
      .optional(),
  })
  .meta({ title: "shipline" });

/** The config file as parsed (before inputs and defaults are applied). */
export type ConfigFile = z.infer<typeof configFileSchema>;
export type CheckEntry = z.infer<typeof checkSchema>;

/** The JSON Schema of the config file, as published in `schema/shipline.schema.json`. */
export function emitJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configFileSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, title: _title, ...body } = generated;
  return {
    $schema,
    $id: SCHEMA_ID,
    title: "shipline configuration (.github/shipline.yml)",
    description:
      "Release pipeline settings for shipline: staging and its smoke gate, approval, production and its health gate, rollback, tags and releases. Action inputs override these values.",
    ...body,
  };
}

/** The accepted keys of the object at `path` in the schema (for unknown-key messages). */
export function acceptedKeysAt(path: readonly PropertyKey[]): string[] {
  let node: z.ZodType = configFileSchema;
  for (const segment of path) {
    node = unwrap(node);
    if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else if (node instanceof z.ZodObject) node = (node.shape as Record<string, z.ZodType>)[String(segment)] ?? z.never();
    else return [];
  }
  node = unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(node: z.ZodType): z.ZodType {
  return node instanceof z.ZodOptional ? (node.unwrap() as z.ZodType) : node;
}
