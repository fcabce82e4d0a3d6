export const id = 126;
export const ids = [126];
export const modules = {

/***/ 2126:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  parseConfigFile: () => (/* binding */ parseConfigFile),
  resolveConfig: () => (/* binding */ resolveConfig)
});

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
;// CONCATENATED MODULE: ./lib/core/closest.js
/**
 * The accepted name nearest to a typo (case-insensitive edit distance), when it is near
 * enough to be a likely intent: for "did you mean …?" in config keys and CLI flags.
 */
function closest(word, accepted) {
    let best;
    for (const name of accepted) {
        const distance = editDistance(word.toLowerCase(), name.toLowerCase());
        if (!best || distance < best.distance)
            best = { name, distance };
    }
    return best && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.name : undefined;
}
/** Levenshtein distance, one row at a time. */
function editDistance(a, b) {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
        }
        previous = row;
    }
    return previous[b.length] ?? 0;
}
//# sourceMappingURL=closest.js.map
// EXTERNAL MODULE: ./lib/core/errors.js
var core_errors = __webpack_require__(3828);
// EXTERNAL MODULE: ./lib/config/file.js
var config_file = __webpack_require__(9950);
// EXTERNAL MODULE: ./lib/config/resolve.js + 6 modules
var resolve = __webpack_require__(8739);
// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
// EXTERNAL MODULE: ./lib/core/analysis.js
var analysis = __webpack_require__(8989);
;// CONCATENATED MODULE: ./lib/config/analysis-schema.js
/**
 * `production.analysis` of the config file: the traffic analysis of `gradual` steps (off
 * unless set). The helpers come from schema.ts, so the keys read and document like the rest.
 */


const seconds = (ms) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
function rate(description, min, max, exclusiveMin = false) {
    const accepted = `expected a number ${exclusiveMin ? "above" : "from"} ${min} to ${max}`;
    const base = schemas/* number */.aig({ error: accepted });
    return (exclusiveMin ? base.gt(min, { error: accepted }) : base.min(min, { error: accepted }))
        .max(max, { error: accepted })
        .meta({ description });
}
function analysisSchema(h) {
    const d = analysis/* DEFAULT_ANALYSIS */.r1;
    const quantiles = analysis/* LATENCY_QUANTILES */.QF;
    return schemas/* strictObject */.rej({
        window: h
            .duration("production.analysis.window", `Traffic each gradual step below 100% collects (from the traffic shift) before its analysis. Default: ${seconds(d.windowMs)}.`)
            .optional(),
        "ingestion-delay": h
            .duration("production.analysis.ingestion-delay", `How long the analytics take to count an invocation (Cloudflare: about a minute): the window read ends this long ago. Default: ${seconds(d.ingestionDelayMs)}.`)
            .optional(),
        "min-requests": h
            .count("production.analysis.min-requests", `Observed requests (sampled rows) each version needs before it is judged; fewer is never a pass. Default: ${d.minRequests}.`)
            .optional(),
        "false-alarm-rate": rate(`Level of the one-sided Fisher exact test of error rates: the chance at most that a step with no real difference fails on errors. Default: ${d.falseAlarmRate}.`, 0, 0.5, true).optional(),
        "error-floor": rate(`Error rate (0 to 1) the new version may have whatever the baseline does: it fails on errors only above it. Default: ${d.errorFloor} (1 %).`, 0, 1).optional(),
        "latency-quantile": schemas/* enum */.k5n(quantiles, { error: `expected one of ${quantiles.join(", ")}` })
            .meta({ description: `Wall-time quantile compared with the baseline's. Default: ${d.latencyQuantile}.` })
            .optional(),
        "max-latency-ratio": schemas/* number */.aig({ error: "expected a number of at least 1" })
            .min(1, { error: "expected a number of at least 1" })
            .meta({
            description: `The new version fails when its quantile is above this many times the baseline's. Default: ${d.maxLatencyRatio}.`,
        })
            .optional(),
        "latency-margin": h
            .duration("production.analysis.latency-margin", `...and above it by more than this (noise on a fast Worker is no regression). Default: ${seconds(d.latencyMarginMs)}.`)
            .optional(),
        "max-wait": h
            .duration("production.analysis.max-wait", `How long a step waits after its window for enough requests, or for the analytics to answer. Default: ${seconds(d.maxWaitMs)}.`)
            .optional(),
        "no-verdict": schemas/* enum */.k5n(["fail", "probes-only"], { error: "expected one of fail, probes-only" })
            .meta({
            description: `After max-wait without a verdict (too few requests, analytics unavailable): fail the step (roll back), or pass it on the probes alone, with a warning. Default: ${d.noVerdict}.`,
        })
            .optional(),
    }, { error: "expected a mapping of analysis settings" })
        .meta({
        description: "Traffic analysis of each gradual step below 100%: the new version's errors and wall time against the baseline's, from the platform's analytics (Cloudflare GraphQL Analytics; the token needs Account Analytics Read). Off unless set; used with strategy: gradual.",
    });
}
//# sourceMappingURL=analysis-schema.js.map
;// CONCATENATED MODULE: ./lib/config/deployer-schema.js
/**
 * The config file's `deployer` section (SPEC section 7): which deployer releases the project,
 * and for `kind: command` the user's commands (see src/providers/command). Shapes only; what
 * the commands may be and what they allow is checked by deployer.ts.
 */

