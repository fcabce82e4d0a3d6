export const id = 624;
export const ids = [624];
export const modules = {

/***/ 4624:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  CommandDeployer: () => (/* binding */ CommandDeployer)
});

// UNUSED EXPORTS: DEFAULT_COMMAND_TIMEOUT_MS

// EXTERNAL MODULE: external "node:perf_hooks"
var external_node_perf_hooks_ = __webpack_require__(643);
// EXTERNAL MODULE: ./lib/core/errors.js
var errors = __webpack_require__(3828);
// EXTERNAL MODULE: ./lib/core/allocation.js
var core_allocation = __webpack_require__(6251);
// EXTERNAL MODULE: ./lib/core/version-id.js
var version_id = __webpack_require__(4817);
// EXTERNAL MODULE: ./lib/providers/system/process-tree.js
var process_tree = __webpack_require__(7120);
// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
;// CONCATENATED MODULE: ./lib/providers/command/contract.js
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


/** Canonical location of the published schema (`$id`). */
const COMMAND_DEPLOYER_SCHEMA_ID = "https://raw.githubusercontent.com/shipline/shipline/main/schema/command-deployer.schema.json";
/** Characters of a command's stdout quoted in an error. */
const QUOTE_LIMIT = 400;
const id = (what) => schemas/* string */.YjP()
    .trim()
    .min(1, { error: `expected a non-empty text (${what})` });
const share = schemas/* strictObject */.rej({
    versionId: id("the version's id"),
    percentage: schemas/* number */.aig().min(0).max(100).describe("Share of traffic, 0-100."),
})
    .describe("One version at one share of traffic.");
const allocation = schemas/* array */.YOg(share)
    .max(2, { error: "expected at most two versions (one at 100%, or a split of two)" })
    .superRefine((shares, ctx) => {
    if (shares.length === 0)
        return;
    const total = shares.reduce((sum, s) => sum + s.percentage, 0);
    if (Math.abs(total - 100) > 1e-9)
        ctx.addIssue({ code: "custom", message: `expected shares that add up to 100, got ${total}` });
    const ids = shares.map((s) => s.versionId.toLowerCase());
    if (new Set(ids).size !== ids.length)
        ctx.addIssue({ code: "custom", message: "expected each version once" });
})
    .describe("What serves, at what share: one version at 100, or two whose shares add up to 100. Empty: nothing is deployed yet.");
const isoTime = schemas/* string */.YjP().describe("ISO 8601 time.");
const deployment = schemas/* strictObject */.rej({
    allocation,
    deploymentId: schemas/* string */.YjP().optional(),
    createdOn: isoTime.optional(),
    message: schemas/* string */.YjP().optional(),
})
    .describe("An earlier deployment of the environment.");
const version = schemas/* strictObject */.rej({
    versionId: id("the version's id"),
    tag: schemas/* string */.YjP().optional().describe("The release tag the version was deployed with (SHIPLINE_TAG), e.g. v1.2.0."),
    message: schemas/* string */.YjP().optional(),
    createdOn: isoTime.optional(),
})
    .describe("A version the host keeps and can restore.");
/** What `deploy` and `upload` print. */
const versionDocumentSchema = schemas/* strictObject */.rej({
    versionId: id("the id of the version just deployed or uploaded"),
    url: schemas/* url */.OZ5({ error: "expected an absolute URL" })
        .optional()
        .describe("Base URL the environment (or, for upload, the version) answers on."),
    deploymentId: schemas/* string */.YjP().optional(),
    headers: schemas/* record */.g1P(schemas/* string */.YjP(), schemas/* string */.YjP())
        .optional()
        .describe("upload only: request headers that send a request to this version alone, so a gradual step's gate measures it."),
})
    .describe("Printed by `deploy` and `upload`.");
/** What `status`, `restore` and `shift` print. */
const statusDocumentSchema = schemas/* strictObject */.rej({
    allocation,
    url: schemas/* url */.OZ5({ error: "expected an absolute URL" }).optional(),
    deploymentId: schemas/* string */.YjP().optional(),
    createdOn: isoTime.optional(),
    deployments: schemas/* array */.YOg(deployment).optional().describe("Earlier deployments, newest first (the current one may be first)."),
    versions: schemas/* array */.YOg(version).optional().describe("Versions the host keeps, newest first, with their release tags."),
})
    .describe("Printed by `status`, `restore` and `shift`: what the environment serves now.");
