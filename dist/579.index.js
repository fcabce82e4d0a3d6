export const id = 579;
export const ids = [579];
export const modules = {

/***/ 4404:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   m: () => (/* binding */ systemClock)
/* harmony export */ });
/** Wall-clock time and real timers. */
const systemClock = {
    now: () => Date.now(),
    sleep: (ms, signal) => new Promise((resolve, reject) => {
        if (signal?.aborted) {
            reject(signal.reason);
            return;
        }
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal?.reason);
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        signal?.addEventListener("abort", onAbort, { once: true });
    }),
};
//# sourceMappingURL=clock.js.map

/***/ }),

/***/ 7120:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   FG: () => (/* binding */ beforeStopAll),
/* harmony export */   LM: () => (/* binding */ stopAllChildren),
/* harmony export */   v0: () => (/* binding */ startChild)
/* harmony export */ });
/* unused harmony exports USE_PROCESS_GROUP, KILL_GRACE_MS, runningChildren, killAllChildrenNow */
/* harmony import */ var execa__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6993);
/* harmony import */ var _child_env_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6438);
/* harmony import */ var _clock_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4404);
/**
 * The one way shipline starts and stops child processes (wrangler, npm, git, the user's
 * commands). wrangler starts esbuild (and `bin/wrangler.js`, when run, a second Node), and a shell command line
 * starts children of its own: signalling only the direct child would orphan the rest (still
 * running, still holding the output pipe, still able to change production after the job ended).
 * So every child gets its own process group (POSIX) and the whole group is signalled.
 *
 * Every group is registered while it runs. `stopAllChildren()` stops every registered group
 * (SIGTERM, then SIGKILL after one grace period), and a `process.on("exit")` hook SIGKILLs any
 * group still registered, synchronously, so even `process.exit` leaves nothing behind.
 *
 * Every child's environment loses the action's `INPUT_*` variables (they hold the tokens the
 * runner passes in `with:`), whatever the caller handed in.
 */



/** Whether children are started in their own process group (`detached`). */
const USE_PROCESS_GROUP = process.platform !== "win32";
/**
 * Time between SIGTERM and SIGKILL, for every child. wrangler, npm and shells exit within
 * milliseconds of a SIGTERM; two seconds let one flush its output and still leave most of the
 * 7 s cancellation budget (SPEC section 5) to the restore.
 */
const KILL_GRACE_MS = 2_000;
/** How long `stopAllChildren` waits past the grace for SIGKILLed children to be reaped. */
const SETTLE_MS = 200;

/** Every child still running (or whose group still has members), by process id. */
const running = new Map();
let exitHookInstalled = false;
let refusing = false;
/** Children registered right now (a stopped run has none). */
function runningChildren() {
    return running.size;
}
/**
 * Starts `file` with `args` in a process group of its own and registers the group until the
 * child has ended. When the child itself ends, whatever it left behind in its group (a
 * backgrounded `sleep &`, a server it started) is stopped too.
 */
function startChild(file, args, options) {
    if (options.signal?.aborted || refusing)
        return notStarted({ cancelled: true });
    installExitHook();
    const clock = options.clock ?? _clock_js__WEBPACK_IMPORTED_MODULE_0__/* .systemClock */ .m;
    const graceMs = options.graceMs ?? KILL_GRACE_MS;
    const child = (0,execa__WEBPACK_IMPORTED_MODULE_1__/* .execa */ .Ho)(file, [...args], {
        cwd: options.cwd,
        env: (0,_child_env_js__WEBPACK_IMPORTED_MODULE_2__/* .childEnv */ .g)(options.env),
        extendEnv: false,
        // An open stdin makes prompts (`versions deploy` without --yes) hang; ignored, they fall back.
        stdin: "ignore",
        all: options.all === true,
        shell: options.shell === true,
        reject: false,
        detached: USE_PROCESS_GROUP,
        windowsHide: true,
        forceKillAfterDelay: false,
    });
    const pid = child.pid;
    const timers = new AbortController();
    const wait = (ms) => clock.sleep(ms, timers.signal).then(() => true, () => false);
    let timedOut = false;
    let cancelled = false;
    let terminating = false;
    const kill = (signal) => killGroup(child, signal);
    const terminate = (grace = graceMs) => {
        if (terminating)
            return;
        terminating = true;
        kill("SIGTERM");
        void wait(grace).then((due) => due && kill("SIGKILL"));
    };
    const onAbort = () => {
        cancelled = true;
        terminate();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
        void wait(options.timeoutMs).then((due) => {
            if (!due)
                return;
            timedOut = true;
            terminate();
        });
    }
    if (options.onOutput) {
        const forward = (chunk) => options.onOutput?.(chunk.toString());
        child.stdout?.on("data", forward);
        child.stderr?.on("data", forward);
    }
    // The child is over when it exits: a later abort no longer cancels it, and what is left in
    // its group (a backgrounded `sleep &`, a server it started) has nobody to report to.
    child.once("exit", () => {
        options.signal?.removeEventListener("abort", onAbort);
        terminate();
    });
    const result = child.then((done) => {
        const startFailed = done.failed && done.exitCode === undefined && !done.signal;
        const code = done.code;
        return {
            exitCode: typeof done.exitCode === "number" ? done.exitCode : undefined,
            signal: done.signal ?? undefined,
            stdout: String(done.stdout ?? ""),
            stderr: String(done.stderr ?? ""),
            all: String(done.all ?? ""),
            timedOut,
            cancelled,
            ...(startFailed
                ? { startError: { message: done.message || "the process could not start", ...(typeof code === "string" ? { code } : {}) } }
                : {}),
        };
    });
    const settled = result.finally(() => {
        options.signal?.removeEventListener("abort", onAbort);
        timers.abort();
        // Stragglers that closed their output and ignored the SIGTERM: nothing may outlive the child.
        kill("SIGKILL");
        if (pid !== undefined)
            running.delete(pid);
    });
    if (pid !== undefined)
        running.set(pid, { kill, terminate, settled: settled.catch(() => undefined) });
    return { pid, result: settled, stop: onAbort };
}
/**
 * Stops every registered child group: SIGTERM, then SIGKILL after the grace period. Resolves
 * when they have all ended, or at the latest `SETTLE_MS` after the grace period.
 */
async function stopAllChildren(options = {}) {
    if (options.refuseNew)
        refusing = true;
    await Promise.all([...beforeStop].map((hook) => hook().catch(() => undefined)));
    const graceMs = options.graceMs ?? KILL_GRACE_MS;
    const entries = [...running.values()];
    if (entries.length === 0)
        return;
    for (const entry of entries)
        entry.terminate(graceMs);
    let timer;
    // Bounded: a group member that escaped its pipe can keep `settled` open; SIGKILL it anyway.
    const bound = new Promise((resolve) => (timer = setTimeout(resolve, graceMs + SETTLE_MS)));
    await Promise.race([Promise.all(entries.map((e) => e.settled)), bound]);
    clearTimeout(timer);
    killAllChildrenNow();
}
const beforeStop = new Set();
/**
 * Runs `hook` first whenever every child is stopped (a command started ahead of its turn
 * refuses its held requests and stops renewing itself). Returns the function that removes it.
 */