const command = (description) => schemas/* union */.KCZ([schemas/* string */.YjP(), schemas/* array */.YOg(schemas/* string */.YjP()).min(1)], { error: "expected a command line, or a list of a program and its arguments" })
    .meta({
    description: `${description} Runs in working-directory; a line is split into words (no shell unless \`shell: true\`). Prints one JSON document (schema/command-deployer.schema.json).`,
})
    .optional();
/** `deployer:` in the config file. */
const deployerSchema = schemas/* strictObject */.rej({
    kind: schemas/* enum */.k5n(["wrangler", "command"], { error: "expected one of wrangler, command" })
        .meta({
        description: "`wrangler` (Cloudflare Workers, the default) or `command` (the commands below).",
    })
        .optional(),
    deploy: command("Deploys the release to SHIPLINE_ENVIRONMENT at 100% and prints a version document."),
    status: command("Prints a status document: what SHIPLINE_ENVIRONMENT serves, and optionally its deployments and versions."),
    restore: command("Serves SHIPLINE_TARGET_VERSION at 100% again and prints a status document."),
    upload: command("For `gradual`: makes the release available without traffic and prints a version document."),
    shift: command("For `gradual`: routes traffic as SHIPLINE_ALLOCATION (JSON) says and prints a status document."),
    versions: command("Prints a status document whose `versions` list what can be restored. Default: `status`."),
    shell: schemas/* boolean */.zMY({ error: "expected true or false" })
        .meta({ description: "Run the command lines through the shell. Default: false." })
        .optional(),
    timeout: schemas/* string */.YjP({ error: "expected a duration such as 250ms, 10s, 2m or 1h" })
        .meta({ description: "Time each command may take before it is stopped. Default: 10m." })
        .optional(),
}, { error: "a mapping with the keys kind, deploy, status, restore, upload, shift, versions, shell, timeout" })
    .meta({ description: "What deploys the project: wrangler (the default), or the user's commands for hosts that are not Workers." });
//# sourceMappingURL=deployer-schema.js.map
// EXTERNAL MODULE: ./lib/config/inputs.js
var inputs = __webpack_require__(6097);
// EXTERNAL MODULE: ./lib/config/values.js
var values = __webpack_require__(6618);
;// CONCATENATED MODULE: ./lib/config/schema.js
/**
 * The config file's schema (SPEC section 4), in zod, and the JSON Schema published from it
 * (`schema/shipline.schema.json`). Every object is strict: a typo such as `intervall` is an
 * error naming the key, never silently ignored. The schema checks shapes and types; values
 * with their own grammar (durations, statuses, URLs) are checked by resolve.ts with the same
 * parsers as inputs, so a value means the same thing in both places.
 */





/** Canonical location of the published schema (`$id`). */
const SCHEMA_ID = "https://raw.githubusercontent.com/shipline/shipline/main/schema/shipline.schema.json";
// Matches exactly what core/parse.ts `parseDuration` accepts (test/unit/config/schema.test.ts
// compares them), so editors flag the same values the run would reject.
const NUM = "\\d+(?:\\.\\d+)?";
const DURATION_PATTERN = `^(?:0|(?=\\d)(?:${NUM}h)?(?:${NUM}m)?(?:${NUM}s)?(?:${NUM}ms)?)$`;
/** The description of `key`: its own text, plus the input that overrides it. */
function describe(key, fallback) {
    const input = (0,inputs/* inputForConfigKey */.Nn)(key);
    const text = fallback ?? input?.description ?? "";
    if (!input)
        return text;
    const def = input.default !== undefined ? ` Default: \`${input.default}\`.` : "";
    return `${text}${def} Input \`${input.name}\` overrides it.`;
}
const err = (accepted) => ({ error: `expected ${accepted}` });
const schema_text = (key, description) => schemas/* string */.YjP(err("a text")).meta({ description: describe(key, description) });
const duration = (key, description) => schemas/* string */.YjP(err(values/* ACCEPTED */.wh.duration)).meta({ description: describe(key, description), pattern: DURATION_PATTERN });
const count = (key, description) => schemas/* int */.Whr(err(values/* ACCEPTED */.wh.count))
    .min(1, err(values/* ACCEPTED */.wh.count))
    .meta({ description: describe(key, description) });
