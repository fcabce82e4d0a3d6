/**
 * The JSON contract of the command deployer (`deployer: { kind: command }`): what each of the
 * user's commands prints on stdout, as one JSON document. Published as JSON Schema in
 * `schema/command-deployer.schema.json`. Anything else on stdout (logs, two documents, a
 * typo'd key, a split that does not add up to 100%) is a `DeployError` that quotes what the
 * command printed, cut to `QUOTE_LIMIT` characters; the command's logs belong on stderr.
 *
 * - `deploy` and `upload` print a *version* document: `{ "versionId": "…", "url": "…" }`.
 * - `status`, `restore` and `shift` print a *status* document: what the environment serves
 *   now (`allocation`, empty before the first deploy), and optionally its earlier
 *   `deployments` (newest first) and known `versions` with their release tags, which the
 *   emergency rollback chooses from.
 */
import { z } from "zod";
import { DeployError } from "../../core/errors.js";
import type { Allocation, DeploymentInfo, LiveState, VersionInfo } from "../../core/types.js";

/** Canonical location of the published schema (`$id`). */
export const COMMAND_DEPLOYER_SCHEMA_ID = "https://raw.githubusercontent.com/shipline/shipline/main/schema/command-deployer.schema.json";

/** Characters of a command's stdout quoted in an error. */
export const QUOTE_LIMIT = 400;

const id = (what: string) =>
  z
    .string()
    .trim()
    .min(1, { error: `expected a non-empty text (${what})` });

const share = z
  .strictObject({
    versionId: id("the version's id"),
    percentage: z.number().min(0).max(100).describe("Share of traffic, 0-100."),
  })
  .describe("One version at one share of traffic.");

const allocation = z
  .array(share)
  .max(2, { error: "expected at most two versions (one at 100%, or a split of two)" })
  .superRefine((shares, ctx) => {
    if (shares.length === 0) return;
    const total = shares.reduce((sum, s) => sum + s.percentage, 0);
    if (Math.abs(total - 100) > 1e-9) ctx.addIssue({ code: "custom", message: `expected shares that add up to 100, got ${total}` });
    const ids = shares.map((s) => s.versionId.toLowerCase());
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", message: "expected each version once" });
  })
  .describe("What serves, at what share: one version at 100, or two whose shares add up to 100. Empty: nothing is deployed yet.");

const isoTime = z.string().describe("ISO 8601 time.");

const deployment = z
  .strictObject({
    allocation,
    deploymentId: z.string().optional(),
    createdOn: isoTime.optional(),
    message: z.string().optional(),
  })
  .describe("An earlier deployment of the environment.");

const version = z
  .strictObject({
    versionId: id("the version's id"),
    tag: z.string().optional().describe("The release tag the version was deployed with (SHIPLINE_TAG), e.g. v1.2.0."),
    message: z.string().optional(),
    createdOn: isoTime.optional(),
  })
  .describe("A version the host keeps and can restore.");

/** What `deploy` and `upload` print. */
export const versionDocumentSchema = z
  .strictObject({
    versionId: id("the id of the version just deployed or uploaded"),
    url: z
      .url({ error: "expected an absolute URL" })
      .optional()
      .describe("Base URL the environment (or, for upload, the version) answers on."),
    deploymentId: z.string().optional(),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe("upload only: request headers that send a request to this version alone, so a gradual step's gate measures it."),
  })
  .describe("Printed by `deploy` and `upload`.");

/** What `status`, `restore` and `shift` print. */
export const statusDocumentSchema = z
  .strictObject({
    allocation,
    url: z.url({ error: "expected an absolute URL" }).optional(),
    deploymentId: z.string().optional(),
    createdOn: isoTime.optional(),
    deployments: z.array(deployment).optional().describe("Earlier deployments, newest first (the current one may be first)."),
    versions: z.array(version).optional().describe("Versions the host keeps, newest first, with their release tags."),
  })
  .describe("Printed by `status`, `restore` and `shift`: what the environment serves now.");

export type VersionDocument = z.infer<typeof versionDocumentSchema>;
export type StatusDocument = z.infer<typeof statusDocumentSchema>;