function beforeStopAll(hook) {
    beforeStop.add(hook);
    return () => void beforeStop.delete(hook);
}
/** SIGKILLs every registered group at once, synchronously (the `exit` hook). */
function killAllChildrenNow() {
    for (const entry of running.values())
        entry.kill("SIGKILL");
}
function installExitHook() {
    if (exitHookInstalled)
        return;
    exitHookInstalled = true;
    process.on("exit", killAllChildrenNow);
}
/** Signals the child's whole process group (or the child alone where groups do not exist). */
function killGroup(child, signal) {
    if (child.pid === undefined)
        return;
    try {
        if (USE_PROCESS_GROUP)
            process.kill(-child.pid, signal);
        else
            child.kill(signal);
    }
    catch {
        // ESRCH: the group is already gone.
    }
}
function notStarted(flags) {
    const result = {
        exitCode: undefined,
        signal: undefined,
        stdout: "",
        stderr: "",
        all: "",
        timedOut: false,
        cancelled: flags.cancelled,
    };
    return { pid: undefined, result: Promise.resolve(result), stop: () => undefined };
}
//# sourceMappingURL=process-tree.js.map

/***/ }),

/***/ 6293:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DC: () => (/* binding */ DEFAULT_WRANGLER_RANGE),
  zZ: () => (/* binding */ findProjectWrangler),
  HT: () => (/* binding */ locateWrangler)
});

// UNUSED EXPORTS: DEFAULT_INSTALL_TIMEOUT_MS, defaultInstallRunner, defaultNpmRunner, installDirFor, installPlan, npmInstallArgs, onPath

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./node_modules/semver/index.js
var semver = __webpack_require__(2088);
// EXTERNAL MODULE: ./lib/core/errors.js
var errors = __webpack_require__(3828);
// EXTERNAL MODULE: ./lib/core/parse.js
var parse = __webpack_require__(1204);
// EXTERNAL MODULE: ./lib/providers/system/clock.js
var clock = __webpack_require__(4404);
// EXTERNAL MODULE: ./lib/providers/system/process-tree.js
var process_tree = __webpack_require__(7120);
// EXTERNAL MODULE: ./node_modules/jsonc-parser/lib/umd/main.js
var main = __webpack_require__(9547);
;// CONCATENATED MODULE: ./lib/providers/wrangler/lockfile.js
/**
 * What a project's lockfile says about installing wrangler: which package manager it belongs to
 * (as cloudflare/wrangler-action decides), which wrangler version it pins for the working
 * directory, and, for npm, the part of the lockfile that pins wrangler and everything it needs.
 * Only reads: nothing here writes into the project.
 */




/** Lockfile names and their package manager, in wrangler-action's order of precedence (npm, yarn, pnpm, bun). */
const LOCKFILES = [
    { file: "package-lock.json", packageManager: "npm" },
    { file: "npm-shrinkwrap.json", packageManager: "npm" },
    { file: "yarn.lock", packageManager: "yarn" },
    { file: "pnpm-lock.yaml", packageManager: "pnpm" },
    { file: "bun.lock", packageManager: "bun" },
    { file: "bun.lockb", packageManager: "bun" },
];
/**
 * Reads the lockfile and package.json nearest `workingDirectory`: walks up until a folder holds a
 * lockfile, stopping after the repository root (a folder with `.git`) or the filesystem root.
 * Several lockfiles in one folder: the one of package.json's `packageManager` field, else the
 * first in LOCKFILES' order. Never throws on unreadable or odd files: it then knows less.
 */
async function readProjectWranglerFacts(workingDirectory) {
    const start = (0,external_node_path_.resolve)(workingDirectory);
    let declared;
    for (let dir = start;; dir = (0,external_node_path_.dirname)(dir)) {
        const names = new Set(await (0,promises_.readdir)(dir).catch(() => []));
        const manifest = names.has("package.json") ? await readJson((0,external_node_path_.join)(dir, "package.json")) : undefined;
        if (!declared) {
            const range = declaredWranglerRange(manifest);
            if (range !== undefined)
                declared = { range, file: (0,external_node_path_.join)(dir, "package.json") };
        }
        const present = LOCKFILES.filter((l) => names.has(l.file));
        if (present.length > 0) {
            const wanted = packageManagerField(manifest);
            const chosen = present.find((l) => l.packageManager === wanted) ?? present[0];
            const lockfile = (0,external_node_path_.join)(dir, chosen.file);
            const importer = (0,external_node_path_.relative)(dir, start).split(external_node_path_.sep).join("/");
            const lock = await readLock(chosen.packageManager, lockfile, importer, declared?.range);
            return declared ? { lock, declared } : { lock };
        }
        if (names.has(".git") || (0,external_node_path_.dirname)(dir) === dir)
            return declared ? { declared } : {};
    }
}
async function readLock(packageManager, lockfile, importer, declared) {
    const text = lockfile.endsWith(".lockb") ? undefined : await (0,promises_.readFile)(lockfile, "utf8").catch(() => undefined);
    if (text === undefined)
        return { packageManager, lockfile };
    try {
        switch (packageManager) {
            case "npm": {
                const found = npmLockedWrangler(text, importer);
                if (!found)
                    return { packageManager, lockfile };
                const npmSubset = npmLockSubset(text, found.key);
                return { packageManager, lockfile, lockedVersion: found.version, ...(npmSubset ? { npmSubset } : {}) };
            }
            case "pnpm":
                return withVersion({ packageManager, lockfile }, await pnpmLockedWrangler(text, importer));
            case "yarn":
                return withVersion({ packageManager, lockfile }, yarnLockedWrangler(text, declared));
            case "bun":
                return withVersion({ packageManager, lockfile }, bunLockedWrangler(text));
        }
    }
    catch {
        return { packageManager, lockfile };
    }
}
function withVersion(lock, version) {
    return version ? { ...lock, lockedVersion: version } : lock;
}
async function readJson(file) {
    try {
        return JSON.parse(await (0,promises_.readFile)(file, "utf8"));
    }
    catch {
        return undefined;
    }
}
const DEPENDENCY_FIELDS = ["devDependencies", "dependencies", "optionalDependencies"];
/** The range a package.json gives wrangler, when it is a semver range (not a tag, path or URL). */
function declaredWranglerRange(manifest) {
    if (!isRecord(manifest))
        return undefined;
    for (const field of DEPENDENCY_FIELDS) {
        const deps = manifest[field];
        const range = isRecord(deps) ? deps["wrangler"] : undefined;
        if (typeof range === "string") {
            const spec = range.startsWith("npm:wrangler@") ? range.slice("npm:wrangler@".length) : range;
            return semver.validRange(spec) === null ? undefined : spec;
        }
    }
    return undefined;
}
function packageManagerField(manifest) {
    const field = isRecord(manifest) ? manifest["packageManager"] : undefined;
    return typeof field === "string" ? field.split("@")[0] : undefined;
}
/** Where npm's lockfile (v2/v3 `packages`, or v1 `dependencies`) has wrangler for `importer` ("" for the root). */
function npmLockedWrangler(text, importer) {
    const lock = JSON.parse(text);
    if (!isRecord(lock))
        return undefined;
    const packages = lock["packages"];
    if (isRecord(packages)) {
        const segments = importer === "" ? [] : importer.split("/");
        for (let n = segments.length; n >= 0; n--) {
            const key = [...segments.slice(0, n), "node_modules", "wrangler"].join("/");
            const version = versionOf(packages[key]);
            if (version)
                return { key, version };
        }
        return undefined;
    }
    const version = versionOf(isRecord(lock["dependencies"]) ? lock["dependencies"]["wrangler"] : undefined);
    return version ? { key: "", version } : undefined;
}
function versionOf(entry) {
    const version = isRecord(entry) ? entry["version"] : undefined;
    return typeof version === "string" && semver.valid(version) !== null ? version : undefined;
}
/**
 * The lockfile of a project whose only dependency is wrangler, cut from the project's npm
 * lockfile (v2/v3): wrangler's entry at `key` and every entry Node's resolution reaches from it,
 * rebased to the root. `npm ci` installs it without resolving anything. Undefined when the cut
 * is not clean: a linked (workspace) package, a dependency the lockfile lacks, or two entries
 * that would land on one path after rebasing.
 */