const nonNegative = (key, description) => schemas/* int */.Whr(err(values/* ACCEPTED */.wh.nonNegativeInt))
    .min(0, err(values/* ACCEPTED */.wh.nonNegativeInt))
    .meta({ description: describe(key, description) });
const bool = (key) => schemas/* boolean */.zMY(err(values/* ACCEPTED */.wh.boolean)).meta({ description: describe(key) });
const url = (key) => schemas/* string */.YjP(err(values/* ACCEPTED */.wh.url)).meta({ description: describe(key), format: "uri" });
const oneOf = (key, values, description) => schemas/* enum */.k5n(values, err(`one of ${values.join(", ")}`)).meta({ description: describe(key, description) });
const mapping = (shape, description) => schemas/* strictObject */.rej(shape, err("a mapping of keys to values")).meta({ description });
const schema_status = schemas/* union */.KCZ([schemas/* int */.Whr(), schemas/* string */.YjP()], err(values/* ACCEPTED */.wh.status))
    .meta({ description: 'Accepted status codes: 200, "200-299" or "200,204". Default: 200-299.' });
/** One HTTP check: exactly one of `path` and `url`. */
const checkSchema = schemas/* strictObject */.rej({
    path: schemas/* string */.YjP(err(values/* ACCEPTED */.wh.path)).meta({ description: "Path appended to the gate's base URL (keeping its own path)." }).optional(),
    url: schemas/* string */.YjP(err(values/* ACCEPTED */.wh.url)).meta({ description: "Full URL probed instead of a path.", format: "uri" }).optional(),
    headers: schemas/* record */.g1P(schemas/* string */.YjP(), schemas/* string */.YjP(err("a text (header value)")), err("a mapping of header names to values"))
        .meta({ description: "Request headers. Values may reference `${{ env.NAME }}`; expanded values are masked." })
        .optional(),
    expect: mapping({
        status: schema_status.optional(),
        json: schemas/* unknown */.L5J().meta({ description: "JSON the response body must contain (subset match)." }).optional(),
        body: schemas/* string */.YjP(err("a text")).meta({ description: "Text the response body must contain." }).optional(),
    }, "What the response must look like.").optional(),
}, err("a mapping with `path` or `url`, and optionally `headers` and `expect`"))
    .meta({ description: "One HTTP check of a gate.", oneOf: [{ required: ["path"] }, { required: ["url"] }] });