/** The JSON Schema of both documents, as published in `schema/command-deployer.schema.json`. */
export function emitCommandDeployerSchema(): Record<string, unknown> {
  const defs = {
    version: z.toJSONSchema(versionDocumentSchema, { target: "draft-2020-12" }) as Record<string, unknown>,
    status: z.toJSONSchema(statusDocumentSchema, { target: "draft-2020-12" }) as Record<string, unknown>,
  };
  const strip = ({ $schema: _s, ...rest }: Record<string, unknown>) => rest;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: COMMAND_DEPLOYER_SCHEMA_ID,
    title: "shipline command deployer output",
    description:
      "The one JSON document each command of `deployer: { kind: command }` prints on stdout: `deploy` and `upload` print a version document, `status`, `restore` and `shift` a status document.",
    oneOf: [{ $ref: "#/$defs/version" }, { $ref: "#/$defs/status" }],
    $defs: { version: strip(defs.version), status: strip(defs.status) },
  };
}

/** Where a document came from, for messages: `deploy command \`./deploy.sh\` (staging)`. */
export interface DocumentSource {
  readonly command: string;
  readonly role: string;
  readonly environment: string;
}

/** Parses a `deploy`/`upload` command's stdout. */
export function parseVersionDocument(stdout: string, source: DocumentSource): VersionDocument {
  return parseDocument(stdout, source, versionDocumentSchema, '{"versionId": "…", "url": "https://…"}');
}

/** Parses a `status`/`restore`/`shift` command's stdout. */
export function parseStatusDocument(stdout: string, source: DocumentSource): StatusDocument {
  return parseDocument(stdout, source, statusDocumentSchema, '{"allocation": [{"versionId": "…", "percentage": 100}]}');
}

/** What the environment serves, or `null` when nothing is deployed yet. */
export function liveStateOf(doc: StatusDocument): LiveState | null {
  if (doc.allocation.length === 0) return null;
  return {
    allocation: doc.allocation as Allocation,
    ...(doc.deploymentId ? { deploymentId: doc.deploymentId } : {}),
    ...(doc.createdOn ? { createdOn: doc.createdOn } : {}),
  };
}

/** Deployments newest first: the listed ones, else the current one alone. */
export function deploymentsOf(doc: StatusDocument): DeploymentInfo[] {
  if (doc.deployments) return doc.deployments.filter((d) => d.allocation.length > 0).map((d) => ({ ...d, allocation: d.allocation }));
  const live = liveStateOf(doc);
  return live ? [live] : [];
}

export function versionsOf(doc: StatusDocument): VersionInfo[] {
  return (doc.versions ?? []).map((v) => ({ ...v }));
}

function parseDocument<T>(stdout: string, source: DocumentSource, schema: z.ZodType<T>, example: string): T {
  const text = stdout.trim();
  const what = `The ${source.role} command \`${source.command}\` (${source.environment})`;
  const fail = (problem: string): never => {
    throw new DeployError(
      `${what} ${problem}. Expected one JSON document on stdout such as ${example} (logs go to stderr); it printed: ${quote(stdout)}`,
      {
        command: source.command,
        detail: problem,
      },
    );
  };
  if (!text) fail("printed nothing on stdout");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(`did not print one JSON document (${(error as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(`printed JSON that is not an object`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) fail(`printed a document of the wrong shape: ${describeIssues(parsed.error)}`);
  return (parsed as { data: T }).data;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 4)
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") : "";
      const where = path ? `\`${path.replace(/^\./, "")}\`` : "the document";
      if (issue.code === "unrecognized_keys")
        return `${where} has unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `\`${k}\``).join(", ")}`;
      if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) return `${where} is missing`;
      return `${where}: ${issue.message}`;
    })
    .join("; ");
}

/** stdout as quoted in an error: JSON-escaped, cut at `QUOTE_LIMIT` characters. */
export function quote(stdout: string): string {
  if (!stdout.trim()) return "(nothing)";
  const cut = stdout.length > QUOTE_LIMIT;
  return `${JSON.stringify(cut ? stdout.slice(0, QUOTE_LIMIT) : stdout)}${cut ? ` (cut at ${QUOTE_LIMIT} of ${stdout.length} characters)` : ""}`;
}