function npmLockSubset(text, key) {
    const lock = JSON.parse(text);
    const packages = lock["packages"];
    if (!isRecord(packages) || key === "")
        return undefined;
    const wrangler = packages[key];
    const version = versionOf(wrangler);
    if (!version)
        return undefined;
    const reached = new Set();
    const queue = [key];
    while (queue.length > 0) {
        const at = queue.pop();
        if (reached.has(at))
            continue;
        const entry = packages[at];
        if (!isRecord(entry) || entry["link"] === true)
            return undefined;
        reached.add(at);
        for (const field of ["dependencies", "optionalDependencies", "peerDependencies"]) {
            const deps = entry[field];
            if (!isRecord(deps))
                continue;
            for (const name of Object.keys(deps)) {
                const found = resolveFrom(packages, at, name);
                // An optional or peer dependency the project did not install is not needed either.
                if (found)
                    queue.push(found);
                else if (field === "dependencies")
                    return undefined;
            }
        }
    }
    // The folder wrangler's resolution starts from: "" at the root, "packages/api" in a workspace.
    const base = key.slice(0, -"node_modules/wrangler".length).replace(/\/$/, "");
    const rebased = {};
    for (const at of [...reached].sort()) {
        const target = base !== "" && at.startsWith(`${base}/`) ? at.slice(base.length + 1) : at;
        if (target in rebased)
            return undefined;
        rebased[target] = withoutDevFlags(packages[at]);
    }
    const name = "shipline-wrangler";
    const packageJson = { name, private: true, dependencies: { wrangler: version } };
    const packageLock = {
        name,
        lockfileVersion: 3,
        requires: true,
        packages: { "": { name, dependencies: { wrangler: version } }, ...rebased },
    };
    return { packageJson, packageLock };
}
/** Node's lookup of `name` from the package at `from`: its own node_modules, then each parent's. */
function resolveFrom(packages, from, name) {
    for (let base = from;;) {
        const candidate = `${base === "" ? "" : `${base}/`}node_modules/${name}`;
        if (candidate in packages)
            return candidate;
        if (base === "")
            return undefined;
        const cut = base.lastIndexOf("/node_modules/");
        base = cut < 0 ? (base.startsWith("node_modules/") ? "" : parentFolder(base)) : base.slice(0, cut);
    }
}
function parentFolder(path) {
    const cut = path.lastIndexOf("/");
    return cut < 0 ? "" : path.slice(0, cut);
}
/** In the project wrangler is often a devDependency; in the cut it is the only dependency, so not dev. */
function withoutDevFlags(entry) {
    const { dev: _dev, devOptional, ...rest } = entry;
    return devOptional === true ? { ...rest, optional: true } : rest;
}
/**
 * The wrangler version pnpm-lock.yaml (v5 to v9) pins for `importer`. The YAML parser loads
 * only here, for a pnpm project: this module is part of what the action's head start loads
 * before it spawns wrangler.
 */
async function pnpmLockedWrangler(text, importer) {
    const { parse: parseYaml } = await __webpack_require__.e(/* import() */ 815).then(__webpack_require__.t.bind(__webpack_require__, 8815, 19));
    const lock = parseYaml(text);
    if (!isRecord(lock))
        return undefined;
    const importers = lock["importers"];
    const project = isRecord(importers) ? importers[importer === "" ? "." : importer] : lock;
    if (!isRecord(project))
        return undefined;
    for (const field of DEPENDENCY_FIELDS) {
        const deps = project[field];
        const entry = isRecord(deps) ? deps["wrangler"] : undefined;
        const raw = isRecord(entry) ? entry["version"] : entry;
        if (typeof raw === "string" || typeof raw === "number") {
            // "4.86.0(@cloudflare/workers-types@4.2)" (v6+) or "4.86.0_abc" (v5): the version is the first part.
            const version = String(raw).split(/[(_]/)[0];
            return semver.valid(version) === null ? undefined : version;
        }
    }
    return undefined;
}
/**
 * The wrangler version yarn.lock (classic or berry) pins: the entry whose descriptors include the
 * range package.json declares, else the newest wrangler in the file.
 */
function yarnLockedWrangler(text, declared) {
    const entries = [];
    let specs;
    for (const line of text.split(/\r?\n/)) {
        if (line.trim() === "" || line.startsWith("#"))
            continue;
        if (!/^\s/.test(line)) {
            const descriptors = line.replace(/:\s*$/, "").split(",");
            const wrangler = descriptors
                .map((d) => d.trim().replace(/^"|"$/g, ""))
                .filter((d) => d.startsWith("wrangler@"))
                .map((d) => d.slice("wrangler@".length).replace(/^npm:/, ""));
            specs = wrangler.length > 0 ? wrangler : undefined;
            continue;
        }
        const version = specs && /^\s+version:?\s+"?([^"\s]+)"?\s*$/.exec(line)?.[1];
        if (specs && version && semver.valid(version) !== null) {
            entries.push({ specs, version });
            specs = undefined;
        }
    }
    const matching = declared !== undefined ? entries.find((e) => e.specs.includes(declared)) : undefined;
    if (matching)
        return matching.version;
    return entries.map((e) => e.version).sort(semver.rcompare)[0];
}
/** The wrangler version bun.lock (text, Bun 1.2+) pins. bun.lockb is binary: not read. */
function bunLockedWrangler(text) {
    const lock = (0,main.parse)(text, [], { allowTrailingComma: true });
    const packages = isRecord(lock) ? lock["packages"] : undefined;
    const entry = isRecord(packages) ? packages["wrangler"] : undefined;
    const id = Array.isArray(entry) ? entry[0] : undefined;
    if (typeof id !== "string" || !id.startsWith("wrangler@"))
        return undefined;
    const version = id.slice("wrangler@".length);
    return semver.valid(version) === null ? undefined : version;
}
/**
 * Which wrangler to install, given the `wrangler-version` range: the version the lockfile pins
 * when it satisfies the range (what the project tested with, and what its lockfile can install
 * without resolving); else the range package.json declares when it lies within the input's;
 * else the input's range.
 */