const checks = (description) => schemas/* array */.YOg(checkSchema, err("a list of checks")).min(1, err("a list of at least one check")).meta({ description });
/** The measurement rules every gate shares; `base` is `staging.smoke` or `production.health`. */
function gateShape(base) {
    const smoke = base === "staging.smoke";
    return {
        interval: duration(`${base}.interval`, "Time between measurements.").optional(),
        count: count(`${base}.count`, "Measurements that make a passing gate.").optional(),
        "failure-limit": nonNegative(`${base}.failure-limit`, `Failed measurements tolerated (must be below count).${smoke ? " Default: 0." : ""}`).optional(),
        "consecutive-error-limit": nonNegative(`${base}.consecutive-error-limit`, `Consecutive errors tolerated.${smoke ? " Default: 4." : ""}`).optional(),
        timeout: duration(`${base}.timeout`, `Timeout per request.${smoke ? " Default: the health gate's timeout." : ""}`).optional(),
        "max-latency": duration(`${base}.max-latency`, "p95 latency ceiling over the gate, e.g. 500ms.").optional(),
        confirm: nonNegative(`${base}.confirm`, `Re-probes of a check whose request was not a quick success, made right away before the measurement counts; 0 probes once.${smoke ? " Default: the health gate's." : ""}`).optional(),
        "max-body-bytes": count(`${base}.max-body-bytes`, `Bytes of a response body read for expect; a longer body is cut there.${smoke ? " Default: the health gate's." : ""}`).optional(),
        checks: checks(smoke
            ? "Checks of the smoke gate. Default: the health gate's checks."
            : "Checks of the health gate. Default: one check built from the health-path and health-expect-* inputs.").optional(),
    };
}
/** The config file's keys but `workers`. */
const baseSchema = schemas/* strictObject */.rej({
    "working-directory": schema_text("working-directory").optional(),
    "wrangler-version": schemas/* union */.KCZ([schemas/* string */.YjP(), schemas/* number */.aig()], err(values/* ACCEPTED */.wh.semverRange))
        .meta({ description: describe("wrangler-version") })
        .optional(),
    secrets: schemas/* array */.YOg(schemas/* string */.YjP(err("a name such as API_KEY")), err(`a list of ${values/* ACCEPTED */.wh.names}`))
        .meta({ description: describe("secrets") })
        .optional(),
    vars: schemas/* record */.g1P(schemas/* string */.YjP(), schemas/* union */.KCZ([schemas/* string */.YjP(), schemas/* number */.aig(), schemas/* boolean */.zMY()], err("a text, number or boolean")), err(values/* ACCEPTED */.wh.vars))
        .meta({ description: describe("vars", "Vars passed to the deployed version (wrangler `--var`), by name.") })
        .optional(),
    "required-secrets": schemas/* array */.YOg(schemas/* string */.YjP(err("a name such as API_KEY")), err(`a list of ${values/* ACCEPTED */.wh.names}`))
        .meta({ description: describe("required-secrets") })
        .optional(),
    "before-production": schema_text("before-production").optional(),
    "after-release": schema_text("after-release").optional(),
    staging: mapping({
        environment: schema_text("staging.environment").optional(),
        url: url("staging.url").optional(),
        smoke: mapping({ command: schema_text("staging.smoke.command").optional(), ...gateShape("staging.smoke") }, "The smoke gate run on staging after its deploy.").optional(),
    }, "The staging deploy and its smoke gate.").optional(),
    approval: mapping({
        mode: oneOf("approval.mode", ["issue", "environment", "none"]).optional(),
        approvers: schemas/* array */.YOg(schemas/* string */.YjP(err("a GitHub login or org/team slug")), err(`a list of ${values/* ACCEPTED */.wh.approver}`))
            .meta({ description: describe("approval.approvers", "GitHub logins and org/team slugs.") })
            .optional(),
        minimum: count("approval.minimum").optional(),
        timeout: duration("approval.timeout").optional(),
        "allow-self-approval": bool("approval.allow-self-approval").optional(),
    }, "Approval between staging and production.").optional(),
    production: mapping({
        environment: schema_text("production.environment").optional(),
        url: url("production.url").optional(),
        strategy: oneOf("production.strategy", ["direct", "gradual"]).optional(),
        steps: schemas/* array */.YOg(schemas/* int */.Whr(err(values/* ACCEPTED */.wh.steps)), err(values/* ACCEPTED */.wh.steps))
            .meta({ description: describe("production.steps") })
            .optional(),
        health: mapping(gateShape("production.health"), "The health gate run on production.").optional(),
        rollback: oneOf("production.rollback", ["auto", "off"]).optional(),
        analysis: analysisSchema({ duration, count }).optional(),
    }, "The production deploy, its health gate and the rollback policy.").optional(),
    release: mapping({
        "tag-prefix": schemas/* string */.YjP(err("a text"))
            .meta({ description: describe("release.tag-prefix") })
            .optional(),
        "promote-prerelease": bool("release.promote-prerelease").optional(),
        "floating-tags": bool("release.floating-tags").optional(),
        "create-release": bool("release.create-release").optional(),
    }, "Tags and the GitHub Release created after a healthy production deploy.").optional(),
    deployer: deployerSchema.optional(),
}, err("a mapping with the keys working-directory, wrangler-version, secrets, vars, required-secrets, before-production, after-release, staging, approval, production, release, deployer, workers"))
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
    name: schemas/* string */.YjP(err("a name such as api"))
        .meta({ description: "The Worker's name in logs, outputs and the summary (letters, digits, `.`, `_`, `-`)." }),
})
    .meta({
    title: "worker",
    description: "One Worker of the release. Its keys override the top-level ones for this Worker; `working-directory` defaults to the repository root.",
});
/** The config file's zod schema. */
const configFileSchema = baseSchema
    .extend({
    workers: schemas/* array */.YOg(workerSchema, err("a list of Workers, each a mapping with `name`"))
        .min(1, err("a list of at least one Worker"))
        .meta({
        description: "Several Workers in one release, deployed in this order: every staging deploy and smoke gate, one approval, every production anchor, then each production deploy with its health gate; a failed gate restores every Worker already deployed, in reverse order.",
    })
        .optional(),
})
    .meta({ title: "shipline" });