/** The JSON Schema of both documents, as published in `schema/command-deployer.schema.json`. */
function emitCommandDeployerSchema() {
    const defs = {
        version: z.toJSONSchema(versionDocumentSchema, { target: "draft-2020-12" }),
        status: z.toJSONSchema(statusDocumentSchema, { target: "draft-2020-12" }),
    };
    const strip = ({ $schema: _s, ...rest }) => rest;
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        $id: COMMAND_DEPLOYER_SCHEMA_ID,
        title: "shipline command deployer output",
        description: "The one JSON document each command of `deployer: { kind: command }` prints on stdout: `deploy` and `upload` print a version document, `status`, `restore` and `shift` a status document.",
        oneOf: [{ $ref: "#/$defs/version" }, { $ref: "#/$defs/status" }],
        $defs: { version: strip(defs.version), status: strip(defs.status) },
    };
}
/** Parses a `deploy`/`upload` command's stdout. */
function parseVersionDocument(stdout, source) {
    return parseDocument(stdout, source, versionDocumentSchema, '{"versionId": "…", "url": "https://…"}');
}
/** Parses a `status`/`restore`/`shift` command's stdout. */
function parseStatusDocument(stdout, source) {
    return parseDocument(stdout, source, statusDocumentSchema, '{"allocation": [{"versionId": "…", "percentage": 100}]}');
}
/** What the environment serves, or `null` when nothing is deployed yet. */
function liveStateOf(doc) {
    if (doc.allocation.length === 0)
        return null;
    return {
        allocation: doc.allocation,
        ...(doc.deploymentId ? { deploymentId: doc.deploymentId } : {}),
        ...(doc.createdOn ? { createdOn: doc.createdOn } : {}),
    };
}
/** Deployments newest first: the listed ones, else the current one alone. */
function deploymentsOf(doc) {
    if (doc.deployments)
        return doc.deployments.filter((d) => d.allocation.length > 0).map((d) => ({ ...d, allocation: d.allocation }));
    const live = liveStateOf(doc);
    return live ? [live] : [];
}
function versionsOf(doc) {
    return (doc.versions ?? []).map((v) => ({ ...v }));
}
function parseDocument(stdout, source, schema, example) {
    const text = stdout.trim();
    const what = `The ${source.role} command \`${source.command}\` (${source.environment})`;
    const fail = (problem) => {
        throw new errors/* DeployError */.sH(`${what} ${problem}. Expected one JSON document on stdout such as ${example} (logs go to stderr); it printed: ${quote(stdout)}`, {
            command: source.command,
            detail: problem,
        });
    };
    if (!text)
        fail("printed nothing on stdout");
    let value;
    try {
        value = JSON.parse(text);
    }
    catch (error) {
        fail(`did not print one JSON document (${error.message})`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value))
        fail(`printed JSON that is not an object`);
    const parsed = schema.safeParse(value);
    if (!parsed.success)
        fail(`printed a document of the wrong shape: ${describeIssues(parsed.error)}`);
    return parsed.data;
}
function describeIssues(error) {
    return error.issues
        .slice(0, 4)
        .map((issue) => {
        const path = issue.path.length > 0 ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") : "";
        const where = path ? `\`${path.replace(/^\./, "")}\`` : "the document";
        if (issue.code === "unrecognized_keys")
            return `${where} has unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `\`${k}\``).join(", ")}`;
        if (issue.code === "invalid_type" && /received undefined$/.test(issue.message))
            return `${where} is missing`;
        return `${where}: ${issue.message}`;
    })
        .join("; ");
}
/** stdout as quoted in an error: JSON-escaped, cut at `QUOTE_LIMIT` characters. */
function quote(stdout) {
    if (!stdout.trim())
        return "(nothing)";
    const cut = stdout.length > QUOTE_LIMIT;
    return `${JSON.stringify(cut ? stdout.slice(0, QUOTE_LIMIT) : stdout)}${cut ? ` (cut at ${QUOTE_LIMIT} of ${stdout.length} characters)` : ""}`;
}
//# sourceMappingURL=contract.js.map
;// CONCATENATED MODULE: ./lib/providers/command/deployer.js
/**
 * The second `Deployer`: the user's own commands (`deployer: { kind: command }`), for hosts
 * that are not Cloudflare Workers (a blue-green host, Docker Compose, Render's API). Each
 * command runs in the working directory, without a shell unless asked, in a process group of
 * its own (a timeout or a cancellation stops the whole group, as for wrangler), with the
 * step's environment minus `INPUT_*`, plus:
 *
 * - `SHIPLINE_ENVIRONMENT`: the environment, e.g. `production`;
 * - `SHIPLINE_VERSION`, `SHIPLINE_TAG`, `SHIPLINE_SHA`, `SHIPLINE_MESSAGE` (deploy, upload);
 * - `SHIPLINE_TARGET_VERSION` (restore): the version id to serve at 100%;
 * - `SHIPLINE_ALLOCATION` (restore, shift): the shares to serve, as JSON
 *   `[{"versionId":"…","percentage":90}, …]`;
 * - `SHIPLINE_URGENT=1` (restore of a cancelled run: be quick).
 *
 * Each prints one JSON document on stdout (see contract.ts); a write that exits 0 but then
 * reports something other than what was asked is an error, never a success.
 */






const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60_000;
const STDERR_TAIL_LINES = 15;
/** Deploys, reads and restores through the user's commands. */
class CommandDeployer {
    name = "command";
    #options;
    /** Headers an upload reported for reaching its version alone, by normalised version id. */
    #pins = new Map();
    constructor(options) {
        this.#options = options;
    }
    async deploy(target, request, signal) {
        const { stdout, source } = await this.#run("deploy", target, releaseEnv(request), signal);
        const doc = parseVersionDocument(stdout, source);
        return {
            versionId: doc.versionId,
            ...(doc.url ? { url: doc.url } : {}),
            ...(doc.deploymentId ? { deploymentId: doc.deploymentId } : {}),
        };
    }
    async upload(target, request, signal) {
        const { stdout, source } = await this.#run("upload", target, releaseEnv(request), signal);
        const doc = parseVersionDocument(stdout, source);
        if (doc.headers)
            this.#pins.set((0,version_id/* normaliseVersionId */.a)(doc.versionId), doc.headers);
        return { versionId: doc.versionId, ...(doc.url ? { previewUrl: doc.url } : {}) };
    }
    async shift(target, allocation, message, signal) {
        const env = { SHIPLINE_ALLOCATION: JSON.stringify(allocation), SHIPLINE_MESSAGE: message };
        const { stdout, source } = await this.#run("shift", target, env, signal);
        this.#expectServing(parseStatusDocument(stdout, source), allocation, source.command, target);
    }
    async restore(target, allocation, message, signal, options = {}) {
        const single = (0,core_allocation/* soleVersion */.WG)(allocation);
        if (!single)
            return this.shift(target, allocation, message, signal);
        const env = {
            SHIPLINE_TARGET_VERSION: single,
            SHIPLINE_ALLOCATION: JSON.stringify(allocation),
            SHIPLINE_MESSAGE: message,
            ...(options.urgent ? { SHIPLINE_URGENT: "1" } : {}),
        };
        const { stdout, source } = await this.#run("restore", target, env, signal);
        this.#expectServing(parseStatusDocument(stdout, source), allocation, source.command, target);
    }
    async status(target, signal) {
        return liveStateOf(await this.#status("status", target, signal));
    }
    async deployments(target, signal) {
        return deploymentsOf(await this.#status("status", target, signal));
    }
    async versions(target, signal) {
        return versionsOf(await this.#status(this.#options.commands.versions ? "versions" : "status", target, signal));
    }
    manualRestoreCommand(target, allocation, message) {
        const single = (0,core_allocation/* soleVersion */.WG)(allocation);
        const command = single ? this.#options.commands.restore : (this.#options.commands.shift ?? this.#options.commands.restore);
        const vars = [
            `SHIPLINE_ENVIRONMENT=${shellWord(target.environment)}`,
            ...(single ? [`SHIPLINE_TARGET_VERSION=${shellWord(single)}`] : []),
            `SHIPLINE_ALLOCATION=${shellWord(JSON.stringify(allocation))}`,
            `SHIPLINE_MESSAGE=${shellWord(message)}`,
        ];
        return `cd ${shellWord(this.#options.workingDirectory)} && ${vars.join(" ")} ${command.text}`;
    }
    /** The headers the upload of `versionId` reported, if any (none: the gate measures whatever answers). */
    pinHeaders(_target, versionId) {
        return { ...this.#pins.get((0,version_id/* normaliseVersionId */.a)(versionId)) };
    }
    async #status(role, target, signal) {
        const { stdout, source } = await this.#run(role, target, {}, signal);
        return parseStatusDocument(stdout, source);
    }
    #expectServing(doc, allocation, command, target) {
        if ((0,core_allocation/* sameAllocation */.lA)(doc.allocation, allocation))
            return;
        const detail = `asked for ${(0,core_allocation/* describeAllocation */.q7)(allocation)}, it reports ${(0,core_allocation/* describeAllocation */.q7)(doc.allocation)}`;
        throw new errors/* DeployError */.sH(`\`${command}\` exited 0 but ${target.environment} does not serve what was asked: ${detail}`, {
            command,
            detail,
        });
    }
    async #run(role, target, extra, signal) {
        const command = this.#options.commands[role];
        if (!command)
            throw new errors/* DeployError */.sH(`The command deployer has no \`${role}\` command.`, { command: role });
        const options = this.#options;
        const source = { command: command.text, role, environment: target.environment };
        options.logger.info(`$ ${command.text}  (${role}, SHIPLINE_ENVIRONMENT=${target.environment})`);
        const started = external_node_perf_hooks_.performance.now();
        const [file, ...args] = command.argv;
        const child = (0,process_tree/* startChild */.v0)(file, args, {
            cwd: options.workingDirectory,
            env: { ...options.env, SHIPLINE_ENVIRONMENT: target.environment, ...extra },
            shell: command.shell,
            signal,
            timeoutMs: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
            graceMs: options.killGraceMs,
        });
        if (child.pid !== undefined)
            options.onSpawn?.({ args: command.argv, pid: child.pid, at: Date.now() });
        const result = await child.result;
        const ms = Math.round(external_node_perf_hooks_.performance.now() - started);
        await options.logger.group(`${role} output (exit ${String(result.exitCode ?? result.signal)} in ${(ms / 1000).toFixed(1)}s)`, async () => {
            if (result.stderr.trim())
                options.logger.info(result.stderr.trimEnd());
            if (result.stdout.trim())
                options.logger.debug(result.stdout.trimEnd());
        });
        if (result.cancelled)
            throw new errors/* CancelledError */.cc(`\`${command.text}\` (${role}, ${target.environment}) was cancelled`);
        if (result.exitCode !== 0 || result.timedOut)
            throw failure(source, result, ms, options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
        return { stdout: result.stdout, source };
    }
}
function releaseEnv(request) {
    return {
        SHIPLINE_VERSION: request.release.version,
        SHIPLINE_TAG: request.release.tag,
        SHIPLINE_SHA: request.release.sha,
        SHIPLINE_MESSAGE: request.message,
    };
}
function failure(source, result, ms, timeoutMs) {
    const what = `The ${source.role} command \`${source.command}\` (${source.environment})`;
    const how = result.timedOut
        ? `did not finish within ${formatSeconds(timeoutMs)} and was stopped`
        : result.startError
            ? `could not start: ${result.startError.message}`
            : result.exitCode === undefined
                ? `was killed by ${String(result.signal)}`
                : `exited with code ${result.exitCode} after ${formatSeconds(ms)}`;
    const stderr = result.stderr.trim().split(/\r?\n/).slice(-STDERR_TAIL_LINES).join("\n");
    const detail = [stderr && `stderr: ${stderr}`, result.stdout.trim() && `stdout: ${quote(result.stdout)}`].filter(Boolean).join("\n");
    return new errors/* DeployError */.sH(`${what} ${how}${detail ? `. ${detail}` : ""}`, {
        command: source.command,
        ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
        detail: detail || how,
    });
}
function formatSeconds(ms) {
    return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}
function shellWord(word) {
    return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
//# sourceMappingURL=deployer.js.map

/***/ })

};

//# sourceMappingURL=624.index.js.map