function chooseWranglerSpec(range, facts) {
    const locked = facts.lock?.lockedVersion;
    const lockName = facts.lock ? basename(facts.lock.lockfile) : "";
    if (locked && semver.satisfies(locked, range)) {
        return { spec: locked, reason: `the version ${lockName} pins` };
    }
    const declared = facts.declared?.range;
    if (declared !== undefined && semver.validRange(declared) !== null && safeSubset(declared, range)) {
        return { spec: declared, reason: `the range ${facts.declared.file} declares` };
    }
    const why = locked ? ` (${lockName} pins ${locked}, outside it)` : "";
    return { spec: range, reason: `the wrangler-version range${why}` };
}
function safeSubset(sub, range) {
    try {
        return semver.subset(sub, range);
    }
    catch {
        return false;
    }
}
function basename(path) {
    return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}
function isRecord(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
//# sourceMappingURL=lockfile.js.map
// EXTERNAL MODULE: ./lib/providers/wrangler/text.js
var wrangler_text = __webpack_require__(2238);
;// CONCATENATED MODULE: ./lib/providers/wrangler/locate.js
/**
 * Finds the wrangler to run: the project's own when it satisfies `wrangler-version`, else one
 * installed into a cache directory outside the project, with the package manager and the
 * wrangler version the project's lockfile names (lockfile.ts). No wrangler process is spawned
 * here, and the user's package.json, lockfile and node_modules are never touched.
 */










const DEFAULT_WRANGLER_RANGE = "4";
/**
 * Longest an install of wrangler may take. A cold `npm install wrangler@4` (wrangler, esbuild
 * and the workerd binary, about 100 MB) takes 15-60 s on a hosted runner; five minutes covers a
 * slow registry or mirror, and fails a stuck install long before the job's own time limit.
 */
const DEFAULT_INSTALL_TIMEOUT_MS = 5 * 60_000;
/** Returns the wrangler to use, installing one outside the project when the project has none that fits. */
async function locateWrangler(options) {
    const range = validRange(options.range ?? DEFAULT_WRANGLER_RANGE);
    const project = await findProjectWrangler((0,external_node_path_.resolve)(options.workingDirectory));
    if (project && semver.satisfies(project.version, range))
        return { ...project, source: "project" };
    const found = project ? ` (its wrangler ${project.version} at ${project.binJs} does not)` : "";
    const why = `no wrangler in ${(0,external_node_path_.resolve)(options.workingDirectory)} satisfies "${range}"${found}`;
    return installWrangler({ ...options, range }, why);
}
function validRange(range) {
    const trimmed = range.trim();
    if (trimmed === "" || semver.validRange(trimmed) === null) {
        throw new errors/* ConfigError */.xL("wrangler-version", `wrangler-version: "${range}" is not a semver range; expected e.g. "4", "^4.20.0" or "4.86.0"`);
    }
    return trimmed;
}
/**
 * The nearest `node_modules/wrangler` from `start` upwards, as Node's resolution (and
 * `npx wrangler`) would pick it, so workspaces hoisting wrangler to the root are found.
 */
async function findProjectWrangler(start) {
    for (let dir = start;; dir = (0,external_node_path_.dirname)(dir)) {
        const found = await readWranglerPackage((0,external_node_path_.join)(dir, "node_modules", "wrangler"));
        if (found)
            return found;
        if ((0,external_node_path_.dirname)(dir) === dir)
            return undefined;
    }
}
async function readWranglerPackage(packageDir) {
    let manifest;
    try {
        manifest = JSON.parse(await (0,promises_.readFile)((0,external_node_path_.join)(packageDir, "package.json"), "utf8"));
    }
    catch {
        return undefined;
    }
    const { version, bin } = manifest;
    if (typeof version !== "string" || semver.valid(version) === null)
        return undefined;
    return { binJs: (0,external_node_path_.join)(packageDir, binPath(bin)), version };
}
function binPath(bin) {
    if (typeof bin === "string")
        return bin;
    const named = bin?.wrangler;
    return typeof named === "string" ? named : "bin/wrangler.js";
}
/**
 * The cache folder for a version or range and a package manager: one per pair, so `4` and
 * `^3.90`, or npm's and pnpm's layouts, do not replace each other.
 */
function installDirFor(cacheDir, range, packageManager = "npm") {
    const safe = range.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "default";
    return (0,external_node_path_.join)((0,external_node_path_.resolve)(cacheDir), "wrangler", packageManager === "npm" ? safe : `${safe}-${packageManager}`);
}
async function installWrangler(options, why) {
    const facts = await readProjectWranglerFacts(options.workingDirectory);
    const choice = chooseWranglerSpec(options.range, facts);
    const packageManager = await pickPackageManager(facts.lock?.packageManager ?? "npm", facts.lock?.lockfile, options);
    const dir = installDirFor(options.cacheDir, choice.spec, packageManager);
    assertOutside(dir, (0,external_node_path_.resolve)(options.workingDirectory));
    const fits = (found) => found !== undefined && semver.satisfies(found.version, options.range) && semver.satisfies(found.version, choice.spec);
    const cached = await readWranglerPackage((0,external_node_path_.join)(dir, "node_modules", "wrangler"));
    if (fits(cached)) {
        // The caller says which wrangler it uses, once.
        options.logger?.debug(`Found wrangler ${cached.version} in ${dir}`);
        return { ...cached, source: "installed" };
    }
    const subset = packageManager === "npm" && facts.lock?.lockedVersion === choice.spec ? facts.lock.npmSubset : undefined;
    const plan = installPlan(packageManager, dir, choice.spec, subset);
    await runInstall(dir, plan, choice, options, why);
    const installed = await readWranglerPackage((0,external_node_path_.join)(dir, "node_modules", "wrangler"));
    if (!fits(installed)) {
        throw new errors/* DeployError */.sH(`${plan.program} installed no wrangler satisfying "${choice.spec}" in ${dir}`, {
            command: (0,wrangler_text/* describeCommand */.vL)(plan.program, plan.args),
            detail: installed ? `found ${installed.version}` : "node_modules/wrangler is missing",
        });
    }
    options.logger?.info(`Installed wrangler ${installed.version} into ${dir}`);
    return { ...installed, source: "installed" };
}
/** The lockfile's package manager when it can be run; else npm, said loudly (it ships with Node). */
async function pickPackageManager(named, lockfile, options) {
    if (named === "npm")
        return "npm";
    const has = options.hasPackageManager ?? (options.run ? async () => true : (name) => onPath(name, process.env));
    if (await has(named))
        return named;
    options.logger?.warn(`${lockfile ?? "The project's lockfile"} says the project uses ${named}, but ${named} is not on PATH: installing wrangler with npm instead. ` +
        `Set ${named} up in an earlier step (or add wrangler to the project's devDependencies and install it) to install it the project's way.`);
    return "npm";
}
/** Whether `program` is an executable file in one of PATH's folders. */
async function onPath(program, env) {
    const folders = (env["PATH"] ?? env["Path"] ?? "").split(external_node_path_.delimiter).filter((f) => f !== "");
    const names = process.platform === "win32" ? [`${program}.cmd`, `${program}.exe`, program] : [program];
    for (const folder of folders) {
        for (const name of names) {
            try {
                await (0,promises_.access)((0,external_node_path_.join)(folder, name), external_node_fs_.constants.X_OK);
                return true;
            }
            catch {
                // not here
            }
        }
    }
    return false;
}
const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
/** A package.json of its own anchors the package manager in the install folder, so it never walks up into a project. */
const ANCHOR = json({ name: "shipline-wrangler", private: true });
/**
 * How `packageManager` installs wrangler `spec` into `dir`. Install scripts are skipped: wrangler
 * runs without them (workerd's and esbuild's JS find their platform binaries), and no third-party
 * script runs in the release's environment.
 */
function installPlan(packageManager, dir, spec, subset) {
    switch (packageManager) {
        case "npm":
            if (subset) {
                return {
                    program: "npm",
                    args: ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                    files: { "package.json": json(subset.packageJson), "package-lock.json": json(subset.packageLock) },
                    how: "npm ci, from the lockfile's own entries for wrangler",
                };
            }
            return { program: "npm", args: npmInstallArgs(dir, spec), files: { "package.json": ANCHOR }, how: "npm install" };
        case "pnpm":
            return {
                program: "pnpm",
                args: ["add", "--ignore-scripts", ...preferOffline(spec), `wrangler@${spec}`],
                files: { "package.json": ANCHOR },
                how: "pnpm add",
            };
        case "yarn":
            // Classic reads .yarnrc, berry .yarnrc.yml (node_modules, not Plug'n'Play, so wrangler has a path); the
            // empty yarn.lock makes the folder a project of its own for berry.
            return {
                program: "yarn",
                args: ["add", `wrangler@${spec}`],
                files: {
                    "package.json": ANCHOR,
                    "yarn.lock": "",
                    ".yarnrc": "ignore-scripts true\n",
                    ".yarnrc.yml": "nodeLinker: node-modules\nenableScripts: false\n",
                },
                how: "yarn add",
            };
        case "bun":
            // Bun runs no dependency's install script unless the project trusts it.
            return { program: "bun", args: ["add", `wrangler@${spec}`], files: { "package.json": ANCHOR }, how: "bun add" };
    }
}
/** An exact version resolves the same from cached metadata: no need to ask the registry again. */
function preferOffline(spec) {
    return semver.valid(spec) === null ? [] : ["--prefer-offline"];
}
function assertOutside(dir, project) {
    const rel = (0,external_node_path_.relative)(project, dir);
    if (rel === "" || (!rel.startsWith("..") && !(0,external_node_path_.isAbsolute)(rel))) {
        throw new errors/* ConfigError */.xL("wrangler-version", `the wrangler install folder ${dir} lies inside the project ${project}; pass a tool cache outside it`);
    }
}
/** npm arguments that install into `dir` alone: no package.json edit, no lockfile, no audit, no install scripts. */
function npmInstallArgs(dir, range) {
    return [
        "install",
        "--prefix",
        dir,
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        ...preferOffline(range),
        "--loglevel=error",
        `wrangler@${range}`,
    ];
}
async function runInstall(dir, plan, choice, options, why) {
    await (0,promises_.mkdir)(dir, { recursive: true });
    for (const [name, contents] of Object.entries(plan.files))
        await (0,promises_.writeFile)((0,external_node_path_.join)(dir, name), contents);
    const timeoutMs = options.installTimeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS;
    options.logger?.info(`${capitalise(why)}: installing wrangler@${choice.spec} (${choice.reason}) into ${dir} (${plan.how}, up to ${(0,parse/* formatDuration */.a3)(timeoutMs)})…`);
    const run = installRunner(options);
    const command = (0,wrangler_text/* describeCommand */.vL)(plan.program, plan.args);
    const ended = await withTimeout((signal) => run(plan.program, plan.args, { cwd: dir, signal }), {
        timeoutMs,
        clock: options.clock ?? clock/* systemClock */.m,
        ...(options.signal ? { signal: options.signal } : {}),
    });
    if (ended.kind === "cancelled") {
        throw new errors/* CancelledError */.cc(`The install of wrangler@${choice.spec} into ${dir} was cancelled.`, { cause: options.signal?.reason });
    }
    if (ended.kind === "timed-out") {
        throw new errors/* DeployError */.sH(`${plan.program} did not install wrangler@${choice.spec} within ${(0,parse/* formatDuration */.a3)(timeoutMs)}: it was stopped. ` +
            `Check the network and the registry (${plan.program} config get registry), or add wrangler to the project's devDependencies so no install is needed.`, { command, detail: `timed out after ${(0,parse/* formatDuration */.a3)(timeoutMs)} installing into ${dir}` });
    }
    const result = ended.value;
    if (result.exitCode !== 0) {
        throw new errors/* DeployError */.sH(`${plan.program} could not install wrangler@${choice.spec}`, {
            command,
            ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
            detail: (0,wrangler_text/* lastLines */.w$)((0,wrangler_text/* stripAnsi */.aJ)(result.output), 20),
        });
    }
}
function installRunner(options) {
    if (options.run)
        return options.run;
    const npm = options.npm ?? defaultNpmRunner(process.env);
    const others = defaultInstallRunner(process.env);
    return (program, args, runOptions) => (program === "npm" ? npm(args, runOptions) : others(program, args, runOptions));
}
/**
 * Runs `work` with a signal that aborts when `timeoutMs` passes (on `clock`) or `signal` aborts.
 * Returns at once on either, without waiting for `work`: a runner that ignores its signal cannot
 * hold the run (the default runner's npm is stopped through process-tree.ts all the same).
 */
async function withTimeout(work, limits) {
    if (limits.signal?.aborted)
        return { kind: "cancelled" };
    const stop = new AbortController();
    const timers = new AbortController();
    let onCancel;
    const cancelled = new Promise((resolve) => {
        onCancel = () => resolve({ kind: "cancelled" });
        limits.signal?.addEventListener("abort", onCancel, { once: true });
    });
    const timedOut = limits.clock.sleep(limits.timeoutMs, timers.signal).then(() => ({ kind: "timed-out" }), () => new Promise(() => undefined));
    const working = work(stop.signal).then((value) => ({ kind: "done", value }));
    // After a timeout or a cancel, how the abandoned work ends is nobody's concern.
    working.catch(() => undefined);
    try {
        const ended = await Promise.race([working, timedOut, cancelled]);
        if (ended.kind !== "done")
            stop.abort(limits.signal?.aborted ? limits.signal.reason : new Error(`timed out after ${(0,parse/* formatDuration */.a3)(limits.timeoutMs)}`));
        return ended;
    }
    finally {
        timers.abort();
        if (onCancel)
            limits.signal?.removeEventListener("abort", onCancel);
    }
}
function capitalise(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
/** Runs the real `npm` from PATH (no shell on POSIX; Windows needs one for `npm.cmd`), stopped when `signal` aborts. */
function defaultNpmRunner(env) {
    const run = defaultInstallRunner(env);
    return (args, options) => run("npm", args, options);
}
/** Runs the real package manager from PATH, as defaultNpmRunner runs npm. */
function defaultInstallRunner(env) {
    return async (program, args, { cwd, signal }) => {
        const result = await (0,process_tree/* startChild */.v0)(program, args, { cwd, env, all: true, shell: process.platform === "win32", signal }).result;
        return { exitCode: result.exitCode, output: result.all || (result.startError?.message ?? "") };
    };
}
//# sourceMappingURL=locate.js.map

/***/ }),