/** The JSON Schema of the config file, as published in `schema/shipline.schema.json`. */
function emitJsonSchema() {
    const generated = z.toJSONSchema(configFileSchema, { target: "draft-2020-12" });
    const { $schema, title: _title, ...body } = generated;
    return {
        $schema,
        $id: SCHEMA_ID,
        title: "shipline configuration (.github/shipline.yml)",
        description: "Release pipeline settings for shipline: staging and its smoke gate, approval, production and its health gate, rollback, tags and releases. Action inputs override these values.",
        ...body,
    };
}
/** The accepted keys of the object at `path` in the schema (for unknown-key messages). */
function acceptedKeysAt(path) {
    let node = configFileSchema;
    for (const segment of path) {
        node = unwrap(node);
        if (node instanceof schemas/* ZodArray */.naA)
            node = node.element;
        else if (node instanceof schemas/* ZodObject */.bvH)
            node = node.shape[String(segment)] ?? schemas/* never */.ZmZ();
        else
            return [];
    }
    node = unwrap(node);
    return node instanceof schemas/* ZodObject */.bvH ? Object.keys(node.shape) : [];
}
function unwrap(node) {
    return node instanceof schemas/* ZodOptional */.IiU ? node.unwrap() : node;
}
//# sourceMappingURL=schema.js.map
;// CONCATENATED MODULE: ./lib/config/parse-file.js
/**
 * Reading the config file: YAML text → validated `ConfigFile`, with errors that name the line
 * (syntax) or the key path (schema); and `resolveConfig`, which parses the file's text and
 * resolves the settings. Apart from the rest of the configuration because YAML and zod are
 * large: the action loads them only when a config file exists.
 */







/** Resolves and validates the whole configuration, the config file's text included; throws `ConfigError` (or `ConfigErrors`). */
function resolveConfig(args) {
    const { configText, ...rest } = args;
    if (configText === undefined)
        return (0,resolve/* resolveSettings */.M)(rest);
    return (0,resolve/* resolveSettings */.M)({
        ...rest,
        configFile: parseConfigFile(configText, args.configPath ?? args.inputs["config"] ?? config_file/* DEFAULT_CONFIG_PATH */.Bi),
    });
}
/** Parses and validates config-file text; `path` is only used in messages. */
function parseConfigFile(text, path) {
    const doc = (0,dist/* parseDocument */.Tp)(text, { uniqueKeys: true });
    const problem = doc.errors[0];
    if (problem) {
        const at = problem.linePos?.[0];
        const where = at ? ` at line ${at.line}, column ${at.col}` : "";
        // The library appends " at line L, column C:" and a code excerpt; the position is kept above.
        const reason = problem.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").split("\n")[0];
        throw new core_errors/* ConfigError */.xL("config", `Config file \`${path}\` is not valid YAML${where}: ${reason}.`);
    }
    const data = doc.toJS() ?? {};
    const result = configFileSchema.safeParse(data);
    if (result.success)
        return result.data;
    const errors = result.error.issues.flatMap((issue) => issueErrors(issue, data, path));
    (0,values/* throwCollected */.ml)(errors);
    throw new Error("unreachable: a failed parse has issues");
}
function valueAt(data, path) {
    let node = data;
    for (const seg of path) {
        if (node === null || typeof node !== "object")
            return undefined;
        node = node[seg];
    }
    return node;
}
function issueErrors(issue, data, file) {
    if (issue.code === "unrecognized_keys") {
        const accepted = acceptedKeysAt(issue.path);
        return issue.keys.map((key) => unknownKey(issue.path, key, accepted, file));
    }
    const key = (0,config_file/* keyPath */.Dw)(issue.path);
    if (key === "")
        return [new core_errors/* ConfigError */.xL("config", `Config file \`${file}\` must be a mapping of settings; ${issue.message}.`)];
    return [(0,values/* invalid */.Gq)((0,values/* fromConfig */.bw)(key), valueAt(data, issue.path), issue.message.replace(/^expected /, ""))];
}
function unknownKey(parent, key, accepted, file) {
    const where = parent.length === 0 ? `Config file \`${file}\`` : `Config key \`${(0,config_file/* keyPath */.Dw)(parent)}\``;
    const guess = closest(key, accepted);
    const hint = guess ? ` (did you mean \`${guess}\`?)` : "";
    return new core_errors/* ConfigError */.xL((0,config_file/* keyPath */.Dw)([...parent, key]), `${where} has the unknown key \`${key}\`${hint}: accepted keys are ${accepted.map((k) => `\`${k}\``).join(", ")}.`);
}
//# sourceMappingURL=parse-file.js.map

/***/ })

};

//# sourceMappingURL=126.index.js.map