export const id = 843;
export const ids = [843];
export const modules = {

/***/ 3843:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   firstDeploy: () => (/* binding */ firstDeploy),
/* harmony export */   prestartFirstDeploy: () => (/* binding */ prestartFirstDeploy)
/* harmony export */ });
/* harmony import */ var semver__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2088);
/* harmony import */ var _core_version_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8067);
/* harmony import */ var _providers_cloudflare_connection_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5290);
/* harmony import */ var _providers_wrangler_commands_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9307);
/* harmony import */ var _providers_wrangler_locate_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6293);
/* harmony import */ var _providers_wrangler_project_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(8772);
/* harmony import */ var _providers_wrangler_runner_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(6703);
/* harmony import */ var _env_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(3221);
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








/**
 * Which `wrangler deploy` the run makes first, or why none can be started early: only a
 * release whose version is known without GitHub (a tag ref or the `version` input), whose
 * first deploy is a `wrangler deploy` nothing runs before (no `before-production` command
 * ahead of a production-first deploy: it may build or migrate), and with no proxy (wrangler
 * would send the gate's local address to it). A project with a custom build (`build.command`
 * in the wrangler config) is not started early either (see `prestartFirstDeploy`).
 */
function firstDeploy(settings, env) {
    const config = settings.config;
    if (config.mode !== "release")
        return "not a release";
    if (settings.deployer.kind !== "wrangler")
        return "the project is not deployed with wrangler";
    if (PROXY_VARIABLES.some((name) => env[name]))
        return "a proxy is configured";
    const productionFirst = config.stages === "production";
    if (productionFirst && config.production.strategy !== "direct")
        return "production is uploaded first (gradual)";
    const before = [config, ...(settings.workers ?? []).map((w) => w.settings.config)].some((c) => c.production.beforeCommand);
    if (productionFirst && before)
        return "a before-production command runs first";
    const needsTags = !config.version.explicit && !config.version.ref?.startsWith("refs/tags/");
    if (needsTags)
        return "the version comes from the repository's tags";
    let tag;
    let sha;
    try {
        ({ tag, sha } = (0,_core_version_js__WEBPACK_IMPORTED_MODULE_1__/* .resolveVersion */ .x)({ ...config.version }));
    }
    catch {
        return "the version does not resolve";
    }
    const environment = productionFirst ? config.production.environment : config.staging.environment;
    // The same command the pipeline's deploy runs (staging.ts, production.ts): `git:<sha>` as the message.
    return { environment, args: (0,_providers_wrangler_commands_js__WEBPACK_IMPORTED_MODULE_3__/* .deployArgs */ .L)(environment, tag, `git:${sha}`, config.vars ?? {}) };
}
const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];
/**
 * Starts the run's first deploy with its writes held, when the project's own wrangler fits:
 * returns the runner that holds it (the wiring runs every wrangler command through it), or
 * undefined when nothing was started.
 */
async function prestartFirstDeploy(settings, env, signal) {
    const first = firstDeploy(settings, env);
    // A custom build is the project's own code: it runs in its turn, after the run's checks.
    if (typeof first === "string" || !settings.project || settings.project.customBuild)
        return undefined;
    const { config, runtime } = settings;
    const found = await (0,_providers_wrangler_locate_js__WEBPACK_IMPORTED_MODULE_4__/* .findProjectWrangler */ .zZ)(config.workingDirectory);
    if (!found || !semver__WEBPACK_IMPORTED_MODULE_0__.validRange(runtime.wranglerVersion) || !semver__WEBPACK_IMPORTED_MODULE_0__.satisfies(found.version, runtime.wranglerVersion))
        return undefined;
    const secrets = runtime.secretValues;
    const hasSecrets = Object.keys(secrets).length > 0;
    if (hasSecrets && !semver__WEBPACK_IMPORTED_MODULE_0__.gte(semver__WEBPACK_IMPORTED_MODULE_0__.coerce(found.version)?.version ?? "0.0.0", _providers_wrangler_runner_js__WEBPACK_IMPORTED_MODULE_6__/* .SECRETS_FILE_MIN_WRANGLER */ .zr))
        return undefined;
    const base = (0,_env_js__WEBPACK_IMPORTED_MODULE_7__/* .definedEnv */ .j)(env);
    const connection = (0,_providers_cloudflare_connection_js__WEBPACK_IMPORTED_MODULE_2__/* .connectionFor */ .EP)({
        env: base,
        apiToken: runtime.cloudflareApiToken,
        accountId: runtime.cloudflareAccountId,
        workingDirectory: config.workingDirectory,
        environment: first.environment,
        complianceRegion: (0,_providers_wrangler_project_js__WEBPACK_IMPORTED_MODULE_5__/* .complianceRegionFor */ .hG)(settings.project, first.environment),
    });
    // A proxy set in the project's .env files counts as much as one in the step's environment.
    if (connection.proxy !== undefined)
        return undefined;
    const upstream = connection.baseUrl;
    const runner = new _providers_wrangler_runner_js__WEBPACK_IMPORTED_MODULE_6__/* .WranglerProcessRunner */ .eL({
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
//# sourceMappingURL=prestart.js.map

/***/ })

};

//# sourceMappingURL=843.index.js.map