/***/ 6703:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  I9: () => (/* binding */ SECRETS_FILE_FLAG),
  zr: () => (/* binding */ SECRETS_FILE_MIN_WRANGLER),
  eL: () => (/* binding */ WranglerProcessRunner)
});

// UNUSED EXPORTS: DEFAULT_WRANGLER_TIMEOUT_MS, PRESTART_MAX_HOLD_MS, wranglerLaunch

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:perf_hooks"
var external_node_perf_hooks_ = __webpack_require__(643);
// EXTERNAL MODULE: ./lib/providers/wrangler/env.js
var wrangler_env = __webpack_require__(9394);
// EXTERNAL MODULE: ./lib/providers/system/process-tree.js
var process_tree = __webpack_require__(7120);
// EXTERNAL MODULE: ./lib/providers/wrangler/text.js
var wrangler_text = __webpack_require__(2238);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(6466);
;// CONCATENATED MODULE: ./lib/providers/wrangler/write-gate.js
/**
 * A gate in front of the Cloudflare API for one wrangler process started ahead of its turn.
 *
 * `wrangler deploy` spends a second or more starting and bundling before its first request
 * that changes anything. Started with its API base URL pointing here, it can do all of that
 * while the run is still checking permissions and reading production's anchor: its reads pass
 * through at once, and its first write (any method but GET, HEAD or OPTIONS) waits until the
 * run opens the gate. A run that stops before its deploy refuses the gate instead: the held
 * writes are answered with an error and never reach Cloudflare.
 *
 * Bytes are relayed as they are (headers, bodies, compression); the gate adds no credentials
 * of its own: wrangler's own Authorization header is what reaches the API.
 */



const READS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Hop-by-hop headers (RFC 9110 §7.6.1) are the gate's own business on each side. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);
async function startWriteGate(upstream, options = {}) {
    const now = options.now ?? (() => external_node_perf_hooks_.performance.now());
    const base = new URL(upstream);
    const basePath = base.pathname.replace(/\/+$/, "");
    // TLS loads only for an https upstream (the sandbox and tests are plain http).
    const send = base.protocol === "https:" ? (await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 4708, 19))).request : external_node_http_.request;
    let state = { kind: "held" };
    let sawWrite = false;
    let heldSince;
    const waiting = [];
    const settle = () => {
        heldSince = undefined;
        waiting.splice(0).forEach((go) => go());
    };
    const relay = (req, res) => {
        if (state.kind === "refused")
            return refuse(res, state.reason);
        const headers = {};
        for (const [name, value] of Object.entries(req.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name) && name !== "host")
                headers[name] = value;
        }
        const out = send({
            protocol: base.protocol,
            hostname: base.hostname,
            port: base.port || undefined,
            method: req.method,
            path: basePath + (req.url ?? "/"),
            headers: { ...headers, host: base.host },
        }, (answer) => {
            const back = {};
            for (const [name, value] of Object.entries(answer.headers)) {
                if (value !== undefined && !HOP_BY_HOP.has(name))
                    back[name] = value;
            }
            res.writeHead(answer.statusCode ?? 502, answer.statusMessage, back);
            // A reset on either side ends the other at once (wrangler sees the error, never a stall).
            (0,external_node_stream_promises_.pipeline)(answer, res).catch(noop);
        });
        (0,external_node_stream_promises_.pipeline)(req, out).catch((error) => {
            if (res.headersSent)
                res.destroy(error);
            else
                answerError(res, 502, `shipline's gate could not reach ${base.origin}: ${error.message}`);
        });
    };
    const server = (0,external_node_http_.createServer)((req, res) => {
        if (READS.has(req.method ?? "GET") && (!options.holdReads || state.kind !== "held"))
            return relay(req, res);
        if (!READS.has(req.method ?? "GET"))
            sawWrite = true;
        if (state.kind !== "held")
            return relay(req, res);
        // The body waits in the socket until the gate decides.
        req.pause();
        heldSince ??= now();
        const go = () => {
            // A client that gave up while held (its connection closed) is not relayed: it may retry.
            if (req.destroyed || res.destroyed || res.writableEnded)
                return;
            req.resume();
            relay(req, res);
        };
        waiting.push(go);
        res.once("close", () => {
            const at = waiting.indexOf(go);
            if (at >= 0)
                waiting.splice(at, 1);
            if (waiting.length === 0 && state.kind === "held")
                heldSince = undefined;
        });
    });
    server.keepAliveTimeout = 5_000;
    await new Promise((listening, failed) => {
        server.once("error", failed);
        server.listen(0, "127.0.0.1", () => listening());
    });
    const { port } = server.address();
    return {
        url: `http://127.0.0.1:${port}`,
        open() {
            if (state.kind !== "held")
                return;
            state = { kind: "open" };
            settle();
        },
        refuse(reason) {
            if (state.kind !== "held")
                return;
            state = { kind: "refused", reason };
            settle();
        },
        get sawWrite() {
            return sawWrite;
        },
        heldForMs: () => (heldSince === undefined ? 0 : now() - heldSince),
        close: () => new Promise((closed) => {
            server.close(() => closed());
            server.closeAllConnections();
        }),
    };
}
function refuse(res, reason) {
    answerError(res, 503, `shipline stopped this request before it reached Cloudflare: ${reason}`);
}
/** An error in the API's envelope, so that wrangler reports the message as it reports Cloudflare's. */
function answerError(res, status, message) {
    const body = JSON.stringify({ success: false, errors: [{ code: 10000, message }], messages: [], result: null });
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
}
function noop() { }
//# sourceMappingURL=write-gate.js.map
;// CONCATENATED MODULE: ./lib/providers/wrangler/runner.js
/**
 * Runs one wrangler command as a child process and collects everything it said: exit code,
 * stdout, ANSI-stripped stderr and the entries of its ND-JSON output file. Success and
 * failure share one result shape; deciding what a failure means is the deployer's job.
 */









const DEFAULT_WRANGLER_TIMEOUT_MS = 10 * 60_000;
/**
 * A write held longer than this is not let through: wrangler's request may be about to time
 * out, so the run starts the command afresh instead (nothing held has reached Cloudflare).
 */
const PRESTART_MAX_HOLD_MS = 30_000;
/** Runs wrangler under the same Node as shipline, one fresh output file per command. */
class WranglerProcessRunner {
    #options;
    #prestarted;
    #renewal;
    #renewing;
    #starting;
    #closed = false;
    #forgetHook;
    #launch;
    constructor(options) {
        this.#options = options;
    }
    /** The `wrangler/bin/wrangler.js` this runner starts. */
    get binJs() {
        return this.#options.binJs;
    }
    describe(args) {
        return (0,wrangler_text/* describeCommand */.vL)("wrangler", args);
    }
    async run(args, options = {}) {
        if (options.signal?.aborted)
            return notStarted(args, { cancelled: true });
        clearTimeout(this.#renewal);
        this.#renewal = undefined;
        await this.#starting;
        await this.#renewing;
        const early = this.#prestarted;
        if (early && !early.adopted) {
            if (sameCommand(early, args, options.secrets) && !early.ended && early.gate.heldForMs() <= early.maxHoldMs) {
                return this.#adopt(early, options.signal);
            }
            // Nothing it wrote has reached Cloudflare: a fresh process is always safe.
            await this.#discard("the run starts its deploy afresh");
        }
        const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(this.#options.tempRoot ?? (0,external_node_os_.tmpdir)(), "shipline-wrangler-"));
        try {
            const started = await this.#start(dir, args, options);
            return await this.#collect(started);
        }
        finally {
            await (0,promises_.rm)(dir, { recursive: true, force: true });
        }
    }
    /**
     * Starts `args` now with its API requests going through a write gate (see write-gate.ts):
     * wrangler starts, bundles and reads, but nothing it writes reaches Cloudflare until `run`
     * is called with the same arguments and secrets, which adopts the process and opens the
     * gate. Until then, nothing has changed; `discardPrestarted` (or the signal) stops it.
     */
    async prestart(args, options) {
        if (this.#closed || (this.#prestarted && !this.#prestarted.adopted) || options.signal.aborted)
            return undefined;
        const starting = this.#startAhead(args, options);
        this.#starting = starting.then(runner_noop, runner_noop);
        const record = await starting;
        // Discarded (the run ended, a cancel) while it was being set up: it goes at once.
        if (this.#closed || options.signal.aborted)
            await this.#discard("the run stopped while the command was starting");
        return { ended: record.result.then(runner_noop, runner_noop) };
    }
    async #startAhead(args, options) {
        const gate = await startWriteGate(options.upstream, {
            ...(options.now ? { now: options.now } : {}),
            ...(options.holdReads ? { holdReads: true } : {}),
        });
        let dir;
        let started;
        try {
            dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(this.#options.tempRoot ?? (0,external_node_os_.tmpdir)(), "shipline-wrangler-"));
            const command = { signal: options.signal, ...(options.secrets ? { secrets: options.secrets } : {}) };
            started = await this.#start(dir, args, command, { CLOUDFLARE_API_BASE_URL: gate.url });
        }
        catch (error) {
            await gate.close();
            if (dir)
                await (0,promises_.rm)(dir, { recursive: true, force: true });
            throw error;
        }
        const onAbort = () => gate.refuse("the run was cancelled before its deploy");
        options.signal.addEventListener("abort", onAbort, { once: true });
        const folder = dir;
        const result = this.#collect(started).finally(async () => {
            options.signal.removeEventListener("abort", onAbort);
            gate.refuse("the wrangler process has ended");
            await gate.close();
            await (0,promises_.rm)(folder, { recursive: true, force: true });
        });
        result.catch(() => undefined);
        const record = {
            given: [...args],
            secrets: secretsKey(options.secrets),
            gate,
            child: started.child,
            result,
            maxHoldMs: options.maxHoldMs ?? PRESTART_MAX_HOLD_MS,
            adopted: false,
            ended: false,
        };
        // Ended as soon as the process has: an exited command is never adopted (a fresh one is started).
        void started.child.result.finally(() => (record.ended = true)).catch(runner_noop);
        this.#prestarted = record;
        if (options.renewAfterMs !== undefined)
            this.#scheduleRenewal(args, options, options.renewAfterMs);
        // Stopping every child (the end of a run, a cancel) ends the wait and the renewals too.
        this.#forgetHook ??= (0,process_tree/* beforeStopAll */.FG)(() => this.discardPrestarted("the run is stopping its processes"));
        return record;
    }
    /**
     * Stops a started command nobody adopted, and starts none again (no renewals, no later
     * `prestart`): its held requests are refused, its process group killed.
     */
    async discardPrestarted(reason) {
        this.#closed = true;
        clearTimeout(this.#renewal);
        this.#renewal = undefined;
        this.#forgetHook?.();
        this.#forgetHook = undefined;
        await this.#starting;
        await this.#renewing;
        await this.#discard(reason);
    }
    /** Replaces the waiting process by a fresh one, until someone adopts or discards it. */
    #scheduleRenewal(args, options, afterMs) {
        this.#renewal = setTimeout(() => {
            this.#renewal = undefined;
            const early = this.#prestarted;
            if (this.#closed || !early || early.adopted || early.ended || options.signal.aborted)
                return;
            this.#renewing = (async () => {
                await this.#discard("replaced by a fresh process before its request could time out");
                this.#prestarted = undefined;
                await this.prestart(args, options);
            })().catch(runner_noop);
        }, afterMs);
        this.#renewal.unref();
    }
    async #discard(reason) {
        const early = this.#prestarted;
        if (!early || early.adopted)
            return;
        early.adopted = true;
        early.gate.refuse(reason);
        early.child.stop();
        await early.result.catch(() => undefined);
    }
    async #adopt(early, signal) {
        early.adopted = true;
        const onAbort = () => early.child.stop();
        signal?.addEventListener("abort", onAbort, { once: true });
        early.gate.open();
        try {
            return { ...(await early.result), startedAhead: true };
        }
        finally {
            signal?.removeEventListener("abort", onAbort);
        }
    }
    async #start(dir, given, options, extraEnv = {}) {
        const outputFile = (0,external_node_path_.join)(dir, "output.ndjson");
        const args = options.secrets ? [...given, ...(await writeSecretsFile(dir, options.secrets))] : given;
        const started = external_node_perf_hooks_.performance.now();
        const env = {
            ...(0,wrangler_env/* buildWranglerEnv */.y)({
                base: this.#options.env,
                apiToken: this.#options.apiToken,
                accountId: this.#options.accountId,
                outputFile,
            }),
            ...extraEnv,
        };
        const child = (0,process_tree/* startChild */.v0)(this.#options.nodePath ?? process.execPath, [...(this.#launch ??= wranglerLaunch(this.#options.binJs)), ...args], {
            cwd: this.#options.cwd,
            env,
            signal: options.signal,
            timeoutMs: options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_WRANGLER_TIMEOUT_MS,
            graceMs: this.#options.killGraceMs,
        });
        if (child.pid !== undefined)
            this.#options.onSpawn?.({ args, pid: child.pid, at: Date.now() });
        // The output file's schema (zod) loads while the command runs: after the spawn, not before
        // it (the head start), and not after the command's exit either.
        outputModule().catch(() => undefined);
        return { args, child, started, outputFile };
    }
    async #collect({ args, child, started, outputFile }) {
        const result = await child.result;
        const { parseOutputFile } = await outputModule();
        return {
            args,
            exitCode: result.exitCode,
            ...(result.signal ? { signal: result.signal } : {}),
            // Normally plain on a non-TTY, but failure hints ("If you think this is a bug") are coloured.
            stdout: (0,wrangler_text/* stripAnsi */.aJ)(result.stdout),
            // When Node itself could not start (bad nodePath, cwd missing) there is no stderr: say why.
            stderr: (0,wrangler_text/* stripAnsi */.aJ)(result.stderr) || (result.startError?.message ?? ""),
            entries: parseOutputFile(await readIfExists(outputFile)),
            durationMs: Math.round(external_node_perf_hooks_.performance.now() - started),
            timedOut: result.timedOut,
            cancelled: result.cancelled,
        };
    }
}
function runner_noop() { }
function sameCommand(early, args, secrets) {
    return early.given.length === args.length && early.given.every((arg, i) => arg === args[i]) && early.secrets === secretsKey(secrets);
}
function secretsKey(secrets) {
    return JSON.stringify(Object.entries(secrets ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
}
/** Writes `secrets` as a JSON file readable by this user only; returns the wrangler flag naming it. */
async function writeSecretsFile(dir, secrets) {
    const path = (0,external_node_path_.join)(dir, "secrets.json");
    await (0,promises_.writeFile)(path, JSON.stringify(secrets), { mode: 0o600, flag: "wx" });
    return [SECRETS_FILE_FLAG, path];
}
/** The wrangler flag that uploads secrets with a version, from a JSON file. */
const SECRETS_FILE_FLAG = "--secrets-file";
/** The first wrangler with `--secrets-file` on `deploy` and `versions upload` (its changelog, 4.74.0). */
const SECRETS_FILE_MIN_WRANGLER = "4.74.0";
let loadingOutput;
const outputModule = () => (loadingOutput ??= Promise.all(/* import() */[__webpack_require__.e(816), __webpack_require__.e(180)]).then(__webpack_require__.bind(__webpack_require__, 8180)));
async function readIfExists(path) {
    try {
        return await (0,promises_.readFile)(path, "utf8");
    }
    catch {
        return "";
    }
}
function notStarted(args, flags) {
    return {
        args,
        exitCode: undefined,
        stdout: "",
        stderr: "",
        entries: [],
        durationMs: 0,
        timedOut: false,
        cancelled: flags.cancelled,
    };
}
/**
 * What Node is started with to run wrangler. `bin/wrangler.js` only starts a second Node with
 * its Node flags (`--no-warnings`, and `--experimental-vm-modules` up to some 4.x) and
 * `wrangler-dist/cli.js`, and relays its exit: started that way directly, each wrangler command
 * costs one Node start less (0.15–0.25 s of CPU on a 2-core runner, measured with `/usr/bin/time`
 * on `wrangler deploy --dry-run`). The flags are read from the installed wrapper itself, so a
 * wrangler that changes them is run as its wrapper would run it. Any other layout (a different
 * package, a wrapper of another shape, a test double) runs the bin as given.
 */
function wranglerLaunch(binJs) {
    const cli = (0,external_node_path_.join)((0,external_node_path_.dirname)(binJs), "..", "wrangler-dist", "cli.js");
    const standard = (0,external_node_path_.basename)(binJs) === "wrangler.js" && (0,external_node_path_.basename)((0,external_node_path_.dirname)(binJs)) === "bin";
    const flags = standard && (0,external_node_fs_.existsSync)(cli) ? wrapperFlags(binJs) : undefined;
    return flags ? [...flags, cli] : [binJs];
}
/**
 * The Node flags `bin/wrangler.js` spawns `process.execPath` with: the string literals of its
 * `spawn(process.execPath, [ … ])` before `...process.execArgv` and the bundle. Undefined when
 * the wrapper is not of that shape.
 */
function wrapperFlags(binJs) {
    let text;
    try {
        text = (0,external_node_fs_.readFileSync)(binJs, "utf8");
    }
    catch {
        return undefined;
    }
    const args = /spawn\(\s*process\.execPath,\s*\[([^\]]*)\]/.exec(text)?.[1];
    if (!args?.includes("wrangler-dist/cli.js"))
        return undefined;
    const cut = args.search(/\.\.\.process\.execArgv|path\.join/);
    const before = cut >= 0 ? args.slice(0, cut) : "";
    // Only string literals may stand there: a variable or a computed flag is a shape not known here.
    if (before.replace(/["'][^"']*["']/g, "").replace(/[\s,]/g, "") !== "")
        return undefined;
    const flags = [...before.matchAll(/["']([^"']*)["']/g)].map((m) => m[1]);
    return flags.every((flag) => flag.startsWith("--")) ? flags : undefined;
}
//# sourceMappingURL=runner.js.map

/***/ })

};

//# sourceMappingURL=579.index.js.map