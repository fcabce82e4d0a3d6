export const id = 762;
export const ids = [762,180];
export const modules = {

/***/ 762:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 14 modules
var core = __webpack_require__(6421);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./lib/core/parse.js
var parse = __webpack_require__(1204);
;// CONCATENATED MODULE: ./lib/core/gate-rules.js
/**
 * The rules that turn a gate's measurements into a verdict (SPEC section 5, Gates): Argo
 * Rollouts' counting (failure-limit, consecutive-error-limit, count), the latency rule, and the
 * staging watch's judged window. Pure: the measurements in, the verdict out. `gate.ts` runs them.
 */

/** After an `error` measurement the next one comes this soon (or after the interval, if shorter). Argo waits 10 s. */
const ERROR_RETRY_MS = 1_000;
/** Below this many latency samples a p95 is one slow request, so the gate judges no p95 by itself. */
const MIN_P95_SAMPLES = 20;
/**
 * The latency rule's doubt: the gate fails early on latency when, were at most 5 % of requests
 * slower than `max-latency` (a p95 within it), this many slow requests among those seen would
 * happen with a chance below 0.1 %.
 */
const LATENCY_DOUBT = 0.001;
const P95_SLOW_SHARE = 0.05;
/** The share of answers a healthy service may fail transiently, for `partialOutage`. */
const TRANSIENT_SHARE = 0.05;
/**
 * The staging watch runs for as long as an approval waits (an hour is 720 measurements at 5 s),
 * so adding failures up over the whole wait would deny healthy releases. It judges the latest
 * `max(count, tolerated + 1)` measurements and tolerates `max(failure-limit, 1)` failed ones
 * among them: one confirmed failure alone never denies, two close together do.
 */
function watchWindow(settings) {
    const tolerated = Math.max(settings.failureLimit, 1);
    return { size: Math.max(settings.count, tolerated + 1), tolerated };
}
/**
 * The verdict after the latest measurement, or `undefined` to go on. Argo's order: failures,
 * then consecutive errors, then (ours) latency, then `count` reached. A gate (`watching`
 * false) adds failures up over all its measurements; the watch judges `watchWindow` only.
 */
function judge(measurements, settings, watching) {
    const judged = watching ? measurements.slice(-watchWindow(settings).size) : measurements;
    const failed = judged.filter((m) => m.outcome === "failed");
    const tolerated = watching ? watchWindow(settings).tolerated : settings.failureLimit;
    if (failed.length > tolerated) {
        const limit = watching ? `tolerated ${tolerated} in the latest ${judged.length}` : `failure-limit ${settings.failureLimit}`;
        return { outcome: "failed", reason: `${problems(failed.at(-1), "failed")} (${failed.length} failed measurement(s), ${limit})` };
    }
    const streak = errorStreak(measurements);
    if (streak > settings.consecutiveErrorLimit) {
        const why = `${streak} consecutive errors, consecutive-error-limit ${settings.consecutiveErrorLimit}`;
        return { outcome: "failed", reason: `${problems(measurements.at(-1), "error")} (${why})` };
    }
    const partial = watching || !settings.confirm ? undefined : partialOutage(measurements);
    if (partial !== undefined)
        return { outcome: "failed", reason: partial };
    // The watch never passes (and looks at its window only, so an hour's wait costs no more per measurement than a minute's).
    const counted = watching ? [] : measurements.filter((m) => m.outcome !== "error");
    const done = !watching && counted.length >= Math.max(1, settings.count);
    const slow = latencyProblem(latencySamples(judged), settings.maxLatencyMs, done);
    if (slow !== undefined)
        return { outcome: "failed", reason: slow };
    if (!done)
        return undefined;
    // Only reachable when failure-limit >= count slipped past config validation: never pass on no data.
    if (!counted.some((m) => m.outcome === "successful"))
        return { outcome: "failed", reason: "no measurement succeeded" };
    return { outcome: "passed" };
}
/**
 * Re-probes must not hide a partial outage: a check failing half its requests would fail a
 * measurement only when all its tries fail. With `confirm`, a gate also fails as soon as so many
 * answers of the version judged missed their expectations that, were at most 5 % of them
 * transient failures, that many would happen with a chance below 0.1 % (the latency rule's test).
 */
function partialOutage(measurements) {
    let answers = 0;
    let last;
    let failed = 0;
    for (const check of measurements.flatMap((m) => m.checks)) {
        for (const attempt of attemptsOf(check)) {
            if (attempt.status === undefined || attempt.outcome === "error")
                continue;
            answers++;
            if (attempt.outcome === "failed") {
                failed++;
                last = { check, attempt };
            }
        }
    }
    if (last === undefined || binomialTail(answers, failed, TRANSIENT_SHARE) >= LATENCY_DOUBT)
        return undefined;
    return (`${last.check.check} (${last.check.url}): ${last.attempt.reason ?? "failed"} (${failed} of ${answers} answers missed their ` +
        "expectations: more than transient failures explain, though re-probes passed some measurements)");
}
/** Errors at the end of `measurements`: a counted measurement resets the streak. */
function errorStreak(measurements) {
    let streak = 0;
    for (let i = measurements.length - 1; i >= 0 && measurements[i].outcome === "error"; i--)
        streak++;
    return streak;
}
/** `GET /api/health (https://…): expected status 200-299, got 503` for each guilty check. */
function problems(measurement, outcome) {
    const guilty = measurement?.checks.filter((c) => c.outcome === outcome) ?? [];
    return guilty.map((c) => `${c.check} (${c.url}): ${c.reason ?? outcome}${tries(c)}`).join("; ");
}
function tries(check) {
    const attempts = check.attempts?.length ?? 1;
    return attempts > 1 ? ` (${attempts} tries)` : "";
}
// ---------------------------------------------------------------------------------------------
// Latency
/** The requests of a check in one measurement: its `attempts`, or the check itself when it made one. */
function attemptsOf(check) {
    return check.attempts ?? [check];
}
/**
 * The latency samples of measurements, the one set both the latency rule and the reported
 * p50/p95 use: every request that got an HTTP answer from the version judged (an answer from
 * another version is an `error` and no sample), re-probes included. Timeouts and refused
 * connections have no latency to speak of.
 */
function latencySamples(measurements) {
    const samples = [];
    for (const measurement of measurements) {
        for (const check of measurement.checks) {
            for (const attempt of attemptsOf(check)) {
                if (attempt.status !== undefined && attempt.outcome !== "error" && attempt.latencyMs !== undefined)
                    samples.push(attempt.latencyMs);
            }
        }
    }
    return samples;
}
/** Nearest-rank percentile (`p` in 0-100): the smallest value with at least p% of values <= it. */
function percentile(values, p) {
    if (values.length === 0)
        return undefined;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p * sorted.length) / 100)));
    return sorted[rank - 1];
}
/**
 * With `max-latency`: fails as soon as so many samples are slower than the ceiling that a p95
 * within it is beyond reasonable doubt (`LATENCY_DOUBT`), and, when the gate is `done`, when
 * the p95 of at least `MIN_P95_SAMPLES` samples is over it. Below that many samples the p95 is
 * the slowest request or close to it, and one slow request in a healthy tail is no regression.
 */
function latencyProblem(samples, max, done) {
    if (max === undefined || samples.length === 0)
        return undefined;
    const slow = samples.filter((latency) => latency > max);
    if (slow.length > 0 && binomialTail(samples.length, slow.length, P95_SLOW_SHARE) < LATENCY_DOUBT) {
        return (`p95 latency over max ${(0,parse/* formatDuration */.a3)(max)}: ${slow.length} of ${samples.length} requests took longer, ` +
            `the slowest ${(0,parse/* formatDuration */.a3)(Math.max(...slow))} (p95 ${(0,parse/* formatDuration */.a3)(percentile(samples, 95))})`);
    }
    if (!done || samples.length < MIN_P95_SAMPLES)
        return undefined;
    const p95 = percentile(samples, 95);
    return p95 > max ? `p95 ${(0,parse/* formatDuration */.a3)(p95)} > max ${(0,parse/* formatDuration */.a3)(max)} over ${samples.length} requests` : undefined;
}
/** P(X >= k) for X ~ Binomial(n, p), summed in log space so that large `n` stays finite. */
function binomialTail(n, k, p) {
    if (k <= 0)
        return 1;
    if (k > n)
        return 0;
    let logTerm = logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
    let total = 0;
    for (let i = k; i <= n; i++) {
        total += Math.exp(logTerm);
        logTerm += Math.log(n - i) - Math.log(i + 1) + Math.log(p) - Math.log1p(-p);
    }
    return Math.min(1, total);
}
function logChoose(n, k) {
    let sum = 0;
    for (let i = 1; i <= k; i++)
        sum += Math.log(n - k + i) - Math.log(i);
    return sum;
}
//# sourceMappingURL=gate-rules.js.map
// EXTERNAL MODULE: ./node_modules/semver/index.js
var semver = __webpack_require__(2088);
// EXTERNAL MODULE: ./lib/core/errors.js
var errors = __webpack_require__(3828);
// EXTERNAL MODULE: ./lib/core/version.js
var core_version = __webpack_require__(8067);
;// CONCATENATED MODULE: ./lib/core/release-plan.js
/**
 * The tag and release planner (SPEC section 5, Tags and releases): from what the run released
 * and what the repository holds now, decide what to create, move or leave. Pure, so that every
 * publisher (GitHub API, local git) makes the same decisions and re-runs stay idempotent.
 *
 * Decisions:
 * - Release tags (the deployed tag, and the final tag a promoted prerelease gets) are created at
 *   the commit or found there; on another commit they are a `TagConflictError`, never moved.
 * - Which tag gets the GitHub Release: the final tag when a prerelease is promoted, else the
 *   deployed tag itself (so an unpromoted `v1.4.0-rc.1` gets a release marked `prerelease`).
 * - Floating tags (`v1`, `v1.4`) only for a non-prerelease release tag, and each only when this
 *   is the highest final version of its line: re-releasing `v1.3.5` after `v1.4.0` moves `v1.3`
 *   but leaves `v1` on `v1.4.0`'s commit. They point at the commit, never at a tag object.
 * - The release is marked latest only when it is not a prerelease and no higher final version
 *   exists.
 * - An existing release is left when its body already names the Worker version id; otherwise its
 *   shipline section (between markers) is replaced, or prepended to what a human wrote.
 */



/** A release tag already exists on another commit: the run cannot tag without rewriting history. */
class TagConflictError extends errors/* ShiplineError */.J0 {
    tag;
    actualCommit;
    expectedCommit;
    constructor(tag, actualCommit, expectedCommit) {
        super(`Tag ${tag} already exists on commit ${actualCommit}, but this run released commit ${expectedCommit}. ` +
            `Release tags are never moved: delete the tag if it is wrong, or release a new version.`, { stage: "release" });
        this.tag = tag;
        this.actualCommit = actualCommit;
        this.expectedCommit = expectedCommit;
    }
}
/** The first 7 characters of a commit id, as logs show it. */
function shortSha(sha) {
    return sha.slice(0, 7);
}
/** How every publisher reports a tag step that needed no write, or a move it made. */
function describeTagStep(step) {
    switch (step.kind) {
        case "keep":
            return `tag ${step.tag} already at ${shortSha(step.commit)}`;
        case "hold":
            return `left ${step.tag} where it is (${step.reason})`;
        case "move":
            return `moved ${step.tag} → ${shortSha(step.commit)} (was ${shortSha(step.from)})`;
    }
}
const SECTION_START = "<!-- shipline:start -->";
const SECTION_END = "<!-- shipline:end -->";
/** The tag that gets the GitHub Release: the final tag if a prerelease is promoted, else the deployed tag. */
function releaseTagOf(release, promotePrerelease) {
    return release.prerelease && promotePrerelease ? release.finalTag : release.tag;
}
/** Every tag name whose state the planner needs (read these before calling `planRelease`). */
function involvedTags(request) {
    const names = releaseTags(request.release, request.promotePrerelease);
    const releaseTag = releaseTagOf(request.release, request.promotePrerelease);
    if (request.floatingTags)
        names.push(...floatingTagNames(request.release, releaseTag));
    return names;
}
/** Computes the tag and release steps; throws `TagConflictError` when a release tag is on another commit. */
function planRelease(request, observed) {
    const { release } = request;
    const releaseTag = releaseTagOf(release, request.promotePrerelease);
    const tags = releaseTagSteps(release, request.promotePrerelease, observed.tags);
    if (request.floatingTags)
        tags.push(...floatingSteps(release, releaseTag, observed));
    return { releaseTag, tags, release: releaseStep(request, releaseTag, observed) };
}
/**
 * The steps for the release tags alone (the deployed tag, and the final tag of a promoted
 * prerelease): `create` or `keep`. Throws `TagConflictError` when one is on another commit.
 * Publishers call it before deploying, with `tags` read for `involvedTags` without floating tags.
 */
function releaseTagSteps(release, promotePrerelease, tags) {
    return releaseTags(release, promotePrerelease).map((tag) => releaseTagStep(tag, release.sha, tags[tag]));
}
function releaseTags(release, promotePrerelease) {
    const names = [release.tag];
    if (release.prerelease && promotePrerelease)
        names.push(release.finalTag);
    return names;
}
function releaseTagStep(tag, sha, current) {
    if (current === undefined)
        return { kind: "create", tag, commit: sha, floating: false };
    if (sameCommit(current, sha))
        return { kind: "keep", tag, commit: sha, floating: false };
    throw new TagConflictError(tag, current, sha);
}
/** `v1` and `v1.4` for release tag `v1.4.0` (none for a prerelease release tag). */
function floatingTagNames(release, releaseTag) {
    const prefix = (0,core_version/* releasePrefix */.sE)(release);
    const version = (0,core_version/* parseReleaseTag */.rE)(releaseTag, prefix);
    const parsed = version === undefined ? null : semver.parse(version);
    if (parsed === null || parsed.prerelease.length > 0)
        return [];
    return [`${prefix}${parsed.major}`, `${prefix}${parsed.major}.${parsed.minor}`];
}
function floatingSteps(release, releaseTag, observed) {
    const prefix = (0,core_version/* releasePrefix */.sE)(release);
    const version = (0,core_version/* parseReleaseTag */.rE)(releaseTag, prefix);
    if (version === undefined)
        return [];
    const [major, minor] = floatingTagNames(release, releaseTag);
    if (major === undefined || minor === undefined)
        return [];
    const sameMajor = (v) => semver.major(v) === semver.major(version);
    const sameMinor = (v) => sameMajor(v) && semver.minor(v) === semver.minor(version);
    return [
        floatingStep(major, version, highestFinal(observed.allTags, prefix, sameMajor), release.sha, observed),
        floatingStep(minor, version, highestFinal(observed.allTags, prefix, sameMinor), release.sha, observed),
    ];
}
function highestFinal(tags, prefix, line) {
    return (0,core_version/* highestVersion */.t)(tags, prefix, (v) => semver.prerelease(v) === null && line(v));
}
function floatingStep(tag, version, highest, sha, observed) {
    if (highest !== undefined && semver.gt(highest, version)) {
        return { kind: "hold", tag, reason: `${highest} is higher than ${version}` };
    }
    const current = observed.tags[tag];
    if (current === undefined)
        return { kind: "create", tag, commit: sha, floating: true };
    if (sameCommit(current, sha))
        return { kind: "keep", tag, commit: sha, floating: true };
    return { kind: "move", tag, from: current, commit: sha };
}
function releaseStep(request, releaseTag, observed) {
    if (!request.createRelease)
        return { kind: "skip", tag: releaseTag };
    const section = releaseSection(request);
    const existing = observed.release;
    if (existing !== undefined) {
        if (existing.body.includes(request.versionId)) {
            return { kind: "keep", tag: releaseTag, id: existing.id, url: existing.url };
        }
        return { kind: "update", tag: releaseTag, id: existing.id, body: withSection(existing.body, section) };
    }
    const prefix = (0,core_version/* releasePrefix */.sE)(request.release);
    const version = (0,core_version/* parseReleaseTag */.rE)(releaseTag, prefix) ?? request.release.version;
    const prerelease = semver.prerelease(version) !== null;
    const highest = highestFinal(observed.allTags, prefix, () => true);
    const makeLatest = !prerelease && (highest === undefined || !semver.gt(highest, version));
    return { kind: "create", tag: releaseTag, name: releaseTag, body: section, prerelease, makeLatest };
}
/** shipline's part of a release body: the Worker version id and where production is. */
function releaseSection(info) {
    const lines = [
        SECTION_START,
        `Deployed to production by shipline from commit ${info.release.sha}.`,
        "",
        `- Worker version: \`${info.versionId}\``,
        `- Deployed tag: \`${info.release.tag}\``,
    ];
    if (info.productionUrl)
        lines.push(`- Production: ${info.productionUrl}`);
    if (info.environmentUrl)
        lines.push(`- Deployment: ${info.environmentUrl}`);
    if (info.runUrl)
        lines.push(`- Run: ${info.runUrl}`);
    lines.push(SECTION_END);
    return lines.join("\n");
}
/** Replaces shipline's section of `body`, or puts it first when there is none. */
function withSection(body, section) {
    const start = body.indexOf(SECTION_START);
    const end = body.indexOf(SECTION_END);
    if (start >= 0 && end > start) {
        return body.slice(0, start) + section + body.slice(end + SECTION_END.length);
    }
    return body.trim() === "" ? section : `${section}\n\n${body}`;
}
/** Commit ids compare case-insensitively; a short id matches its full form. */
function sameCommit(a, b) {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x === y || (Math.min(x.length, y.length) >= 7 && (x.startsWith(y) || y.startsWith(x)));
}
//# sourceMappingURL=release-plan.js.map
;// CONCATENATED MODULE: ./lib/config/plan.js
/**
 * The readable plan `mode: plan` prints: what a release run would do, in order, with the gate
 * rules spelled out as times. Header values are never printed (they may hold secrets).
 */




/**
 * Gate durations, assuming measurements start `interval` apart (the first at once), or
 * `min(interval, ERROR_RETRY_MS)` after an error, checks of a measurement run together, and a
 * hanging request uses the measurement's whole `timeout` (no re-probe starts after it), so
 * starts are at least `timeout` apart when requests hang. Response times are otherwise ignored.
 */
function gateTimings(gate) {
    const slow = Math.max(gate.intervalMs, gate.timeoutMs);
    const retry = Math.min(gate.intervalMs, ERROR_RETRY_MS);
    const errorGap = Math.max(retry, gate.timeoutMs);
    const tolerated = gate.consecutiveErrorLimit;
    return {
        minPassMs: (gate.count - 1) * gate.intervalMs,
        failWhenFailingMs: gate.failureLimit * gate.intervalMs,
        failWhenRefusedMs: tolerated * retry,
        failWhenDownMs: tolerated * errorGap + gate.timeoutMs,
        // count - 1 counted measurements, each after the most errors tolerated in a row, then a final run of errors that fails it.
        longestMs: (gate.count - 1) * (tolerated * errorGap + slow) + tolerated * errorGap + gate.timeoutMs,
    };
}
/** The plan of a run of `config`, as text. */
function renderPlan(config, extra = {}) {
    const lines = [`shipline plan: mode ${config.mode}, stages ${config.stages}`, ""];
    lines.push(...header(config, extra), "");
    const steps = config.mode === "rollback" ? rollbackSteps(config) : releaseSteps(config, extra);
    steps.forEach((step, index) => {
        const [first, ...rest] = step;
        lines.push(`${index + 1}. ${first}`, ...rest.map((line) => `   ${line}`));
    });
    lines.push("", "Nothing was deployed or changed.");
    return lines.join("\n");
}
function header(config, extra) {
    const release = releaseOf(config, extra);
    const version = release
        ? `${release.tag} (version ${release.version}${release.prerelease ? ", prerelease" : ""})`
        : describeVersionSource(config);
    const sha = config.version.sha ? ` at commit ${config.version.sha.slice(0, 12)}` : "";
    return [
        config.mode === "rollback" ? "Emergency rollback of production" : `Release: ${version}${sha}`,
        `Working directory: ${config.workingDirectory}`,
        extra.commandDeployer
            ? "Deployer: the commands of `deployer` (no wrangler)"
            : `Wrangler: ${extra.wrangler ?? "the project's own, or one installed outside it"}`,
        ...(config.mode === "rollback" ? [] : uploadedWith(config)),
    ];
}
/** What every deployed version carries besides the code: secret names (never values) and var names. */
function uploadedWith(config) {
    const lines = [];
    if (config.secrets?.length)
        lines.push(`Secrets uploaded with each version (from the step's environment): ${config.secrets.join(", ")}`);
    const vars = Object.keys(config.vars ?? {});
    if (vars.length > 0)
        lines.push(`Vars set on each version (--var): ${vars.join(", ")}`);
    if (config.requiredSecrets?.length)
        lines.push(`Secrets each Worker must already have: ${config.requiredSecrets.join(", ")}`);
    return lines;
}
function releaseSteps(config, extra) {
    const steps = [];
    const { staging } = config;
    if (config.stages !== "production") {
        steps.push([`Staging deploy: ${deployText(extra, staging.environment)} → ${staging.url ?? reportedUrl(extra)}`]);
        const command = staging.smokeCommand ? [`command: ${staging.smokeCommand} (exit code 0 passes)`] : [];
        steps.push([`Smoke gate on staging (${staging.environment})`, ...command, ...describeGate(staging.smoke)]);
    }
    if (config.stages === "staging") {
        steps.push(["Stop: production runs in a later job with stages: production."]);
        return steps;
    }
    if (config.stages === "all")
        steps.push([describeApproval(config)]);
    const before = config.production.beforeCommand;
    if (before) {
        steps.push([
            `Before production: ${before} (exit code 0 passes; a failure stops the run with production untouched)`,
            extra.commandDeployer
                ? "a restore does not undo what it changes (a migration stays applied)"
                : "wrangler rollback does not undo what it changes (a D1 migration stays applied)",
        ]);
    }
    steps.push(...productionSteps(config, extra));
    steps.push(describeTags(config, extra));
    if (config.release.afterCommand)
        steps.push([`After release: ${config.release.afterCommand}`]);
    return steps;
}
function deployText(extra, environment) {
    return extra.commandDeployer ? `the deploy command (SHIPLINE_ENVIRONMENT=${environment})` : `wrangler deploy --env ${environment}`;
}
function reportedUrl(extra) {
    return extra.commandDeployer ? "the URL the deploy command reports" : "the URL wrangler reports";
}
function productionSteps(config, extra = {}) {
    const { production } = config;
    const target = production.url ?? reportedUrl(extra);
    const gate = describeGate(production.health);
    const deploy = production.strategy === "direct"
        ? [
            [`Production deploy: ${deployText(extra, production.environment)} → ${target}`],
            [`Health gate on production (${production.environment})`, ...gate],
        ]
        : [
            [
                `Production deploy, gradual: ${extra.commandDeployer ? "the upload command, then shift commands for" : "wrangler versions upload, then"} ${production.steps.map((p) => `${p}%`).join(" → ")} of traffic → ${target}`,
                `health gate at each step (${production.steps.length} gates; at least ${(0,parse/* formatDuration */.a3)(gateTimings(production.health).minPassMs * production.steps.length)} in all):`,
                ...gate,
            ],
        ];
    const rollback = production.rollback === "auto"
        ? "If the health gate fails: roll production back to what it served before this run (recorded before the deploy), read it back, and run the health gate on it."
        : "If the health gate fails: report only (rollback: off); production keeps the new version.";
    return [...deploy, [rollback]];
}
function rollbackSteps(config) {
    const { production, emergency } = config;
    const target = emergency?.target ?? "the newest earlier deployment that served one version at 100%";
    return [
        [`Read what production (${production.environment}) serves now; refuse if it already serves the target.`],
        [`Roll back to ${target}`, `reason: ${emergency?.reason ?? "(none)"}`],
        ["Read the deployment back to confirm it."],
        [`Health gate on production (${production.environment})`, ...describeGate(production.health)],
    ];
}
/** The gate's rules and timings, one item per line. */
function describeGate(gate) {
    const t = gateTimings(gate);
    const latency = gate.maxLatencyMs !== undefined ? `; p95 latency at most ${(0,parse/* formatDuration */.a3)(gate.maxLatencyMs)}` : "";
    return [
        `${gate.count} measurements, ${(0,parse/* formatDuration */.a3)(gate.intervalMs)} apart, timeout ${(0,parse/* formatDuration */.a3)(gate.timeoutMs)} per request`,
        `tolerates ${gate.failureLimit} failed measurements and ${gate.consecutiveErrorLimit} consecutive errors${latency}`,
        `a check whose request errors, fails or is slow is re-probed up to ${gate.confirm ?? 0} times right away before the measurement counts`,
        `passes after at least ${(0,parse/* formatDuration */.a3)(t.minPassMs)}; fails ${within(t.failWhenFailingMs)} when every check fails, ${within(t.failWhenRefusedMs)} when every connection is refused, ${within(t.failWhenDownMs)} when every request hangs; decides within ${(0,parse/* formatDuration */.a3)(t.longestMs)} at worst`,
        "checks:",
        ...gate.checks.map((check) => `  - ${describeCheck(check)}`),
    ];
}
function within(ms) {
    return ms === 0 ? "at the first measurement" : `within ${(0,parse/* formatDuration */.a3)(ms)}`;
}
function describeCheck(check) {
    const parts = [`status ${check.expect.status.text}`];
    if (check.expect.json !== undefined)
        parts.push(`JSON contains ${JSON.stringify(check.expect.json)}`);
    if (check.expect.body !== undefined)
        parts.push(`body contains ${JSON.stringify(check.expect.body)}`);
    const headers = Object.keys(check.headers);
    const sent = headers.length > 0 ? ` (headers: ${headers.join(", ")})` : "";
    return `${check.name}${sent}: ${parts.join(", ")}`;
}
function describeApproval(config) {
    const { approval } = config;
    switch (approval.mode) {
        case "none":
            return "Approval: none (no wait).";
        case "environment":
            return "Approval: environment (the workflow's GitHub Environment gates the production job).";
        default: {
            const self = approval.allowSelfApproval ? "the actor may approve" : "the actor may not approve";
            return `Approval: ${approval.mode}, by ${approval.approvers.join(", ") || "(nobody)"}; ${approval.minimum} needed; ${self}; times out after ${(0,parse/* formatDuration */.a3)(approval.timeoutMs)}.`;
        }
    }
}
function describeTags(config, extra) {
    const release = releaseOf(config, extra);
    const { promotePrerelease, floatingTags, createRelease } = config.release;
    if (!release) {
        return [
            `Tags (after a healthy production): the release tag with prefix "${config.version.tagPrefix}"${floatingTags ? ", and floating major/minor tags" : ""}.`,
        ];
    }
    const names = involvedTags({ release, promotePrerelease, floatingTags });
    const releaseTag = releaseTagOf(release, promotePrerelease);
    const lines = [`Tags (after a healthy production): ${names.join(", ")}`];
    if (release.prerelease)
        lines.push(promotePrerelease
            ? `${release.tag} is promoted to ${release.finalTag}`
            : `${release.tag} stays a prerelease (promote-prerelease: false)`);
    lines.push(createRelease ? `GitHub Release for ${releaseTag}` : "no GitHub Release (create-release: false)");
    return lines;
}
/** The release this run would ship, when it can be known without the repository's tags. */
function releaseOf(config, extra) {
    const { version } = config;
    const explicit = extra.tag ?? extra.version ?? version.explicit;
    if (explicit === undefined && version.bump !== undefined && !version.ref?.startsWith("refs/tags/"))
        return undefined;
    try {
        return (0,core_version/* resolveVersion */.x)({ explicit, ref: version.ref, tagPrefix: version.tagPrefix, sha: version.sha });
    }
    catch {
        return undefined;
    }
}
function describeVersionSource(config) {
    const { version } = config;
    if (version.bump)
        return `next ${version.bump} version after the highest "${version.tagPrefix}" tag`;
    return "no version yet (set version, push a tag, or set bump)";
}
//# sourceMappingURL=plan.js.map
// EXTERNAL MODULE: ./lib/core/allocation.js
var core_allocation = __webpack_require__(6251);
// EXTERNAL MODULE: ./lib/core/version-id.js
var version_id = __webpack_require__(4817);
;// CONCATENATED MODULE: ./lib/core/deadline.js
/**
 * How long cleanup may take once a run is cancelled, on the injected clock. Until `cancel`
 * aborts it never passes; from then on `signal` aborts `budgetMs` later. Work that must not
 * be cut in half (a restore already running) gets `signal` instead of the run's own signal:
 * it is awaited after a cancel, and stopped only when the budget is spent.
 */
class CleanupDeadline {
    clock;
    cancel;
    budgetMs;
    #passed = new AbortController();
    #timer = new AbortController();
    #at = Number.POSITIVE_INFINITY;
    constructor(clock, cancel, budgetMs) {
        this.clock = clock;
        this.cancel = cancel;
        this.budgetMs = budgetMs;
        if (cancel.aborted)
            this.#start();
        else
            cancel.addEventListener("abort", () => this.#start(), { once: true });
    }
    /** Aborts when the cleanup budget after a cancellation is spent. */
    get signal() {
        return this.#passed.signal;
    }
    get cancelled() {
        return this.cancel.aborted;
    }
    /** Runs `fn` when the run is cancelled (at once if it is already); returns an unsubscribe. */
    onCancel(fn) {
        if (this.cancel.aborted) {
            fn();
            return () => undefined;
        }
        this.cancel.addEventListener("abort", fn, { once: true });
        return () => this.cancel.removeEventListener("abort", fn);
    }
    /**
     * A signal for a last read after the work the budget bounds: the budget's own signal while
     * it lasts, else one that gives `graceMs` more (a read-back must not run on a spent signal).
     */
    lastRead(graceMs) {
        if (!this.passed)
            return this.signal;
        const controller = new AbortController();
        // Tied to `dispose`, so that a finished cleanup leaves no timer holding the process open.
        this.clock.sleep(graceMs, this.#timer.signal).then(() => controller.abort(new DeadlineError(this.#at + graceMs)), () => undefined);
        return controller.signal;
    }
    get passed() {
        return this.#passed.signal.aborted;
    }
    /** Milliseconds left: infinite until cancelled, never negative. */
    remaining() {
        return Math.max(0, this.#at - this.clock.now());
    }
    /** Stops the timer once cleanup is over. */
    dispose() {
        this.#timer.abort();
    }
    #start() {
        if (this.#at !== Number.POSITIVE_INFINITY || this.#timer.signal.aborted)
            return;
        this.#at = this.clock.now() + this.budgetMs;
        this.clock.sleep(this.budgetMs, this.#timer.signal).then(() => this.#passed.abort(new DeadlineError(this.#at)), () => undefined);
    }
}
class DeadlineError extends Error {
    at;
    constructor(at) {
        super("the cleanup budget after the cancellation is spent");
        this.at = at;
        this.name = "DeadlineError";
    }
}
//# sourceMappingURL=deadline.js.map
;// CONCATENATED MODULE: ./lib/core/records.js

/** Starts a GitHub Deployment record (`in_progress`); a failure is a warning, never a stop. */
async function startRecord(s, environment, release, production, texts = {}) {
    if (!s.deps.recorder)
        return undefined;
    try {
        const handle = await s.deps.recorder.start(environment, {
            ref: release.sha,
            description: texts.description ?? `shipline ${release.tag}`,
            production,
        });
        if (handle)
            await s.deps.recorder.update(handle, "in_progress", { description: texts.progress ?? `deploying ${release.tag}` });
        return handle;
    }
    catch (error) {
        s.rec.warn(`Could not record the ${environment} deployment on GitHub: ${(0,errors/* errorMessage */.gJ)(error)}`);
        return undefined;
    }
}
/** Updates a GitHub Deployment record; a failure is logged, never thrown. */
async function updateRecord(s, handle, state, info) {
    if (!s.deps.recorder || !handle)
        return;
    try {
        await s.deps.recorder.update(handle, state, info);
    }
    catch (error) {
        s.deps.logger.warn(`Could not update a GitHub Deployment record: ${(0,errors/* errorMessage */.gJ)(error)}`);
    }
}
/** A deployer failure in the tool's own words. */
function describeDeployError(error) {
    if (error instanceof errors/* DeployError */.sH) {
        const detail = error.detail ? `\n${error.detail}` : "";
        // An API request names itself in its message; a command gets its line and exit code.
        const ran = error.message.includes(error.command)
            ? ""
            : ` (${error.command}${error.exitCode === undefined ? "" : `, exit ${error.exitCode}`})`;
        return `${error.message}${ran}${detail}`;
    }
    return (0,errors/* errorMessage */.gJ)(error);
}
//# sourceMappingURL=records.js.map
;// CONCATENATED MODULE: ./lib/core/production-watch.js

/** What production serves according to a reading: `null` for no deployment, `undefined` when unknown. */
function liveOf(reading) {
    if (!reading?.history)
        return undefined;
    return reading.history[0] ?? null;
}
/** Whether a failure may pass on its own (a 5xx, 429, dropped connection or timeout). */
function isTransient(error) {
    if ((0,errors/* isAbort */.rV)(error))
        return false;
    return error instanceof errors/* DeployError */.sH ? error.transient : true;
}
/** Pauses between tries of a read or a restore: short, since production may be serving a broken version. */
const RETRY_DELAYS_MS = [250, 1_000, 2_000];
/** Runs `fn`, trying again after each transient failure (`RETRY_DELAYS_MS`, on the injected clock); throws the last failure. */
async function retrying(clock, signal, fn) {
    for (let attempt = 0;; attempt++) {
        try {
            return await fn();
        }
        catch (error) {
            const delay = RETRY_DELAYS_MS[attempt];
            if (delay === undefined || !isTransient(error) || signal.aborted || !(await pause(clock, delay, signal)))
                throw error;
        }
    }
}
/**
 * Reads production's deployments, retrying transient failures (within `signal`). A failed
 * read is a reading with `error`, never a throw: callers decide what an unknown means.
 */
async function readProduction(deployer, target, clock, signal) {
    try {
        return { at: clock.now(), history: await retrying(clock, signal, () => deployer.deployments(target, signal)) };
    }
    catch (error) {
        return { at: clock.now(), error: (0,errors/* errorMessage */.gJ)(error) };
    }
}
/** What production serves (`null`: no deployment yet), retrying transient failures; throws otherwise. */
function readAnchor(deployer, target, clock, signal) {
    return retrying(clock, signal, () => deployer.status(target, signal));
}
/** Sleeps on the injected clock; false when `signal` ended the wait. */
async function pause(clock, ms, signal) {
    try {
        await clock.sleep(ms, signal);
        return true;
    }
    catch {
        return false;
    }
}
/**
 * Reads production in the background while a health gate judges a new deploy, so that a
 * failed gate can decide (someone else's deploy, or ours to roll back) without a read first.
 * A read still in flight when the decision comes is abandoned, never waited for.
 */
class ProductionWatch {
    read;
    clock;
    refreshMs;
    #latest;
    #stop = new AbortController();
    constructor(read, clock, refreshMs) {
        this.read = read;
        this.clock = clock;
        this.refreshMs = refreshMs;
    }
    /** Starts the first read now and keeps refreshing until `stop()`. */
    start() {
        void this.#loop();
        return this;
    }
    /** The newest finished reading, if any: never waits. */
    current() {
        return this.#latest;
    }
    stop() {
        this.#stop.abort();
    }
    async #loop() {
        while (!this.#stop.signal.aborted) {
            const reading = await this.read(this.#stop.signal).then((history) => ({ at: this.clock.now(), history }), (error) => ({ at: this.clock.now(), error: (0,errors/* errorMessage */.gJ)(error) }));
            if (this.#stop.signal.aborted)
                return;
            // A failed refresh keeps the last good reading: an old answer beats none.
            if (reading.history || !this.#latest?.history)
                this.#latest = reading;
            if (!(await pause(this.clock, this.refreshMs, this.#stop.signal)))
                return;
        }
    }
}
//# sourceMappingURL=production-watch.js.map
// EXTERNAL MODULE: ./lib/core/rollback-target.js
var rollback_target = __webpack_require__(4345);
;// CONCATENATED MODULE: ./lib/core/recovery.js
/**
 * The recovery rule: when production may serve something unproven, what to do. One pure
 * function over what is known; the automatic rollback, the cancel path and the emergency
 * rollback all act on its answer through one restore executor (restore.ts).
 */


/** Decides what to do about production. Unknown facts never block a restore of a known anchor. */
function decideRecovery(facts) {
    const { anchor, live } = facts;
    if (live !== undefined && sameState(live, anchor))
        return { kind: "unchanged", serving: live };
    const known = (id) => facts.ours(id) || (anchor?.allocation.some((s) => s.versionId === id) ?? false);
    if (live && servesOther(live, known))
        return { kind: "someone-else", theirs: live, when: "live" };
    const between = anchor && facts.history ? foreignSince(facts.history, anchor, known) : undefined;
    if (between)
        return { kind: "someone-else", theirs: between, when: "before-ours" };
    if (facts.policy === "off" && facts.cause !== "cancelled")
        return { kind: "leave" };
    if (!anchor)
        return { kind: "first-deploy" };
    return { kind: "restore", to: anchor.allocation, verify: facts.cause === "cancelled" ? "read-back" : "health" };
}
/** Whether a state serves a version `known` does not recognise. */
function servesOther(state, known) {
    return state.allocation.some((s) => s.percentage > 0 && !known(s.versionId));
}
/**
 * The newest deployment after the anchor's that serves a version neither in the anchor nor
 * ours. `undefined` when there is none, or when the anchor's deployment is not in `history`.
 */
function foreignSince(history, anchor, known) {
    if (!anchor.deploymentId)
        return undefined;
    const index = history.findIndex((d) => d.deploymentId === anchor.deploymentId);
    if (index < 0)
        return undefined;
    return history.slice(0, index).find((d) => servesOther(d, known));
}
function sameState(a, b) {
    if (a === null || b === null)
        return a === b;
    return (0,core_allocation/* sameAllocation */.lA)(a.allocation, b.allocation);
}
/**
 * Recognises this run's versions: by id when the deployer reported it, else by the release
 * tag and `git:<sha>` message it was uploaded with (a deploy that failed or was cancelled
 * before reporting its id is still ours, never "someone else's").
 */
function oursBy(uploads, versions = []) {
    const ids = new Set(uploads.ids.map(version_id/* normaliseVersionId */.a));
    for (const v of versions)
        if (v.tag === uploads.tag && v.message === uploads.message)
            ids.add((0,version_id/* normaliseVersionId */.a)(v.versionId));
    return (versionId) => ids.has((0,version_id/* normaliseVersionId */.a)(versionId));
}
/** Version ids in `states` that `known` does not recognise (a versions read can tell whose they are). */
function unrecognised(states, known) {
    const ids = states.flatMap((state) => state?.allocation.map((s) => s.versionId) ?? []);
    return [...new Set(ids.filter((id) => !known(id)))];
}
const ROLLED_BACK = /^shipline: rolled back ([^\s:]+)/;
/**
 * The deployment message of a restore: names the version rolled back from, so that a later
 * emergency rollback never picks it by default. At most 120 characters (wrangler's limit).
 */
function rollbackMessage(from, why) {
    const text = from ? `shipline: rolled back ${from}: ${why}` : `shipline: restored: ${why}`;
    const line = text.replace(/\s+/g, " ").trim();
    return line.length <= 120 ? line : `${line.slice(0, 119)}…`;
}
/** Versions shipline rolled back from, read from deployment messages. */
function rolledBackFrom(history) {
    const bad = new Set();
    for (const d of history) {
        const id = ROLLED_BACK.exec(d.message ?? "")?.[1];
        if (id)
            bad.add((0,version_id/* normaliseVersionId */.a)(id));
    }
    return bad;
}
/**
 * Earlier deployments that served one version at 100%, newest first, without the versions
 * in `exclude` nor the ones shipline rolled back from: what a human could restore instead.
 */
function restoreCandidates(history, exclude) {
    const skip = new Set([...exclude.map(version_id/* normaliseVersionId */.a), ...rolledBackFrom(history)]);
    const seen = new Set();
    const found = [];
    for (const d of history) {
        const id = (0,core_allocation/* soleVersion */.WG)(d.allocation);
        if (!id || skip.has((0,version_id/* normaliseVersionId */.a)(id)) || seen.has((0,version_id/* normaliseVersionId */.a)(id)))
            continue;
        seen.add((0,version_id/* normaliseVersionId */.a)(id));
        found.push({ versionId: id, ...(d.createdOn ? { servedFrom: d.createdOn } : {}) });
    }
    return found;
}
/**
 * What to tell a human when the restored version is unhealthy too: earlier versions not known
 * to be bad (newest first) and the first of them to restore, never one shipline rolled back from.
 */
function candidatesAdvice(history, exclude) {
    const candidates = restoreCandidates(history, exclude);
    const first = candidates[0]?.versionId;
    if (!first)
        return { text: "No earlier version that served production alone is left that shipline has not seen fail: fix forward." };
    const listed = candidates
        .slice(0, 5)
        .map((c) => `${c.versionId}${c.servedFrom ? ` (served from ${c.servedFrom})` : ""}`)
        .join(", ");
    return { text: `Earlier versions not known to be bad, newest first: ${listed}.`, first };
}
/** Deployments made after the anchor's (all of them when the anchor's is not in `history`). */
function sinceAnchor(history, anchor) {
    const index = anchor?.deploymentId ? history.findIndex((d) => d.deploymentId === anchor.deploymentId) : -1;
    return index < 0 ? history : history.slice(0, index);
}
//# sourceMappingURL=recovery.js.map
;// CONCATENATED MODULE: ./lib/core/json-subset.js
/**
 * Subset matching of JSON values, for a check's `expect.json`: the response must contain
 * what the user wrote, and may contain more.
 */
const OK = { ok: true };
/**
 * Whether `actual` contains `expected`.
 * - Objects: every expected key is present in `actual` and its value matches (extra keys are fine).
 * - Arrays: order-independent containment. Every expected element must match a *different*
 *   actual element (so `[1, 1]` needs two ones); health endpoints list components in no
 *   promised order, which makes positional matching brittle. A mismatch is reported at the
 *   array's path with both whole arrays, since no single index is to blame.
 * - Scalars and null: strict equality (`1` does not match `"1"`).
 */
function jsonSubset(expected, actual) {
    return matchAt("$", expected, actual);
}
function matchAt(path, expected, actual) {
    if (Array.isArray(expected)) {
        return Array.isArray(actual) && arrayContains(expected, actual) ? OK : mismatch(path, expected, actual);
    }
    if (isPlainObject(expected)) {
        if (!isPlainObject(actual))
            return mismatch(path, expected, actual);
        for (const [key, value] of Object.entries(expected)) {
            const child = childPath(path, key);
            if (!Object.hasOwn(actual, key))
                return mismatch(child, value, undefined);
            const result = matchAt(child, value, actual[key]);
            if (!result.ok)
                return result;
        }
        return OK;
    }
    return expected === actual ? OK : mismatch(path, expected, actual);
}
/**
 * Finds a one-to-one assignment of expected elements to actual elements (bipartite matching
 * by augmenting paths), so that the outcome does not depend on the order elements appear in.
 * Arrays in health responses are small; the quadratic cost does not matter.
 */
function arrayContains(expected, actual) {
    if (expected.length > actual.length)
        return false;
    const fits = expected.map((e) => actual.map((a) => matchAt("$", e, a).ok));
    const owner = actual.map(() => undefined);
    const assign = (e, seen) => {
        for (let a = 0; a < actual.length; a++) {
            if (!fits[e]?.[a] || seen[a])
                continue;
            seen[a] = true;
            const current = owner[a];
            if (current === undefined || assign(current, seen)) {
                owner[a] = e;
                return true;
            }
        }
        return false;
    };
    return expected.every((_, e) => assign(e, actual.map(() => false)));
}
function isPlainObject(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
function childPath(path, key) {
    return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
function mismatch(path, expected, actual) {
    return { ok: false, path, expected, actual };
}
//# sourceMappingURL=json-subset.js.map
;// CONCATENATED MODULE: ./lib/core/gate-check.js
/**
 * One check of a gate: which URL it probes and whether a response meets its expectations.
 * Re-exported by `gate.ts`, which is where callers import it from.
 */




/** Longest excerpt of a body or JSON value quoted in a reason. */
const EXCERPT_CHARS = 200;
/**
 * The URL a check probes: a full `url` wins; else `path` is appended to the base URL keeping the
 * base's own path and query (`https://x.dev/app?k=1` + `/api?v=2` → `https://x.dev/app/api?k=1&v=2`).
 */
function checkUrl(baseUrl, check) {
    if (check.url)
        return check.url;
    const url = parseBaseUrl(baseUrl);
    if (!check.path)
        return url.href;
    const hashAt = check.path.indexOf("#");
    const beforeHash = hashAt >= 0 ? check.path.slice(0, hashAt) : check.path;
    const queryAt = beforeHash.indexOf("?");
    const path = queryAt >= 0 ? beforeHash.slice(0, queryAt) : beforeHash;
    const query = queryAt >= 0 ? beforeHash.slice(queryAt + 1) : "";
    if (path !== "")
        url.pathname = `${url.pathname.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
    url.search = [url.search.slice(1), query].filter((part) => part !== "").join("&");
    url.hash = hashAt >= 0 ? check.path.slice(hashAt) : "";
    return url.href;
}
function parseBaseUrl(baseUrl) {
    const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
    if (url?.protocol !== "http:" && url?.protocol !== "https:") {
        throw new errors/* ConfigError */.xL("url", `Invalid base URL "${baseUrl}": expected an absolute http(s) URL.`);
    }
    return url;
}
/**
 * Judges one response against a check's expectations, in order status, JSON, body text.
 * `reason` says what was expected and what came back; the check's name is in `check`.
 * With a `version` rule the result records the version the answer named, and an answer from
 * a version other than the expected one is an `error` whatever it said: it is no evidence
 * about the version being judged, either way. An answer without the header is judged as usual.
 */
function evaluate(check, response, url, version) {
    const base = { check: check.name, url, latencyMs: response.latencyMs };
    if (response.kind === "error")
        return { ...base, outcome: "error", reason: response.error };
    const answeredBy = version === undefined ? undefined : answeringVersion(response, version.header);
    const answered = { ...base, status: response.status, ...(answeredBy === undefined ? {} : { versionId: answeredBy }) };
    const expected = version?.expected === undefined ? undefined : (0,version_id/* normaliseVersionId */.a)(version.expected);
    if (answeredBy !== undefined && expected !== undefined && answeredBy !== expected) {
        return { ...answered, outcome: "error", reason: otherVersionReason(answeredBy, expected) };
    }
    const reason = expectationProblem(check, response);
    const outcome = reason === undefined ? "successful" : "failed";
    return { ...answered, outcome, ...(reason === undefined ? {} : { reason }) };
}
/** `answered by version <x>, not <expected> — …`: why an answer from another version is no evidence. */
function otherVersionReason(answeredBy, expected) {
    return (`answered by version ${answeredBy}, not ${expected} — the Cloudflare-Workers-Version-Overrides pin ` +
        "did not reach the Worker, or another deploy is live");
}
/** The normalised version id an answer names in `header`; `undefined` when absent or blank. */
function answeringVersion(response, header) {
    const wanted = header.toLowerCase();
    const value = Object.entries(response.headers).find(([name]) => name.toLowerCase() === wanted)?.[1];
    if (value === undefined || value.trim() === "")
        return undefined;
    return (0,version_id/* normaliseVersionId */.a)(value);
}
function expectationProblem(check, response) {
    const { status, json, body } = check.expect;
    if (!(0,parse/* statusMatches */.W_)(status, response.status)) {
        return `expected status ${status.text}, got ${response.status}${replyHint(response)}`;
    }
    if (json !== undefined) {
        const problem = jsonProblem(json, response);
        if (problem !== undefined)
            return problem + cutNote(response);
    }
    if (body !== undefined && !response.body.includes(body)) {
        return `expected the body to contain ${JSON.stringify(body)}, got ${excerpt(response.body)}${cutNote(response)}`;
    }
    return undefined;
}
/** Why a body judged on its start may have fallen short: the probe read only so many bytes. */
function cutNote(response) {
    return response.bodyCutAt === undefined ? "" : ` (body cut at ${response.bodyCutAt} bytes: raise health-max-body-bytes)`;
}
function jsonProblem(expected, response) {
    let actual;
    try {
        actual = JSON.parse(response.body);
    }
    catch {
        const type = response.headers["content-type"];
        return `expected a JSON body, got ${excerpt(response.body)}${type ? ` (content-type ${type})` : ""}`;
    }
    const match = jsonSubset(expected, actual);
    if (match.ok)
        return undefined;
    const got = match.actual === undefined ? "nothing (missing)" : shortJson(match.actual);
    return `expected JSON ${match.path} to contain ${shortJson(match.expected)}, got ${got}`;
}
/** What a wrong status came with: where a redirect points, or the start of the body. */
function replyHint(response) {
    const location = response.headers["location"];
    if (location)
        return ` (location: ${location})`;
    return response.body.trim() === "" ? "" : `: ${excerpt(response.body)}`;
}
/**
 * The body as it reads, whitespace folded and cut, between backticks: not JSON-quoted, so that a
 * JSON body reads as itself in the log, the summary and the health report (which quotes it once).
 */
function excerpt(body) {
    const text = body.replace(/\s+/g, " ").trim();
    if (text === "")
        return "an empty body";
    const cut = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
    return `\`${cut.replace(/`/g, "'")}\``;
}
function shortJson(value) {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}
//# sourceMappingURL=gate-check.js.map
;// CONCATENATED MODULE: ./lib/core/gate.js
/**
 * Gates (SPEC section 5): repeated HTTP measurements judged by Argo Rollouts' analysis rules.
 * `runGate` decides pass or fail (smoke, health); `watchGate` keeps checking until stopped
 * (staging while an approval is pending).
 */







// ---------------------------------------------------------------------------------------------
// Statistics
/** Counts and p50/p95 latency (over `latencySamples`, the samples the latency rule judges) of a gate's measurements. */
function gateStats(measurements) {
    const checks = measurements.flatMap((m) => m.checks);
    const latencies = latencySamples(measurements);
    const tally = (outcome) => measurements.filter((m) => m.outcome === outcome).length;
    const stats = { successful: tally("successful"), failed: tally("failed"), errors: tally("error") };
    const p50Ms = percentile(latencies, 50);
    const p95Ms = percentile(latencies, 95);
    return {
        count: stats.successful + stats.failed,
        ...stats,
        requests: checks.reduce((sum, check) => sum + attemptsOf(check).length, 0),
        ...(p50Ms === undefined ? {} : { p50Ms }),
        ...(p95Ms === undefined ? {} : { p95Ms }),
    };
}
/**
 * Which versions answered: every HTTP answer counted as proven (it named `expected`), from
 * another version, or unnamed (no `header`). Ids are compared normalised (`normaliseVersionId`).
 */
function gateVersions(measurements, header, expectedId) {
    const expected = expectedId === undefined ? undefined : (0,version_id/* normaliseVersionId */.a)(expectedId);
    const answeredBy = {};
    let unnamed = 0;
    for (const check of measurements.flatMap((m) => m.checks.flatMap(attemptsOf))) {
        if (check.status === undefined)
            continue;
        if (check.versionId === undefined)
            unnamed++;
        else
            answeredBy[check.versionId] = (answeredBy[check.versionId] ?? 0) + 1;
    }
    const named = Object.values(answeredBy).reduce((sum, n) => sum + n, 0);
    const proven = expected === undefined ? 0 : (answeredBy[expected] ?? 0);
    return {
        header,
        ...(expected === undefined ? {} : { expected }),
        proven,
        otherVersion: expected === undefined ? 0 : named - proven,
        unnamed,
        answeredBy,
    };
}
/**
 * Runs a gate to a verdict: every `intervalMs` (start to start, so a gate lasts about
 * `count × interval`) one measurement probes all checks concurrently, each with its confirming
 * re-probes (`settings.confirm`). A measurement is `failed` if any check failed, else `error`
 * if any check errored, else `successful`: an expectation that was not met is news about the
 * release even when another check could not connect. After an `error` the next measurement
 * comes after `ERROR_RETRY_MS` (or the interval, if shorter), as Argo retries sooner.
 */
function runGate(options) {
    return loop(options, false);
}
/**
 * Measures like `runGate` until `signal` aborts (outcome `cancelled`: it never failed) or a
 * failure rule trips on the watch's judged window (`failed`, see `watchWindow`).
 */
function watchGate(options) {
    return loop(options, true);
}
async function loop(options, watching) {
    const { clock, signal, settings } = options;
    const startedAt = clock.now();
    const measurements = [];
    const finish = (outcome, reason) => finishReport(options, startedAt, measurements, outcome, reason);
    if (settings.checks.length === 0)
        return finish("failed", "the gate has no checks: nothing to measure");
    let targets;
    try {
        targets = settings.checks.map((spec) => toTarget(spec, options));
    }
    catch (error) {
        return finish("failed", (0,errors/* errorMessage */.gJ)(error));
    }
    for (let index = 0; !signal.aborted; index++) {
        const startAt = clock.now();
        const measurement = await measure(options, targets, index);
        // Results that raced an abort may be abort-made errors: they are not evidence.
        if (measurement === undefined || signal.aborted)
            break;
        measurements.push(measurement);
        options.onMeasurement?.(measurement);
        logMeasurement(options, measurement);
        const verdict = judge(measurements, settings, watching);
        if (verdict?.outcome === "passed")
            warnFewSamples(options, measurements);
        if (verdict)
            return finish(verdict.outcome, verdict.outcome === "failed" ? verdict.reason : undefined);
        const wait = measurement.outcome === "error" ? Math.min(settings.intervalMs, ERROR_RETRY_MS) : settings.intervalMs;
        if (!(await sleepUntil(clock, startAt + wait, signal)))
            break;
    }
    return finish("cancelled");
}
/** A passed gate whose reported p95 is over `max-latency` says why that p95 was not judged. */
function warnFewSamples(options, measurements) {
    const max = options.settings.maxLatencyMs;
    const samples = latencySamples(measurements);
    const p95 = percentile(samples, 95);
    if (max === undefined || p95 === undefined || p95 <= max)
        return;
    const slow = samples.filter((latency) => latency > max).length;
    options.logger?.warn(`${options.gate}: p95 ${(0,parse/* formatDuration */.a3)(p95)} is over max ${(0,parse/* formatDuration */.a3)(max)}, but over ${samples.length} requests it is the ` +
        `slowest few (${slow} slower than max), not judged below ${MIN_P95_SAMPLES} requests; more measurements (count) make it a p95.`);
}
/** One measurement, or `undefined` when the run was aborted while probing. */
async function measure(options, targets, index) {
    const at = options.clock.now();
    try {
        const checks = await Promise.all(targets.map((target) => confirmed(options, target)));
        const outcome = checks.some((c) => c.outcome === "failed")
            ? "failed"
            : checks.some((c) => c.outcome === "error")
                ? "error"
                : "successful";
        return { index, at, outcome, checks };
    }
    catch (error) {
        if (options.signal.aborted)
            return undefined;
        throw error;
    }
}
/**
 * One check in one measurement: a request, then re-probes right away while none came back as a
 * quick success, at most `confirm` of them and none started `timeoutMs` or more after the first.
 * An answer from another version ends it: that is no network noise.
 */
async function confirmed(options, target) {
    const { clock, settings } = options;
    const started = clock.now();
    const attempts = [];
    for (let left = settings.confirm ?? 0;; left--) {
        const attempt = await probeOne(options, target);
        attempts.push(attempt);
        if (quickSuccess(attempt, settings.maxLatencyMs) || otherVersion(attempt) || left <= 0)
            break;
        if (clock.now() - started >= settings.timeoutMs)
            break;
    }
    if (attempts.length === 1)
        return attempts[0];
    const deciding = attempts.findLast((a) => a.outcome === "successful") ?? attempts.find((a) => a.outcome === "failed") ?? attempts.at(-1);
    return { ...deciding, attempts: attempts.map(({ check: _check, url: _url, ...attempt }) => attempt) };
}
/** An answer from another version is no network noise (a pin was dropped, another deploy is live): asking again proves nothing. */
function otherVersion(attempt) {
    return attempt.outcome === "error" && attempt.status !== undefined;
}
function quickSuccess(attempt, maxLatencyMs) {
    if (attempt.outcome !== "successful")
        return false;
    return maxLatencyMs === undefined || attempt.latencyMs === undefined || attempt.latencyMs <= maxLatencyMs;
}
async function probeOne(options, target) {
    const { timeoutMs, maxBodyBytes } = options.settings;
    const request = { url: target.url, headers: target.headers, timeoutMs, ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }) };
    try {
        return evaluate(target.spec, await options.probe.probe(request, options.signal), target.url, versionRule(options));
    }
    catch (error) {
        // A probe should answer `kind: "error"`; anything it throws outside an abort is one too.
        if (options.signal.aborted)
            throw error;
        return { check: target.spec.name, url: target.url, outcome: "error", reason: (0,errors/* errorMessage */.gJ)(error) };
    }
}
/** The version rule of a gate: none without a `versionHeader`; no expected version without a `versionId`. */
function versionRule(options) {
    const header = options.settings.versionHeader;
    if (header === undefined || header === "")
        return undefined;
    const expected = options.versionId?.trim();
    return { header, ...(expected ? { expected } : {}) };
}
function toTarget(spec, options) {
    return { spec, url: checkUrl(options.baseUrl, spec), headers: mergeHeaders(spec, options) };
}
/** Header names are case-insensitive: lower-case both sets so the gate's own headers win cleanly. */
function mergeHeaders(spec, options) {
    const lower = (headers = {}) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    return { ...lower(spec.headers), ...lower(options.headers) };
}
/** Sleeps until `at`; false when the signal aborted the wait. */
async function sleepUntil(clock, at, signal) {
    try {
        await clock.sleep(Math.max(0, at - clock.now()), signal);
        return true;
    }
    catch (error) {
        if (signal.aborted)
            return false;
        throw error;
    }
}
function logMeasurement(options, measurement) {
    if (!options.logger)
        return;
    const checks = measurement.checks.map((c) => {
        const latency = c.latencyMs === undefined ? "" : ` ${(0,parse/* formatDuration */.a3)(c.latencyMs)}`;
        const tries = c.attempts ? ` (${c.attempts.length} tries: ${c.attempts.map((a) => a.status ?? a.outcome).join(", ")})` : "";
        return `${c.check} ${c.status ?? c.outcome}${latency}${c.reason ? `: ${c.reason}` : ""}${tries}`;
    });
    const line = `${options.gate} #${measurement.index + 1} ${measurement.outcome}: ${checks.join("; ")}`;
    if (measurement.outcome === "successful")
        options.logger?.info(line);
    else
        options.logger?.warn(line);
}
function finishReport(options, startedAt, measurements, outcome, reason) {
    const rule = versionRule(options);
    return {
        gate: options.gate,
        environment: options.environment,
        baseUrl: options.baseUrl,
        ...(options.versionId === undefined ? {} : { versionId: options.versionId }),
        outcome,
        ...(reason === undefined ? {} : { reason }),
        startedAt,
        endedAt: options.clock.now(),
        measurements,
        stats: gateStats(measurements),
        ...(rule === undefined ? {} : { versions: gateVersions(measurements, rule.header, rule.expected) }),
    };
}
//# sourceMappingURL=gate.js.map
// EXTERNAL MODULE: ./lib/core/analysis.js
var analysis = __webpack_require__(8989);
;// CONCATENATED MODULE: ./lib/core/analysis-report.js
/**
 * The traffic analysis in the job summary (per step: each version's requests and errors, the
 * test's result, the wall-time quantiles, and why) and in the health report (raw figures).
 */

/** The summary's section, empty when no step was analysed. */
function analysisSection(analyses) {
    if (!analyses || analyses.length === 0)
        return "";
    const cell = (text) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
    const rows = analyses.flatMap((a) => {
        const c = a.decision?.candidate;
        const b = a.decision?.baseline;
        const p = a.decision?.pValue;
        const line = (who, id, v) => `| ${a.step}% | ${who} \`${id}\` | ${v ? v.requests : "–"} | ${v ? v.errors : "–"} | ${v ? (0,analysis/* percent */.KN)(v.errorRate) : "–"} | ${v?.latencyMs !== undefined ? `${Math.round(v.latencyMs * 10) / 10} ms` : "–"} |`;
        return [line("new", a.candidateVersionId, c), line("baseline", a.baselineVersionId, b)].concat(`| ${a.step}% | **${a.outcome}** | | | ${p === undefined ? "" : `p = ${p < 0.0001 ? p.toExponential(1) : p.toFixed(4)}`} | |`);
    });
    const why = analyses.map((a) => `- ${a.step}%, ${a.outcome}: ${cell(a.why)}${a.reads > 1 ? ` (${a.reads} reads)` : ""}`);
    return [
        "### Traffic analysis",
        "",
        "| Step | Version | Requests | Errors | Error rate | Wall time (compared quantile) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        ...rows,
        "",
        ...why,
    ].join("\n");
}
/** The health report's `analyses`: every figure as read, the window in ISO time. */
function analysisReport(analyses) {
    if (!analyses || analyses.length === 0)
        return {};
    return {
        analyses: analyses.map((a) => ({
            step: a.step,
            outcome: a.outcome,
            why: a.why,
            from: new Date(a.from).toISOString(),
            until: new Date(a.until).toISOString(),
            reads: a.reads,
            ...(a.error ? { error: a.error } : {}),
            ...(a.decision?.pValue !== undefined ? { pValue: a.decision.pValue } : {}),
            ...(a.decision?.candidate ? { candidate: a.decision.candidate } : { candidate: { versionId: a.candidateVersionId } }),
            ...(a.decision?.baseline ? { baseline: a.decision.baseline } : { baseline: { versionId: a.baselineVersionId } }),
        })),
    };
}
//# sourceMappingURL=analysis-report.js.map
;// CONCATENATED MODULE: ./lib/core/report-workers.js
const RESULT_ICON = {
    released: "✅",
    "rolled-back": "↩️",
    "rollback-failed": "🚨",
    rejected: "⛔",
    failed: "❌",
    planned: "📝",
};
/** One row per Worker, in deploy order: its end, its versions and URLs. Empty for a single-Worker run. */
function workersSection(result) {
    const workers = result.workers;
    if (!workers || workers.length === 0)
        return "";
    const named = (id) => {
        if (!id)
            return "";
        const tag = result.versionTags?.[id];
        return tag ? `${tag} (${id})` : id;
    };
    const rows = workers.map((w) => [
        w.name,
        `${RESULT_ICON[w.result]} ${outcomeOf(w)}`,
        w.stagingVersionId ?? "",
        named(w.productionVersionId),
        named(w.previousVersionId),
        named(w.rollbackVersionId),
        w.productionUrl ?? w.stagingUrl ?? "",
    ]);
    return [
        "### Workers",
        "",
        result.mode === "rollback"
            ? "In deploy order; the emergency rollback restored them the last deployed first."
            : "In deploy order; a failure restores the Workers deployed before it, the last deployed first.",
        "",
        "| Worker | Result | Staging version | Production version | Previous production | Rolled back to | URL |",
        "|---|---|---|---|---|---|---|",
        ...rows.map((cells) => `| ${cells.map(cell).join(" | ")} |`),
    ].join("\n");
}
/** `failed` for a Worker never deployed to production says so, not that it broke. */
function outcomeOf(w) {
    if (w.result === "failed" && !w.productionTouched && /^Not deployed to production/.test(w.message))
        return "not deployed";
    if (w.result === "rolled-back" && !w.productionTouched && /^Nothing to do/.test(w.message))
        return "nothing to do";
    return w.result;
}
function cell(text) {
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
//# sourceMappingURL=report-workers.js.map
;// CONCATENATED MODULE: ./lib/core/report.js



/** SPEC section 3: every output, as the strings the action writes. */
function toOutputs(result, healthReportPath) {
    return {
        result: result.result,
        version: result.release?.version ?? "",
        "release-tag": result.result === "released" ? (result.releaseTag ?? "") : "",
        "staging-version-id": result.stagingVersionId ?? "",
        "production-version-id": result.productionVersionId ?? "",
        "previous-version-id": result.previousVersionId ?? "",
        "rollback-version-id": result.rollbackVersionId ?? "",
        "staging-url": result.stagingUrl ?? "",
        "production-url": result.productionUrl ?? "",
        "approval-status": result.approval.status,
        "approved-by": result.approval.approvedBy.join(","),
        "health-report": healthReportPath,
        workers: result.workers ? JSON.stringify(result.workers) : "",
    };
}
/** The result of a run that stopped before the engine ran (bad input, a broken setup). */
function failedBeforeStart(mode, message, startedAt, endedAt) {
    return {
        result: "failed",
        mode,
        approval: { status: "skipped", approvedBy: [] },
        stages: [],
        gates: [],
        message,
        startedAt,
        endedAt,
        warnings: [],
    };
}
/** Whether the step succeeds (SPEC: released or planned; rolled-back only in `mode: rollback`). */
function isSuccess(result) {
    if (result.result === "released" || result.result === "planned")
        return true;
    return result.mode === "rollback" && result.result === "rolled-back";
}
/** Where the health report's JSON Schema is published (`schema/health-report.schema.json`). */
const HEALTH_REPORT_SCHEMA_ID = "https://raw.githubusercontent.com/shipline/shipline/main/schema/health-report.schema.json";
/**
 * The health-report file: every measurement of every gate, with each gate's rules, so a tool
 * can judge the measurements again. Latencies are rounded to 0.1 ms; header values of checks
 * are left out (they may hold tokens), only their names are kept.
 */
function healthReport(result) {
    return {
        $schema: HEALTH_REPORT_SCHEMA_ID,
        schema: "shipline/health-report@1",
        result: result.result,
        ...(result.release ? { version: result.release.version } : {}),
        startedAt: new Date(result.startedAt).toISOString(),
        endedAt: new Date(result.endedAt).toISOString(),
        gates: result.gates.map(({ settings, stats, measurements, ...gate }) => ({
            ...gate,
            startedAt: new Date(gate.startedAt).toISOString(),
            endedAt: new Date(gate.endedAt).toISOString(),
            ...(settings ? { settings: reportSettings(settings) } : {}),
            stats: { ...stats, ...roundedLatency("p50Ms", stats.p50Ms), ...roundedLatency("p95Ms", stats.p95Ms) },
            measurements: measurements.map((m) => ({
                ...m,
                at: new Date(m.at).toISOString(),
                checks: m.checks.map((c) => ({ ...c, ...roundedLatency("latencyMs", c.latencyMs) })),
            })),
        })),
        ...analysisReport(result.analyses),
    };
}
function roundedLatency(key, ms) {
    return ms === undefined ? {} : { [key]: Math.round(ms * 10) / 10 };
}
function reportSettings(settings) {
    return {
        intervalMs: settings.intervalMs,
        count: settings.count,
        failureLimit: settings.failureLimit,
        consecutiveErrorLimit: settings.consecutiveErrorLimit,
        timeoutMs: settings.timeoutMs,
        ...(settings.maxLatencyMs !== undefined ? { maxLatencyMs: settings.maxLatencyMs } : {}),
        ...(settings.versionHeader ? { versionHeader: settings.versionHeader } : {}),
        checks: settings.checks.map((check) => ({
            name: check.name,
            ...(check.path !== undefined ? { path: check.path } : {}),
            ...(check.url !== undefined ? { url: check.url } : {}),
            headerNames: Object.keys(check.headers),
            expect: {
                status: check.expect.status.text,
                ...(check.expect.json !== undefined ? { json: check.expect.json } : {}),
                ...(check.expect.body !== undefined ? { body: check.expect.body } : {}),
            },
        })),
    };
}
const RESULT_TITLE = {
    released: "✅ Released",
    "rolled-back": "↩️ Rolled back",
    "rollback-failed": "🚨 Rollback failed",
    rejected: "⛔ Rejected",
    failed: "❌ Failed",
    planned: "📝 Planned",
};
/** The job summary (GitHub-flavoured Markdown). Each fact is said once, where it belongs. */
function renderSummary(result, links = {}) {
    const reasons = result.gates.flatMap((g) => (g.outcome === "failed" && g.reason ? [g.reason] : []));
    const parts = [
        `## shipline: ${title(result)}`,
        lead(result.message, reasons),
        nextSteps(result),
        stageTable(result, reasons),
        gateSection(result),
        analysisSection(result.analyses),
        approvalSection(result),
        workersSection(result),
        versionsSection(result, links),
        warningsSection(result.warnings),
        result.plan ? `### Plan\n\n\`\`\`\n${result.plan}\n\`\`\`` : "",
        timeline(result),
    ];
    return parts.filter((p) => p.length > 0).join("\n\n") + "\n";
}
function title(result) {
    const tag = result.release ? ` ${result.release.tag}` : "";
    if (result.mode === "rollback") {
        const to = result.rollbackVersionId ?? (result.result === "rollback-failed" ? result.productionVersionId : undefined);
        // Several Workers go back to versions of their own: the Workers table names each.
        const target = result.workers ? ` of ${result.workers.map((w) => w.name).join(", ")}` : to ? ` to ${versionName(result, to)}` : "";
        if (result.result === "rolled-back")
            return `↩️ Emergency rollback${target}`;
        if (result.result === "rollback-failed")
            return `🚨 Emergency rollback${target} failed`;
        return `${result.cancelled ? "🛑 Cancelled" : "❌ Failed"}: emergency rollback${target}`;
    }
    if (result.cancelled) {
        if (result.result === "rollback-failed")
            return `${RESULT_TITLE["rollback-failed"]}${tag} (run cancelled)`;
        if (result.result === "rolled-back")
            return `🛑 Cancelled${tag}: production restored`;
        return `🛑 Cancelled${tag}`;
    }
    return `${RESULT_TITLE[result.result]}${tag}`;
}
/** The result's message, with each gate's reason left to the Gates section (it is said there, once). */
function lead(message, reasons) {
    let text = message;
    for (const reason of reasons) {
        text = text.includes(`: ${reason}`) ? text.replace(`: ${reason}`, " (why: see Gates)") : text.replace(reason, "see Gates");
    }
    return text.replace(/\r?\n/g, " ");
}
/** What a human should do now, and the command that does it, when there is one. */
function nextSteps(result) {
    const manual = manualSection(result);
    if (manual)
        return manual;
    const touched = result.productionTouched === true || result.stages.some((s) => s.stage === "production-deploy");
    const tag = result.release?.tag ?? "this release";
    const lines = [];
    switch (result.result) {
        case "rolled-back":
            if (result.mode === "rollback")
                return "";
            lines.push(`Production serves ${result.workers ? "what it served before this run on every Worker it deployed" : result.rollbackVersionId ? versionName(result, result.rollbackVersionId) : "what it served before this run"} again. ` +
                `${tag} is not released: fix it and release a new version.`);
            break;
        case "rejected":
            lines.push(`To ship ${tag}, re-run the workflow and approve it before the approval times out.`);
            break;
        case "failed": {
            if (result.mode === "plan" || touched)
                return "";
            const smoke = result.stages.find((s) => s.stage === "smoke" && s.status === "failed");
            const staging = result.stagingVersionId && !result.workers ? ` (version ${result.stagingVersionId})` : "";
            if (smoke) {
                lines.push(`Production was not touched. Staging now serves ${tag}${staging}, which failed its smoke gate. ` +
                    "Fix the release and push a new tag: re-running this job deploys the same commit again.");
            }
            else if (result.stages.length === 0 && !result.cancelled) {
                lines.push("Nothing was deployed. Fix the input named above and run again.");
            }
            else {
                lines.push("Production was not touched.");
            }
            break;
        }
        default:
            return "";
    }
    // The message may have said it already.
    const said = /production was not touched/i.test(result.message);
    const text = lines.map((l) => (said ? l.replace(/^Production was not touched\.\s*/, "") : l)).filter((l) => l.length > 0);
    return text.length === 0 ? "" : ["### What to do next", "", ...text].join("\n");
}
function manualSection(result) {
    const purpose = result.manualCommandPurpose ?? (result.manualCommand ? "restore-anchor" : undefined);
    if (purpose === undefined)
        return "";
    const heading = result.result === "rollback-failed" ? "### 🚨 Production needs a human" : "### What to do next";
    const command = result.manualCommand ? `\n\n\`\`\`sh\n${result.manualCommand}\n\`\`\`` : "";
    const restored = result.rollbackVersionId ? versionName(result, result.rollbackVersionId) : "the restored version";
    const text = {
        "retry-rollback": result.manualCommand
            ? "The rollback did not take effect (or was cut off before it was confirmed), so production may still serve the version that failed. Run the rollback by hand, then check what production serves:"
            : "The rollback did not take effect, so production may still serve the version that failed.",
        "earlier-version": result.manualCommand
            ? `The rollback took effect: production serves ${restored} again. But that version failed its health gate too, so rolling back to it again changes nothing. ` +
                "To serve the newest earlier version not known to be bad, run (or fix forward with a new release):"
            : `The rollback took effect: production serves ${restored} again. But that version failed its health gate too, and no earlier version is known to be good: ` +
                "fix forward with a new release, or pick a version from `wrangler deployments list`.",
        "restore-anchor": "Production was left as it is. To put back what it served before this run, run:",
        "restore-theirs": "Someone else deployed while this run was going on. To put back their deploy, which this run replaced, run (or decide what production should serve):",
        inspect: "There is no earlier version to roll back to (this was the first deploy). Fix forward with a new release; to see what production serves, run:",
    };
    return `${heading}\n\n${text[purpose]}${command}`;
}
function stageTable(result, reasons) {
    const stages = result.stages;
    if (stages.length === 0)
        return "";
    const detail = (s) => {
        const text = (s.detail ?? "").trim();
        if (text === "")
            return "";
        if (reasons.includes(text))
            return "see Gates";
        // Said in the summary's first paragraph already.
        if (text.length > 60 && result.message.includes(text.split("\n")[0]))
            return "see above";
        return text;
    };
    const rows = stages.map((s) => `| ${escapeCell(s.label)} | ${STATUS_ICON[s.status]} ${s.status} | ${formatMs(s.endedAt - s.startedAt)} | ${escapeCell(detail(s))} |`);
    return ["### Stages", "", "| Stage | Result | Duration | Detail |", "|---|---|---|---|", ...rows].join("\n");
}
const STATUS_ICON = { passed: "✅", failed: "❌", skipped: "⏭️", cancelled: "🛑" };
/** The gates' numbers in a table; why a gate failed below it, as text that wraps (long URLs do not fit a cell). */
function gateSection(result) {
    const gates = result.gates;
    if (gates.length === 0)
        return "";
    const rows = gates.map((g) => {
        const s = g.stats;
        const cells = [
            g.gate,
            g.environment,
            gateOutcome(g, result),
            s.count,
            s.failed,
            s.errors,
            formatOptionalMs(s.p50Ms),
            formatOptionalMs(s.p95Ms),
        ];
        return `| ${cells.map((c) => escapeCell(String(c))).join(" | ")} |`;
    });
    const why = gates.flatMap((g) => g.outcome === "failed" ? [`- ❌ **${g.gate}** on ${g.environment}: ${escapeText(g.reason ?? "failed")}`] : []);
    const notes = gates.flatMap((g) => {
        const note = versionNote(g);
        return note === undefined ? [] : [`- ⚠️ ${escapeText(note)}`];
    });
    const watch = gates.some((g) => isWatchStopped(g, result))
        ? ["", "The staging watch runs while the approval is open and stops when it is decided; it did not fail."]
        : [];
    return [
        "### Gates",
        "",
        "| Gate | Environment | Outcome | Measurements | Failed | Errors | p50 | p95 |",
        "|---|---|---|---|---|---|---|---|",
        ...rows,
        ...(why.length > 0 || notes.length > 0 ? ["", ...why, ...notes] : []),
        ...watch,
    ].join("\n");
}
function gateOutcome(gate, result) {
    if (isWatchStopped(gate, result))
        return "✅ watched until the decision";
    return { passed: "✅ passed", failed: "❌ failed", cancelled: "🛑 cancelled" }[gate.outcome];
}
/** The staging watch ends "cancelled" whenever the approval is decided: that is its normal end, not a cancellation. */
function isWatchStopped(gate, result) {
    return gate.gate === "staging-watch" && gate.outcome === "cancelled" && !result.cancelled;
}
/**
 * One line on which versions answered a gate, when there is something to say: answers from
 * another version than the one judged (which, how many), and answers that named no version.
 * `health@10%: 9 of 10 answers came from version b…, not a… (counted as errors); …`
 */
function versionNote(report) {
    const v = report.versions;
    if (v === undefined)
        return undefined;
    const total = Object.values(v.answeredBy).reduce((sum, n) => sum + n, v.unnamed);
    const parts = [];
    if (v.otherVersion > 0 && v.expected !== undefined) {
        const others = Object.entries(v.answeredBy).filter(([id]) => id !== v.expected);
        const which = others.length === 1 ? `version ${others[0][0]}` : `versions ${others.map(([id, n]) => `${id} (${n})`).join(", ")}`;
        parts.push(`${v.otherVersion} of ${total} answers came from ${which}, not ${v.expected} (counted as errors)`);
    }
    if (v.unnamed > 0) {
        const share = v.unnamed === total ? `none of its ${total} answers` : `${v.unnamed} of its ${total} answers did not`;
        const verb = v.unnamed === total ? "carried" : "carry";
        parts.push(`could not prove which version it measured: ${share} ${verb} the \`${v.header}\` header`);
    }
    return parts.length === 0 ? undefined : `${report.gate}: ${parts.join("; ")}`;
}
const DECISION_ICON = {
    approved: "✅",
    denied: "⛔",
    "timed-out": "⌛",
    cancelled: "🛑",
    skipped: "⏭️",
};
function approvalSection(result) {
    const a = result.approval;
    if (a.status === "skipped" && !a.link)
        return "";
    const when = a.endedAt !== undefined ? ` at ${formatClock(a.endedAt)}` : "";
    const waited = a.startedAt !== undefined && a.endedAt !== undefined ? `, after ${formatMs(a.endedAt - a.startedAt)}` : "";
    const who = a.approvedBy.length > 0 ? ` by ${a.approvedBy.map((l) => `@${l}`).join(", ")}` : "";
    const label = { approved: "Approved", denied: "Denied", "timed-out": "Timed out", cancelled: "Cancelled", skipped: "Skipped" }[a.status];
    // A reason that already says what happened ("Denied by @alice") is the sentence; anything else follows the status.
    const said = a.reason && /^(approved|denied|no decision|no answer|timed out|cancelled)\b/i.test(a.reason);
    const decision = said
        ? `${a.reason.replace(/\.$/, "")}${when}${waited}`
        : `${label}${who}${when}${waited}${a.reason ? `: ${a.reason}` : ""}`;
    const lines = ["### Approval", "", `- ${DECISION_ICON[a.status]} ${escapeText(decision)}`];
    if (a.link)
        lines.push(`- Request: ${a.link}`);
    for (const ignored of a.ignored ?? [])
        // Anyone can comment on the issue: the comment is shown literally (a code span), never as Markdown.
        lines.push(`- Ignored comment by @${ignored.author} (${ignored.why}): \`${escapeText(ignored.body.slice(0, 80)).replace(/`/g, "'")}\``);
    return lines.join("\n");
}
function versionsSection(result, links) {
    const named = (id) => (id ? versionName(result, id) : undefined);
    const rows = [
        ["Version", result.release?.version],
        ["Release tag", result.releaseTag],
        ["Commit", result.release?.sha],
        ["Staging version", result.stagingVersionId],
        ["Staging URL", result.stagingUrl],
        ["Production version", named(result.productionVersionId)],
        ["Production URL", result.productionUrl],
        [
            "Previous production",
            result.anchor === undefined
                ? undefined
                : result.anchor === null
                    ? "none (first deploy)"
                    : result.anchor.allocation.length === 1
                        ? named(result.anchor.allocation[0].versionId)
                        : (0,core_allocation/* describeAllocation */.q7)(result.anchor.allocation),
        ],
        ["Rolled back to", named(result.rollbackVersionId)],
        ["Run", links.runUrl],
    ];
    // With several Workers, each one's versions and URLs are in the Workers table.
    const present = rows.filter(([k, v]) => v && !(result.workers && PER_WORKER_ROWS.has(k)));
    if (present.length === 0)
        return "";
    return ["### Versions", "", "| | |", "|---|---|", ...present.map(([k, v]) => `| ${k} | ${escapeCell(v ?? "")} |`)].join("\n");
}
const PER_WORKER_ROWS = new Set([
    "Staging version",
    "Staging URL",
    "Production version",
    "Production URL",
    "Previous production",
    "Rolled back to",
]);
/** A version id with its release tag when the run knows it: `v1.1.0 (4b8b…)`. */
function versionName(result, versionId) {
    const tag = result.versionTags?.[versionId];
    return tag ? `${tag} (${versionId})` : versionId;
}
function warningsSection(warnings) {
    if (warnings.length === 0)
        return "";
    return ["### Warnings", "", ...warnings.map((w) => `- ${w}`)].join("\n");
}
/** Axis tick steps a chart may use, smallest first (Mermaid `tickInterval` values). */
const TICKS = [
    ["1second", 1_000],
    ["5second", 5_000],
    ["10second", 10_000],
    ["30second", 30_000],
    ["1minute", 60_000],
    ["5minute", 300_000],
    ["10minute", 600_000],
    ["30minute", 1_800_000],
    ["1hour", 3_600_000],
    ["2hour", 7_200_000],
    ["6hour", 21_600_000],
];
/**
 * A Mermaid `gantt` chart of the stages (times as epoch ms). The axis fits the run: seconds for
 * a short one, hours and minutes for one with a long approval, with at most about ten ticks.
 * Every bar is at least 1.5% of the run wide, so a gate that failed in milliseconds still
 * shows; failed and cancelled stages are `crit` (red) and say so in their label.
 */
function timeline(result) {
    const stages = result.stages.filter((s) => s.status !== "skipped");
    if (stages.length === 0)
        return "";
    const start = Math.min(...stages.map((s) => s.startedAt));
    const end = Math.max(...stages.map((s) => s.endedAt));
    const span = Math.max(end - start, 1_000);
    const minWidth = Math.max(1, Math.round(span * 0.015));
    const tick = TICKS.find(([, ms]) => span / ms <= 10) ?? TICKS[TICKS.length - 1];
    const lines = [
        "### Timeline",
        "",
        "```mermaid",
        "gantt",
        `  title ${mermaidText(`shipline ${result.release?.tag ?? result.mode}`)}, started ${formatClock(start)}`,
        "  dateFormat x",
        `  axisFormat ${span < 3_600_000 ? "%H:%M:%S" : "%H:%M"}`,
        `  tickInterval ${tick[0]}`,
    ];
    stages.forEach((s, i) => {
        const bad = s.status === "failed" || s.status === "cancelled";
        const label = bad ? `${s.label} (${s.status})` : s.label;
        lines.push(`  ${mermaidText(label)} :${bad ? "crit" : "done"}, s${i}, ${s.startedAt}, ${Math.max(s.endedAt, s.startedAt + minWidth)}`);
    });
    lines.push("```");
    return lines.join("\n");
}
function mermaidText(text) {
    return text.replace(/[:;#]/g, " ").replace(/\s+/g, " ").trim();
}
function escapeCell(text) {
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
/** Text for a list item: one line, and no HTML from a response body. */
function escapeText(text) {
    return text.replace(/\r?\n/g, " ").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
/** `2026-01-01 03:12:05 UTC`: a moment as people read it, with its time zone. */
function formatClock(epochMs) {
    return `${new Date(epochMs).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
/**
 * A duration for people to read: `850ms`, `12.3s`, `4m 05s`, `3h 02m` (a zero last part is left
 * out: `30s`, `4m`, `1h`). Rounds to what it shows, so no `1m 60s`. The one display formatter; the
 * config's own `formatDuration` (parse.ts) writes values that read back as input.
 */
function formatMs(ms) {
    if (!Number.isFinite(ms))
        return String(ms);
    if (ms < 0)
        return `-${formatMs(-ms)}`;
    const wholeMs = Math.round(ms);
    if (wholeMs < 1000)
        return `${wholeMs}ms`;
    const tenths = Math.round(ms / 100);
    if (tenths < 600)
        return tenths % 10 === 0 ? `${tenths / 10}s` : `${(tenths / 10).toFixed(1)}s`;
    const seconds = Math.round(ms / 1000);
    if (seconds < 3600)
        return pair(Math.floor(seconds / 60), "m", seconds % 60, "s");
    const minutes = Math.round(ms / 60_000);
    return pair(Math.floor(minutes / 60), "h", minutes % 60, "m");
}
function pair(major, majorUnit, minor, minorUnit) {
    return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit} ${String(minor).padStart(2, "0")}${minorUnit}`;
}
function formatOptionalMs(ms) {
    return ms === undefined ? "–" : formatMs(ms);
}
//# sourceMappingURL=report.js.map
;// CONCATENATED MODULE: ./lib/core/gate-log.js
/**
 * What the gates print. A gate's measurements are progress, not alarms: they go to the log at
 * info level, and a failed gate is one warning (one annotation per gate, not one per failed
 * measurement: GitHub shows only ten per step). A watch that runs for hours prints only when
 * its state changes, and a line every few minutes that it is still watching.
 */


/** How often a long watch says it is still watching. */
const WATCH_HEARTBEAT_MS = 5 * 60_000;
/** Runs a gate; its measurements print at info, and a failure once as a warning. The report carries the gate's settings. */
async function runLoggedGate(options) {
    const logger = options.logger;
    const report = {
        ...(await runGate({ ...options, ...(logger ? { logger: measurementsAtInfo(logger) } : {}) })),
        settings: options.settings,
    };
    if (logger && report.outcome === "failed")
        logger.warn(gateFailure(report));
    return report;
}
/** Runs a watch that prints changes of state and a periodic "still watching" line, and a failure once as a warning. */
async function watchLoggedGate(options, heartbeatMs = WATCH_HEARTBEAT_MS) {
    const logger = options.logger;
    if (!logger)
        return { ...(await watchGate(options)), settings: options.settings };
    const watch = watchLog(logger, options.clock, options.gate, heartbeatMs);
    const report = { ...(await watchGate({ ...options, logger: watch.logger })), settings: options.settings };
    if (report.outcome === "failed")
        logger.warn(gateFailure(report));
    else
        logger.info(watch.summary(report));
    return report;
}
/** `health gate failed on production: GET /health …`: the one line a failed gate warns with. */
function gateFailure(report) {
    return `${report.gate} gate failed on ${report.environment}: ${report.reason ?? "failed"}`;
}
/** A logger for a gate's measurement lines: failed and error measurements as info, not as warnings. */
function measurementsAtInfo(logger) {
    return { ...logger, warn: (message) => logger.info(message) };
}
/**
 * A logger for a watch's measurement lines (the gate prints successful ones at info, others at
 * warn): the first line, then only a line whose state (healthy or not) differs from the one
 * before, and every `heartbeatMs` a count of what was measured since the last line.
 */
function watchLog(logger, clock, gate, heartbeatMs) {
    let state;
    let measured = 0;
    let quiet = 0;
    const startedAt = clock.now();
    let lastLineAt = startedAt;
    const line = (next, message) => {
        measured++;
        const now = clock.now();
        if (next !== state) {
            const change = state === undefined ? "" : next === "healthy" ? "recovered: " : "no longer healthy: ";
            logger.info(`${change}${message}`);
            state = next;
            quiet = 0;
            lastLineAt = now;
            return;
        }
        quiet++;
        if (now - lastLineAt >= heartbeatMs) {
            logger.info(`${gate}: still watching, ${quiet} more measurement${quiet === 1 ? "" : "s"} ${state}, ${formatMs(now - startedAt)} in; last: ${message}`);
            quiet = 0;
            lastLineAt = now;
        }
    };
    return {
        logger: { ...logger, info: (message) => line("healthy", message), warn: (message) => line("unhealthy", message) },
        summary: (report) => `${gate}: stopped after ${measured} measurement${measured === 1 ? "" : "s"} over ${formatMs(report.endedAt - report.startedAt)} ` +
            `(${report.stats.failed} failed, ${report.stats.errors} errors).`,
    };
}
//# sourceMappingURL=gate-log.js.map
;// CONCATENATED MODULE: ./lib/core/restore.js
/**
 * The one restore executor: put an allocation back, read it back, prove it healthy, and
 * write the Deployment record. The automatic rollback, the cancel path and `mode: rollback`
 * all run it; what to restore is decided elsewhere (recovery.ts, emergency.ts).
 */




/**
 * Restores `job.to`. The restore is never cut short by the run's cancellation (a half-done
 * rollback is worse than a late one): only `cleanup`, the budget after a cancel, bounds it.
 * Transient failures of the restore or of the read-back are retried, reading production
 * before each retry; once cancelled, the restore goes by the deployer's urgent path.
 */
async function runRestore(s, job, cleanup) {
    // The record of the restored version is opened beside the restore, never before it: a
    // GitHub round-trip must not delay putting production back.
    const describe = job.record && job.verify === "health" && !cleanup.cancelled ? job.record : undefined;
    let record = Promise.resolve(undefined);
    const openRecord = () => {
        if (!describe)
            return;
        record = describe().then(async (r) => ({
            handle: await startRecord(s, job.target.environment, r, true, { description: r.description, progress: `restoring ${r.tag}` }),
            name: r.tag,
        }));
    };
    const applied = await s.rec.stage("rollback", `Roll back ${job.target.environment} to ${(0,core_allocation/* describeAllocation */.q7)(job.to)}`, async () => {
        const result = await applyRestore(s, job, cleanup, openRecord);
        return {
            status: result.restored ? "passed" : "failed",
            detail: result.why ?? `serves ${(0,core_allocation/* describeAllocation */.q7)(job.to)}`,
            result,
        };
    });
    const result = applied.result;
    s.rec.record("rollback-verify", "Read production back", result.restored ? "passed" : "failed", s.deps.clock.now(), `serves ${describeLive(result.live)}`);
    const opened = await record;
    if (!result.restored) {
        await updateRecord(s, opened?.handle, "failure", {
            ...(job.baseUrl ? { environmentUrl: job.baseUrl } : {}),
            description: "the restore did not take effect",
        });
        return result;
    }
    if (job.verify === "read-back" || cleanup.cancelled) {
        await updateRecord(s, opened?.handle, "failure", {
            ...(job.baseUrl ? { environmentUrl: job.baseUrl } : {}),
            description: `restored ${(0,core_allocation/* describeAllocation */.q7)(job.to)}; health not proven (cancelled)`,
        });
        return result;
    }
    return proveHealthy(s, job, result, opened);
}
/** How long the last read-back may take once the cleanup budget is spent (the hard deadline comes later). */
const LAST_READ_GRACE_MS = 1_000;
async function applyRestore(s, job, cleanup, issued) {
    const { deployer, clock, logger } = s.deps;
    const matches = (live) => live != null && (0,core_allocation/* sameAllocation */.lA)(live.allocation, job.to);
    const foreign = (live) => (live ? someoneElses(job, live) : Promise.resolve(false));
    let live;
    for (let attempt = 0;; attempt++) {
        logger.info(`${attempt === 0 ? "Rolling" : "Trying again: rolling"} ${job.target.environment} back to ${(0,core_allocation/* describeAllocation */.q7)(job.to)} (${deployer.name})…`);
        const tried = await tryRestore(s, job, cleanup, attempt === 0 ? issued : () => undefined);
        logger.info(`Reading ${job.target.environment} back to confirm what it serves…`);
        const reading = await readProduction(deployer, job.target, clock, cleanup.lastRead(LAST_READ_GRACE_MS));
        live = liveOf(reading);
        if (matches(live)) {
            const clobbered = reading.history?.[1];
            if (clobbered && (await foreign(clobbered)))
                return putTheirsBack(s, job, cleanup, clobbered, attempt + 1);
            return { restored: true, live, attempts: attempt + 1 };
        }
        if (await foreign(live)) {
            return {
                restored: false,
                live,
                someoneElse: true,
                attempts: attempt + 1,
                why: `someone else's deploy is live (${describeLive(live)}): not restoring over it`,
            };
        }
        const delay = tried.final ? undefined : RETRY_DELAYS_MS[attempt];
        const why = tried.failure ?? `production serves ${describeLive(live)}, expected ${(0,core_allocation/* describeAllocation */.q7)(job.to)}`;
        if (delay === undefined || cleanup.passed)
            return { restored: false, live, attempts: attempt + 1, why };
        logger.warn(`Restore try ${attempt + 1} did not take effect (${why.split("\n")[0]}); trying again in ${delay} ms.`);
        if (!(await pause(clock, Math.min(delay, cleanup.remaining()), cleanup.signal)))
            return { restored: false, live, attempts: attempt + 1, why: `${why}; the cleanup budget ran out` };
        // Re-read before trying again: the failed try may have taken effect after all.
        live = liveOf(await readProduction(deployer, job.target, clock, cleanup.lastRead(LAST_READ_GRACE_MS)));
        if (matches(live))
            return { restored: true, live, attempts: attempt + 1 };
    }
}
/**
 * One try. A cancel that arrives while a tool's restore is running sends the same restore at
 * once as the deployer's urgent request (the same allocation twice is harmless), and the
 * running one is still awaited: it is stopped only when the cleanup budget is spent.
 */
async function tryRestore(s, job, cleanup, issued) {
    const { deployer, logger } = s.deps;
    const urgent = cleanup.cancelled;
    let beside;
    const stopWatching = urgent
        ? () => undefined
        : cleanup.onCancel(() => {
            logger.warn("Cancelled while the rollback runs: the same restore goes out now as one request; the running rollback is awaited.");
            beside = deployer.restore(job.target, job.to, job.message, cleanup.signal, { urgent: true }).catch(() => undefined);
        });
    try {
        const restoring = deployer.restore(job.target, job.to, job.message, cleanup.signal, { urgent });
        issued();
        await restoring;
        return { final: false };
    }
    catch (error) {
        // A failed restore does not prove nothing changed: the read-back decides.
        return { failure: describeDeployError(error), final: !isTransient(error) };
    }
    finally {
        stopWatching();
        await beside;
    }
}
/** Whether `state` serves a version neither known nor recognised (by its annotations) as ours. */
async function someoneElses(job, state) {
    const unknown = (known) => state.allocation.some((share) => share.percentage > 0 && !known(share.versionId));
    if (!unknown(job.known))
        return false;
    if (!job.recognise)
        return true;
    const recognised = await job.recognise([state]).catch(() => job.known);
    return unknown((id) => job.known(id) || recognised(id));
}
/**
 * Someone else deployed between the decision to restore and the restore itself (a tool such
 * as wrangler takes a second or more to start): the restore replaced their deploy. Put theirs
 * back, and report: a human decides what production should serve.
 */
async function putTheirsBack(s, job, cleanup, theirs, attempts) {
    const { deployer, clock, logger } = s.deps;
    const what = (0,core_allocation/* describeAllocation */.q7)(theirs.allocation);
    logger.warn(`Someone else deployed ${what} right before this restore, which replaced it: putting theirs back.`);
    // Their work goes back even when the cleanup budget is spent: one more request, and a read.
    const signal = cleanup.lastRead(LAST_READ_GRACE_MS);
    try {
        await deployer.restore(job.target, theirs.allocation, `shipline: put back ${what} after restoring over it`.slice(0, 120), signal, {
            urgent: true,
        });
    }
    catch (error) {
        logger.warn(`Could not put their deploy back: ${describeDeployError(error)}`);
    }
    const live = liveOf(await readProduction(deployer, job.target, clock, signal));
    const back = live != null && (0,core_allocation/* sameAllocation */.lA)(live.allocation, theirs.allocation);
    return {
        restored: false,
        someoneElse: true,
        live,
        attempts,
        why: `someone else deployed ${what} while the restore was starting; ` +
            `${back ? "their deploy was put back" : `putting their deploy back failed: production serves ${describeLive(live)}`}, ` +
            "and this release was not restored over it",
    };
}
/** The health gate on the restored version, and the Deployment record that marks it active. */
async function proveHealthy(s, job, result, record) {
    if (!job.baseUrl) {
        await updateRecord(s, record?.handle, "failure", { description: "restored; no production URL to prove it healthy" });
        return { ...result, why: "there is no production URL to prove the restored version healthy" };
    }
    const baseUrl = job.baseUrl;
    const verdict = await s.rec.stage("health", `Health gate on the restored ${job.target.environment}`, async () => {
        const report = s.rec.gate(await runLoggedGate({
            gate: "rollback-health",
            environment: job.target.environment,
            baseUrl,
            versionId: (0,core_allocation/* soleVersion */.WG)(job.to),
            settings: job.health,
            probe: s.deps.probe,
            clock: s.deps.clock,
            signal: s.signal,
            logger: s.deps.logger,
            onMeasurement: (m) => s.rec.measurement("rollback-health", m),
        }));
        return { status: report.outcome === "passed" ? "passed" : "failed", detail: report.reason, report };
    });
    const gate = verdict.report;
    const healthy = gate.outcome === "passed";
    const target = (0,core_allocation/* soleVersion */.WG)(job.to) ?? (0,core_allocation/* describeAllocation */.q7)(job.to);
    const restored = record && record.name !== target ? `${record.name} (${target})` : target;
    const description = gate.outcome === "passed"
        ? `rolled back to ${restored}`
        : gate.outcome === "cancelled"
            ? `rolled back to ${restored}; health not proven (cancelled)`
            : `rolled back to ${restored}; unhealthy`;
    await updateRecord(s, record?.handle, healthy ? "success" : "failure", {
        environmentUrl: baseUrl,
        description: description.slice(0, 140),
    });
    return {
        ...result,
        gate,
        ...(healthy ? {} : { why: gate.reason ?? `the health gate ${gate.outcome === "cancelled" ? "was cancelled" : "failed"}` }),
    };
}
function describeLive(live) {
    if (live === undefined)
        return "unknown (could not read production)";
    return live === null ? "nothing" : (0,core_allocation/* describeAllocation */.q7)(live.allocation);
}
//# sourceMappingURL=restore.js.map
;// CONCATENATED MODULE: ./lib/core/run-state.js
/**
 * The record of one run as it happens: stages with timings, gate reports and warnings.
 * The engine writes to it; the entry points read the finished lists.
 */
class RunRecorder {
    clock;
    logger;
    onEvent;
    stages = [];
    gates = [];
    warnings = [];
    constructor(clock, logger, onEvent = () => { }) {
        this.clock = clock;
        this.logger = logger;
        this.onEvent = onEvent;
    }
    /**
     * Runs one stage in its own log group and records it. A body that returns a verdict
     * (an object with a stage `status`) sets the stage's status; anything else means passed.
     * A throw records the stage as failed and propagates.
     */
    async stage(stage, label, body) {
        const startedAt = this.clock.now();
        this.onEvent({ type: "stage-start", stage, label, at: startedAt });
        let verdict = { status: "failed" };
        try {
            const result = await this.logger.group(label, body);
            verdict = isVerdict(result) ? result : { status: "passed" };
            return result;
        }
        catch (error) {
            verdict = { status: "failed", detail: error instanceof Error ? error.message : String(error) };
            throw error;
        }
        finally {
            const endedAt = this.clock.now();
            this.stages.push({ stage, label, startedAt, endedAt, status: verdict.status, detail: verdict.detail });
            this.onEvent({ type: "stage-end", stage, label, at: endedAt, status: verdict.status, detail: verdict.detail });
        }
    }
    /** Records a stage that ran outside `stage()` (concurrently, without a log group of its own). */
    record(stage, label, status, startedAt, detail) {
        const endedAt = this.clock.now();
        this.stages.push({ stage, label, startedAt, endedAt, status, detail });
        this.onEvent({ type: "stage-end", stage, label, at: endedAt, status, detail });
    }
    /** Records a stage that did not run. */
    skip(stage, label, detail) {
        const at = this.clock.now();
        this.stages.push({ stage, label, startedAt: at, endedAt: at, status: "skipped", detail });
    }
    gate(report) {
        this.gates.push(report);
        this.onEvent({ type: "gate-decided", gate: report.gate, outcome: report.outcome, at: report.endedAt });
        return report;
    }
    measurement(gate, measurement) {
        this.onEvent({ type: "measurement", gate, measurement });
    }
    warn(message) {
        this.warnings.push(message);
        this.logger.warn(message);
    }
}
const VERDICT_STATUSES = new Set(["passed", "failed", "skipped", "cancelled"]);
function isVerdict(value) {
    return typeof value === "object" && value !== null && VERDICT_STATUSES.has(value.status);
}
//# sourceMappingURL=run-state.js.map
;// CONCATENATED MODULE: ./lib/core/run-scope.js


/** How long cleanup after a cancellation may take by default: the runner kills the process tree 10 s after SIGINT. */
const DEFAULT_CLEANUP_BUDGET_MS = 4_500;
/** The cleanup budget of a run. */
function cleanupBudget(context) {
    return context.cleanupBudgetMs ?? DEFAULT_CLEANUP_BUDGET_MS;
}
/**
 * Runs one flow (a release, an emergency rollback) in a fresh scope and turns what it
 * collected into the result. An unexpected throw becomes `result: failed` with its message.
 */
async function runScoped(config, deps, signal, context, flow) {
    const rec = new RunRecorder(deps.clock, deps.logger, deps.onEvent);
    const facts = { approval: { status: "skipped", approvedBy: [] } };
    const learn = (found) => {
        Object.assign(facts, found);
        deps.onEvent?.({ type: "facts", facts: { ...facts } });
    };
    const scope = { config, deps, context, signal, rec, facts, learn };
    const startedAt = deps.clock.now();
    let outcome;
    try {
        outcome = await flow(scope);
    }
    catch (error) {
        outcome = { result: "failed", message: (0,errors/* errorMessage */.gJ)(error) };
    }
    return {
        ...scope.facts,
        mode: config.mode,
        result: outcome.result,
        message: outcome.message,
        manualCommand: outcome.manualCommand,
        ...(outcome.manualCommandPurpose ? { manualCommandPurpose: outcome.manualCommandPurpose } : {}),
        ...(signal.aborted ? { cancelled: true } : {}),
        stages: rec.stages,
        gates: rec.gates,
        warnings: rec.warnings,
        startedAt,
        endedAt: deps.clock.now(),
    };
}
//# sourceMappingURL=run-scope.js.map
;// CONCATENATED MODULE: ./lib/core/emergency.js










/** A cancel that came before any write of an emergency rollback. */
const CANCELLED_BEFORE_ROLLBACK = "Cancelled before the rollback: nothing changed.";
/**
 * Picks the emergency rollback target: a version id, a release tag (through the versions'
 * tag annotation), or the newest earlier deployment that served one version at 100%.
 * Throws a `ConfigError` (nothing changed) when the target is unknown or already live.
 */
function chooseTarget(args) {
    const current = (0,core_allocation/* soleVersion */.WG)(args.live.allocation);
    const chosen = args.requested ? byRequest(args.requested, args.tagPrefix, args.versions) : previousStable(args.live, args.deployments);
    const tag = chosen.tag ?? args.versions.find((v) => (0,version_id/* sameVersionId */.o)(v.versionId, chosen.versionId))?.tag;
    const target = tag ? { ...chosen, tag } : chosen;
    if ((0,version_id/* sameVersionId */.o)(current, target.versionId))
        throw new AlreadyServed(target);
    return target;
}
/** The target is what production already serves: refused for one Worker, "nothing to do" for one of several. */
class AlreadyServed extends errors/* ConfigError */.xL {
    target;
    constructor(target) {
        super("rollback-target", `Production already serves ${target.versionId}${target.tag ? ` (${target.tag})` : ""} at 100%: nothing to roll back.`);
        this.target = target;
    }
}
function byRequest(requested, prefix, versions) {
    if ((0,rollback_target/* isVersionId */.A)(requested)) {
        const found = versions.find((v) => (0,version_id/* sameVersionId */.o)(v.versionId, requested));
        if (!found) {
            throw new errors/* ConfigError */.xL("rollback-target", `Input \`rollback-target\` has the value "${requested}": no such Worker version among the ${versions.length} most recent versions of production.`);
        }
        return { versionId: found.versionId, tag: found.tag, how: "version id" };
    }
    const candidates = new Set([requested, requested.startsWith(prefix) ? requested : `${prefix}${requested}`]);
    const tagged = versions.filter((v) => v.tag && candidates.has(v.tag)).sort(byCreatedDesc);
    const found = tagged[0];
    if (!found) {
        throw new errors/* ConfigError */.xL("rollback-target", `Input \`rollback-target\` has the value "${requested}": it is neither a Worker version id nor a release tag ` +
            `any production version was uploaded with (expected a version id such as 4b8b2f8a-… or a tag such as ${prefix}1.2.3).`);
    }
    return { versionId: found.versionId, tag: found.tag, how: `release tag ${found.tag}` };
}
/**
 * The newest earlier deployment that served one version at 100%, other than what is live,
 * skipping versions shipline rolled back from (a release that failed its gate, or a cancelled
 * one): restoring those would bring the failure back.
 */
function previousStable(live, deployments) {
    // The whole history: the live deployment's own message may name the version it rolled back from.
    const current = live.allocation.map((share) => share.versionId);
    const [found] = restoreCandidates(deployments, current);
    if (found)
        return { versionId: found.versionId, how: `previous stable deployment${found.servedFrom ? ` of ${found.servedFrom}` : ""}` };
    const skipped = rolledBackFrom(deployments).size;
    const why = skipped ? ` other than the ${skipped} version(s) shipline rolled back from` : "";
    throw new errors/* ConfigError */.xL("rollback-target", `There is no earlier production deployment that served one version at 100%${why}: give \`rollback-target\` (a version id or a release tag).`);
}
function byCreatedDesc(a, b) {
    return (b.createdOn ?? "").localeCompare(a.createdOn ?? "");
}
/** `mode: rollback`: put an earlier version back on production, read it back, prove it healthy. */
function runEmergencyRollback(config, deps, signal, context = {}) {
    return runScoped(config, deps, signal, context, emergencyFlow);
}
async function emergencyFlow(s) {
    const inputs = rollbackInputs(s.config);
    if ("result" in inputs)
        return inputs;
    s.learn({ productionUrl: inputs.baseUrl });
    let rollback;
    try {
        rollback = await resolveRollback(s, inputs);
    }
    catch (error) {
        if (s.signal.aborted)
            return { result: "failed", message: CANCELLED_BEFORE_ROLLBACK };
        return { result: "failed", message: `Rollback refused, nothing changed: ${describeDeployError(error)}` };
    }
    if (s.signal.aborted)
        return { result: "failed", message: CANCELLED_BEFORE_ROLLBACK };
    return restoreRollback(s, rollback);
}
/** The inputs an emergency rollback cannot go without, or the outcome that says which is missing. */
function rollbackInputs(config) {
    const reason = config.emergency?.reason ?? "";
    const baseUrl = config.production.url;
    if (!reason)
        return { result: "failed", message: "Input `rollback-reason` is required for mode: rollback." };
    if (!baseUrl) {
        return {
            result: "failed",
            message: "Input `production-url` is required for mode: rollback: the restored version must pass the health gate, and a rollback (wrangler rollback, or a restore command) reports no URL.",
        };
    }
    return { reason, baseUrl };
}
/**
 * Reads production and chooses the target (stage `resolve`); throws, with nothing changed,
 * when it is unknown or (an `AlreadyServed`) what production serves.
 */
async function resolveRollback(s, inputs, options = {}) {
    const target = { environment: s.config.production.environment };
    return { target, ...inputs, ...(await chooseStage(s, target, options.alreadyServed === "nothing-to-do")) };
}
/**
 * Puts the chosen version back through the one restore executor: read back, health gate,
 * Deployment record, a note on the release rolled away from.
 */
async function restoreRollback(s, rollback) {
    const { config } = s;
    const { target, reason, baseUrl } = rollback;
    s.learn({ productionVersionId: rollback.chosen.versionId });
    // Once the restore runs, a cancellation lets it finish and be read back: killing it
    // half-way would leave production unknown.
    const cleanup = new CleanupDeadline(s.deps.clock, s.signal, cleanupBudget(s.context));
    try {
        const name = rollback.chosen.tag ?? rollback.chosen.versionId;
        const to = [{ versionId: rollback.chosen.versionId, percentage: 100 }];
        const from = (0,core_allocation/* soleVersion */.WG)(rollback.live.allocation);
        const result = await runRestore(s, {
            target,
            to,
            message: rollbackMessage(from, reason),
            verify: "health",
            baseUrl,
            health: config.production.health,
            known: (id) => rollback.live.allocation.some((share) => (0,version_id/* sameVersionId */.o)(share.versionId, id)) || (0,version_id/* sameVersionId */.o)(id, rollback.chosen.versionId),
            record: async () => ({ sha: config.version.sha, tag: name, description: `emergency rollback to ${name}` }),
        }, cleanup);
        if (result.restored) {
            s.learn({ rollbackVersionId: rollback.chosen.versionId });
            await noteOnRelease(s, rollback, name, cleanup.signal);
        }
        return emergencyOutcome(s, rollback, result);
    }
    finally {
        cleanup.dispose();
    }
}
/** Reads production and picks the target; throws (nothing changed) when it is unknown or already live. */
async function chooseStage(s, target, servedIsFine = false) {
    const { deps, config } = s;
    return s.rec.stage("resolve", "Choose the rollback target", async () => {
        const read = (fn) => retrying(deps.clock, s.signal, fn);
        const [history, versions] = await Promise.all([
            read(() => deps.deployer.deployments(target, s.signal)),
            read(() => deps.deployer.versions(target, s.signal)),
        ]);
        const live = history[0];
        if (!live)
            throw new errors/* ConfigError */.xL("rollback-target", `${target.environment} has no deployment: there is nothing to roll back.`);
        const previousVersionId = (0,core_allocation/* soleVersion */.WG)(live.allocation) ?? live.allocation[0]?.versionId;
        s.learn({ anchor: live, previousVersionId });
        let chosen;
        let served = false;
        try {
            chosen = chooseTarget({
                requested: config.emergency?.target,
                tagPrefix: config.version.tagPrefix,
                live,
                deployments: history,
                versions,
            });
        }
        catch (error) {
            if (!(servedIsFine && error instanceof AlreadyServed))
                throw error;
            chosen = error.target;
            served = true;
        }
        const fromTag = versions.find((v) => (0,version_id/* sameVersionId */.o)(v.versionId, previousVersionId))?.tag;
        const versionTags = {};
        for (const share of live.allocation) {
            const tag = versions.find((v) => (0,version_id/* sameVersionId */.o)(v.versionId, share.versionId))?.tag;
            if (tag)
                versionTags[share.versionId] = tag;
        }
        if (chosen.tag)
            versionTags[chosen.versionId] = chosen.tag;
        s.learn({ versionTags });
        const tagged = (id, tag) => (tag ? `${tag} (${id})` : id);
        if (served) {
            deps.logger.info(`${target.environment} already serves ${tagged(chosen.versionId, chosen.tag)} at 100%: nothing to roll back.`);
            return {
                status: "skipped",
                detail: `already serves ${chosen.versionId} (${chosen.how}): nothing to do`,
                chosen,
                live,
                history,
                served,
            };
        }
        deps.logger.info(`Rolling ${target.environment} back from ${fromTag && live.allocation.length === 1 ? tagged(previousVersionId, fromTag) : (0,core_allocation/* describeAllocation */.q7)(live.allocation)} to ${tagged(chosen.versionId, chosen.tag)}: ${chosen.how}.`);
        return {
            status: "passed",
            detail: `${chosen.versionId} (${chosen.how})`,
            chosen,
            live,
            history,
            ...(fromTag ? { fromTag } : {}),
        };
    });
}
/** A note on the GitHub Release of the version rolled away from. */
async function noteOnRelease(s, r, name, signal) {
    const publisher = s.deps.publisher;
    if (!r.fromTag || !publisher?.noteRollback)
        return;
    await publisher
        .noteRollback(r.fromTag, `Rolled back on production to ${name}: ${r.reason}`, signal)
        .catch((error) => s.rec.warn(`Could not note the rollback on the release ${r.fromTag}: ${(0,errors/* errorMessage */.gJ)(error)}`));
}
function emergencyOutcome(s, r, result) {
    const id = r.chosen.versionId;
    const name = r.chosen.tag ? `${r.chosen.tag} (${id})` : id;
    if (!result.restored) {
        return {
            result: "rollback-failed",
            message: `The rollback did not take effect: ${result.why ?? "unknown"}.`,
            manualCommandPurpose: "retry-rollback",
            manualCommand: s.deps.deployer.manualRestoreCommand(r.target, [{ versionId: id, percentage: 100 }], r.reason),
        };
    }
    if (!result.gate || result.gate.outcome === "cancelled") {
        return {
            result: "failed",
            message: `Cancelled: production was rolled back to ${name} and read back, but the health gate was cancelled before it passed.`,
        };
    }
    if (result.gate.outcome === "failed") {
        const advice = candidatesAdvice(r.history, [...r.live.allocation.map((share) => share.versionId), id]);
        return {
            result: "rollback-failed",
            message: `Production now serves ${name}, but it failed the health gate: ${result.why ?? "unhealthy"}. ${advice.text}`,
            manualCommandPurpose: "earlier-version",
            ...(advice.first
                ? { manualCommand: s.deps.deployer.manualRestoreCommand(r.target, [{ versionId: advice.first, percentage: 100 }], r.reason) }
                : {}),
        };
    }
    return {
        result: "rolled-back",
        message: `Production was rolled back to ${r.chosen.tag ? `${r.chosen.tag}, version ${id}` : id} (${r.chosen.how}), read back, and passed its health gate. Reason: ${r.reason}`,
    };
}
//# sourceMappingURL=emergency.js.map
;// CONCATENATED MODULE: ./lib/core/around-production.js
/**
 * What a release does around its deploys besides the deploys themselves: the check that each
 * target Worker already has the secrets it needs (`required-secrets`), and the user's
 * commands before production (`before-production`, e.g. D1 migrations) and after a healthy
 * release (`after-release`).
 */

/** The environments a release run deploys to, in order. */
function targetsOf(s) {
    const staging = { environment: s.config.staging.environment };
    const production = { environment: s.config.production.environment };
    if (s.config.stages === "staging")
        return [staging];
    if (s.config.stages === "production")
        return [production];
    return [staging, production];
}
/**
 * Checks, before anything is deployed, that every Worker the run deploys to has each
 * `required-secrets` name already, or gets it from `secrets` with this release. Resolves with
 * the outcome that stops the run (naming what is missing and where), if any.
 */
async function requiredSecretsFlow(s) {
    const required = s.config.requiredSecrets ?? [];
    if (required.length === 0)
        return undefined;
    const uploaded = new Set(s.config.secrets ?? []);
    const needed = required.filter((name) => !uploaded.has(name));
    const targets = targetsOf(s);
    const verdict = await checkTargets(s, required, needed, targets).catch((error) => error);
    if (verdict instanceof Error) {
        return { result: "failed", message: `Could not check required secrets, so nothing was deployed: ${(0,errors/* errorMessage */.gJ)(verdict)}` };
    }
    if (verdict.problems.length === 0)
        return undefined;
    return {
        result: "failed",
        message: `Required secrets are missing, so nothing was deployed and production was not touched: ${verdict.problems.join("; ")}.`,
    };
}
function checkTargets(s, required, needed, targets) {
    return s.rec.stage("preflight", "Check required secrets", async () => {
        if (needed.length === 0) {
            return { status: "passed", detail: `${required.join(", ")}: uploaded with this release`, problems: [] };
        }
        const list = s.deps.deployer.secretNames?.bind(s.deps.deployer);
        if (!list)
            throw new Error(`required-secrets is set, but the ${s.deps.deployer.name} deployer cannot list a Worker's secrets`);
        const listings = await Promise.all(targets.map(async (target) => ({ target, listing: await list(target, s.signal) })));
        const problems = [];
        for (const { target, listing } of listings) {
            const have = new Set(listing.names ?? []);
            const missing = needed.filter((name) => !have.has(name));
            if (missing.length === 0)
                continue;
            const exists = listing.names === null ? ", which does not exist yet," : "";
            problems.push(`${listing.where}${exists} lacks ${missing.join(", ")} (set ${missing.length === 1 ? "it" : "each"} with \`wrangler secret put <NAME> --env ${target.environment}\`, or list ${missing.length === 1 ? "it" : "them"} in \`secrets\` to upload with the release)`);
        }
        return problems.length > 0
            ? { status: "failed", detail: problems.join("; "), problems }
            : {
                status: "passed",
                detail: `${needed.join(", ")} present on ${targets.map((t) => t.environment).join(" and ")}`,
                problems,
            };
    });
}
/** The SHIPLINE_* variables of a command around production. */
function shiplineEnv(s, release) {
    return {
        ...(s.context.wranglerEnv ?? s.context.env),
        SHIPLINE_URL: s.facts.productionUrl ?? s.config.production.url ?? "",
        SHIPLINE_VERSION: release.version,
        // The tag the run created (the final tag of a promoted prerelease), once it has; the release's tag before.
        SHIPLINE_TAG: s.facts.releaseTag ?? release.tag,
        SHIPLINE_ENVIRONMENT: s.config.production.environment,
        SHIPLINE_VERSION_ID: s.facts.productionVersionId ?? "",
        SHIPLINE_STAGING_VERSION_ID: s.facts.stagingVersionId ?? "",
    };
}
/** Runs one command around production; resolves with why it failed, if it did. */
async function runCommand(s, input, command, release) {
    if (!s.deps.commands)
        throw new Error(`${input} is set but no command runner was provided`);
    s.deps.logger.info(`$ ${command}`);
    try {
        const ran = await s.deps.commands.run(command, { cwd: s.config.workingDirectory, env: shiplineEnv(s, release), signal: s.signal });
        if (s.signal.aborted)
            return `${input} was cancelled`;
        if (ran.exitCode === 0)
            return undefined;
        const tail = ran.output.trimEnd().split("\n").slice(-5).join("\n");
        return `${input} exited with ${ran.exitCode}${tail ? `: ${tail}` : ""}`;
    }
    catch (error) {
        return `${input} could not run: ${(0,errors/* errorMessage */.gJ)(error)}`;
    }
}
/** What the summary says about a command that changed something `wrangler rollback` cannot put back. */
const ROLLBACK_DOES_NOT_UNDO = "`wrangler rollback` does not undo what before-production changed: a D1 migration (or any other change to bound resources) stays applied after a rollback";
/**
 * `before-production`, after approval and before the anchor is read and production deployed.
 * A failure stops the run with production untouched.
 */
async function beforeProductionFlow(s, release) {
    const command = s.config.production.beforeCommand;
    if (!command)
        return undefined;
    const failed = await s.rec.stage("before-production", "Before production", async () => {
        const why = await runCommand(s, "before-production", command, release);
        return why ? { status: "failed", detail: why, why } : { status: "passed", detail: ROLLBACK_DOES_NOT_UNDO, why };
    });
    if (!failed.why)
        return undefined;
    return { result: "failed", message: `${failed.why}; production was not touched.` };
}
/**
 * After the production flow: `after-release` when the release is healthy and tagged (a failure
 * is reported, the release stays released: production is healthy and tagged), and the plain
 * statement that before-production's changes stay applied whenever the release did not complete.
 */
async function afterProductionFlow(s, release, outcome) {
    const before = s.config.production.beforeCommand;
    // Only reached when before-production ran and passed: what it changed is there to stay.
    if (before && outcome.result !== "released")
        s.rec.warn(stillApplied(before, outcome.result));
    const command = s.config.release.afterCommand;
    if (!command || outcome.result !== "released")
        return outcome;
    // `releaseTag` is learned once the tags are made (or when there is no publisher): a release whose
    // tagging failed is healthy but not tagged, and after-release is documented to follow the tags.
    if (s.facts.releaseTag === undefined) {
        s.rec.warn(`after-release was not run: production is healthy, but tagging failed, and after-release runs after a tagged release.`);
        return outcome;
    }
    const failed = await s.rec.stage("after-release", "After release", async () => {
        const why = await runCommand(s, "after-release", command, release);
        return why ? { status: "failed", detail: why, why } : { status: "passed", why };
    });
    if (failed.why)
        s.rec.warn(`${failed.why} (the release itself is healthy and tagged).`);
    return outcome;
}
/** The warning that before-production's changes outlive a release that did not complete, by what production serves now. */
function stillApplied(command, result) {
    if (result === "rolled-back")
        return `${ROLLBACK_DOES_NOT_UNDO} (\`${command}\`): the restored version runs against it.`;
    if (result === "rollback-failed") {
        return `${ROLLBACK_DOES_NOT_UNDO} (\`${command}\`): whatever production serves now, the restore included if it lands, runs against it.`;
    }
    return `before-production (\`${command}\`) ran and what it changed stays applied, though the release did not complete: the version production serves now runs against it.`;
}
//# sourceMappingURL=around-production.js.map
;// CONCATENATED MODULE: ./lib/core/analysis-step.js
/**
 * The traffic analysis of one `gradual` step: waits for the step's window and the analytics'
 * ingestion delay, reads both versions' traffic, and judges it (analysis.ts). Too few requests
 * or analytics that do not answer are read again until `maxWaitMs` has passed; then the
 * configured policy decides, and it is never a silent pass.
 */



/** How often the analytics are read again while a step waits for enough requests, at most. */
const MAX_POLL_MS = 15_000;
const MIN_POLL_MS = 1_000;
/** Runs one step's analysis. Never throws for an analytics failure: the result says what happened. */
async function analyseStep(args) {
    const { settings, clock, signal } = args;
    const base = { step: args.step, candidateVersionId: args.candidate, baselineVersionId: args.baseline };
    const firstRead = args.from + settings.windowMs + settings.ingestionDelayMs;
    const deadline = firstRead + settings.maxWaitMs;
    const poll = Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, settings.windowMs));
    let reads = 0;
    let last;
    let error;
    let until = args.from;
    try {
        await clock.sleep(Math.max(0, firstRead - clock.now()), signal);
        for (;;) {
            until = clock.now() - settings.ingestionDelayMs;
            reads += 1;
            try {
                const traffic = await args.analytics.read(args.target, { from: args.from, until }, signal);
                const find = (id) => traffic.find((t) => t.versionId === id);
                last = (0,analysis/* judgeCanary */.mO)(find(args.candidate), find(args.baseline), settings, { candidate: args.candidate, baseline: args.baseline });
                error = undefined;
                if (last.verdict !== "insufficient") {
                    return { ...base, from: args.from, until, outcome: last.verdict, why: last.why, decision: last, reads };
                }
                args.logger.info(`Traffic analysis at ${args.step}%: ${last.why}; reading again.`);
            }
            catch (caught) {
                if ((0,errors/* isAbort */.rV)(caught) || signal.aborted)
                    throw caught;
                error = (0,errors/* errorMessage */.gJ)(caught);
                args.logger.warn(`Traffic analysis at ${args.step}%: the analytics could not be read: ${error}`);
            }
            const next = clock.now() + poll;
            if (next > deadline)
                break;
            await clock.sleep(poll, signal);
        }
    }
    catch (caught) {
        if (!((0,errors/* isAbort */.rV)(caught) || signal.aborted))
            throw caught;
        return { ...base, from: args.from, until, outcome: "cancelled", why: "the run was cancelled during the traffic analysis", reads };
    }
    const cause = error ? `the analytics could not be read (${error})` : (last?.why ?? "no traffic was read");
    const waited = `after waiting ${Math.round((settings.windowMs + settings.ingestionDelayMs + settings.maxWaitMs) / 1000)} s`;
    const outcome = settings.noVerdict === "fail" ? "no-verdict-failed" : "no-verdict-probes-only";
    const why = outcome === "no-verdict-failed"
        ? `no verdict ${waited}: ${cause}; production.analysis.no-verdict is fail`
        : `no verdict ${waited}: ${cause}; passed on the probes alone (production.analysis.no-verdict: probes-only)`;
    return { ...base, from: args.from, until, outcome, why, ...(last ? { decision: last } : {}), reads, ...(error ? { error } : {}) };
}
/**
 * Before anything is deployed: analysis configured for a gradual production needs analytics
 * it can read (a token without Account Analytics Read fails here, not after the canary went live).
 */
async function analysisPreflight(s) {
    const production = s.config.production;
    if (!production.analysis || production.strategy !== "gradual" || s.config.stages === "staging")
        return;
    if (!s.deps.analytics) {
        throw new errors/* ConfigError */.xL("production.analysis", "production.analysis is set, but this run has no analytics provider to read traffic with.");
    }
    await s.deps.analytics.prepare?.({ environment: production.environment }, s.signal);
}
/** One line of the log or the summary for a step's analysis. */
function describeStepAnalysis(a) {
    const c = a.decision?.candidate;
    const b = a.decision?.baseline;
    const figures = c && b
        ? ` (new: ${c.requests} requests, ${c.errors} errors, ${(0,analysis/* percent */.KN)(c.errorRate)}; baseline: ${b.requests}, ${b.errors}, ${(0,analysis/* percent */.KN)(b.errorRate)})`
        : "";
    return `${a.outcome}: ${a.why}${figures}`;
}
/**
 * The analysis of a `gradual` step in a release: recorded as a health stage, learnt for the
 * summary, and, when the new version did worse (or no verdict fails by policy), what the
 * production flow treats as a failed health gate: the same rollback.
 */
async function judgeStep(s, target, step) {
    const settings = s.config.production.analysis;
    const analytics = s.deps.analytics;
    if (!settings || !analytics)
        return undefined;
    const label = `Traffic analysis on ${target.environment} (${step.step}%: ${step.candidate} vs ${step.baseline})`;
    const result = await s.rec.stage("health", label, async () => {
        const found = await analyseStep({ analytics, settings, target, ...step, clock: s.deps.clock, logger: s.deps.logger, signal: s.signal });
        s.learn({ analyses: [...(s.facts.analyses ?? []), found] });
        const line = describeStepAnalysis(found);
        if (found.outcome === "no-verdict-probes-only")
            s.rec.warn(`Traffic analysis at ${step.step}% ${line}`);
        else
            s.deps.logger.info(`Traffic analysis at ${step.step}% ${line}`);
        const status = found.outcome === "passed" || found.outcome === "no-verdict-probes-only"
            ? "passed"
            : found.outcome === "cancelled"
                ? "cancelled"
                : "failed";
        return { status: status, detail: found.why, found };
    });
    const found = result.found;
    if (found.outcome === "passed" || found.outcome === "no-verdict-probes-only")
        return undefined;
    const reading = await readProduction(s.deps.deployer, target, s.deps.clock, s.signal);
    if (found.outcome === "cancelled")
        return { cause: "cancelled", why: found.why, reading };
    return { cause: "gate-failed", why: `traffic analysis at ${step.step}% failed: ${found.why}`, reading };
}
//# sourceMappingURL=analysis-step.js.map
;// CONCATENATED MODULE: ./lib/core/production.js
/**
 * The production half of a release: anchor → deploy (or gradual steps) → health gate →
 * tags. When production is not proven healthy, the recovery rule (recovery.ts) says what to
 * do and the restore executor (restore.ts) does it.
 */










/** How often the production watch re-reads production during a health gate, at least. */
const MIN_WATCH_REFRESH_MS = 2_000;
/** Runs the production half of a release; `uploaded`: the `gradual` version uploaded during the approval wait. */
function productionFlow(s, release, uploaded) {
    return new ProductionRun(s, release, uploaded, true).run();
}
/** The production half's steps one at a time, for a release of several Workers (multi.ts). */
function production_productionSteps(s, release, prefetchesPublish = false) {
    return new ProductionRun(s, release, undefined, prefetchesPublish);
}
class ProductionRun {
    #s;
    #release;
    #target;
    #uploads;
    #cleanup;
    #anchor = null;
    #record = Promise.resolve(undefined);
    #url;
    /** A write that changes what production serves has started (an upload alone does not). */
    #touched = false;
    /** The version uploaded during the approval wait: `gradual` goes live without uploading again. */
    #uploaded;
    /**
     * Whether the tags' and the release's reads start during this run's health gate: the gate
     * right before the release is tagged (the only one of a single Worker, the last of several).
     */
    #prefetchesPublish;
    constructor(s, release, uploaded, prefetchesPublish) {
        this.#s = s;
        this.#prefetchesPublish = prefetchesPublish;
        this.#uploaded = uploaded;
        this.#release = release;
        this.#target = { environment: s.config.production.environment };
        this.#uploads = { ids: [], tag: release.tag, message: `git:${release.sha}` };
        this.#cleanup = new CleanupDeadline(s.deps.clock, s.signal, cleanupBudget(s.context));
        this.#url = s.config.production.url;
    }
    async run() {
        try {
            // The record is opened first and not waited for: the anchor is read right before the
            // deploy, and a GitHub round-trip never sits between them.
            this.#record = startRecord(this.#s, this.#target.environment, this.#release, true);
            const stopped = await this.#takeAnchor();
            if (stopped) {
                await this.#mark("failure", "could not read production; not touched");
                return stopped;
            }
            const unproven = this.#s.config.production.strategy === "gradual" ? await this.#gradual() : await this.#direct();
            if (unproven)
                return await this.#recover(unproven);
            // The record and the tags are independent GitHub writes: side by side.
            const [, published] = await Promise.all([this.#mark("success", `${this.#release.tag} is healthy`), this.#publish()]);
            return published;
        }
        finally {
            this.#cleanup.dispose();
        }
    }
    /** Opens the Deployment record and records the anchor; resolves with the outcome that stops the run, if any. */
    async anchor() {
        this.#record = startRecord(this.#s, this.#target.environment, this.#release, true);
        const stopped = await this.#takeAnchor();
        if (stopped)
            await this.#mark("failure", "could not read production; not touched");
        return stopped;
    }
    /** The deploy (or the gradual steps) with the health gate; what is unproven, if anything. */
    deploy() {
        return this.#s.config.production.strategy === "gradual" ? this.#gradual() : this.#direct();
    }
    /** Acts on an unproven deploy of this Worker by the recovery rule. */
    recover(unproven) {
        return this.#recover(unproven);
    }
    /**
     * This Worker's deploy was healthy, but the release as a whole is not (a later Worker failed,
     * or the run was cancelled): the same recovery rule and restore executor put its anchor back.
     */
    async withdraw(why) {
        const s = this.#s;
        if (s.signal.aborted)
            return this.#recover({ cause: "cancelled", why });
        const reading = await readProduction(s.deps.deployer, this.#target, s.deps.clock, s.signal);
        return this.#recover({ cause: "gate-failed", why, reading });
    }
    /** Marks the Deployment record healthy; with `publish`, also the tags and the GitHub Release. */
    async succeed(publish) {
        const healthy = `${this.#release.tag} is live on ${this.#target.environment} and passed the health gate.`;
        const [, published] = await Promise.all([
            this.#mark("success", `${this.#release.tag} is healthy`),
            publish ? this.#publish() : Promise.resolve({ result: "released", message: healthy }),
        ]);
        return published;
    }
    /** The anchor was taken, but this Worker is not deployed: its Deployment record says why. */
    abandon(description) {
        return this.#mark("failure", description);
    }
    dispose() {
        this.#cleanup.dispose();
    }
    #learn(facts) {
        this.#s.learn(facts);
    }
    /** Records what production serves before it is touched. */
    async #takeAnchor() {
        const s = this.#s;
        try {
            await s.rec.stage("anchor", `Record what ${this.#target.environment} serves`, async () => {
                this.#anchor = await readAnchor(s.deps.deployer, this.#target, s.deps.clock, s.signal);
                this.#learn({ anchor: this.#anchor, previousVersionId: (0,core_allocation/* mainVersion */.Qt)(this.#anchor?.allocation) });
                const detail = this.#anchor ? (0,core_allocation/* describeAllocation */.q7)(this.#anchor.allocation) : "first deploy: nothing to roll back to";
                s.deps.logger.info(`Rollback anchor: ${detail}`);
                return { status: "passed", detail };
            });
            return undefined;
        }
        catch (error) {
            if (s.signal.aborted)
                return { result: "failed", message: "The run was cancelled before production was touched." };
            return {
                result: "failed",
                message: `Could not read what ${this.#target.environment} serves, so production was not touched: ${describeDeployError(error)}`,
            };
        }
    }
    /** `wrangler deploy` at 100%, then the health gate. */
    async #direct() {
        const s = this.#s;
        const failed = await this.#write(`Deploy ${this.#release.tag} to ${this.#target.environment}`, true, async () => {
            const outcome = await s.deps.deployer.deploy(this.#target, { release: this.#release, message: this.#uploads.message }, s.signal);
            this.#ours(outcome.versionId);
            this.#url = s.config.production.url ?? outcome.url;
            s.deps.logger.info(`${this.#target.environment} serves ${this.#release.tag}: version ${outcome.versionId}${this.#url ? ` at ${this.#url}` : ""}.`);
        });
        if (failed && !(await this.#wentLiveAnyway(failed)))
            return failed;
        // The tags' and the release's reads go on beside the gate; their writes wait for it to pass.
        const reads = this.#prefetchPublish();
        const unproven = await this.#gate("health", {}, [{ versionId: this.#s.facts.productionVersionId ?? "", percentage: 100 }]);
        // Not healthy: nothing will be published, and the reads do not keep the run waiting.
        if (unproven)
            reads.abort();
        return unproven;
    }
    /**
     * wrangler can exit 1 after the new version went live (a later step such as the workers.dev
     * trigger failed). When production reads back as this release's version at 100%, the deploy
     * did happen: the health gate decides, as for any deploy.
     */
    async #wentLiveAnyway(failed) {
        if (failed.cause !== "deploy-failed")
            return false;
        const live = liveOf(failed.reading);
        const ours = await this.#known([live]);
        const serving = (0,core_allocation/* soleVersion */.WG)(live?.allocation);
        if (!serving || !ours(serving))
            return false;
        this.#ours(serving);
        this.#s.rec.warn(`The production deploy reported a failure, but ${serving} of this release is live at 100%: the health gate decides. (${failed.why})`);
        return true;
    }
    /** `versions upload` (unless done during the approval wait), then each rollout step with its own health gate. */
    async #gradual() {
        const s = this.#s;
        let uploaded = this.#uploaded ?? "";
        if (uploaded)
            this.#uploads.ids.push(uploaded);
        const failed = uploaded
            ? undefined
            : await this.#write(`Upload ${this.#release.tag} to ${this.#target.environment}`, false, async () => {
                const up = await s.deps.deployer.upload(this.#target, { release: this.#release, message: this.#uploads.message }, s.signal);
                uploaded = up.versionId;
                this.#uploads.ids.push(uploaded);
                s.deps.logger.info(`Uploaded ${this.#release.tag} to ${this.#target.environment}: version ${uploaded}.`);
            });
        if (failed)
            return failed;
        const old = baselineVersion(this.#anchor?.allocation);
        for (const step of s.config.production.steps) {
            const allocation = stepAllocation(uploaded, old, step);
            const split = allocation.length > 1;
            const shifted = await this.#write(`Route ${(0,core_allocation/* describeAllocation */.q7)(allocation)}`, true, async () => {
                await s.deps.deployer.shift(this.#target, allocation, stepMessage(this.#release.tag, step), s.signal);
                this.#learn({ productionVersionId: uploaded });
            });
            if (shifted)
                return shifted;
            const pinned = split ? s.deps.deployer.pinHeaders(this.#target, uploaded) : {};
            const shiftedAt = s.deps.clock.now();
            const unhealthy = await this.#gate(split ? `health@${step}%` : "health", pinned, allocation);
            if (unhealthy)
                return unhealthy;
            const worse = split && old !== undefined
                ? await judgeStep(s, this.#target, { step, candidate: uploaded, baseline: old, from: shiftedAt })
                : undefined;
            if (worse)
                return worse;
        }
        return undefined;
    }
    /**
     * A write to production. A failure does not prove nothing changed (wrangler can exit 1 after
     * the version went live), so production is read back, except after a cancel: then the
     * restore goes first and the read-back comes after it.
     */
    async #write(label, changesTraffic, body) {
        const s = this.#s;
        if (s.signal.aborted)
            return { cause: "cancelled", why: "the run was cancelled during the production deploy" };
        if (changesTraffic && !this.#touched) {
            this.#touched = true;
            this.#learn({ productionTouched: true });
        }
        try {
            await s.rec.stage("production-deploy", label, body);
            return undefined;
        }
        catch (error) {
            if ((error instanceof errors/* DeployError */.sH || error instanceof errors/* CancelledError */.cc) && error.versionId)
                this.#uploads.ids.push(error.versionId);
            if ((0,errors/* isAbort */.rV)(error) || s.signal.aborted)
                return { cause: "cancelled", why: "the run was cancelled during the production deploy" };
            const reading = await readProduction(s.deps.deployer, this.#target, s.deps.clock, s.signal);
            return { cause: "deploy-failed", why: `production deploy failed: ${describeDeployError(error)}`, reading };
        }
    }
    /** The health gate, with production watched beside it so that a failure is acted on at once. */
    async #gate(gate, headers, expected) {
        const s = this.#s;
        const baseUrl = this.#url;
        this.#learn({ productionUrl: baseUrl });
        if (!baseUrl)
            return {
                cause: "gate-failed",
                why: "no production URL: wrangler reported none; set production-url so the health gate knows what to probe",
            };
        const refresh = Math.max(s.config.production.health.intervalMs, MIN_WATCH_REFRESH_MS);
        const watch = new ProductionWatch((signal) => s.deps.deployer.deployments(this.#target, signal), s.deps.clock, refresh).start();
        let report;
        try {
            const verdict = await s.rec.stage("health", `Health gate on ${this.#target.environment} (${gate})`, async () => {
                const done = s.rec.gate(await this.#runHealth(gate, baseUrl, headers));
                return { status: done.outcome === "passed" ? "passed" : "failed", detail: done.reason, report: done };
            });
            report = verdict.report;
        }
        finally {
            // A read still in flight is abandoned: the decision below never waits for it.
            watch.stop();
        }
        if (report.outcome === "cancelled")
            return { cause: "cancelled", why: "the run was cancelled during the health gate", reading: watch.current() };
        if (report.outcome === "failed")
            return { cause: "gate-failed", why: `health gate failed: ${report.reason ?? "unhealthy"}`, reading: watch.current() };
        return this.#stillOurs(expected);
    }
    #runHealth(gate, baseUrl, headers) {
        const s = this.#s;
        return runLoggedGate({
            gate,
            environment: this.#target.environment,
            baseUrl,
            versionId: s.facts.productionVersionId,
            settings: s.config.production.health,
            probe: s.deps.probe,
            clock: s.deps.clock,
            signal: s.signal,
            logger: s.deps.logger,
            headers,
            onMeasurement: (m) => s.rec.measurement(gate, m),
        });
    }
    /**
     * A gate measures whatever production serves. After it passed, production is read once
     * more: when someone else's version is live, the gate did not judge this release, and
     * nothing is tagged.
     */
    async #stillOurs(expected) {
        const s = this.#s;
        const reading = await readProduction(s.deps.deployer, this.#target, s.deps.clock, s.signal);
        if (s.signal.aborted)
            return { cause: "cancelled", why: "the run was cancelled after the health gate", reading };
        const live = liveOf(reading);
        if (live === undefined) {
            return {
                cause: "not-judged",
                why: `production could not be read after the health gate (${reading.error ?? "unknown"}), so it is not proven to serve ${this.#release.tag}`,
                reading,
            };
        }
        if (live && (0,core_allocation/* sameAllocation */.lA)(live.allocation, expected))
            return undefined;
        // Anything else was not judged: someone else's deploy, or a rollback by hand to the anchor.
        const known = live ? await this.#known([live]) : () => false;
        const theirs = live !== null && servesOther(live, (id) => known(id) || this.#inAnchor(id));
        return {
            cause: "not-judged",
            why: `${theirs ? "someone else's deploy went live during the health gate" : "production changed during the health gate"} (it serves ${(0,core_allocation/* describeAllocation */.q7)(live?.allocation)}, not ${(0,core_allocation/* describeAllocation */.q7)(expected)}), so the gate did not judge ${this.#release.tag}`,
            reading,
        };
    }
    /** Production is not proven healthy: decide by the recovery rule, and act. */
    async #recover(unproven) {
        const s = this.#s;
        // Said once, in the log (the gate's own failure is the warning; the result's message says it in the summary).
        s.deps.logger.info(`${this.#release.tag} is not proven healthy on ${this.#target.environment}: ${unproven.why}. Deciding how to recover…`);
        if (!this.#touched)
            return this.#stop(unproven, { kind: "unchanged", serving: this.#anchor }, this.#anchor);
        // Nothing is read first: the watch's last reading (if any) decides, and the restore of the
        // known anchor goes at once. A deploy someone makes meanwhile is caught after the restore.
        const reading = unproven.reading;
        const live = liveOf(reading);
        const since = reading?.history ? sinceAnchor(reading.history, this.#anchor) : [];
        const ours = unproven.cause === "cancelled" ? oursBy(this.#uploads) : await this.#known([live, ...since]);
        const action = decideRecovery({
            cause: unproven.cause,
            policy: s.config.production.rollback,
            anchor: this.#anchor,
            live,
            ...(reading?.history ? { history: reading.history } : {}),
            ours,
        });
        if (action.kind === "restore")
            return this.#restore(unproven, action.to, action.verify, ours);
        return this.#stop(unproven, action, live);
    }
    /** Every recovery action but a restore: production is left as it is, and the outcome says why. */
    async #stop(unproven, action, live) {
        const why = capitalise(unproven.why);
        const serving = live === undefined ? "unknown" : (0,core_allocation/* describeAllocation */.q7)(live?.allocation);
        switch (action.kind) {
            case "unchanged":
                await this.#mark("failure", "deploy failed; production unchanged");
                return {
                    result: "failed",
                    message: `${why}. Production was not changed: it still serves ${(0,core_allocation/* describeAllocation */.q7)(action.serving?.allocation)}.`,
                };
            case "leave":
                await this.#mark("failure", "unhealthy; rollback: off");
                return {
                    result: "failed",
                    message: `${why}. rollback: off, so production was left as it is: ${serving}.`,
                    ...this.#manualAnchor("restore-anchor"),
                };
            case "first-deploy":
                await this.#mark("failure", "unhealthy first deploy");
                return {
                    result: "rollback-failed",
                    message: `${why}. This was the first deploy of ${this.#target.environment}: there is no earlier version to roll back to, and production serves ${serving}.`,
                    manualCommand: `npx wrangler deployments status --env ${this.#target.environment}`,
                    manualCommandPurpose: "inspect",
                };
            case "someone-else": {
                await this.#mark("failure", "someone else deployed; not rolled back");
                const theirs = (0,core_allocation/* describeAllocation */.q7)(action.theirs.allocation);
                const id = action.theirs.deploymentId ? ` (deployment ${action.theirs.deploymentId})` : "";
                const when = action.when === "live" ? "while this run was deploying" : "between the rollback anchor and this run's deploy, which replaced it";
                return {
                    result: "rollback-failed",
                    message: `${why}. Someone else deployed ${theirs}${id} ${when}; production now serves ${serving}, ` +
                        `and the anchor was ${(0,core_allocation/* describeAllocation */.q7)(this.#anchor?.allocation)}. ` +
                        "shipline did not roll back over their work: decide by hand what production should serve.",
                    // What production served right before this run's deploy: theirs, not the anchor.
                    ...(action.when === "live"
                        ? this.#manualAnchor("restore-anchor")
                        : {
                            manualCommand: this.#s.deps.deployer.manualRestoreCommand(this.#target, action.theirs.allocation, `restore after ${this.#release.tag}`),
                            manualCommandPurpose: "restore-theirs",
                        }),
                };
            }
        }
    }
    /** Restores the anchor through the one restore executor, and says how it went. */
    async #restore(unproven, to, verify, ours) {
        const s = this.#s;
        const from = s.facts.productionVersionId ?? this.#uploads.ids[0];
        const result = await runRestore(s, {
            target: this.#target,
            to,
            message: rollbackMessage(from, `${this.#release.tag} ${unproven.cause}`),
            verify,
            ...(this.#url ? { baseUrl: this.#url } : {}),
            health: s.config.production.health,
            known: (id) => ours(id) || to.some((share) => share.versionId === id),
            recognise: (states) => this.#known(states),
            record: async () => {
                const back = await this.#restoredRelease(to);
                return { ...back, description: `${back.tag} restored after ${this.#release.tag} was rolled back` };
            },
        }, this.#cleanup);
        return this.#restoreOutcome(unproven, to, result);
    }
    async #restoreOutcome(unproven, to, result) {
        const why = capitalise(unproven.why);
        const restored = (0,core_allocation/* describeAllocation */.q7)(to);
        if (!result.restored) {
            await this.#mark("failure", "rollback failed");
            return {
                result: "rollback-failed",
                message: `${why}. The rollback did not take effect: ${result.why ?? "unknown"}`,
                ...this.#manualAnchor("retry-rollback"),
            };
        }
        this.#learn({ rollbackVersionId: (0,core_allocation/* mainVersion */.Qt)(to) });
        await this.#mark("failure", `rolled back: ${unproven.why}`);
        if (!result.gate) {
            return {
                result: "rolled-back",
                message: `${why}. Production was restored to ${restored} and read back` +
                    `${this.#cleanup.cancelled ? " (no health gate: a cancelled run must exit within seconds)" : ""}.`,
            };
        }
        if (result.gate.outcome === "passed")
            return {
                result: "rolled-back",
                message: `${why}. Production was rolled back to ${restored}, read back, and the restored version passed its own health gate.`,
            };
        if (result.gate.outcome === "cancelled")
            return {
                result: "rolled-back",
                message: `${why}. Production was rolled back to ${restored} and read back; its health gate was cancelled before it passed.`,
            };
        return this.#restoredUnhealthy(why, to, result);
    }
    /** The restored version failed its gate too: name earlier versions not known to be bad, never a known-bad one. */
    async #restoredUnhealthy(why, to, result) {
        const s = this.#s;
        const reading = await readProduction(s.deps.deployer, this.#target, s.deps.clock, s.signal);
        const advice = candidatesAdvice(reading.history ?? [], [...this.#uploads.ids, ...to.map((share) => share.versionId)]);
        const text = reading.history
            ? advice.text
            : `Production's history could not be read (${reading.error ?? "unknown"}) to name earlier versions.`;
        return {
            result: "rollback-failed",
            message: `${why}. Production was rolled back to ${(0,core_allocation/* describeAllocation */.q7)(to)}, ` +
                `but the restored version failed the health gate too: ${result.why ?? "unhealthy"}. ${text}`,
            manualCommandPurpose: "earlier-version",
            ...(advice.first
                ? {
                    manualCommand: s.deps.deployer.manualRestoreCommand(this.#target, [{ versionId: advice.first, percentage: 100 }], `restore after ${this.#release.tag}`),
                }
                : {}),
        };
    }
    /**
     * The record of the restored version points at the commit it was built from (its version
     * message `git:<sha>`), so the Environments page shows that commit as active.
     */
    async #restoredRelease(to) {
        const s = this.#s;
        const id = (0,core_allocation/* mainVersion */.Qt)(to);
        if (this.#cleanup.cancelled)
            return { sha: this.#release.sha, tag: id ?? this.#release.tag };
        try {
            const version = (await s.deps.deployer.versions(this.#target, s.signal)).find((v) => v.versionId === id);
            const sha = /^git:([0-9a-f]{7,40})$/i.exec(version?.message ?? "")?.[1];
            return { sha: sha ?? this.#release.sha, tag: version?.tag ?? id ?? this.#release.tag };
        }
        catch {
            return { sha: this.#release.sha, tag: id ?? this.#release.tag };
        }
    }
    /** Tags and the GitHub Release, only after production is healthy. */
    async #publish() {
        const s = this.#s;
        const publisher = s.deps.publisher;
        const healthy = `${this.#release.tag} is live on ${this.#target.environment} and passed the health gate.`;
        if (!publisher) {
            this.#learn({ releaseTag: this.#release.finalTag });
            return { result: "released", message: healthy };
        }
        const request = this.#publishRequest();
        try {
            const published = await s.rec.stage("release", "Tags and GitHub Release", async () => {
                // Each publisher prints its actions as it takes them; they are not printed again here.
                const result = await publisher.publish(request, s.signal);
                return { status: "passed", detail: result.actions.join("; "), result };
            });
            this.#learn({ releaseTag: published.result.releaseTag });
            return { result: "released", message: healthy };
        }
        catch (error) {
            s.rec.warn(`Production is healthy, but tagging or the GitHub Release failed: ${(0,errors/* errorMessage */.gJ)(error)}`);
            return { result: "released", message: `${healthy} Tagging failed: ${(0,errors/* errorMessage */.gJ)(error)}` };
        }
    }
    /** Starts the publisher's reads (when this run's gate is the last before tagging); abort them when the gate fails. */
    #prefetchPublish() {
        const reads = new AbortController();
        const publisher = this.#s.deps.publisher;
        if (!this.#prefetchesPublish || !publisher?.prefetch)
            return reads;
        try {
            publisher.prefetch(this.#publishRequest(), AbortSignal.any([this.#s.signal, reads.signal]));
        }
        catch (error) {
            // Only a head start: `publish` reads for itself.
            this.#s.deps.logger.debug(`The tags were not read ahead: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
        return reads;
    }
    #publishRequest() {
        const s = this.#s;
        return {
            release: this.#release,
            productionVersionId: s.facts.productionVersionId ?? "",
            ...(this.#url ? { productionUrl: this.#url } : {}),
            promotePrerelease: s.config.release.promotePrerelease,
            floatingTags: s.config.release.floatingTags,
            createRelease: s.config.release.createRelease,
        };
    }
    /** Marks a version as this run's; it becomes `production-version-id`. */
    #ours(versionId) {
        if (!this.#uploads.ids.includes(versionId))
            this.#uploads.ids.push(versionId);
        this.#learn({ productionVersionId: versionId });
    }
    #inAnchor(versionId) {
        return this.#anchor?.allocation.some((share) => share.versionId === versionId) ?? false;
    }
    /**
     * Recognises this run's versions in `states`. A version neither reported to this run nor in
     * the anchor is looked up once by its annotations (tag and `git:<sha>`): a deploy that failed
     * before reporting its id is still ours.
     */
    async #known(states) {
        const s = this.#s;
        const byId = oursBy(this.#uploads);
        if (unrecognised(states, (id) => byId(id) || this.#inAnchor(id)).length === 0)
            return byId;
        try {
            return oursBy(this.#uploads, await s.deps.deployer.versions(this.#target, s.signal));
        }
        catch (error) {
            s.rec.warn(`Could not list versions to recognise this release's own: ${(0,errors/* errorMessage */.gJ)(error)}`);
            return byId;
        }
    }
    #manualAnchor(purpose) {
        if (!this.#anchor)
            return {};
        return {
            manualCommandPurpose: purpose,
            manualCommand: this.#s.deps.deployer.manualRestoreCommand(this.#target, this.#anchor.allocation, `restore after ${this.#release.tag}`),
        };
    }
    /** Updates this release's production Deployment record, always with the environment URL. */
    async #mark(state, description) {
        await updateRecord(this.#s, await this.#record, state, {
            ...(this.#url ? { environmentUrl: this.#url } : {}),
            description: description.slice(0, 140),
        });
    }
}
function capitalise(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
/** The version a gradual rollout splits against: the anchor's only one, else its main one. */
function baselineVersion(anchor) {
    return (0,core_allocation/* soleVersion */.WG)(anchor) ?? (0,core_allocation/* mainVersion */.Qt)(anchor);
}
/** The traffic split of a gradual step: the new version at `step` %, the baseline at the rest. */
function stepAllocation(uploaded, baseline, step) {
    return step < 100 && baseline !== undefined
        ? [
            { versionId: uploaded, percentage: step },
            { versionId: baseline, percentage: 100 - step },
        ]
        : [{ versionId: uploaded, percentage: 100 }];
}
/** The deployment message of a gradual step. */
function stepMessage(tag, step) {
    return `shipline ${tag} at ${step}%`;
}
//# sourceMappingURL=production.js.map
;// CONCATENATED MODULE: ./lib/core/ports.js
/**
 * Why an approval wait was interrupted. The engine aborts the approval's signal with one of
 * these as `reason`, so the approval can close its issue with the right words.
 */
class ApprovalInterrupt extends Error {
    kind;
    constructor(kind, message) {
        super(message);
        this.kind = kind;
        this.name = "ApprovalInterrupt";
    }
}
//# sourceMappingURL=ports.js.map
;// CONCATENATED MODULE: ./lib/core/staging.js




/** Staging deploy and smoke gate. Resolves with the outcome that stops the run, if any. */
async function stagingFlow(s, release) {
    const target = { environment: s.config.staging.environment };
    const record = await startRecord(s, target.environment, release, false);
    let deployed;
    try {
        deployed = await s.rec.stage("staging-deploy", `Deploy ${release.tag} to ${target.environment}`, () => s.deps.deployer.deploy(target, { release, message: `git:${release.sha}` }, s.signal));
    }
    catch (error) {
        await updateRecord(s, record, "failure", { description: "staging deploy failed" });
        return { result: "failed", message: `Staging deploy failed: ${describeDeployError(error)}` };
    }
    s.learn({ stagingVersionId: deployed.versionId, stagingUrl: s.config.staging.url ?? deployed.url });
    const at = s.facts.stagingUrl ? ` at ${s.facts.stagingUrl}` : "";
    s.deps.logger.info(`${target.environment} serves ${release.tag}: version ${deployed.versionId}${at}.`);
    if (!s.facts.stagingUrl) {
        await updateRecord(s, record, "failure", { description: "no staging URL" });
        return {
            result: "failed",
            message: `wrangler reported no URL for ${target.environment} (no workers.dev route); set staging-url so the smoke gate knows what to probe.`,
        };
    }
    const smoke = await smokeStage(s, release, s.facts.stagingUrl);
    await updateRecord(s, record, smoke ? "failure" : "success", {
        environmentUrl: s.facts.stagingUrl,
        description: smoke ? "smoke gate failed" : `${release.tag} passed the smoke gate`,
    });
    return smoke;
}
/** The smoke command (with the SHIPLINE_* variables), then the smoke checks. */
async function smokeStage(s, release, baseUrl) {
    const environment = s.config.staging.environment;
    const verdict = await s.rec.stage("smoke", `Smoke gate on ${environment}`, async () => {
        const failed = await runSmokeCommand(s, release, baseUrl);
        if (failed)
            return { status: "failed", detail: failed, why: `Smoke gate failed: ${failed}` };
        const report = s.rec.gate(await runLoggedGate({
            gate: "smoke",
            environment,
            baseUrl,
            versionId: s.facts.stagingVersionId,
            settings: s.config.staging.smoke,
            probe: s.deps.probe,
            clock: s.deps.clock,
            signal: s.signal,
            logger: s.deps.logger,
            onMeasurement: (m) => s.rec.measurement("smoke", m),
        }));
        if (report.outcome === "passed")
            return { status: "passed", why: undefined };
        const reason = report.outcome === "cancelled" ? "cancelled" : (report.reason ?? "failed");
        return { status: "failed", detail: reason, why: `Smoke gate failed on ${environment}: ${reason}` };
    });
    if (!verdict.why)
        return undefined;
    return { result: "failed", message: `${verdict.why.replace(/\.$/, "")}. Production was not touched.` };
}
/** Runs `smoke-command` when there is one; resolves with why it failed, if it did. */
async function runSmokeCommand(s, release, baseUrl) {
    const command = s.config.staging.smokeCommand;
    if (!command)
        return undefined;
    if (!s.deps.commands)
        throw new Error("smoke-command is set but no command runner was provided");
    s.deps.logger.info(`$ ${command}`);
    const env = {
        ...s.context.env,
        SHIPLINE_URL: baseUrl,
        SHIPLINE_VERSION: release.version,
        SHIPLINE_ENVIRONMENT: s.config.staging.environment,
        SHIPLINE_VERSION_ID: s.facts.stagingVersionId ?? "",
    };
    const ran = await s.deps.commands.run(command, { cwd: s.config.workingDirectory, env, signal: s.signal });
    if (ran.exitCode === 0)
        return undefined;
    return `smoke-command exited with ${ran.exitCode}: ${ran.output.trimEnd().split("\n").slice(-5).join("\n")}`;
}
/**
 * The approval between staging and production. Resolves with the outcome that stops the run, if
 * any. `liveOnApproval`: production changes at once when approved (see `ApprovalRequest`).
 */
async function approvalFlow(s, release, liveOnApproval = false) {
    const mode = s.config.approval.mode;
    if (mode === "none" || mode === "environment") {
        if (mode === "environment") {
            s.rec.warn("approval: environment with stages: all does not wait: split the workflow into a staging job and a production job gated by the Environment (stages: staging / stages: production).");
        }
        s.rec.skip("approval", "Approval", mode === "environment" ? "gated by the GitHub Environment of the production job" : "approval: none");
        return undefined;
    }
    const approval = s.deps.approval;
    if (!approval)
        throw new Error(`approval: ${mode} needs an approval provider`);
    const decision = await s.rec.stage("approval", `Approval (${approval.mode})`, async () => {
        const record = await waitWithStagingWatch(s, release, approval, liveOnApproval);
        s.learn({ approval: record });
        const status = record.status === "approved" ? "passed" : record.status === "cancelled" ? "cancelled" : "failed";
        return { status: status, detail: record.status, record };
    });
    const record = decision.record;
    if (record.status === "approved")
        return undefined;
    if (record.status === "cancelled")
        return { result: "failed", message: "The run was cancelled during the approval wait; production was not touched." };
    // The reason already says who decided ("Denied by @alice"): it is the sentence, not a suffix to "Approval denied".
    const why = record.reason ? record.reason.charAt(0).toUpperCase() + record.reason.slice(1) : `Approval ${record.status}`;
    return { result: "rejected", message: `${why}. ${release.tag} was not released; production was not touched.` };
}
/**
 * Waits for the approval while the staging checks keep running; a staging failure during
 * the wait interrupts the approval, which closes its request as denied.
 */
async function waitWithStagingWatch(s, release, approval, liveOnApproval) {
    const interrupt = new AbortController();
    const stopWatch = new AbortController();
    const onCancel = () => interrupt.abort(new ApprovalInterrupt("cancelled", "the run was cancelled"));
    if (s.signal.aborted)
        onCancel();
    s.signal.addEventListener("abort", onCancel, { once: true });
    const watch = watchStaging(s, stopWatch.signal).then((report) => {
        if (report.outcome === "failed") {
            interrupt.abort(new ApprovalInterrupt("staging-failed", `staging failed during the approval wait: ${report.reason ?? "gate failed"}`));
        }
        return report;
    });
    try {
        const smoke = s.rec.gates.find((g) => g.gate === "smoke");
        const production = await productionNow(s);
        const { facts, context } = s;
        return await approval.request({
            release,
            stagingUrl: facts.stagingUrl,
            stagingVersionId: facts.stagingVersionId,
            smoke,
            runUrl: context.runUrl,
            actor: context.actor,
            ...(production ? { production } : {}),
            ...(liveOnApproval ? { liveOnApproval } : {}),
        }, interrupt.signal);
    }
    finally {
        s.signal.removeEventListener("abort", onCancel);
        stopWatch.abort();
        const report = await watch;
        if (report.measurements.length > 0)
            s.rec.gate(report);
    }
}
/**
 * What production served when the run started, with its release tag (one versions read, best
 * effort: the approval request is worth more than the tag, so a failure only leaves it out).
 */
async function productionNow(s) {
    const versionId = (0,core_allocation/* soleVersion */.WG)(s.facts.productionAtStart?.allocation) ?? (0,core_allocation/* mainVersion */.Qt)(s.facts.productionAtStart?.allocation);
    if (!versionId)
        return undefined;
    try {
        const versions = await s.deps.deployer.versions({ environment: s.config.production.environment }, s.signal);
        const tag = versions.find((v) => v.versionId === versionId)?.tag;
        return tag ? { versionId, tag } : { versionId };
    }
    catch {
        return { versionId };
    }
}
function watchStaging(s, signal) {
    return watchLoggedGate({
        gate: "staging-watch",
        environment: s.config.staging.environment,
        baseUrl: s.facts.stagingUrl ?? "",
        versionId: s.facts.stagingVersionId,
        settings: s.config.staging.smoke,
        probe: s.deps.probe,
        clock: s.deps.clock,
        signal,
        logger: s.deps.logger,
    });
}
//# sourceMappingURL=staging.js.map
;// CONCATENATED MODULE: ./lib/core/live-on-approval.js
/**
 * Approval → live in one call (`gradual` with a waiting approval): the production version is
 * uploaded while the approval waits. A `versions upload` serves no traffic, so nothing about
 * production changes until the approval lands; then the first traffic shift is the one
 * production write left. The anchor is still read after the approval, right before that shift
 * (production.ts), never during the wait.
 *
 * The decision of what to do with the upload once the wait ends is pure (`afterWait`); the
 * flow below carries it out.
 */



/** Whether a run uploads its production version during the approval wait. */
function uploadsDuringApproval(config) {
    const waits = config.approval.mode === "issue" || config.approval.mode === "prompt";
    return config.stages === "all" && config.production.strategy === "gradual" && waits;
}
/** The pure rule: how the wait ended (approved or not) and where the upload stands → what to do. */
function afterWait(approved, upload) {
    if (upload.state === "in-flight")
        return approved ? { kind: "await-upload" } : { kind: "stop-upload" };
    if (upload.state === "uploaded")
        return approved ? { kind: "shift", versionId: upload.versionId } : { kind: "unused", versionId: upload.versionId };
    if (approved)
        return { kind: "upload-again", why: upload.why };
    return upload.versionId ? { kind: "unused", versionId: upload.versionId } : { kind: "nothing" };
}
/**
 * The approval, with `gradual`'s upload made during its wait when the run has one. Never moves
 * production: on approval it hands the uploaded version on; otherwise the version stays unused
 * and the outcome says so. Resolves only once the upload has settled (no wrangler outlives it).
 */
async function approvalThenLive(s, release) {
    if (!uploadsDuringApproval(s.config) || !s.deps.approval) {
        const stop = await approvalFlow(s, release);
        return stop ? { stop } : {};
    }
    const hint = new AbortController();
    const upload = new UploadDuringWait(s, release, hint.signal);
    let stop;
    try {
        stop = await approvalFlow(s, release, true);
    }
    catch (error) {
        hint.abort();
        upload.stop();
        await upload.settled;
        throw error;
    }
    if (stop)
        hint.abort();
    let next = afterWait(stop === undefined, upload.current);
    const stopped = next.kind === "stop-upload";
    if (stopped)
        upload.stop();
    if (next.kind === "await-upload" || stopped)
        next = afterWait(stop === undefined, await upload.settled);
    return stop ? { stop: withUnused(s, stop, next, stopped) } : { ...approved(s, next), dropHint: () => hint.abort() };
}
function approved(s, next) {
    if (next.kind === "shift") {
        s.deps.logger.info(`Approved: version ${next.versionId}, uploaded during the wait, goes live with its first traffic shift (nothing left to upload).`);
        return { uploaded: next.versionId };
    }
    // A cancel while the approved release's upload was finishing: the production flow stops before any write.
    if (next.kind === "upload-again" && !s.signal.aborted) {
        s.rec.warn(`The upload during the approval wait failed (${next.why}); it is tried once more now that the release is approved.`);
    }
    return {};
}
/** The stopping outcome, with a word on the version uploaded (or being uploaded) during the wait. */
function withUnused(s, stop, next, stopped) {
    const environment = s.config.production.environment;
    let note;
    if (next.kind === "unused") {
        note = `Version ${next.versionId}, uploaded to ${environment} during the wait, was never deployed: it serves no traffic and stays unused.`;
    }
    else if (stopped) {
        note = `The upload to ${environment} begun during the wait was stopped before it finished; it serves no traffic.`;
    }
    if (!note)
        return stop;
    s.deps.logger.info(note);
    return { ...stop, message: `${stop.message} ${note}` };
}
/**
 * Tells the deployer which shift the approval will most likely let through: the first step
 * against what production served when the run began (read before staging). After the approval
 * the anchor is read afresh; a different anchor makes a different shift, and the deployer
 * starts that one from scratch. Only a hint: nothing reaches production before the shift.
 */
function anticipateFirstStep(s, target, release, versionId, signal) {
    const step = s.config.production.steps[0];
    const served = s.facts.productionAtStart;
    if (step === undefined || !served || !s.deps.deployer.anticipateShift)
        return;
    const allocation = stepAllocation(versionId, baselineVersion(served.allocation), step);
    s.deps.deployer.anticipateShift(target, allocation, stepMessage(release.tag, step), signal).catch((error) => {
        s.deps.logger.debug(`The first traffic shift was not started ahead: ${(0,errors/* errorMessage */.gJ)(error)}`);
    });
}
/** The production upload, started when the approval wait starts; its outcome is kept, never thrown. */
class UploadDuringWait {
    settled;
    #current = { state: "in-flight" };
    #stop = new AbortController();
    constructor(s, release, hint) {
        const target = { environment: s.config.production.environment };
        const signal = AbortSignal.any([s.signal, this.#stop.signal]);
        const startedAt = s.deps.clock.now();
        const label = `Upload ${release.tag} to ${target.environment} during the approval wait`;
        s.deps.logger.info(`Uploading ${release.tag} to ${target.environment} while the approval waits (a version upload serves no traffic).`);
        this.settled = s.deps.deployer.upload(target, { release, message: `git:${release.sha}` }, signal).then((up) => {
            s.deps.logger.info(`Uploaded ${release.tag} to ${target.environment}: version ${up.versionId}; it serves no traffic until approved.`);
            s.rec.record("production-deploy", label, "passed", startedAt, `version ${up.versionId}, no traffic`);
            this.#current = { state: "uploaded", versionId: up.versionId };
            anticipateFirstStep(s, target, release, up.versionId, AbortSignal.any([s.signal, hint]));
            return this.#current;
        }, (error) => {
            const why = this.#stop.signal.aborted
                ? "stopped: the release was not approved"
                : s.signal.aborted
                    ? "cancelled"
                    : (0,errors/* errorMessage */.gJ)(error);
            const versionId = error?.versionId;
            s.rec.record("production-deploy", label, signal.aborted ? "cancelled" : "failed", startedAt, why);
            if (!signal.aborted)
                s.deps.logger.info(`The upload during the approval wait failed: ${why}`);
            return (this.#current = { state: "failed", why, ...(typeof versionId === "string" ? { versionId } : {}) });
        });
    }
    get current() {
        return this.#current;
    }
    /** Stops an upload still running (its wrangler is ended; `settled` resolves once it has exited). */
    stop() {
        this.#stop.abort(new Error("the release was not approved"));
    }
}
//# sourceMappingURL=live-on-approval.js.map
;// CONCATENATED MODULE: ./lib/core/pipeline.js











/**
 * Runs one release (or the `stages` part of it): resolve → staging → smoke → approval →
 * anchor → production → health → tags, or rollback when production gets worse.
 * Never throws for an expected failure: the result says what happened.
 */
function runPipeline(config, deps, signal, context = {}) {
    return runScoped(config, deps, signal, context, async (s) => {
        try {
            return await releaseFlow(s);
        }
        finally {
            // An approval that handed its decision on before closing its request (approval → live) finishes here.
            await deps.approval?.settled?.();
        }
    });
}
async function releaseFlow(s) {
    const release = await s.rec
        .stage("resolve", "Resolve version", async () => {
        const resolved = await resolveRelease(s);
        s.learn({ release: resolved });
        s.deps.logger.info(`Releasing ${resolved.tag} (${resolved.version}) from ${resolved.source} at ${resolved.sha}`);
        await prepareApproval(s);
        return resolved;
    })
        .catch((error) => (error instanceof Error ? error : new Error((0,errors/* errorMessage */.gJ)(error))));
    if (release instanceof Error)
        return { result: "failed", message: release.message };
    // Before anything is deployed: every target Worker has the secrets it must have.
    const secrets = await requiredSecretsFlow(s);
    if (secrets)
        return secrets;
    // Production is read at once, beside everything else: it proves the credentials and account
    // reach Cloudflare long before production is touched (the anchor is read again right before).
    const reachable = s.config.stages === "staging" ? Promise.resolve(undefined) : checkProductionReadable(s);
    // Permissions (Deployment records, tags) and tag conflicts are known before anything is
    // deployed: a token that cannot write them stops the run with nothing deployed. The checks run
    // beside production's read, so the first deploy waits one GitHub round trip at most.
    const preflight = preflightChecks(s, release).then(async (blocked) => blocked ?? (await reachable));
    const blocked = await preflight;
    if (blocked)
        return blocked;
    let uploaded;
    let dropHint;
    if (s.config.stages === "production") {
        s.rec.skip("staging-deploy", "Staging", "passed in an earlier job (stages: production)");
    }
    else {
        const staging = await stagingFlow(s, release);
        if (staging)
            return staging;
        if (s.config.stages === "staging") {
            return { result: "released", message: `${release.tag} passed staging; production runs in a later job with stages: production.` };
        }
        // With `gradual`, the production version is uploaded during the wait (it serves no traffic).
        const approval = await approvalThenLive(s, release);
        if (approval.stop)
            return approval.stop;
        uploaded = approval.uploaded;
        dropHint = approval.dropHint;
    }
    try {
        const before = await beforeProductionFlow(s, release);
        if (before)
            return before;
        return afterProductionFlow(s, release, await productionFlow(s, release, uploaded));
    }
    finally {
        dropHint?.();
    }
}
/**
 * Reads production's deployments once. A failure that will not pass (credentials, account,
 * permissions) stops the run before production; a passing one is left to the anchor's read.
 */
async function checkProductionReadable(s) {
    const target = { environment: s.config.production.environment };
    try {
        const history = await s.deps.deployer.deployments(target, s.signal);
        const live = history[0];
        s.learn({ productionAtStart: live ?? null });
        s.deps.logger.info(`${target.environment} serves ${live ? (0,core_allocation/* describeAllocation */.q7)(live.allocation) : "nothing yet (first deploy)"}.`);
        return undefined;
    }
    catch (error) {
        if (isTransient(error) || s.signal.aborted)
            return undefined;
        return {
            result: "failed",
            message: `Could not read what ${target.environment} serves, so production was not touched: ${describeDeployError(error)}`,
        };
    }
}
async function resolveRelease(s) {
    const { explicit, ref, bump, tagPrefix, sha } = s.config.version;
    const needsTags = !explicit && !ref?.startsWith("refs/tags/") && bump !== undefined;
    const existingTags = needsTags && s.deps.publisher ? await s.deps.publisher.listTags(s.signal) : undefined;
    return (0,core_version/* resolveVersion */.x)({ explicit, ref, bump, tagPrefix, sha, existingTags });
}
/** Checks that the approval can work (e.g. its teams can be read), before anything is deployed. */
async function prepareApproval(s) {
    const { config, deps } = s;
    const needsApproval = config.stages === "all" && (config.approval.mode === "issue" || config.approval.mode === "prompt");
    if (!needsApproval)
        return;
    if (!deps.approval)
        throw new errors/* ConfigError */.xL("approval", `approval: ${config.approval.mode} needs an approval provider.`);
    await deps.approval.prepare?.(s.signal);
}
/**
 * What must hold before production is touched: Deployment records can be written, and the
 * release's tags are free or already right. Resolves with the outcome that stops the run.
 */
async function preflightChecks(s, release) {
    const startedAt = s.deps.clock.now();
    try {
        await Promise.all([
            s.deps.recorder?.prepare?.(s.signal),
            s.config.stages !== "staging" ? s.deps.publisher?.prepare?.(s.signal, release) : undefined,
            analysisPreflight(s),
        ]);
        return undefined;
    }
    catch (error) {
        const detail = (0,errors/* errorMessage */.gJ)(error);
        s.rec.record("preflight", "Check permissions and tags", "failed", startedAt, detail);
        return { result: "failed", message: `${detail} Nothing was deployed: production was not touched.` };
    }
}
//# sourceMappingURL=pipeline.js.map
;// CONCATENATED MODULE: ./lib/core/multi.js
/**
 * A release of several Workers (config key `workers`, SPEC section 7), orchestrated over the
 * same per-Worker steps a single-Worker release takes: every staging deploy and smoke gate,
 * one approval, every production anchor before the first production write, then each
 * production deploy with its health gate, in order. When one is not proven healthy (a failed
 * gate, a failed deploy, a cancel), it recovers by the recovery rule, and every Worker already
 * deployed is restored after it, in reverse order, by the same restore executor: read back
 * and proven healthy again (read back only, after a cancel).
 */







/**
 * Runs one release of several Workers. `workers[0]` is the primary: its facts fill the
 * single-Worker fields of the result; every Worker's are in `result.workers`. `deps` holds
 * what they share (probes, clock, approval, records, tags); each Worker brings its deployer.
 */
async function runMultiPipeline(workers, deps, signal, context = {}) {
    return runForWorkers(workers, deps, signal, context, multi_releaseFlow);
}
/**
 * Runs `flow` over several Workers in one run scope: the primary's (`workers[0]`) config and
 * deployer make the scope; each Worker gets a state of its own, reported in `result.workers`.
 */
async function runForWorkers(workers, deps, signal, context, flow) {
    const first = workers[0];
    if (!first)
        throw new Error("a run of several Workers needs at least one Worker");
    const states = [];
    const result = await runScoped(first.config, { ...deps, deployer: first.deps.deployer }, signal, context, (top) => {
        states.push(...workers.map((unit, index) => workerState(top, unit, index === 0)));
        return flow(top, states);
    });
    return { ...result, workers: states.map(workerResult) };
}
function workerState(top, unit, primary) {
    const facts = { approval: top.facts.approval };
    const scope = {
        config: unit.config,
        deps: {
            ...top.deps,
            deployer: unit.deps.deployer,
            ...(unit.deps.commands ? { commands: unit.deps.commands } : {}),
            ...(top.deps.recorder ? { recorder: namedRecorder(top.deps.recorder, unit.name) } : {}),
        },
        context: top.context,
        signal: top.signal,
        rec: new WorkerRecorder(top.rec, unit.name, top.deps.clock, top.deps.logger),
        facts,
        learn(found) {
            Object.assign(facts, found);
            // The primary's facts are the run's own (the single-Worker outputs, the cancel's last word).
            if (primary)
                top.learn(found);
        },
    };
    return { unit, scope };
}
async function multi_releaseFlow(top, workers) {
    const release = await top.rec
        .stage("resolve", "Resolve version", async () => {
        const resolved = await resolveRelease(top);
        for (const w of workers)
            w.scope.learn({ release: resolved });
        top.learn({ release: resolved });
        top.deps.logger.info(`Releasing ${resolved.tag} (${resolved.version}) from ${resolved.source} at ${resolved.sha} to ${workers.length} Workers, in this order: ${names(workers)}`);
        await prepareApproval(top);
        return resolved;
    })
        .catch((error) => (error instanceof Error ? error : new Error((0,errors/* errorMessage */.gJ)(error))));
    if (release instanceof Error)
        return { result: "failed", message: release.message };
    for (const w of workers) {
        const stopped = await requiredSecretsFlow(w.scope);
        if (stopped)
            return stop(w, stopped);
    }
    const reads = top.config.stages === "staging"
        ? []
        : workers.map((w) => checkProductionReadable(w.scope).then((stopped) => (stopped ? stop(w, stopped) : undefined)));
    const blocked = (await preflightChecks(top, release)) ?? (await Promise.all(reads)).find((o) => o !== undefined);
    if (blocked)
        return blocked;
    if (top.config.stages === "production") {
        top.rec.skip("staging-deploy", "Staging", "passed in an earlier job (stages: production)");
    }
    else {
        for (const w of workers) {
            const stopped = await stagingFlow(w.scope, release);
            if (stopped)
                return stop(w, stopped);
        }
        if (top.config.stages === "staging") {
            return {
                result: "released",
                message: `${release.tag} passed staging on ${names(workers)}; production runs in a later job with stages: production.`,
            };
        }
        // One approval for the whole release (its staging watch follows the first Worker).
        const approval = await approvalFlow(workers[0].scope, release);
        if (approval)
            return approval;
    }
    for (const w of workers) {
        const stopped = await beforeProductionFlow(w.scope, release);
        if (stopped)
            return stop(w, stopped);
    }
    const outcome = await productionPhase(top, workers, release);
    for (const w of workers)
        await afterProductionFlow(w.scope, release, outcome);
    return outcome;
}
/** Anchors, then each Worker's production deploy and health gate in order; a failure restores the ones before it. */
async function productionPhase(top, workers, release) {
    // The first Worker's run tags and releases once every Worker is healthy (see `succeed` below):
    // the reads for it start with the last Worker's gate, not minutes earlier.
    const runs = workers.map((w, index) => production_productionSteps(w.scope, release, index === workers.length - 1));
    try {
        // Every anchor before the first production write: a restore never waits for a read.
        for (const [index, w] of workers.entries()) {
            const stopped = await runs[index].anchor();
            if (stopped) {
                await abandon(workers, runs, 0, index, `${w.unit.name}'s production could not be read`);
                return stop(w, stopped);
            }
        }
        for (const [index, w] of workers.entries()) {
            const unproven = await runs[index].deploy();
            if (!unproven)
                continue;
            w.outcome = await runs[index].recover(unproven);
            const why = `the release is withdrawn from every Worker because ${w.unit.name} is not proven healthy (${unproven.why})`;
            // Every Worker already deployed goes back to its anchor, the last deployed first.
            for (let earlier = index - 1; earlier >= 0; earlier--) {
                top.deps.logger.info(`Restoring ${workers[earlier].unit.name}: ${why}.`);
                workers[earlier].outcome = await runs[earlier].withdraw(why);
            }
            await abandon(workers, runs, index + 1, workers.length, `${w.unit.name} failed first`);
            return combine(workers, release);
        }
        // All healthy: each record says so; the tags and the GitHub Release are made once.
        for (const [index, w] of workers.entries()) {
            w.outcome = await runs[index].succeed(index === 0);
            if (index === 0)
                for (const other of workers.slice(1))
                    other.scope.learn({ releaseTag: w.scope.facts.releaseTag });
        }
        const tagging = workers[0].outcome.message.match(/ Tagging failed: .*$/s)?.[0] ?? "";
        return {
            result: "released",
            message: `${release.tag} is live on ${names(workers)}, and each passed its health gate.${tagging}`,
        };
    }
    finally {
        for (const run of runs)
            run.dispose();
    }
}
/** Workers `from`…`to` whose anchor was taken but that were never deployed: their records say why, their outcome too. */
async function abandon(workers, runs, from, to, why) {
    for (let index = from; index < to; index++) {
        await runs[index].abandon(`not deployed: ${why}`);
        workers[index].outcome = { result: "failed", message: `Not deployed to production: ${why}.` };
    }
}
/** The release's end from each Worker's: any restore that failed is the run's, else any restore, else a stop. */
function combine(workers, release) {
    const ends = workers.filter((w) => w.outcome !== undefined);
    const result = ends.some((w) => w.outcome.result === "rollback-failed")
        ? "rollback-failed"
        : ends.some((w) => w.outcome.result === "rolled-back")
            ? "rolled-back"
            : "failed";
    const touched = ends.some((w) => w.scope.facts.productionTouched);
    const lead = result === "failed"
        ? `${release.tag} was not released; ${touched ? "each Worker's production is as said below." : "production was not changed."}`
        : result === "rolled-back"
            ? `${release.tag} was not released; every Worker it deployed was restored, the last deployed first.`
            : `${release.tag} was not released, and not every Worker it deployed is restored: see each Worker below.`;
    return {
        result,
        message: `${lead} ${ends.map((w) => `${w.unit.name}: ${w.outcome.message}`).join(" ")}`,
        ...manualCommands(ends),
    };
}
/** Each Worker's command to run by hand, in its own folder, one a line; the purpose is the first one's. */
function manualCommands(workers) {
    const manual = workers.filter((w) => w.outcome?.manualCommand);
    if (manual.length === 0)
        return {};
    return {
        manualCommand: manual
            .map((w) => `(cd ${w.unit.directory ?? w.scope.config.workingDirectory} && ${w.outcome.manualCommand})`)
            .join("\n"),
        ...(manual[0].outcome.manualCommandPurpose ? { manualCommandPurpose: manual[0].outcome.manualCommandPurpose } : {}),
    };
}
/** A Worker's outcome that stops the release before production: said with the Worker's name. */
function stop(w, outcome) {
    w.outcome = outcome;
    return { ...outcome, message: `${w.unit.name}: ${outcome.message}` };
}
function names(workers) {
    return workers.map((w) => w.unit.name).join(", ");
}
function workerResult(w) {
    const f = w.scope.facts;
    const outcome = w.outcome ?? { result: "failed", message: "Not deployed to production." };
    const entries = {
        name: w.unit.name,
        result: outcome.result,
        message: outcome.message,
        stagingVersionId: f.stagingVersionId,
        productionVersionId: f.productionVersionId,
        previousVersionId: f.previousVersionId,
        rollbackVersionId: f.rollbackVersionId,
        stagingUrl: f.stagingUrl,
        productionUrl: f.productionUrl,
        productionTouched: f.productionTouched,
    };
    return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}
/**
 * A Worker's view of the run's recorder: its stages, gates and warnings go to the run's, named
 * after the Worker (`api: Deploy v1.2.0 to staging`, gate environment `api/staging`); its own
 * lists keep only its gates (the approval request shows its smoke gate).
 */
class WorkerRecorder extends RunRecorder {
    run;
    worker;
    constructor(run, worker, clock, logger) {
        super(clock, logger);
        this.run = run;
        this.worker = worker;
    }
    stage(stage, label, body) {
        return this.run.stage(stage, `${this.worker}: ${label}`, body);
    }
    record(stage, label, status, startedAt, detail) {
        this.run.record(stage, `${this.worker}: ${label}`, status, startedAt, detail);
    }
    skip(stage, label, detail) {
        this.run.skip(stage, `${this.worker}: ${label}`, detail);
    }
    gate(report) {
        this.gates.push(report);
        this.run.gate({ ...report, environment: `${this.worker}/${report.environment}` });
        return report;
    }
    measurement(gate, measurement) {
        this.run.measurement(gate, measurement);
    }
    warn(message) {
        this.run.warn(`${this.worker}: ${message}`);
    }
}
/** Each Worker's GitHub Deployment records in an environment of its own (`production/api`), so one never marks another's inactive. */
function namedRecorder(recorder, worker) {
    return {
        start: (environment, info) => recorder.start(`${environment}/${worker}`, info),
        update: (handle, state, info) => recorder.update(handle, state, info),
    };
}
//# sourceMappingURL=multi.js.map
;// CONCATENATED MODULE: ./lib/core/multi-rollback.js
/**
 * `mode: rollback` of several Workers (config key `workers`): the emergency rollback of
 * emergency.ts, once per Worker. Every Worker's target is chosen first, by the single-Worker
 * rule (`rollback-target` as a release tag, or each Worker's previous stable deployment,
 * skipping versions shipline rolled back from); one that cannot be resolved stops the run with
 * nothing changed. Then each Worker is restored in reverse deploy order through the same
 * restore executor (read back, health gate, Deployment record). A failed restore does not stop
 * the others: every Worker is tried and reported, and the run is `rollback-failed` if any failed.
 */





/**
 * Rolls every Worker back, the last in deploy order first. `workers[0]` is the primary: its
 * facts fill the single-Worker fields of the result; every Worker's are in `result.workers`.
 */
async function runMultiRollback(workers, deps, signal, context = {}) {
    return runForWorkers(workers, deps, signal, context, rollbackFlow);
}
async function rollbackFlow(top, workers) {
    try {
        (0,rollback_target/* checkSeveralWorkersTarget */.V)(top.config.emergency?.target, workers.length);
    }
    catch (error) {
        return { result: "failed", message: (0,errors/* errorMessage */.gJ)(error) };
    }
    // What each Worker needs, before any read.
    const inputs = [];
    for (const [index, w] of workers.entries()) {
        if (!w.scope.config.production.url) {
            const message = `Config key \`workers[${index}].production.url\` is required for mode: rollback: the restored version must pass the health gate, and a rollback reports no URL.`;
            return untouched(workers, stop(w, { result: "failed", message }));
        }
        const checked = rollbackInputs(w.scope.config);
        if ("result" in checked)
            return untouched(workers, stop(w, checked));
        inputs.push(checked);
    }
    // Every target before the first write: a tag one Worker lacks stops the run with nothing changed.
    const chosen = [];
    for (const [index, w] of workers.entries()) {
        w.scope.learn({ productionUrl: inputs[index].baseUrl });
        try {
            chosen.push(await resolveRollback(w.scope, inputs[index], { alreadyServed: "nothing-to-do" }));
        }
        catch (error) {
            if (top.signal.aborted)
                return untouched(workers, { result: "failed", message: CANCELLED_BEFORE_ROLLBACK });
            return untouched(workers, stop(w, { result: "failed", message: `Rollback refused, nothing changed: ${describeDeployError(error)}` }));
        }
    }
    if (top.signal.aborted)
        return untouched(workers, { result: "failed", message: CANCELLED_BEFORE_ROLLBACK });
    // The summary names every Worker's versions by their release tags.
    top.learn({ versionTags: Object.assign({}, ...workers.map((w) => w.scope.facts.versionTags ?? {})) });
    if (chosen.every((r) => r.served)) {
        for (const [index, w] of workers.entries())
            w.outcome = nothingToDo(chosen[index]);
        return {
            result: "failed",
            message: `Rollback refused, nothing changed: every Worker already serves its rollback target. ${said(workers)}`,
        };
    }
    // The last deployed first; each Worker is tried, whatever happened to the one before.
    for (let index = workers.length - 1; index >= 0; index--) {
        const w = workers[index];
        const rollback = chosen[index];
        if (rollback.served) {
            w.scope.learn({ productionVersionId: rollback.chosen.versionId });
            w.outcome = nothingToDo(rollback);
        }
        else if (top.signal.aborted) {
            // A cancel lets the restore under way finish; no further Worker is changed.
            w.outcome = { result: "failed", message: "Not rolled back: the run was cancelled before its turn; production not changed." };
        }
        else {
            top.deps.logger.info(`Rolling back ${w.unit.name} (${index + 1} of ${workers.length}, the last deployed first).`);
            w.scope.learn({ productionTouched: true });
            w.outcome = await restoreRollback(w.scope, rollback);
        }
    }
    return multi_rollback_combine(workers);
}
function nothingToDo(r) {
    const name = r.chosen.tag ? `${r.chosen.tag} (${r.chosen.versionId})` : r.chosen.versionId;
    return { result: "rolled-back", message: `Nothing to do: production already serves ${name} (${r.chosen.how}) at 100%.` };
}
/** The run stopped before any write: every Worker without an outcome of its own says so. */
function untouched(workers, outcome) {
    for (const w of workers)
        w.outcome ??= { result: "failed", message: "Not rolled back: the run stopped before any rollback." };
    return outcome;
}
/** The run's end from each Worker's: any restore that failed is the run's, then a cancel, else rolled back. */
function multi_rollback_combine(workers) {
    const results = workers.map((w) => w.outcome.result);
    const result = results.includes("rollback-failed")
        ? "rollback-failed"
        : results.every((r) => r === "rolled-back")
            ? "rolled-back"
            : "failed";
    const lead = result === "rolled-back"
        ? `Every Worker serves its rollback target (rolled back the last deployed first, each restore read back and proven healthy).`
        : result === "rollback-failed"
            ? `Not every Worker is rolled back and healthy (each was tried, the last deployed first): see each Worker below.`
            : `Not every Worker was rolled back (cancelled): see each Worker below.`;
    return { result, message: `${lead} ${said(workers)}`, ...manualCommands(workers) };
}
/** Each Worker's own end, in the order they were rolled back. */
function said(workers) {
    return [...workers]
        .reverse()
        .map((w) => `${w.unit.name}: ${w.outcome.message}`)
        .join(" ");
}
//# sourceMappingURL=multi-rollback.js.map
;// CONCATENATED MODULE: ./lib/providers/actions/logger.js

/**
 * Logger over the Actions toolkit: warnings and errors become annotations, stages become
 * collapsible groups. The runner cannot nest groups, so an inner group just runs its body.
 */
function createActionsLogger() {
    let depth = 0;
    return {
        info: (message) => core/* info */.pq(message),
        warn: (message) => core/* warning */.$e(message),
        error: (message) => core/* error */.z3(message),
        debug: (message) => core/* debug */.Yz(message),
        async group(name, fn) {
            if (depth > 0)
                return fn();
            depth++;
            core/* startGroup */.Oh(name);
            try {
                return await fn();
            }
            finally {
                core/* endGroup */.N4();
                depth--;
            }
        },
    };
}
//# sourceMappingURL=logger.js.map
// EXTERNAL MODULE: ./lib/providers/github/context.js
var context = __webpack_require__(8519);
// EXTERNAL MODULE: ./lib/providers/command/project-check.js
var project_check = __webpack_require__(6716);
// EXTERNAL MODULE: ./lib/providers/system/process-tree.js
var process_tree = __webpack_require__(7120);
// EXTERNAL MODULE: ./lib/providers/wrangler/project-check.js
var wrangler_project_check = __webpack_require__(9673);
// EXTERNAL MODULE: ./lib/providers/wrangler/project.js
var wrangler_project = __webpack_require__(8772);
// EXTERNAL MODULE: ./lib/providers/wrangler/locate.js + 1 modules
var locate = __webpack_require__(6293);
;// CONCATENATED MODULE: ./lib/providers/wrangler/project-facts.js
/**
 * What `plan` found in the project, said plainly: the wrangler config wrangler would read, the
 * Worker each environment deploys as, which wrangler would run (and its version, or that one
 * would be installed), and whether the Cloudflare credentials are there. Read-only: nothing is
 * installed or run.
 */




/** Lines such as `Wrangler config: wrangler.toml (in /repo/worker)`. */
async function projectFacts(input) {
    const { project, directory } = input;
    const lines = [`Wrangler config: ${(0,external_node_path_.relative)(directory, project.configPath) || project.configPath} (in ${directory})`];
    for (const env of input.environments) {
        lines.push(`Environment "${env.name}" (${env.input}): deploys the Worker ${(0,wrangler_project/* workerNameFor */.lX)(project, env.name) ?? "(unnamed)"}`);
    }
    const range = input.wranglerRange || locate/* DEFAULT_WRANGLER_RANGE */.DC;
    const own = await (0,locate/* findProjectWrangler */.zZ)(directory);
    if (own && semver.satisfies(own.version, range))
        lines.push(`wrangler: ${own.version}, the project's own (satisfies "${range}")`);
    else {
        const why = own ? `the project's ${own.version} does not satisfy "${range}"` : "the project has none";
        lines.push(`wrangler: ${why}; wrangler@${range} would be installed outside the project on the first run`);
    }
    lines.push(`Cloudflare API token: ${input.hasToken ? "set" : "NOT SET (cloudflare-api-token or CLOUDFLARE_API_TOKEN): deploys would fail"}`);
    const fromConfig = input.environments.map((env) => (0,wrangler_project/* accountIdFor */._K)(project, env.name)).find((id) => id);
    const account = input.accountId
        ? "set"
        : fromConfig
            ? `from the wrangler config (${fromConfig})`
            : "not set: wrangler picks the token's only account";
    lines.push(`Cloudflare account id: ${account}`);
    return lines;
}
//# sourceMappingURL=project-facts.js.map
;// CONCATENATED MODULE: ./lib/core/approval-rules.js
/**
 * The rules of an approval by comments (SPEC section 5, Approval), as pure functions: which
 * comment is a decision, and what a list of comments decides. No I/O, so every rule is
 * testable without a GitHub API and the same rules serve any comment-based approval.
 */
/** Words that approve when they are the whole comment (any case, trailing `.`/`!` allowed). */
const APPROVE_WORDS = ["approve", "approved", "lgtm", "yes", "/approve"];
/** Words that deny when they are the whole comment; one denial ends the wait. */
const DENY_WORDS = ["deny", "denied", "no", "/deny"];
const APPROVE = new Set(APPROVE_WORDS);
const DENY = new Set(DENY_WORDS);
/** Longest comment text kept in the `ignored` list (the list ends up in the job summary). */
const MAX_IGNORED_BODY = 200;
/** The decision a whole comment expresses, or `null` when it is not a decision. */
function parseDecision(body) {
    const word = body
        .trim()
        .replace(/[.!]+$/, "")
        .toLowerCase();
    if (APPROVE.has(word))
        return "approve";
    if (DENY.has(word))
        return "deny";
    return null;
}
/**
 * What the comments decide. Comments are read in order (creation time, then id) like a
 * timeline, and the first point where a deny appears or `minimum` distinct approvers are
 * reached decides; later comments are not read. So an approver who approves and then denies
 * denies (a deny ends it), and the outcome depends only on the comments, never on when they
 * were polled. Repeated approvals by one person count once.
 */
function decide(state) {
    const actor = state.actor?.toLowerCase();
    const bot = state.author?.toLowerCase();
    const approvedBy = [];
    const ignored = [];
    for (const comment of inOrder(state.comments)) {
        const login = comment.author.toLowerCase();
        if (login === bot && !state.eligible.has(login))
            continue;
        const decision = parseDecision(comment.body);
        const why = whyIgnored(decision, login, actor, state);
        if (why !== undefined) {
            ignored.push({ author: comment.author, body: clip(comment.body), why });
            continue;
        }
        if (decision === "deny")
            return { status: "denied", approvedBy, deniedBy: comment.author, ignored };
        if (!approvedBy.some((a) => a.toLowerCase() === login))
            approvedBy.push(comment.author);
        if (approvedBy.length >= state.minimum)
            return { status: "approved", approvedBy, ignored };
    }
    return { status: "pending", approvedBy, ignored };
}
/** Why a comment does not count, or `undefined` when it is a decision that counts. */
function whyIgnored(decision, login, actor, state) {
    if (decision === null) {
        return `not a decision: the whole comment must be one of ${APPROVE_WORDS.join(", ")} (approve) or ${DENY_WORDS.join(", ")} (deny)`;
    }
    if (!state.eligible.has(login))
        return "not an eligible approver";
    if (login === actor && !state.allowSelfApproval) {
        return "the run's actor cannot decide on their own release (allow-self-approval is off)";
    }
    return undefined;
}
function inOrder(comments) {
    return [...comments].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);
}
function clip(body) {
    const text = body.trim();
    return text.length <= MAX_IGNORED_BODY ? text : `${text.slice(0, MAX_IGNORED_BODY - 1)}…`;
}
//# sourceMappingURL=approval-rules.js.map
;// CONCATENATED MODULE: ./lib/providers/github/approval-github-io.js
/**
 * Per-request options of every approval call: the abort signal, and no retries by Octokit's
 * plugin-retry. The approval retries on its own (`withRetry`, the poll loop) on the injected
 * clock, honouring `retry-after` and the abort signal; plugin-retry would add its own retries
 * underneath on real timers (up to 7 s per failed 5xx call, invisible to the clock and the
 * back-off, and up to 4x the requests: a 5-attempt write could reach GitHub 20 times).
 */
function callOptions(signal) {
    return { request: { ...(signal ? { signal } : {}), retries: 0 } };
}
/** Status of an Octokit error, if it carries one. */
function statusOf(error) {
    const status = error?.status;
    return typeof status === "number" && status > 0 ? status : undefined;
}
function headersOf(error) {
    return error?.response?.headers ?? {};
}
/**
 * What a failed call means, following GitHub's rate-limit guidance: `retry-after` first, then
 * `x-ratelimit-remaining: 0` until `x-ratelimit-reset`, else a secondary limit (wait at least
 * a minute). Octokit reports network errors as status 500 without a response: transient.
 */
function classify(error, now) {
    const status = statusOf(error);
    if (status === 304)
        return { kind: "not-modified" };
    const headers = headersOf(error);
    const limitWait = rateLimitWait(headers, now);
    if (status === 403 || status === 429) {
        if (limitWait !== undefined)
            return { kind: "rate-limited", waitMs: limitWait, secondary: false };
        if (status === 429 || /rate limit/i.test(String(error.message ?? ""))) {
            return { kind: "rate-limited", waitMs: SECONDARY_LIMIT_WAIT_MS, secondary: true };
        }
        // A 403 without rate-limit signs is usually a permission problem; the caller decides.
        return { kind: "transient", status };
    }
    if (status === undefined || status >= 500)
        return { kind: "transient", ...(status ? { status } : {}) };
    return { kind: "fatal", status };
}
/** GitHub: "wait for at least one minute before retrying" a secondary rate limit without `retry-after`. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;
/** How long the headers of a response ask us to wait, if they do. */
function rateLimitWait(headers, now) {
    const retryAfter = Number(headers["retry-after"]);
    if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter))
        return Math.max(0, retryAfter * 1000);
    if (String(headers["x-ratelimit-remaining"]) === "0") {
        const reset = Number(headers["x-ratelimit-reset"]) * 1000;
        // One second past the reset: the epoch-second value is rounded down.
        if (Number.isFinite(reset))
            return Math.max(0, reset - now) + 1000;
        return SECONDARY_LIMIT_WAIT_MS;
    }
    return undefined;
}
/** Exponential back-off: `base * 2^attempt`, capped. */
function backoff(base, attempt, cap) {
    return Math.min(cap, base * 2 ** Math.min(attempt, 20));
}
/** Rate-limit header value from a response or an error, for the "remaining" budget. */
function remainingOf(headers) {
    const value = headers["x-ratelimit-remaining"];
    return value === undefined ? undefined : Number(value);
}
/** Runs a write (or one-off read) with bounded retries on rate limits and transient failures. */
async function withRetry(call, options) {
    for (let attempt = 0;; attempt++) {
        try {
            const result = await call();
            options.stats.requests++;
            return result;
        }
        catch (error) {
            if (options.signal?.aborted)
                throw options.signal.reason;
            const failure = record(options.stats, classify(error, options.clock.now()));
            const wait = retryWait(failure, attempt, options);
            if (wait === undefined || attempt + 1 >= options.attempts)
                throw error;
            options.onRetry?.(error, wait);
            await options.clock.sleep(wait, options.signal);
        }
    }
}
function retryWait(failure, attempt, options) {
    // A write that must wait longer than `maxDelayMs` (a primary limit resetting in 40 minutes)
    // fails now: blocking the release that long on a comment is worse than a warning.
    if (failure.kind === "rate-limited")
        return failure.waitMs > options.maxDelayMs ? undefined : Math.max(failure.waitMs, options.baseDelayMs);
    if (failure.kind !== "transient")
        return undefined;
    if (failure.status === 403 && !options.retryPlain403)
        return undefined;
    return backoff(options.baseDelayMs, attempt, options.maxDelayMs);
}
/** Counts one failed answer in `stats` and passes the failure on. */
function record(stats, failure) {
    if (failure.kind === "not-modified") {
        stats.notModified++;
        return failure;
    }
    stats.requests++;
    if (failure.kind === "rate-limited")
        stats.rateLimited++;
    if (failure.kind === "transient")
        stats.transientErrors++;
    return failure;
}
/** Whether a `link` header has a next page. */
function hasNextPage(headers) {
    return /rel="next"/.test(String(headers["link"] ?? ""));
}
//# sourceMappingURL=approval-github-io.js.map
;// CONCATENATED MODULE: ./lib/providers/github/approval-comments.js

/** GitHub's largest page: fewest requests when comments change. */
const COMMENTS_PER_PAGE = 100;
class CommentReader {
    client;
    target;
    stats;
    #pages = [];
    #lastHeaders = {};
    #etags = true;
    constructor(client, target, stats) {
        this.client = client;
        this.target = target;
        this.stats = stats;
    }
    /** Whether every answer so far carried an ETag (else each poll costs a counted request per page). */
    get conditional() {
        return this.#etags;
    }
    /** Headers of the last answer (for `x-ratelimit-remaining`). */
    get lastHeaders() {
        return this.#lastHeaders;
    }
    /** Every comment, oldest first. Throws the client's error when a page cannot be read. */
    async read(signal) {
        const pages = [];
        for (let page = 1;; page++) {
            const current = await this.#readPage(page, signal);
            pages.push(current);
            this.#pages[page - 1] = current;
            if (!current.more)
                break;
        }
        // Pages past the end (comments were deleted) are dropped with their ETags.
        this.#pages = pages;
        return dedupe(pages.flatMap((p) => p.comments));
    }
    async #readPage(page, signal) {
        const cached = this.#pages[page - 1];
        const headers = cached?.etag ? { "if-none-match": cached.etag } : {};
        try {
            const response = await this.client.rest.issues.listComments({
                owner: this.target.owner,
                repo: this.target.repo,
                issue_number: this.target.issueNumber,
                per_page: COMMENTS_PER_PAGE,
                page,
                headers,
                ...callOptions(signal),
            });
            this.stats.requests++;
            this.#lastHeaders = response.headers;
            const etag = stringHeader(response.headers, "etag");
            if (etag === undefined)
                this.#etags = false;
            const more = hasNextPage(response.headers) || response.data.length >= COMMENTS_PER_PAGE;
            return { etag, comments: response.data, more };
        }
        catch (error) {
            // Octokit throws on 304; the cached page is still right.
            if (statusOf(error) !== 304 || cached === undefined)
                throw error;
            this.stats.notModified++;
            return cached;
        }
    }
}
function stringHeader(headers, name) {
    const value = headers[name];
    return value === undefined || value === "" ? undefined : String(value);
}
/** Comments can shift between pages while they are read (a deletion); keep each id once. */
function dedupe(comments) {
    const seen = new Set();
    return comments.filter((c) => (seen.has(c.id) ? false : (seen.add(c.id), true)));
}
//# sourceMappingURL=approval-comments.js.map
;// CONCATENATED MODULE: ./lib/providers/github/approval-issue-text.js


/** GitHub accepts at most 10 assignees on an issue. */
const MAX_ASSIGNEES = 10;
/** Issue title naming the version. */
function approvalTitle(request) {
    return `Approve release ${request.release.tag} to production`;
}
/** Commits listed in the issue at most (the comparison link shows them all). */
const MAX_LISTED_COMMITS = 20;
/** Issue body: what is being approved, which words decide, who decides, when it times out. */
function approvalBody(facts) {
    const { request } = facts;
    const { repoUrl } = facts;
    const sha = request.release.sha;
    const rows = [
        ["Version", `\`${request.release.tag}\`${request.release.prerelease ? " (prerelease)" : ""}`],
        ["Commit", repoUrl ? `[${sha.slice(0, 12)}](${repoUrl}/commit/${sha})` : `\`${sha}\``],
    ];
    const production = request.production;
    if (production) {
        rows.push([
            "Production now",
            production.tag ? `\`${production.tag}\` (version \`${production.versionId}\`)` : `version \`${production.versionId}\``,
        ]);
        if (production.tag && repoUrl)
            rows.push(["Changes", `[${production.tag}...${sha.slice(0, 12)}](${repoUrl}/compare/${production.tag}...${sha})`]);
    }
    if (request.stagingUrl)
        rows.push(["Staging URL", request.stagingUrl]);
    if (request.stagingVersionId)
        rows.push(["Staging version id", `\`${request.stagingVersionId}\``]);
    if (request.smoke)
        rows.push(["Smoke checks", smokeLine(request.smoke)]);
    if (request.runUrl)
        rows.push(["Run", request.runUrl]);
    return [
        `shipline is waiting for approval to release **${request.release.tag}** to production.`,
        "",
        "| | |",
        "|---|---|",
        ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, "\\|")} |`),
        ...changesList(facts),
        "",
        `**To approve**, comment only one of: ${words(APPROVE_WORDS)}.`,
        `**To deny**, comment only one of: ${words(DENY_WORDS)}. One denial ends the wait.`,
        "Any case; a trailing `.` or `!` is fine. Other comments are ignored.",
        "",
        whoLine(facts),
        "",
        `The wait times out after ${formatMs(facts.timeoutMs)}, at ${formatClock(facts.deadline)}; the release is then rejected.`,
    ].join("\n");
}
/** Text shown literally: a code span (backticks inside it become quotes). */
function codeSpan(text) {
    const plain = text.replace(/`/g, "'").trim();
    return plain === "" ? "" : `\`${plain}\``;
}
/** `What changed since v1.1.0 (3 commits):` and one linked line per commit. */
function changesList(facts) {
    const changes = facts.changes;
    const since = facts.request.production?.tag;
    if (!changes || !since || changes.commits.length === 0)
        return [];
    const shown = changes.commits.slice(-MAX_LISTED_COMMITS);
    const lines = shown.map((c) => {
        // A commit subject is someone else's text: in a code span it mentions nobody (@team), links
        // nothing (#123, [x](url)) and renders no HTML.
        const subject = codeSpan(c.commit.message.split("\n")[0] ?? "");
        const link = facts.repoUrl ? `[\`${c.sha.slice(0, 7)}\`](${facts.repoUrl}/commit/${c.sha})` : `\`${c.sha.slice(0, 7)}\``;
        return `- ${link} ${subject}${c.author?.login ? ` (@${c.author.login})` : ""}`;
    });
    const more = changes.total > shown.length ? [`- … and ${changes.total - shown.length} earlier (see the comparison above)`] : [];
    const count = `${changes.total} commit${changes.total === 1 ? "" : "s"}`;
    return ["", `What changed since \`${since}\` (${count}):`, "", ...more, ...lines];
}
/** Reply to a decision comment from someone whose decision does not count. */
function ineligibleReply(author, body, why, deciders) {
    const who = deciders.length > 0 ? ` Who may decide: ${mentions(deciders)}.` : "";
    return `@${author}, your \`${body.trim().slice(0, 40)}\` was not counted: ${why}.${who}`;
}
function whoLine(facts) {
    const people = facts.approvers.map((login) => `@${login}`).join(", ");
    const needed = facts.minimum === 1 ? "1 approval is needed" : `${facts.minimum} approvals from different people are needed`;
    const self = facts.actor && !facts.allowSelfApproval ? ` @${facts.actor} started this run and cannot approve it.` : "";
    return `Who may decide: ${people}. ${needed}.${self}`;
}
function smokeLine(smoke) {
    const s = smoke.stats;
    const latency = s.p95Ms === undefined ? "" : `, p95 ${Math.round(s.p95Ms)} ms`;
    const why = smoke.reason ? ` (${smoke.reason})` : "";
    return `${smoke.outcome}: ${s.count} measurements, ${s.failed} failed, ${s.errors} errors, ${s.requests} requests${latency}${why}`;
}
function words(list) {
    return list.map((w) => `\`${w}\``).join(", ");
}
/** Comment posted when the release is approved. */
function approvedComment(approvedBy, tag) {
    return `Approved by ${mentions(approvedBy)}. The release of ${tag} to production goes on.`;
}
/** Comment posted when an approver denies. */
function deniedComment(deniedBy, tag) {
    return `Denied by ${mentions([deniedBy])}. The release of ${tag} is rejected.`;
}
/** Comment posted when nobody decided in time. */
function timedOutComment(timeoutMs, approvals, minimum, tag) {
    return `Approval timed out after ${formatMs(timeoutMs)} with ${approvals} of ${minimum} approvals. The release of ${tag} is rejected.`;
}
/** Comment posted when the staging checks fail during the wait. */
function stagingFailedComment(why, tag) {
    return `Denied: the staging checks failed during the wait: ${why}. The release of ${tag} is rejected.`;
}
/** Comment posted when the run is cancelled during the wait. */
function cancelledComment(tag) {
    return `The run was cancelled; the release of ${tag} will not go on. Closing this approval request.`;
}
/** Logins as @mentions. */
function mentions(logins) {
    return logins.map((l) => `@${l}`).join(", ");
}
//# sourceMappingURL=approval-issue-text.js.map
;// CONCATENATED MODULE: ./lib/providers/github/approval-approvers.js


const MEMBERS_PER_PAGE = 100;
/** Expands every `org/team` slug to its members; throws `GitHubError` naming a slug that cannot be read. */
async function expandApprovers(client, approvers, context) {
    if (approvers.length === 0)
        throw new errors/* ConfigError */.xL("approvers", "approval: issue needs at least one approver in `approvers`.");
    const logins = [];
    const eligible = new Set();
    for (const entry of approvers) {
        const name = entry.trim().replace(/^@/, "");
        const members = name.includes("/") ? await teamMembers(client, name, context) : [checkLogin(name)];
        for (const login of members) {
            if (eligible.has(login.toLowerCase()))
                continue;
            eligible.add(login.toLowerCase());
            logins.push(login);
        }
    }
    return { logins, eligible };
}
/**
 * The people who can actually decide: everyone but the run's actor unless self-approval is
 * allowed. Throws `ConfigError` when they are fewer than `minimum`.
 */
function selfExcluded(approvers, actor, allowSelf, minimum) {
    const self = actor?.toLowerCase();
    const deciders = approvers.logins.filter((l) => allowSelf || l.toLowerCase() !== self);
    if (deciders.length < minimum) {
        const excluded = deciders.length < approvers.logins.length ? ` (the run's actor ${actor} cannot approve: allow-self-approval is off)` : "";
        throw new errors/* ConfigError */.xL("minimum-approvals", `minimum-approvals is ${minimum}, but only ${deciders.length} approver(s) can decide${excluded}: ${deciders.join(", ") || "none"}.`);
    }
    return deciders;
}
function checkLogin(name) {
    if (!/^[a-z\d](?:[a-z\d-]*[a-z\d])?(?:\[bot\])?$/i.test(name)) {
        throw new errors/* ConfigError */.xL("approvers", `"${name}" is not a GitHub login or an org/team slug.`);
    }
    return name;
}
async function teamMembers(client, slug, context) {
    const [org, team, extra] = slug.split("/");
    if (!org || !team || extra !== undefined) {
        throw new errors/* ConfigError */.xL("approvers", `"${slug}" is not an org/team slug (expected e.g. my-org/release-managers).`);
    }
    const members = [];
    for (let page = 1;; page++) {
        const response = await readPage(client, org, team, page, slug, context);
        members.push(...response.data.map((m) => m.login));
        if (!hasNextPage(response.headers) && response.data.length < MEMBERS_PER_PAGE)
            break;
        if (response.data.length === 0)
            break;
    }
    if (members.length === 0)
        context.logger.warn(`Team ${slug} has no members: none of its people can approve.`);
    return members;
}
async function readPage(client, org, team, page, slug, context) {
    try {
        return await withRetry(() => client.rest.teams.listMembersInOrg({ org, team_slug: team, per_page: MEMBERS_PER_PAGE, page, ...callOptions(context.signal) }), {
            clock: context.clock,
            stats: context.stats,
            attempts: 4,
            baseDelayMs: 1_000,
            maxDelayMs: 60_000,
            retryPlain403: false,
            signal: context.signal,
        });
    }
    catch (error) {
        if (context.signal.aborted)
            throw error;
        throw unreadableTeam(slug, error);
    }
}
function unreadableTeam(slug, error) {
    const status = statusOf(error);
    const why = status === 403 || status === 404
        ? "The token cannot read this team's members (GitHub answers 404 for a team it may not see). GITHUB_TOKEN can never read teams: " +
            "pass a GitHub App installation token with the organization permission Members: read (and Issues: write on the repository), " +
            "or a personal access token with read:org, or list the approvers by login."
        : `GitHub answered: ${(0,errors/* errorMessage */.gJ)(error)}`;
    return new errors/* GitHubError */.y_(`Cannot read the members of approver team ${slug} (HTTP ${status ?? "error"}). ${why}`, {
        cause: error,
        status,
        stage: "approval",
    });
}
//# sourceMappingURL=approval-approvers.js.map
;// CONCATENATED MODULE: ./lib/providers/github/approval-issue.js








/** Poll interval while conditional requests work (304s are free, so responsiveness is cheap). */
const DEFAULT_POLL_INTERVAL_MS = 10_000;
/**
 * Poll interval when production changes the moment the approval lands (`liveOnApproval`): the
 * approval is seen within 2 s of being posted. Free as long as the answers are 304s; 30 polls a
 * minute stay far below GitHub's secondary limit of 900 points a minute per endpoint (which may
 * count 304s).
 */
const LIVE_POLL_INTERVAL_MS = 2_000;
/** Poll interval when the API sends no ETag: 50 counted polls an hour. */
const UNCONDITIONAL_POLL_INTERVAL_MS = 72_000;
/**
 * Longest pause between polls after repeated failures (5xx, network errors, a plain 403). Thirty
 * seconds: an approval posted during a GitHub outage is seen within 30 s of its end, and even an
 * hour of failures costs at most 120 counted requests (of the token's 1,000 an hour). A wait the
 * server asks for (`retry-after`, `x-ratelimit-reset`, a secondary limit's minute) is honoured
 * beyond it, but never past the deadline.
 */
const MAX_POLL_BACKOFF_MS = 30_000;
/**
 * At the deadline the comments are read once more before the wait is declared timed out; when
 * that read fails, it is tried again this many times in all (1 s, 2 s, 4 s apart), so a GitHub
 * error at the last moment does not throw away an approval given in time.
 */
const FINAL_READ_ATTEMPTS = 4;
const FINAL_RETRY_BASE_MS = 1_000;
/** Longest the final read may go on past the deadline. */
const FINAL_READ_GRACE_MS = 10_000;
/** Cancellation must finish within 7 s (SPEC); closing after an interrupt gets this much. */
const INTERRUPT_CLOSE_BUDGET_MS = 5_000;
const PENDING = { status: "pending", approvedBy: [], ignored: [] };
/** Manual approval by comments on a GitHub issue. */
class IssueApproval {
    options;
    mode = "issue";
    /** Live request counters; `requests` are the ones that count against the rate limit. */
    stats = { requests: 0, notModified: 0, rateLimited: 0, transientErrors: 0 };
    #approvers;
    /** The regular poll interval of the current request. */
    #pollMs;
    /** The closing of an approved issue that goes on after `request` resolved (never rejects). */
    #closing;
    constructor(options) {
        this.options = options;
        this.#pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    }
    /** Expands team slugs and checks that enough people can approve; throws before any deploy. */
    async prepare(signal) {
        const { client, logger, clock } = this.options;
        this.#approvers = await expandApprovers(client, this.options.approvers, { clock, logger, stats: this.stats, signal });
        selfExcluded(this.#approvers, this.options.actor, this.options.allowSelfApproval, this.options.minimum);
        logger.info(`Approvers: ${this.#approvers.logins.join(", ")} (${this.options.minimum} needed)`);
    }
    /** Opens the issue, waits for a decision, closes the issue; resolves on interrupts too. */
    async request(request, signal) {
        const startedAt = this.options.clock.now();
        this.#pollMs = request.liveOnApproval
            ? (this.options.livePollIntervalMs ?? LIVE_POLL_INTERVAL_MS)
            : (this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
        const early = () => toRecord(interruptOf(signal.reason), startedAt, this.options.clock.now());
        if (signal.aborted)
            return early();
        try {
            if (!this.#approvers)
                await this.prepare(signal);
        }
        catch (error) {
            if (signal.aborted)
                return early();
            throw error;
        }
        const actor = this.options.actor ?? request.actor;
        const approvers = this.#approvers;
        const deciders = selfExcluded(approvers, actor, this.options.allowSelfApproval, this.options.minimum);
        const deadline = startedAt + this.options.timeoutMs;
        let issue;
        try {
            issue = await this.#open(request, deciders, actor, deadline, signal);
        }
        catch (error) {
            // An issue may have been created before the abort, but its number is unknown: nothing to close.
            if (signal.aborted)
                return early();
            throw error;
        }
        const live = request.liveOnApproval ? `; polled every ${formatMs(this.#pollMs)}, production changes once it lands` : "";
        this.options.logger.info(`Waiting for approval until ${formatClock(deadline)} (${formatMs(this.options.timeoutMs)}${live}): ${issue.url}`);
        const end = await this.#wait(issue, approvers, actor, deadline, signal);
        const endedAt = this.options.clock.now();
        const record = { ...toRecord(end, startedAt, endedAt), link: issue.url };
        if (end.kind === "approved" && request.liveOnApproval) {
            // Production changes now: the closing comment and close follow the deploy request (see `settled`).
            this.#closing = this.#close(issue, end, request);
            return record;
        }
        await this.#close(issue, end, request);
        return record;
    }
    /** Resolves once an issue closed after its approval was handed on (`liveOnApproval`) is closed. */
    async settled() {
        await this.#closing;
    }
    async #open(request, deciders, actor, deadline, signal) {
        const { client, owner, repo, label } = this.options;
        const title = approvalTitle(request);
        const changes = await this.#changes(request, signal);
        const body = approvalBody({ ...this.options, request, approvers: deciders, actor, deadline, ...(changes ? { changes } : {}) });
        const create = (assignees, labels) => withRetry(() => client.rest.issues.create({
            owner,
            repo,
            title,
            body,
            assignees,
            ...(labels.length > 0 ? { labels } : {}),
            ...callOptions(signal),
        }), this.#retry(signal, 5));
        const labels = label ? [label] : [];
        try {
            return issueOf((await create(deciders.slice(0, MAX_ASSIGNEES), labels)).data);
        }
        catch (error) {
            // 422 on `assignees` (no repository access) or `labels` (no permission to label): open it without them. Mentions still notify.
            if (statusOf(error) !== 422 || !/assignee|label/i.test((0,errors/* errorMessage */.gJ)(error)))
                throw wrapOpenError(error);
            this.options.logger.warn(`Could not assign the approvers or label the issue (${(0,errors/* errorMessage */.gJ)(error)}); opening it without.`);
            return issueOf((await create([], [])).data);
        }
    }
    /** The commits from what production serves to this release, when its tag is known; best effort (the issue opens without them). */
    async #changes(request, signal) {
        const { client, owner, repo, logger } = this.options;
        const base = request.production?.tag;
        if (!base || !client.rest.repos)
            return undefined;
        try {
            const compare = await client.rest.repos.compareCommitsWithBasehead({
                owner,
                repo,
                basehead: `${base}...${request.release.sha}`,
                per_page: 100,
                ...callOptions(signal),
            });
            return { commits: compare.data.commits, total: compare.data.total_commits };
        }
        catch (error) {
            logger.info(`Could not list the commits since ${base} for the approval issue: ${(0,errors/* errorMessage */.gJ)(error)}`);
            return undefined;
        }
    }
    /**
     * Polls until a decision, the deadline, or an interrupt. Transient failures only delay the
     * next poll (never past the deadline), and the comments are read once more at the deadline:
     * an approval given before it wins, even after a run of errors.
     */
    async #wait(issue, approvers, actor, deadline, signal) {
        const { clock, client, owner, repo, logger } = this.options;
        const reader = new CommentReader(client, { owner, repo, issueNumber: issue.number }, this.stats);
        const reply = (body) => client.rest.issues
            .createComment({ owner, repo, issue_number: issue.number, body, ...callOptions(signal) })
            .then(() => undefined)
            .catch((error) => logger.info(`Could not reply on the approval issue: ${(0,errors/* errorMessage */.gJ)(error)}`));
        const deciders = selfExcluded(approvers, actor, this.options.allowSelfApproval, this.options.minimum);
        const progress = new WaitProgress(logger, clock, deadline, this.options.minimum, (ignored) => reply(ineligibleReply(ignored.author, ignored.body, ignored.why, deciders)));
        let outcome = PENDING;
        let finalAttempts = 0;
        for (let failures = 0;;) {
            // At or past the deadline this is the last look: only comments made in time count.
            const final = clock.now() >= deadline;
            let delay;
            try {
                const comments = await reader.read(signal);
                failures = 0;
                outcome = decide({
                    comments: comments
                        .filter((c) => !final || !(Date.parse(c.created_at) > deadline))
                        .map((c) => ({ id: c.id, author: c.user?.login ?? "ghost", body: c.body ?? "", createdAt: c.created_at })),
                    eligible: approvers.eligible,
                    actor,
                    allowSelfApproval: this.options.allowSelfApproval,
                    minimum: this.options.minimum,
                    author: issue.author,
                });
                await progress.saw(outcome, issue.url);
                if (outcome.status !== "pending")
                    return { kind: outcome.status, outcome };
                if (final)
                    return { kind: "timed-out", outcome };
                delay = this.#nextPoll(reader);
            }
            catch (error) {
                if (signal.aborted)
                    return { kind: "interrupted", interrupt: interruptOf(signal.reason), outcome };
                const failure = this.#afterFailure(error, failures++, reader);
                if (final) {
                    finalAttempts++;
                    delay = Math.max(failure.serverWaitMs ?? 0, backoff(FINAL_RETRY_BASE_MS, finalAttempts - 1, FINAL_READ_GRACE_MS));
                    if (finalAttempts >= FINAL_READ_ATTEMPTS || clock.now() + delay > deadline + FINAL_READ_GRACE_MS) {
                        logger.warn(`Reading the approval comments at the deadline failed (${failure.what}); no decision could be read in time.`);
                        return { kind: "timed-out", outcome };
                    }
                    logger.warn(`Reading the approval comments at the deadline failed (${failure.what}); one more try in ${Math.round(delay / 1000)} s.`);
                }
                else {
                    delay = failure.waitMs;
                    logger.warn(`Reading the approval comments failed (${failure.what}); next try in ${Math.round(delay / 1000)} s.`);
                }
            }
            const left = deadline - clock.now();
            try {
                // Never past the deadline: the read there is the last look.
                await clock.sleep(left > 0 ? Math.min(delay, left) : delay, signal);
            }
            catch {
                return { kind: "interrupted", interrupt: interruptOf(signal.reason), outcome };
            }
        }
    }
    /** Time to the next poll after a successful read. */
    #nextPoll(reader) {
        const limited = remainingOf(reader.lastHeaders) === 0 ? rateLimitWait(reader.lastHeaders, this.options.clock.now()) : undefined;
        return Math.max(this.#interval(reader), limited ?? 0);
    }
    /** The regular poll interval: longer when the API sends no ETag (every poll then counts). */
    #interval(reader) {
        const base = this.#pollMs;
        return reader.conditional ? base : Math.max(base, UNCONDITIONAL_POLL_INTERVAL_MS);
    }
    /**
     * What a failed read means and when to try again: the back-off (capped at
     * `MAX_POLL_BACKOFF_MS`, never shorter than the regular interval), or longer when the server
     * asks for it. Fatal errors (401, 404, 410) end the run.
     */
    #afterFailure(error, failures, reader) {
        const failure = record(this.stats, classify(error, this.options.clock.now()));
        if (failure.kind === "fatal" || failure.kind === "not-modified") {
            const hint = statusOf(error) === 401 ? " The token expired or was revoked (a GitHub App installation token lasts 1 hour)." : "";
            throw new errors/* GitHubError */.y_(`Could not read the approval issue's comments: ${(0,errors/* errorMessage */.gJ)(error)}.${hint}`, {
                cause: error,
                status: failure.kind === "fatal" ? failure.status : 304,
                stage: "approval",
            });
        }
        const base = this.#pollMs;
        const backedOff = Math.max(this.#interval(reader), backoff(base, failures, MAX_POLL_BACKOFF_MS));
        const status = statusOf(error);
        const what = status === undefined ? (0,errors/* errorMessage */.gJ)(error) : `HTTP ${status}: ${(0,errors/* errorMessage */.gJ)(error)}`;
        if (failure.kind !== "rate-limited")
            return { waitMs: backedOff, what };
        // A secondary limit's minute is GitHub's advice, not the server's answer: the final read's
        // few quick retries do not wait for it.
        return { waitMs: Math.max(failure.waitMs, backedOff), ...(failure.secondary ? {} : { serverWaitMs: failure.waitMs }), what };
    }
    /** Comments and closes. Best effort: the decision stands even if GitHub refuses. */
    async #close(issue, end, request) {
        const { client, owner, repo, logger } = this.options;
        const interrupted = end.kind === "interrupted";
        // The run's signal may be aborted already: closing uses its own, bounded one.
        const signal = interrupted ? AbortSignal.timeout(INTERRUPT_CLOSE_BUDGET_MS) : undefined;
        const retry = this.#retry(signal, interrupted ? 2 : 4);
        const stateReason = end.kind === "approved" ? "completed" : "not_planned";
        const body = this.#closingText(end, request.release.tag);
        const target = { owner, repo, issue_number: issue.number, ...callOptions(signal) };
        const steps = [
            ["comment on", () => client.rest.issues.createComment({ ...target, body })],
            ["close", () => client.rest.issues.update({ ...target, state: "closed", state_reason: stateReason })],
        ];
        for (const [what, call] of steps) {
            try {
                await withRetry(call, retry);
            }
            catch (error) {
                logger.warn(`Could not ${what} the approval issue ${issue.url}: ${(0,errors/* errorMessage */.gJ)(error)}`);
            }
        }
    }
    #closingText(end, tag) {
        switch (end.kind) {
            case "approved":
                return approvedComment(end.outcome.approvedBy, tag);
            case "denied":
                return deniedComment(end.outcome.deniedBy ?? "an approver", tag);
            case "timed-out":
                return timedOutComment(this.options.timeoutMs, end.outcome.approvedBy.length, this.options.minimum, tag);
            case "interrupted":
                return end.interrupt.kind === "staging-failed" ? stagingFailedComment(end.interrupt.message, tag) : cancelledComment(tag);
        }
    }
    #retry(signal, attempts) {
        const logger = this.options.logger;
        return {
            clock: this.options.clock,
            stats: this.stats,
            attempts,
            baseDelayMs: 1_000,
            // One minute: a secondary rate limit without retry-after still gets its one retry.
            maxDelayMs: 60_000,
            retryPlain403: false,
            ...(signal ? { signal } : {}),
            onRetry: (error, waitMs) => logger.warn(`GitHub: ${(0,errors/* errorMessage */.gJ)(error)}; retrying in ${Math.round(waitMs / 1000)} s.`),
        };
    }
}
function issueOf(data) {
    return { number: data.number, url: data.html_url, ...(data.user ? { author: data.user.login } : {}) };
}
function wrapOpenError(error) {
    const status = statusOf(error);
    const hint = status === 403 || status === 404 ? " The token needs `issues: write` on this repository." : "";
    return new errors/* GitHubError */.y_(`Could not open the approval issue: ${(0,errors/* errorMessage */.gJ)(error)}.${hint}`, { cause: error, status, stage: "approval" });
}
/** The interrupt behind an abort; any other abort reason is a cancellation. */
function interruptOf(reason) {
    return reason instanceof ApprovalInterrupt ? reason : new ApprovalInterrupt("cancelled", (0,errors/* errorMessage */.gJ)(reason ?? "cancelled"));
}
function toRecord(end, startedAt, endedAt) {
    if (end instanceof ApprovalInterrupt)
        end = { kind: "interrupted", interrupt: end, outcome: PENDING };
    const { outcome } = end;
    const base = { approvedBy: outcome.approvedBy, startedAt, endedAt, ignored: outcome.ignored };
    switch (end.kind) {
        case "approved":
            return { ...base, status: "approved" };
        case "denied":
            return { ...base, status: "denied", reason: `Denied by @${outcome.deniedBy}` };
        case "timed-out":
            return { ...base, status: "timed-out", reason: `No decision within the approval timeout (${outcome.approvedBy.length} approvals)` };
        case "interrupted":
            return end.interrupt.kind === "staging-failed"
                ? { ...base, status: "denied", reason: `Staging checks failed during the wait: ${end.interrupt.message}` }
                : { ...base, status: "cancelled", reason: end.interrupt.message };
    }
}
/** How often the wait says it is still waiting. */
const WAIT_HEARTBEAT_MS = 5 * 60_000;
/**
 * What the wait prints as it goes: each new approval and each newly ignored comment (with
 * why) once, and every few minutes "still waiting: 0/1 approvals, 43m left".
 */
class WaitProgress {
    logger;
    clock;
    deadline;
    minimum;
    answer;
    #seen = new Set();
    #approvals = 0;
    #lastLineAt;
    constructor(logger, clock, deadline, minimum, 
    /** Answers a decision that did not count (by someone who may not decide), once per comment. */
    answer) {
        this.logger = logger;
        this.clock = clock;
        this.deadline = deadline;
        this.minimum = minimum;
        this.answer = answer;
        this.#lastLineAt = clock.now();
    }
    async saw(outcome, url) {
        for (const ignored of outcome.ignored) {
            const key = `${ignored.author}\n${ignored.body}\n${ignored.why}`;
            if (this.#seen.has(key))
                continue;
            this.#seen.add(key);
            this.logger.info(`Ignored a comment by @${ignored.author} (${ignored.why}): ${JSON.stringify(ignored.body)}`);
            if (!ignored.why.startsWith("not a decision"))
                await this.answer(ignored);
        }
        for (const login of outcome.approvedBy.slice(this.#approvals)) {
            this.logger.info(`Approved by @${login} (${outcome.approvedBy.length}/${this.minimum}).`);
        }
        this.#approvals = Math.max(this.#approvals, outcome.approvedBy.length);
        if (outcome.status === "denied")
            this.logger.info(`Denied by @${outcome.deniedBy}.`);
        const now = this.clock.now();
        if (outcome.status === "pending" && now - this.#lastLineAt >= WAIT_HEARTBEAT_MS) {
            this.#lastLineAt = now;
            this.logger.info(`Still waiting: ${outcome.approvedBy.length}/${this.minimum} approvals, ${formatMs(Math.max(0, this.deadline - now))} left: ${url}`);
        }
    }
}
//# sourceMappingURL=approval-issue.js.map
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 21 modules
var github = __webpack_require__(1758);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-retry/dist-bundle/index.js
var dist_bundle = __webpack_require__(9735);
;// CONCATENATED MODULE: ./lib/providers/github/client.js
/**
 * The GitHub REST client every GitHub provider shares, and the translation of its errors
 * into shipline's own (`GitHubError`) with messages that say how to fix them.
 */



const DEFAULT_API_URL = "https://api.github.com";
/**
 * Statuses plugin-retry must not retry. Its own list plus 429: the plugin ignores `retry-after`
 * and would retry a rate limit after one second, burning budget; callers that can wait (the
 * approval poller) back off on their injected clock using `rateLimitDelayMs` instead.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];
/**
 * Creates the GitHub client. plugin-throttling is deliberately left out: it sleeps on real
 * timers (60 s and more for secondary limits) inside a request, where no injected clock or
 * abort signal reaches, and it spaces every write by a second. shipline makes few requests;
 * the one long-running caller (approval polling) handles rate limits itself.
 */
function createGitHubClient(options) {
    const octokitOptions = {
        baseUrl: (options.baseUrl ?? DEFAULT_API_URL).replace(/\/+$/, ""),
        retry: {
            retries: options.retries ?? 3,
            retryAfterBaseValue: options.retryBaseMs ?? 500,
            doNotRetry: DO_NOT_RETRY,
        },
    };
    // Only set `request` when replacing fetch: @actions/github's defaults are merged shallowly,
    // so any `request` object here would drop its proxy-aware fetch.
    const fetch = options.fetch ?? (options.env && !proxyConfigured(options.env) ? globalThis.fetch : undefined);
    if (fetch)
        octokitOptions.request = { fetch };
    if (options.logger)
        octokitOptions.log = octokitLog(options.logger);
    return (0,github/* getOctokit */.Q)(options.token, octokitOptions, dist_bundle/* retry */.L);
}
/** Whether a proxy variable is set (@actions/http-client reads these, upper and lower case). */
function proxyConfigured(env) {
    return ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"].some((name) => Boolean(env[name]));
}
/** Routes Octokit's own log lines (deprecations, retries) to shipline's logger. */
function octokitLog(logger) {
    return {
        debug: (message) => logger.debug(message),
        info: (message) => logger.debug(message),
        warn: (message) => logger.warn(message),
        error: (message) => logger.error(message),
    };
}
/** Whether `error` is an HTTP error raised by Octokit (it has a numeric `status`). */
function isHttpError(error) {
    return error instanceof Error && typeof error.status === "number";
}
/** The HTTP status of an Octokit error, if it is one. */
function httpStatus(error) {
    return isHttpError(error) ? error.status : undefined;
}
/** GitHub's `message` from an error response, without Octokit's documentation-URL suffix. */
function githubMessage(error) {
    if (!isHttpError(error))
        return error instanceof Error ? error.message : String(error);
    const data = error.response?.data;
    if (data && typeof data === "object" && typeof data.message === "string") {
        return data.message;
    }
    return error.message;
}
/** Whether a 403 is the "token lacks a permission" answer of a GitHub App or GITHUB_TOKEN. */
function isPermissionDenied(error) {
    return httpStatus(error) === 403 && /not accessible by integration/i.test(githubMessage(error));
}
function client_header(error, name) {
    const value = error.response?.headers?.[name];
    return value === undefined ? undefined : String(value);
}
/**
 * How long to wait before trying again when `error` is a rate limit (primary or secondary,
 * 403 or 429), following GitHub's documented order: `retry-after`, then `x-ratelimit-reset`
 * when nothing remains, else at least a minute. `undefined` when it is not a rate limit.
 */
function rateLimitDelayMs(error, nowMs) {
    if (!isHttpError(error) || (error.status !== 403 && error.status !== 429))
        return undefined;
    const retryAfter = Number(client_header(error, "retry-after"));
    if (client_header(error, "retry-after") !== undefined && Number.isFinite(retryAfter))
        return Math.max(0, retryAfter * 1000);
    if (client_header(error, "x-ratelimit-remaining") === "0") {
        const reset = Number(client_header(error, "x-ratelimit-reset"));
        return Number.isFinite(reset) ? Math.max(1000, reset * 1000 - nowMs) : 60_000;
    }
    if (error.status === 429 || /rate limit/i.test(githubMessage(error)))
        return 60_000;
    return undefined;
}
/** Turns any error of a GitHub call into a `GitHubError` whose message says what to fix. */
function toGitHubError(error, context) {
    if (error instanceof errors/* GitHubError */.y_)
        return error;
    const status = httpStatus(error);
    return new errors/* GitHubError */.y_(`Could not ${context.action}: ${explain(error, status, context.permission)}`, {
        cause: error,
        ...(status === undefined ? {} : { status }),
    });
}
function explain(error, status, permission) {
    const message = githubMessage(error);
    if (isPermissionDenied(error)) {
        return `the token lacks \`${permission}\`; add \`permissions: { ${permission} }\` to the job (GitHub said: ${message})`;
    }
    if (rateLimitDelayMs(error, 0) !== undefined)
        return `GitHub rate limit reached (HTTP ${status}): ${message}`;
    if (status === 401)
        return `the token was refused (HTTP 401: ${message}); check \`github-token\``;
    if (status === 404) {
        return `not found (HTTP 404: ${message}); the repository or object does not exist, or the token cannot see it (it may need \`${permission}\`)`;
    }
    return status === undefined ? message : `HTTP ${status}: ${message}`;
}
//# sourceMappingURL=client.js.map
;// CONCATENATED MODULE: ./lib/providers/github/deployments.js
/**
 * GitHub Deployment records for staging and production, so the repository's Environments page
 * shows what runs where. A record is bookkeeping: every failure here is a warning and never
 * stops a deploy. `checkPermission` is the one method that throws, for callers that want a
 * missing `deployments: write` reported before production is touched.
 */


/** GitHub rejects deployment status descriptions longer than this. */
const MAX_DESCRIPTION = 140;
const PERMISSION = "deployments: write";
/** A commit id that cannot exist: creating a deployment for it fails validation after the permission check. */
const NULL_SHA = "0".repeat(40);
/** Shortens `text` to GitHub's 140-character limit, by code point, ending with an ellipsis. */
function truncateDescription(text, max = MAX_DESCRIPTION) {
    const chars = Array.from(text);
    return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
/** Records deployments through the GitHub Deployments API. */
class GitHubDeploymentRecorder {
    #options;
    /** Records this run created: production ones must retire their predecessors themselves. */
    #records = new Map();
    /** The first "not accessible by integration" answer, kept for `checkPermission`. */
    #denied;
    constructor(options) {
        this.#options = options;
    }
    /** Creates a record for `environment` at `ref`; undefined (with a warning) when GitHub made none. */
    async start(environment, info) {
        const { client, owner, repo } = this.#options;
        try {
            const response = await client.rest.repos.createDeployment({
                owner,
                repo,
                ref: info.ref,
                environment,
                // The defaults would merge the default branch into `ref` (202) and require every
                // commit status to be green (409): neither makes sense for a tag or commit id.
                auto_merge: false,
                required_contexts: [],
                production_environment: info.production,
                transient_environment: false,
                description: truncateDescription(info.description),
            });
            if (response.status === 201 && "id" in response.data) {
                const handle = String(response.data.id);
                // A production record retires the earlier ones once it succeeds: which ones are read
                // now, while the deploy and its gate run, so that success is then one write each.
                const earlier = info.production ? this.#readEarlier(environment, response.data.id) : undefined;
                earlier?.catch(() => undefined);
                this.#records.set(handle, { environment, production: info.production, ...(earlier ? { earlier } : {}) });
                return handle;
            }
            const message = "message" in response.data ? response.data.message : "";
            this.#options.logger.warn(`GitHub made no deployment record for ${environment} (HTTP ${response.status}${message ? `: ${message}` : ""}).`);
        }
        catch (error) {
            this.#warn(`create the deployment record for ${environment}`, error);
        }
        return undefined;
    }
    /** Adds a status to a record; a production `success` also retires the production records before it. */
    async update(handle, state, info) {
        const id = Number(handle);
        if (!Number.isSafeInteger(id)) {
            this.#options.logger.warn(`Ignoring deployment status for unknown record \`${handle}\`.`);
            return;
        }
        try {
            await this.#postStatus(id, state, info);
        }
        catch (error) {
            // Thrown, not only logged: the caller warns, and a status that did not land is sent
            // again (the action's hard deadline marks every record still open).
            if (isPermissionDenied(error) && this.#denied === undefined)
                this.#denied = error;
            throw toGitHubError(error, { action: `mark deployment ${handle} \`${state}\``, permission: PERMISSION });
        }
        const record = this.#records.get(handle);
        if (state === "success" && record?.production)
            await this.#supersede(record.environment, id, record.earlier);
    }
    /** Before anything is deployed: a token without `deployments: write` fails the run here. */
    async prepare(signal) {
        await this.checkPermission("production", signal);
    }
    /**
     * Throws a `GitHubError` naming `deployments: write` when the token cannot create records.
     * Uses an earlier refusal when there was one; otherwise asks GitHub for a deployment of a
     * commit that cannot exist, which GitHub refuses with 403 without the permission and with
     * 422 (nothing created) with it.
     */
    async checkPermission(environment = "production", signal) {
        const action = `record deployments to ${environment}`;
        if (this.#denied !== undefined)
            throw withoutRecords(toGitHubError(this.#denied, { action, permission: PERMISSION }));
        const { client, owner, repo, logger } = this.#options;
        try {
            const response = await client.rest.repos.createDeployment({
                owner,
                repo,
                ref: NULL_SHA,
                environment,
                auto_merge: false,
                required_contexts: [],
                transient_environment: true,
                description: "shipline permission check",
                request: { signal },
            });
            logger.debug(`Deployment permission check answered HTTP ${response.status}.`);
        }
        catch (error) {
            if (signal?.aborted)
                throw error;
            const status = httpStatus(error);
            if (status === 401 || isPermissionDenied(error))
                throw withoutRecords(toGitHubError(error, { action, permission: PERMISSION }));
            logger.debug(`Deployment permission check answered HTTP ${status ?? "?"}: the token may create deployments.`);
        }
    }
    async #postStatus(id, state, info) {
        const { client, owner, repo, logUrl } = this.#options;
        await client.rest.repos.createDeploymentStatus({
            owner,
            repo,
            deployment_id: id,
            state,
            ...(logUrl ? { log_url: logUrl } : {}),
            ...(info.environmentUrl ? { environment_url: info.environmentUrl } : {}),
            ...(info.description ? { description: truncateDescription(info.description) } : {}),
            // GitHub retires older non-production records itself; production ones are retired in #supersede.
            auto_inactive: true,
        });
    }
    /**
     * GitHub never marks production deployments inactive on its own, so without this every
     * release (and the version a rollback restored) would stay "active" side by side. Only
     * records whose latest state is `success` are retired: a rolled-back one keeps `failure`.
     * `prefetched`: the earlier records as read when this one was created; read again if that failed.
     */
    async #supersede(environment, activeId, prefetched) {
        try {
            const early = await prefetched?.catch(() => undefined);
            const earlier = early && !early.failed ? early : await this.#readEarlier(environment, activeId);
            for (const id of earlier.successful) {
                await this.#postStatus(id, "inactive", { description: `Superseded by deployment ${activeId}` });
            }
            // A record whose status could not be read is left as it is; the others were still retired.
            if (earlier.failed)
                throw earlier.failed.reason;
        }
        catch (error) {
            this.#warn(`mark earlier ${environment} deployments inactive`, error);
        }
    }
    /**
     * The environment's records before `activeId` whose latest status is `success`. Their
     * statuses are read at once (at most `supersedeLookback` requests), not one round trip each.
     */
    async #readEarlier(environment, activeId) {
        const { client, owner, repo, supersedeLookback } = this.#options;
        const { data: deployments } = await client.rest.repos.listDeployments({
            owner,
            repo,
            environment,
            per_page: supersedeLookback ?? 10,
        });
        const latest = await Promise.allSettled(deployments
            .filter((deployment) => deployment.id < activeId)
            .map(async (deployment) => {
            const { data: statuses } = await client.rest.repos.listDeploymentStatuses({
                owner,
                repo,
                deployment_id: deployment.id,
                per_page: 1,
            });
            return { id: deployment.id, state: statuses[0]?.state };
        }));
        const successful = latest.flatMap((read) => (read.status === "fulfilled" && read.value.state === "success" ? [read.value.id] : []));
        const failed = latest.find((read) => read.status === "rejected");
        return { successful, ...(failed ? { failed } : {}) };
    }
    #warn(action, error) {
        if (isPermissionDenied(error) && this.#denied === undefined)
            this.#denied = error;
        const message = toGitHubError(error, { action, permission: PERMISSION }).message;
        this.#options.logger.warn(`${message} (the deploy goes on without it)`);
    }
}
/** The permission error, with the other way out: running without Deployment records. */
function withoutRecords(error) {
    return new errors/* GitHubError */.y_(`${error.message}; or set \`deployment-records: false\` to run without Deployment records`, {
        cause: error.cause ?? error,
        ...(error.status !== undefined ? { status: error.status } : {}),
    });
}
//# sourceMappingURL=deployments.js.map
;// CONCATENATED MODULE: ./lib/providers/github/publisher-errors.js
/**
 * How the publisher explains GitHub's refusals: a missing `contents: write`, a tag ruleset,
 * the workflow-file trap of creating a release. Every message says what to change.
 */

const PERMISSION_HINT = "The token needs contents: write to create tags and releases. Add `permissions: { contents: write }` " +
    "to the workflow job (an explicit permissions block sets every permission it omits to none), " +
    "or pass a release-token (PAT or GitHub App token) that can write the repository's contents.";
const WORKFLOW_TRAP_HINT = "GitHub answers 404 to creating a release when the released commit adds or changes files under " +
    ".github/workflows/ compared to the default branch: that needs the workflows permission, which " +
    "GITHUB_TOKEN cannot have. Merge the workflow change to the default branch first, or pass a " +
    "release-token (a PAT with the workflow scope, or a GitHub App token with workflows: write).";
/** Turns an Octokit error into a `GitHubError` that says what to do. */
function translate(error, what) {
    if (error instanceof errors/* ShiplineError */.J0 || (error instanceof Error && error.name === "AbortError"))
        return error;
    const status = publisher_errors_statusOf(error);
    if (status === undefined)
        return error;
    if (status === 403 && publisher_errors_isPermissionDenied(error)) {
        return new errors/* GitHubError */.y_(`Could not ${what}: GitHub answered 403 "${messageOf(error)}". ${PERMISSION_HINT}`, { status, cause: error });
    }
    if (status === 422 && /rule|GH013/i.test(JSON.stringify(bodyOf(error)) + messageOf(error))) {
        return new errors/* GitHubError */.y_(`Could not ${what}: a repository ruleset blocks it ("${messageOf(error)}"). GITHUB_TOKEN cannot bypass tag rulesets; ` +
            "pass a release-token from a GitHub App or user the ruleset allows.", { status, cause: error });
    }
    return new errors/* GitHubError */.y_(`Could not ${what}: GitHub answered ${status} "${messageOf(error)}".`, { status, cause: error });
}
function publisher_errors_isPermissionDenied(error) {
    return /not accessible|permission|must have (push|write|admin) access/i.test(messageOf(error));
}
function publisher_errors_statusOf(error) {
    const status = error?.status;
    return typeof status === "number" ? status : undefined;
}
function bodyOf(error) {
    return error?.response?.data;
}
/** GitHub's own message (without Octokit's documentation link). */
function messageOf(error) {
    const data = bodyOf(error);
    if (typeof data?.message === "string")
        return data.message;
    return error instanceof Error ? error.message : String(error);
}
//# sourceMappingURL=publisher-errors.js.map
;// CONCATENATED MODULE: ./lib/providers/github/publisher.js
/**
 * Tags and GitHub Releases through the REST API (the `Publisher` port). Reads what exists,
 * lets the pure planner (core/release-plan.ts) decide, then applies the steps one request at a
 * time, so that a re-run finds everything right and changes nothing.
 *
 * Permissions: GitHub has no endpoint that tells what an installation token (GITHUB_TOKEN) may
 * do, so `prepare` asks `POST git/refs` for a tag on a commit that cannot exist (40 zeros). With
 * `contents: write` GitHub answers 422 (no such object) and nothing is created; without it, 403.
 * For user tokens `GET /repos/{o}/{r}` reports `permissions.push`, which is used instead.
 */



/** An impossible commit id: used to probe write access without creating anything. */
const NO_COMMIT = "0".repeat(40);
const MAX_TAG_DEPTH = 5;
/** Tags and releases on GitHub (SPEC section 5, Tags and releases). */
class GitHubPublisher {
    #client;
    #repo;
    #logger;
    #links;
    #promotePrerelease;
    /** `publish`'s reads, started by `prefetch`; used once. */
    #prefetched;
    constructor(options) {
        this.#client = options.client;
        this.#repo = { owner: options.owner, repo: options.repo };
        this.#logger = options.logger;
        this.#links = { runUrl: options.runUrl, environmentUrl: options.environmentUrl };
        this.#promotePrerelease = options.promotePrerelease ?? false;
    }
    /**
     * Fails before production is touched when the token cannot write tags, or (given the
     * release) when a release tag it would create already exists on another commit.
     */
    async prepare(signal, release) {
        // Independent reads, side by side: each is a GitHub round trip before production is touched.
        const [access, tags] = await Promise.allSettled([
            this.#checkWriteAccess(signal),
            release === undefined ? [] : this.#checkReleaseTags(release, signal),
        ]);
        // A token that cannot push says most; a tag conflict only matters once it could.
        if (access.status === "rejected")
            throw access.reason;
        if (tags.status === "rejected")
            throw tags.reason;
        for (const line of tags.value)
            this.#logger.info(line);
    }
    /** The planner's own release-tag rule, applied to what the repository holds now: what each tag's state is. */
    async #checkReleaseTags(release, signal) {
        const request = { release, promotePrerelease: this.#promotePrerelease, floatingTags: false };
        const tags = {};
        const names = involvedTags(request);
        const read = await Promise.all(names.map((name) => this.#readTag(name, signal)));
        names.forEach((name, i) => (tags[name] = read[i]));
        return releaseTagSteps(release, request.promotePrerelease, tags).map((step) => {
            const state = step.kind === "keep" ? `already at ${shortSha(step.commit)}` : "free (created once production is healthy)";
            return `Tag ${step.tag}: ${state}.`;
        });
    }
    async #checkWriteAccess(signal) {
        const repo = await this.#call("read the repository", () => this.#client.rest.repos.get({ ...this.#repo, request: { signal } }));
        const permissions = repo.data.permissions;
        if (permissions !== undefined) {
            if (!permissions.push)
                throw new errors/* GitHubError */.y_(`The token cannot push to ${this.#slug()}. ${PERMISSION_HINT}`, { status: 403 });
            return;
        }
        await this.#probeWrite(signal);
    }
    /** Every tag name of the repository, through every page. */
    async listTags(signal) {
        const tags = await this.#call("list tags", () => this.#client.paginate(this.#client.rest.repos.listTags, { ...this.#repo, per_page: 100, request: { signal } }));
        return tags.map((tag) => tag.name);
    }
    /**
     * Starts `publish`'s reads now (the run calls this when its health gate starts). The next
     * `publish` of the same tags uses them if they succeeded within `PREFETCH_MAX_AGE_MS`;
     * otherwise it reads again. Creates nothing.
     */
    prefetch(request, signal) {
        const planRequest = this.#planRequest(request);
        const key = readsKey(planRequest);
        const reads = this.#reads(planRequest, signal);
        reads.catch(() => undefined);
        this.#prefetched = { key, at: Date.now(), reads };
    }
    /** Creates or confirms the release tags, floating tags and the GitHub Release. */
    async publish(request, signal) {
        const planRequest = this.#planRequest(request);
        const prefetched = this.#prefetched;
        this.#prefetched = undefined;
        const fresh = prefetched && prefetched.key === readsKey(planRequest) && Date.now() - prefetched.at <= PREFETCH_MAX_AGE_MS;
        const early = fresh ? await prefetched.reads.catch(() => undefined) : undefined;
        const observed = early ?? (await this.#reads(planRequest, signal));
        const plan = planRelease(planRequest, observed);
        // Logged one by one, so that a failure half-way still shows what was done.
        const actions = [];
        const done = (action) => (actions.push(action), this.#logger.info(action));
        for (const step of plan.tags)
            done(await this.#applyTag(step, signal));
        const applied = await this.#applyRelease(plan.release, request.productionVersionId, signal);
        done(applied.action);
        return { releaseTag: plan.releaseTag, releaseUrl: applied.url, actions };
    }
    #planRequest(request) {
        return {
            release: request.release,
            versionId: request.productionVersionId,
            promotePrerelease: request.promotePrerelease,
            floatingTags: request.floatingTags,
            createRelease: request.createRelease,
            productionUrl: request.productionUrl,
            ...this.#links,
        };
    }
    /** What the plan needs to know: the involved tags, every tag name, the release. Side by side: one round trip. */
    async #reads(planRequest, signal) {
        const names = involvedTags(planRequest);
        const needsAll = planRequest.floatingTags || planRequest.createRelease;
        const releaseTag = releaseTagOf(planRequest.release, planRequest.promotePrerelease);
        const tagReads = Promise.all(names.map((name) => this.#readTag(name, signal)));
        const allTagsRead = needsAll ? this.listTags(signal) : Promise.resolve([]);
        const releaseRead = planRequest.createRelease ? this.#readRelease(releaseTag, signal) : Promise.resolve(undefined);
        await Promise.allSettled([tagReads, allTagsRead, releaseRead]);
        // Awaited in this order once all are done: the failure reported is the same whichever came first.
        const read = await tagReads;
        const allTags = await allTagsRead;
        const release = await releaseRead;
        const tags = {};
        names.forEach((name, i) => (tags[name] = read[i]));
        return { tags, allTags, ...(release ? { release } : {}) };
    }
    /** Adds a note to the release of `tag`, if there is one. */
    async noteRollback(tag, note, signal) {
        const release = await this.#readRelease(tag, signal);
        if (release === undefined) {
            this.#logger.info(`No GitHub Release for ${tag}: nothing to note.`);
            return;
        }
        const text = `> [!WARNING]\n> Rolled back: ${note.replace(/\n/g, "\n> ")}`;
        if (release.body.includes(text))
            return;
        const body = release.body.trim() === "" ? text : `${release.body}\n\n${text}`;
        await this.#call(`update release ${tag}`, () => this.#client.rest.repos.updateRelease({ ...this.#repo, release_id: release.id, body, request: { signal } }));
        this.#logger.info(`Noted the rollback on release ${tag}.`);
    }
    async #applyTag(step, signal) {
        if (step.kind === "create")
            return this.#createTag(step.tag, step.commit, step.floating, signal);
        if (step.kind === "move")
            await this.#moveTag(step.tag, step.commit, signal);
        return describeTagStep(step);
    }
    /** Creates a tag ref; when another run created it meanwhile, checks (or moves, if floating) it. */
    async #createTag(tag, commit, floating, signal) {
        try {
            await this.#client.rest.git.createRef({ ...this.#repo, ref: `refs/tags/${tag}`, sha: commit, request: { signal } });
            return `created tag ${tag} at ${shortSha(commit)}`;
        }
        catch (error) {
            if (publisher_errors_statusOf(error) !== 422 || !/already exists/i.test(messageOf(error)))
                throw translate(error, `create tag ${tag}`);
        }
        const current = await this.#readTag(tag, signal);
        if (current === commit)
            return `tag ${tag} already at ${shortSha(commit)}`;
        if (!floating || current === undefined)
            throw new TagConflictError(tag, current ?? "(unknown)", commit);
        await this.#moveTag(tag, commit, signal);
        return `moved ${tag} → ${shortSha(commit)} (was ${shortSha(current)})`;
    }
    async #moveTag(tag, commit, signal) {
        await this.#call(`move tag ${tag}`, () => this.#client.rest.git.updateRef({ ...this.#repo, ref: `tags/${tag}`, sha: commit, force: true, request: { signal } }));
    }
    async #applyRelease(step, versionId, signal) {
        switch (step.kind) {
            case "skip":
                return { action: `no GitHub Release (create-release is false)` };
            case "keep":
                return { action: `release ${step.tag} already names ${versionId}`, url: step.url };
            case "update": {
                const res = await this.#call(`update release ${step.tag}`, () => this.#client.rest.repos.updateRelease({ ...this.#repo, release_id: step.id, body: step.body, request: { signal } }));
                return { action: `updated release ${step.tag}`, url: res.data.html_url };
            }
            case "create":
                return this.#createRelease(step, versionId, signal);
        }
    }
    async #createRelease(step, versionId, signal) {
        try {
            const res = await this.#client.rest.repos.createRelease({
                ...this.#repo,
                tag_name: step.tag,
                name: step.name,
                body: step.body,
                prerelease: step.prerelease,
                generate_release_notes: true,
                make_latest: step.makeLatest ? "true" : "false",
                request: { signal },
            });
            return { action: `created release ${step.tag}`, url: res.data.html_url };
        }
        catch (error) {
            if (publisher_errors_statusOf(error) === 404) {
                throw new errors/* GitHubError */.y_(`Creating the GitHub Release of ${step.tag} failed with 404. ${WORKFLOW_TRAP_HINT}`, {
                    status: 404,
                    cause: error,
                });
            }
            if (publisher_errors_statusOf(error) !== 422 || !/already.exists/i.test(JSON.stringify(bodyOf(error)) + messageOf(error))) {
                throw translate(error, `create release ${step.tag}`);
            }
        }
        // Another run created it meanwhile: found, or updated like any existing release.
        const found = await this.#readRelease(step.tag, signal);
        if (found === undefined)
            throw new errors/* GitHubError */.y_(`Release ${step.tag} was reported as existing but cannot be read.`);
        if (found.body.includes(versionId))
            return { action: `release ${step.tag} already names ${versionId}`, url: found.url };
        const body = withSection(found.body, step.body);
        return this.#applyRelease({ kind: "update", tag: step.tag, id: found.id, body }, versionId, signal);
    }
    /** The commit a tag points at (annotated tags peeled), or undefined when there is no such tag. */
    async #readTag(tag, signal) {
        const ref = await this.#optional(`read tag ${tag}`, () => this.#client.rest.git.getRef({ ...this.#repo, ref: `tags/${tag}`, request: { signal } }));
        // getRef answers the refs that start with the name when there is no exact match (old API behaviour).
        if (ref === undefined || Array.isArray(ref.data) || ref.data.ref !== `refs/tags/${tag}`)
            return undefined;
        let object = ref.data.object;
        for (let depth = 0; object.type === "tag" && depth < MAX_TAG_DEPTH; depth++) {
            const sha = object.sha;
            const annotated = await this.#call(`read tag object ${tag}`, () => this.#client.rest.git.getTag({ ...this.#repo, tag_sha: sha, request: { signal } }));
            object = annotated.data.object;
        }
        if (object.type !== "commit")
            throw new errors/* GitHubError */.y_(`Tag ${tag} points at a ${object.type}, not at a commit.`);
        return object.sha;
    }
    async #readRelease(tag, signal) {
        const res = await this.#optional(`read release ${tag}`, () => this.#client.rest.repos.getReleaseByTag({ ...this.#repo, tag, request: { signal } }));
        if (res === undefined)
            return undefined;
        return { id: res.data.id, tag, body: res.data.body ?? "", url: res.data.html_url };
    }
    async #probeWrite(signal) {
        const ref = `refs/tags/shipline-permission-check-${Date.now().toString(36)}`;
        try {
            await this.#client.rest.git.createRef({ ...this.#repo, ref, sha: NO_COMMIT, request: { signal } });
            // Only a fake API accepts a missing commit; clean up after it.
            await this.#client.rest.git.deleteRef({ ...this.#repo, ref: ref.slice("refs/".length), request: { signal } });
        }
        catch (error) {
            const status = publisher_errors_statusOf(error);
            if (status === 403 && publisher_errors_isPermissionDenied(error))
                throw translate(error, "check write access (contents: write)");
            if (status !== 422)
                this.#logger.debug(`Could not check write access in advance (${messageOf(error)}).`);
        }
    }
    /** Runs a request; a 404 is "absent". */
    async #optional(what, fn) {
        try {
            return await fn();
        }
        catch (error) {
            if (publisher_errors_statusOf(error) === 404)
                return undefined;
            throw translate(error, what);
        }
    }
    async #call(what, fn) {
        try {
            return await fn();
        }
        catch (error) {
            throw translate(error, what);
        }
    }
    #slug() {
        return `${this.#repo.owner}/${this.#repo.repo}`;
    }
}
/**
 * Reads older than this are read again: a gate of the default length (6 × 10 s) stays well
 * inside it; a tag moved by someone else during a longer wait is then seen.
 */
const PREFETCH_MAX_AGE_MS = 120_000;
/** Which reads a plan request needs: a prefetch is used only for the same ones. */
function readsKey(request) {
    return JSON.stringify([
        involvedTags(request),
        request.floatingTags || request.createRelease,
        request.createRelease ? releaseTagOf(request.release, request.promotePrerelease) : "",
    ]);
}
//# sourceMappingURL=publisher.js.map
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
;// CONCATENATED MODULE: ./lib/providers/cloudflare/analytics.js

const CANARY_QUERY = `query ShiplineCanary($accountTag: string!, $scriptName: string!, $from: Time!, $until: Time!) {
  viewer {
    accounts(filter: { accountTag: $accountTag }) {
      workersInvocationsAdaptive(limit: 100, filter: { scriptName: $scriptName, datetime_geq: $from, datetime_leq: $until }) {
        dimensions { scriptVersion }
        sum { requests errors }
        avg { sampleInterval }
        quantiles { wallTimeP50 wallTimeP75 wallTimeP90 wallTimeP99 }
      }
    }
  }
}`;
class CloudflareAnalytics {
    #options;
    constructor(options) {
        this.#options = options;
    }
    /**
     * One query over the last minute: proves the token may read the account's analytics. A
     * refusal (no permission, wrong account) fails; an outage (5xx, timeout) does not.
     */
    async prepare(target, signal) {
        const now = (this.#options.now ?? Date.now)();
        try {
            await this.read(target, { from: now - 60_000, until: now }, signal);
        }
        catch (error) {
            // An outage now says nothing about the permission: each step's no-verdict policy handles one then.
            if (error instanceof errors/* DeployError */.sH && error.transient)
                return;
            const text = (0,errors/* errorMessage */.gJ)(error);
            const denied = /authz|not authorized|permission/i.test(text);
            throw new errors/* DeployError */.sH(`production.analysis is set, but Cloudflare's analytics cannot be read for ${target.environment}: ${text}.${denied ? " The API token needs the Account Analytics Read permission (Account › Account Analytics › Read)." : ""}`, { command: "POST /graphql", detail: text, cause: error });
        }
    }
    async read(target, window, signal) {
        const { worker, api } = await this.#options.resolve(target.environment, signal);
        const data = await api.graphql(CANARY_QUERY, { accountTag: worker.accountId, scriptName: worker.script, from: isoSeconds(window.from), until: isoSeconds(window.until) }, signal);
        const accounts = data?.viewer?.accounts;
        if (!Array.isArray(accounts)) {
            throw new errors/* DeployError */.sH("POST /graphql answered without viewer.accounts", {
                command: "POST /graphql",
                detail: JSON.stringify(data).slice(0, 200),
            });
        }
        const rows = accounts[0]?.workersInvocationsAdaptive ?? [];
        if (!Array.isArray(rows)) {
            throw new errors/* DeployError */.sH("POST /graphql answered without workersInvocationsAdaptive rows", { command: "POST /graphql" });
        }
        return analytics_combine(rows);
    }
}
/** Rows by version; several rows of one version are added up (quantiles: the larger, to be safe). */
function analytics_combine(rows) {
    const byVersion = new Map();
    for (const row of rows) {
        const versionId = typeof row.dimensions?.scriptVersion === "string" ? row.dimensions.scriptVersion : "";
        const requests = num(row.sum?.requests);
        const interval = num(row.avg?.sampleInterval) || 1;
        const q = row.quantiles ?? {};
        const quantiles = {
            p50: num(q["wallTimeP50"]),
            p75: num(q["wallTimeP75"]),
            p90: num(q["wallTimeP90"]),
            p99: num(q["wallTimeP99"]),
        };
        const known = byVersion.get(versionId);
        if (!known) {
            byVersion.set(versionId, { requests, errors: num(row.sum?.errors), observed: requests / interval, wallTimeUs: quantiles });
            continue;
        }
        known.requests += requests;
        known.errors += num(row.sum?.errors);
        known.observed += requests / interval;
        for (const key of ["p50", "p75", "p90", "p99"]) {
            known.wallTimeUs = { ...known.wallTimeUs, [key]: Math.max(known.wallTimeUs[key] ?? 0, quantiles[key] ?? 0) };
        }
    }
    return [...byVersion].map(([versionId, v]) => ({
        versionId,
        requests: v.requests,
        errors: v.errors,
        sampleInterval: v.observed > 0 ? v.requests / v.observed : 1,
        wallTimeUs: v.wallTimeUs,
    }));
}
function num(value) {
    return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
/** RFC 3339 to the second, as the API's `Time` takes it. */
function isoSeconds(epochMs) {
    return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
//# sourceMappingURL=analytics.js.map
// EXTERNAL MODULE: ./lib/providers/http/network-error.js
var network_error = __webpack_require__(8622);
;// CONCATENATED MODULE: ./lib/providers/http/probe.js
/**
 * The HTTP probe gates use: one GET per check, through `fetch` (undici in Node), with a
 * per-request timeout, a bounded body read, and network failures turned into short text.
 */


/**
 * Enough for any health document or page (input `health-max-body-bytes`); a body larger than
 * this is cut, not read to the end, and the probe says where (`bodyCutAt`).
 */
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const USER_AGENT = "shipline-probe";
/** An `HttpProbe` over `fetch` that does not follow redirects (a gate sees the 3xx itself). */
function createFetchProbe(options = {}) {
    const deps = {
        fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
        now: options.now ?? (() => performance.now()),
        maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    };
    return { probe: (request, signal) => probeOnce(deps, request, signal) };
}
/**
 * Resolves with a response or a `kind: "error"` (timeout, refused, DNS...); rejects only when
 * the caller's signal aborts, so that a cancelled run is not recorded as a failing service.
 */
async function probeOnce(deps, request, callerSignal) {
    callerSignal.throwIfAborted();
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = AbortSignal.any([callerSignal, timeout]);
    const started = deps.now();
    try {
        const response = await deps.fetch(request.url, {
            method: "GET",
            headers: withUserAgent(request.headers),
            redirect: "manual",
            signal,
        });
        const maxBytes = request.maxBodyBytes ?? deps.maxBodyBytes;
        const { text: body, cut } = await readBody(response, maxBytes);
        const headers = Object.fromEntries([...response.headers].map(([name, value]) => [name.toLowerCase(), value]));
        const latencyMs = deps.now() - started;
        return { kind: "response", status: response.status, headers, body, latencyMs, ...(cut ? { bodyCutAt: maxBytes } : {}) };
    }
    catch (error) {
        callerSignal.throwIfAborted();
        const message = timeout.aborted ? `timeout after ${(0,parse/* formatDuration */.a3)(request.timeoutMs)}` : (0,network_error/* describeNetworkError */.g)(error);
        return { kind: "error", error: message, latencyMs: deps.now() - started };
    }
}
function withUserAgent(headers) {
    const named = Object.keys(headers).some((name) => name.toLowerCase() === "user-agent");
    return named ? { ...headers } : { "user-agent": USER_AGENT, ...headers };
}
/** Reads at most `maxBytes` of the body as UTF-8, then cancels the rest of the download; `cut` when there was more. */
async function readBody(response, maxBytes) {
    if (!response.body)
        return { text: "", cut: false };
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let received = 0;
    let done = false;
    let cut = false;
    try {
        while (!done && !cut) {
            const chunk = await reader.read();
            done = chunk.done;
            if (chunk.value === undefined || chunk.value.byteLength === 0)
                continue;
            // A chunk arriving once the limit is reached is the proof that the body was longer.
            if (received >= maxBytes)
                cut = true;
            const kept = chunk.value.subarray(0, maxBytes - received);
            if (kept.byteLength < chunk.value.byteLength)
                cut = true;
            received += kept.byteLength;
            text += decoder.decode(kept, { stream: true });
        }
        return { text: text + decoder.decode(), cut };
    }
    finally {
        // Frees the connection instead of downloading a body nobody will read.
        if (!done)
            await reader.cancel().catch(() => undefined);
    }
}
//# sourceMappingURL=probe.js.map
// EXTERNAL MODULE: ./lib/providers/system/clock.js
var clock = __webpack_require__(4404);
;// CONCATENATED MODULE: ./lib/providers/system/shell.js

/**
 * Runs the user's smoke command through the shell (it is a command line the user wrote),
 * streaming its output to the log and keeping it for the report. A cancellation or timeout
 * stops the command's whole process group, not just the shell (see process-tree.ts), and the
 * command never sees the action's `INPUT_*` variables.
 */
function createShellRunner(logger) {
    return {
        async run(command, { cwd, env, signal, timeoutMs }) {
            const child = (0,process_tree/* startChild */.v0)(command, [], {
                shell: true,
                cwd,
                env,
                all: true,
                signal,
                timeoutMs,
                onOutput: (text) => {
                    for (const line of text.split("\n"))
                        if (line)
                            logger.info(line);
                },
            });
            const result = await child.result;
            const stopped = result.cancelled || result.timedOut;
            const exitCode = result.exitCode ?? (stopped || result.signal ? 130 : 1);
            // A command that could not start (cwd missing) says why instead of nothing.
            return { exitCode: stopped && exitCode === 0 ? 130 : exitCode, output: result.all || (result.startError?.message ?? "") };
        },
    };
}
//# sourceMappingURL=shell.js.map
;// CONCATENATED MODULE: ./lib/providers/wrangler/config-account.js
/**
 * A wrangler config's `account_id` silently beats `CLOUDFLARE_ACCOUNT_ID`, so a run given one
 * account can deploy to another. This reads the config's ids (top level and per environment)
 * from the file wrangler itself reads, and says so when they differ from the input.
 */


/** The account ids a wrangler config names (top level and per environment), with the file's name. */
async function readConfigAccountIds(workingDirectory) {
    let project;
    try {
        project = (0,wrangler_project/* readWranglerProject */.ag)(workingDirectory);
    }
    catch {
        // A config that does not parse is reported by the working-directory check, not here.
        return undefined;
    }
    if (!project)
        return undefined;
    const ids = [project.accountId, ...Object.values(project.environments).map((env) => env.accountId)];
    const accountIds = ids.filter((id) => id !== undefined && id !== "");
    return { file: displayName(workingDirectory, project.configPath), accountIds: [...new Set(accountIds)] };
}
/** A warning when the config's `account_id` differs from the `cloudflare-account-id` input; else `undefined`. */
async function accountIdWarning(workingDirectory, accountId) {
    if (!accountId)
        return undefined;
    const config = await readConfigAccountIds(workingDirectory);
    const others = config?.accountIds.filter((id) => id !== accountId) ?? [];
    if (!config || others.length === 0)
        return undefined;
    return (`${config.file} sets account_id ${others.join(", ")}, which differs from the cloudflare-account-id input; ` +
        `wrangler uses the config's value. Remove account_id from ${config.file} or make them match.`);
}
/** `wrangler.toml` for a file in the folder itself, else its path relative to the folder. */
function displayName(workingDirectory, configPath) {
    if ((0,external_node_path_.dirname)(configPath) === (0,external_node_path_.resolve)(workingDirectory))
        return (0,external_node_path_.basename)(configPath);
    return (0,external_node_path_.relative)((0,external_node_path_.resolve)(workingDirectory), configPath);
}
//# sourceMappingURL=config-account.js.map
// EXTERNAL MODULE: ./lib/providers/wrangler/commands.js
var commands = __webpack_require__(9307);
// EXTERNAL MODULE: ./lib/providers/cloudflare/api.js
var api = __webpack_require__(3916);
// EXTERNAL MODULE: ./lib/providers/wrangler/output.js
var output = __webpack_require__(8180);
// EXTERNAL MODULE: ./lib/providers/wrangler/text.js
var wrangler_text = __webpack_require__(2238);
;// CONCATENATED MODULE: ./lib/providers/wrangler/failure.js
/**
 * Turning a failed wrangler result into an error that says what wrangler said: the
 * `command-failed` entry, the tail of stderr, any version the command created before it
 * failed (a partial deploy can already be live), and whether the failure looks passing.
 */




const STDERR_TAIL_LINES = 15;
const STDOUT_TAIL_LINES = 10;
const CURRENT_VERSION_LINE = /^Current Version ID: (\S+)$/m;
const UPLOADED_VERSION_LINE = /^Worker Version ID: (\S+)$/m;
/**
 * API error codes that come with server-side trouble rather than a bad request: 10013 ("An
 * unknown error has occurred", what the API answers 5xx failures with) and 971 (throttled).
 * wrangler prints an envelope error's code but not its HTTP status. (Inference from the API's
 * answers, not a documented list.)
 */
const TRANSIENT_CODES = new Set([10013, 971]);
// undici's "fetch failed" and the connection errors behind it, as wrangler prints them.
const NETWORK_FAILURE = /\bfetch failed\b|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|socket hang up|other side closed|UND_ERR_[A-Z_]+/;
// "Received a malformed response from the API" is followed by "GET /accounts/… -> 502 Bad Gateway".
const RESPONSE_STATUS = /-> (\d{3})\b/g;
/** Whether the command ran to completion with exit code 0. */
function succeeded(result) {
    return result.exitCode === 0 && !result.timedOut && !result.cancelled;
}
/** The version id the command reported (output file first, stdout as a fallback), if any. */
function reportedVersionId(result) {
    const entry = (0,output.findEntry)(result.entries, "deploy") ?? (0,output.findEntry)(result.entries, "version-upload");
    if (entry?.version_id)
        return entry.version_id;
    return (CURRENT_VERSION_LINE.exec(result.stdout) ?? UPLOADED_VERSION_LINE.exec(result.stdout))?.[1];
}
/**
 * Whether a failed command looks passing, so that a retry may succeed: it timed out, lost its
 * connection ("fetch failed"), got a non-JSON 5xx/429 answer, or an error code the API gives
 * server-side failures. Auth errors, unknown versions and bad input are not.
 */
function isTransientFailure(result) {
    if (result.cancelled)
        return false;
    if (result.timedOut)
        return true;
    const failed = (0,output.findEntry)(result.entries, "command-failed");
    if (failed?.code !== undefined && TRANSIENT_CODES.has(failed.code))
        return true;
    const text = `${failed?.message ?? ""}\n${result.stderr}`;
    if (NETWORK_FAILURE.test(text))
        return true;
    return [...text.matchAll(RESPONSE_STATUS)].some((match) => (0,api/* isTransientStatus */.Dm)(Number(match[1])));
}
/** wrangler's own words about a failure: the `command-failed` message, then the tail of stderr. */
function failureDetail(result) {
    const failed = (0,output.findEntry)(result.entries, "command-failed");
    const parts = [];
    const stderrTail = (0,wrangler_text/* lastLines */.w$)(result.stderr, STDERR_TAIL_LINES);
    // stderr usually repeats the message already; the entry adds the API error code.
    if (failed?.message && !stderrTail.includes(failed.message))
        parts.push(withCode(failed.message, failed.code));
    if (stderrTail)
        parts.push(stderrTail);
    // Auth errors (code 10000) print their diagnosis on stdout.
    if (parts.length === 0 || failed?.code === 10000) {
        const stdoutTail = (0,wrangler_text/* lastLines */.w$)(result.stdout, STDOUT_TAIL_LINES);
        if (stdoutTail)
            parts.push(stdoutTail);
    }
    return parts.join("\n") || `no output (exit code ${String(result.exitCode)})`;
}
/** One line saying what went wrong: the `command-failed` message, else wrangler's `✘ [ERROR]` line. */
function failureHeadline(result, detail) {
    const failed = (0,output.findEntry)(result.entries, "command-failed");
    if (failed?.message)
        return withCode(failed.message, failed.code);
    const errorLine = result.stderr.split(/\r?\n/).find((line) => /^\s*✘/.test(line));
    const line = errorLine ?? detail.split("\n", 1)[0] ?? "";
    // Drop wrangler's "✘ [ERROR]" marker: the message says it already.
    return line.replace(/^\s*✘\s*(\[ERROR\]\s*)?/, "").trim();
}
function withCode(message, code) {
    return code === undefined ? message : `${message} [code: ${code}]`;
}
/** The error for a failed command; `CancelledError` when the run's signal stopped it. */
function failureError(command, result, summary) {
    const versionId = reportedVersionId(result);
    if (result.cancelled) {
        return new errors/* CancelledError */.cc(`${command} was cancelled${versionId ? ` (it had reported version ${versionId})` : ""}`, {
            ...(versionId ? { versionId } : {}),
        });
    }
    const detail = failureDetail(result);
    return new errors/* DeployError */.sH(`${command} ${summary ?? outcome(result)}: ${failureHeadline(result, detail)}`, {
        command,
        ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
        detail,
        ...(versionId ? { versionId } : {}),
        transient: isTransientFailure(result),
    });
}
function outcome(result) {
    if (result.timedOut)
        return `timed out after ${result.durationMs} ms`;
    if (result.exitCode === undefined)
        return result.signal ? `was killed by ${result.signal}` : "could not start";
    return `exited with code ${result.exitCode}`;
}
//# sourceMappingURL=failure.js.map
// EXTERNAL MODULE: ./lib/providers/wrangler/runner.js + 1 modules
var wrangler_runner = __webpack_require__(6703);
// EXTERNAL MODULE: ./lib/providers/wrangler/targets.js + 1 modules
var wrangler_targets = __webpack_require__(477);
;// CONCATENATED MODULE: ./lib/providers/wrangler/deployer.js
/**
 * The built-in `Deployer`: Cloudflare Workers through the wrangler CLI. Writes (deploy, upload,
 * traffic shifts, rollbacks) run wrangler and read its output file (stdout text is only a
 * fallback); reads of what a Worker serves are one Cloudflare API request each, with the
 * Worker, account and credentials wrangler would use (`WranglerTargets`), so that reading
 * production never starts a process. A cancelled run's restore (`urgent`) is the one API
 * request `wrangler rollback` / `versions deploy` would send.
 */






/** The request header that pins a request to one version of a Worker's current deployment. */
const VERSION_OVERRIDES_HEADER = "Cloudflare-Workers-Version-Overrides";
// The URL line after "Deployed <name> triggers": two spaces, then the URL.
const TARGET_URL_LINE = /^ {2}(https:\/\/\S+)$/m;
/** An anticipated shift's process is replaced this often while it waits (undici's headers timeout is 300 s). */
const ANTICIPATED_RENEW_MS = 4 * 60_000;
/** Held longer than this, it is not adopted (the renewal should have replaced it first). */
const ANTICIPATED_MAX_HOLD_MS = 4.5 * 60_000;
/** Deploys, inspects and rolls back a Worker with wrangler. */
class WranglerDeployer {
    name = "wrangler";
    #runner;
    #targets;
    #logger;
    #secrets;
    #vars;
    constructor(options) {
        this.#runner = "runner" in options ? options.runner : runnerFor(options);
        this.#targets = "targets" in options ? options.targets : targetsFor(options);
        this.#logger = options.logger;
        const secrets = options.contents?.secrets;
        this.#secrets = secrets && Object.keys(secrets).length > 0 ? { ...secrets } : undefined;
        this.#vars = { ...options.contents?.vars };
    }
    async deploy(target, request, signal) {
        const args = (0,commands/* deployArgs */.L)(target.environment, request.release.tag, request.message, this.#vars);
        const result = await this.#runOrThrow(args, signal, this.#secrets);
        if (result.startedAhead)
            this.#logger.info(`${this.#runner.describe(args)} was started ahead and held; it went on at once.`);
        const entry = (0,output.findEntry)(result.entries, "deploy");
        const versionId = reportedVersionId(result);
        if (!versionId)
            throw this.#missing(result, "reported no version id");
        const url = entry?.targets?.[0] ?? TARGET_URL_LINE.exec(result.stdout)?.[1];
        return { versionId, ...(url ? { url } : {}) };
    }
    async upload(target, request, signal) {
        const args = (0,commands/* uploadArgs */.tW)(target.environment, request.release.tag, request.message, this.#vars);
        const result = await this.#runOrThrow(args, signal, this.#secrets);
        const versionId = reportedVersionId(result);
        if (!versionId)
            throw this.#missing(result, "reported no version id");
        const previewUrl = (0,output.findEntry)(result.entries, "version-upload")?.preview_url ?? undefined;
        return { versionId, ...(previewUrl ? { previewUrl } : {}) };
    }
    async shift(target, allocation, message, signal) {
        const args = (0,commands/* shiftArgs */["if"])(target.environment, allocation, message);
        const problem = (0,commands/* allocationProblem */.Gh)(allocation);
        if (problem) {
            throw new errors/* DeployError */.sH(`refusing to run ${this.#runner.describe(args)}: ${problem}`, {
                command: this.#runner.describe(args),
                detail: problem,
            });
        }
        const result = await this.#runOrThrow(args, signal);
        // Guards the trap where a prompt is answered by nothing: exit 0, nothing deployed.
        if (!(0,output.findEntry)(result.entries, "version-deploy"))
            throw this.#missing(result, "reported no deployment");
        if (result.startedAhead)
            this.#logger.info(`${this.#runner.describe(args)} was started ahead and held; it went on at once.`);
    }
    /**
     * Starts `wrangler versions deploy` for `allocation` now, every request it makes held at a
     * local gate until `shift` is called with the same allocation and message: then it goes on
     * at once, without wrangler's start-up in between. Renewed every few minutes while it waits
     * (a held request would time out). Nothing reaches Cloudflare before `shift`.
     */
    async anticipateShift(target, allocation, message, signal) {
        if (!this.#runner.prestart || (0,commands/* allocationProblem */.Gh)(allocation))
            return;
        const base = this.#targets.apiBase(target.environment);
        if (base.proxied)
            return;
        await this.#runner.prestart((0,commands/* shiftArgs */["if"])(target.environment, allocation, message), {
            signal,
            upstream: base.url,
            holdReads: true,
            maxHoldMs: ANTICIPATED_MAX_HOLD_MS,
            renewAfterMs: ANTICIPATED_RENEW_MS,
        });
    }
    async restore(target, allocation, message, signal, options = {}) {
        if (options.urgent)
            return this.#restoreDirect(target, allocation, message, signal);
        const single = allocation.length === 1 && allocation[0]?.percentage === 100 ? allocation[0].versionId : undefined;
        if (!single)
            return this.shift(target, allocation, message, signal);
        // rollback writes no output entry; exit 0 is all there is. Callers read status back.
        await this.#runOrThrow((0,commands/* rollbackArgs */.GI)(target.environment, single, message), signal);
    }
    /** `Cloudflare-Workers-Version-Overrides: <worker>="<version id>"` for the environment's Worker. */
    pinHeaders(target, versionId) {
        const script = this.#targets.scriptName(target.environment);
        return { [VERSION_OVERRIDES_HEADER]: `${script}=${JSON.stringify(versionId)}` };
    }
    async status(target, signal) {
        const [current] = await this.deployments(target, signal);
        if (!current)
            return null;
        const { message: _message, ...live } = current;
        return live;
    }
    /** Earlier deployments, newest first: one `GET …/deployments`, the request `wrangler deployments list` makes. */
    async deployments(target, signal) {
        // The action's read at start, when it is the first read of this environment and still fresh.
        const early = this.#targets.takeEarlyRead(target.environment);
        if (early)
            return early;
        const { worker, api } = await this.#targets.resolve(target.environment, signal);
        this.#logger.debug(api.describe("GET", `/accounts/${worker.accountId}/workers/scripts/${worker.script}/deployments`));
        return api.deployments(worker, signal);
    }
    /** Known versions with their release tags, newest first: the request `wrangler versions list` makes. */
    async versions(target, signal) {
        const { worker, api } = await this.#targets.resolve(target.environment, signal);
        this.#logger.debug(api.describe("GET", `/accounts/${worker.accountId}/workers/scripts/${worker.script}/versions`));
        return api.versions(worker, signal);
    }
    /** The Worker's secret names: one `GET …/secrets`, the request `wrangler secret list` makes. */
    async secretNames(target, signal) {
        const { worker, api } = await this.#targets.resolve(target.environment, signal);
        this.#logger.debug(api.describe("GET", `/accounts/${worker.accountId}/workers/scripts/${worker.script}/secrets`));
        return { where: `the Worker ${worker.script} (--env ${target.environment})`, names: await api.secretNames(worker, signal) };
    }
    manualRestoreCommand(target, allocation, message) {
        return (0,commands/* manualCommand */.Kk)((0,commands/* manualRestoreArgs */.mb)(target.environment, allocation, message));
    }
    async #run(args, signal, secrets) {
        const command = this.#runner.describe(args);
        // Names only: the values go into a file wrangler reads, never into argv or the log.
        const carried = secrets ? ` ${wrangler_runner/* SECRETS_FILE_FLAG */.I9} <file with ${Object.keys(secrets).join(", ")}>` : "";
        this.#logger.info(`$ ${command}${carried}`);
        const result = await this.#runner.run(args, { signal, ...(secrets ? { secrets } : {}) });
        // wrangler's own words, folded: inside the stage's group when there is one (groups do not nest), else a group of their own.
        await this.#logger.group(`wrangler output (exit ${String(result.exitCode)} in ${(result.durationMs / 1000).toFixed(1)}s)`, async () => {
            if (result.stdout.trim())
                this.#logger.info(result.stdout.trimEnd());
            // On success stderr holds wrangler's warnings (proxy, tags not applied): worth showing.
            if (result.stderr.trim() && succeeded(result))
                this.#logger.info(result.stderr.trimEnd());
        });
        this.#logger.debug(`${command}: exit ${String(result.exitCode)} in ${result.durationMs} ms`);
        return result;
    }
    async #runOrThrow(args, signal, secrets) {
        const result = await this.#run(args, signal, secrets);
        if (!succeeded(result))
            throw failureError(this.#runner.describe(args), result);
        return result;
    }
    /** One `POST …/deployments`, what `wrangler rollback` / `versions deploy` send, without starting wrangler. */
    async #restoreDirect(target, allocation, message, signal) {
        const problem = (0,commands/* allocationProblem */.Gh)(allocation);
        if (problem)
            throw new errors/* DeployError */.sH(`refusing to restore ${target.environment}: ${problem}`, { command: "restore", detail: problem });
        const { worker, api } = await this.#targets.resolve(target.environment, signal);
        const shares = allocation.map((share) => `${share.versionId}@${share.percentage}`).join(" ");
        this.#logger.info(`${api.describe("POST", `/accounts/${worker.accountId}/workers/scripts/${worker.script}/deployments`)} (${shares}: the request wrangler would send)`);
        await api.deploy(worker, allocation, message, signal);
    }
    #missing(result, what) {
        return failureError(this.#runner.describe(result.args), result, `exited 0 but ${what}`);
    }
}
function targetsFor(options) {
    return new wrangler_targets/* WranglerTargets */.v({
        workingDirectory: options.workingDirectory,
        env: options.env,
        apiToken: options.apiToken,
        accountId: options.accountId,
        logger: options.logger,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.apiTimeoutMs === undefined ? {} : { requestTimeoutMs: options.apiTimeoutMs }),
    });
}
function runnerFor(options) {
    const { wrangler } = options;
    if ("run" in wrangler)
        return wrangler;
    return new wrangler_runner/* WranglerProcessRunner */.eL({
        binJs: wrangler.binJs,
        cwd: options.workingDirectory,
        env: options.env,
        apiToken: options.apiToken,
        accountId: options.accountId,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    });
}
//# sourceMappingURL=deployer.js.map
// EXTERNAL MODULE: ./lib/providers/wrangler/env.js
var env = __webpack_require__(9394);
;// CONCATENATED MODULE: ./lib/wiring.js
/**
 * The wiring the action and the CLI share: the wrangler to run, the deployer over it, probes,
 * commands and the clock. Each entry point adds only what is its own (GitHub issue approval
 * and records for the action; a terminal prompt and local git tags for the CLI).
 */
















/** Finds wrangler, says which, warns about an overriding `account_id`, and builds the deployer, probes and commands. */
async function wireShared(options) {
    const { config, logger } = options;
    // The user's own commands: no wrangler is looked for, and nothing of Cloudflare is read.
    if (options.deployer?.kind === "command")
        return { deps: await wireCommandDeployer(options, options.deployer) };
    const wrangler = await findWrangler(options);
    logger.info(`Using wrangler ${wrangler.version} (${describeSource(wrangler, options)}).`);
    // An account_id in the wrangler config silently beats cloudflare-account-id: say so up front.
    const warning = await accountIdWarning(config.workingDirectory, options.accountId);
    if (warning)
        logger.warn(warning);
    const secrets = options.secretValues ?? {};
    if (Object.keys(secrets).length > 0)
        checkSecretsSupport(wrangler, options);
    const early = options.runner;
    if (early && early.binJs !== wrangler.binJs)
        await early.discardPrestarted("the run uses another wrangler");
    const runner = early?.binJs === wrangler.binJs
        ? early
        : new wrangler_runner/* WranglerProcessRunner */.eL({
            binJs: wrangler.binJs,
            cwd: config.workingDirectory,
            env: options.env,
            apiToken: options.apiToken,
            accountId: options.accountId,
            ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
            ...(options.tempRoot ? { tempRoot: options.tempRoot } : {}),
        });
    // Reads of production and an urgent restore go to the Cloudflare API directly, with the
    // Worker, account, credentials, base URL and proxy wrangler itself would use.
    const targets = options.targets ??
        new wrangler_targets/* WranglerTargets */.v({
            workingDirectory: config.workingDirectory,
            env: options.env,
            apiToken: options.apiToken,
            accountId: options.accountId,
            logger,
        });
    return {
        wrangler,
        deps: {
            deployer: new WranglerDeployer({ runner, targets, logger, contents: { secrets, vars: config.vars ?? {} } }),
            probe: createFetchProbe(),
            commands: createShellRunner(logger),
            // Traffic analysis of gradual steps reads Cloudflare's analytics through the same client.
            ...(config.production.analysis
                ? { analytics: new CloudflareAnalytics({ resolve: (env, signal) => targets.resolve(env, signal) }) }
                : {}),
        },
    };
}
async function wireCommandDeployer(options, settings) {
    const { CommandDeployer } = await __webpack_require__.e(/* import() */ 624).then(__webpack_require__.bind(__webpack_require__, 4624));
    options.logger.info(`Deploying with the command deployer (${settings.commands.deploy.text}).`);
    const deployer = new CommandDeployer({
        commands: settings.commands,
        workingDirectory: options.config.workingDirectory,
        env: options.env,
        logger: options.logger,
        ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
        ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    });
    return { deployer, probe: createFetchProbe(), commands: createShellRunner(options.logger) };
}
/** The project's own wrangler when it satisfies the range, else the fallback root's, else one installed outside the project. */
async function findWrangler(options) {
    const range = options.wranglerVersion;
    const fits = (found) => found !== undefined && semver.validRange(range) !== null && semver.satisfies(found.version, range);
    const project = await (0,locate/* findProjectWrangler */.zZ)(options.config.workingDirectory);
    if (fits(project))
        return { ...project, source: "project" };
    const fallback = options.fallbackWranglerRoot ? await (0,locate/* findProjectWrangler */.zZ)(options.fallbackWranglerRoot) : undefined;
    if (fits(fallback))
        return { ...fallback, source: "project" };
    return (0,locate/* locateWrangler */.HT)({
        workingDirectory: options.config.workingDirectory,
        range,
        cacheDir: options.toolCache,
        logger: options.logger,
        signal: options.signal,
    });
}
/** Secrets travel with `--secrets-file`: a wrangler without it would fail mid-release, so it fails here, before any deploy. */
function checkSecretsSupport(wrangler, options) {
    const version = semver.coerce(wrangler.version)?.version;
    if (version && semver.gte(version, wrangler_runner/* SECRETS_FILE_MIN_WRANGLER */.zr))
        return;
    throw new errors/* ConfigError */.xL("secrets", `Input \`secrets\` needs wrangler ${wrangler_runner/* SECRETS_FILE_MIN_WRANGLER */.zr} or newer (secrets are uploaded with the version through --secrets-file), but the wrangler found is ${wrangler.version} (${describeSource(wrangler, options)}): expected a newer wrangler in the project, or \`wrangler-version\` set to ">=${wrangler_runner/* SECRETS_FILE_MIN_WRANGLER */.zr}" so that one is installed outside it. Nothing was deployed.`);
}
/**
 * The environment of the commands around production: the one wrangler runs with (the
 * step's, plus the credentials from the inputs and wrangler's quiet defaults).
 */
function productionCommandEnv(options) {
    return (0,env/* wranglerCommandEnv */.Z)({ base: options.env, apiToken: options.apiToken, accountId: options.accountId });
}
function describeSource(wrangler, options) {
    if (wrangler.source === "installed")
        return `installed outside the project, in ${wrangler.binJs}`;
    if (options.fallbackWranglerRoot && wrangler.binJs.startsWith(options.fallbackWranglerRoot))
        return "shipline's own";
    return "the project's own";
}
/**
 * The clock every wait uses: the system's. With `SHIPLINE_TEST_CLOCK=1`, shipline's own
 * simulated clock (`lib/testing/virtual-clock.js` of this installation, built by
 * `npm run build`) replaces it, so that end-to-end tests wait out an hour-long approval in a
 * second. It is not part of the action's bundle, and nothing outside this installation can
 * be loaded through it: a published action (no `lib/`) always runs on the system clock.
 */
async function clockFor(env) {
    if (env["SHIPLINE_TEST_CLOCK"] !== "1")
        return clock/* systemClock */.m;
    // From lib/wiring.js, or from the bundle in dist/. The path is put together at run time so
    // that the bundler neither follows it nor copies the file next to the bundle.
    const here = (0,external_node_path_.dirname)((0,external_node_url_.fileURLToPath)(import.meta.url));
    const file = ["testing", "virtual-clock.js"].map(String);
    const found = [(0,external_node_path_.join)(here, ...file), (0,external_node_path_.join)(here, "..", "lib", ...file)].find((path) => (0,external_node_fs_.existsSync)(path));
    if (!found)
        return clock/* systemClock */.m;
    const loaded = (await import(/* webpackIgnore: true */ (0,external_node_url_.pathToFileURL)(found).href));
    return new loaded.VirtualClock(Date.now());
}
//# sourceMappingURL=wiring.js.map
// EXTERNAL MODULE: ./lib/action/early.js
var action_early = __webpack_require__(9441);
// EXTERNAL MODULE: ./lib/action/env.js
var action_env = __webpack_require__(3221);
;// CONCATENATED MODULE: ./lib/action/deps.js










/** Builds every provider the action uses: the shared wiring, plus GitHub's approval, records and tags. */
async function createActionDeps(options) {
    const { settings, env, github, logger } = options;
    const config = settings.config;
    const clock = await clockFor(env);
    const { deps } = await wireShared({
        config,
        wranglerVersion: settings.runtime.wranglerVersion,
        apiToken: settings.runtime.cloudflareApiToken,
        accountId: settings.runtime.cloudflareAccountId,
        env: (0,action_env/* definedEnv */.j)(env),
        logger,
        signal: options.signal,
        toolCache: env["RUNNER_TOOL_CACHE"] || (0,external_node_path_.join)((0,external_node_os_.tmpdir)(), "shipline-tools"),
        tempRoot: env["RUNNER_TEMP"] || undefined,
        secretValues: settings.runtime.secretValues,
        deployer: settings.deployer,
        ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
        ...(options.targets ? { targets: options.targets } : {}),
        ...(options.runner ? { runner: options.runner } : {}),
    });
    const client = github && settings.runtime.githubToken
        ? createGitHubClient({ token: settings.runtime.githubToken, baseUrl: github.apiUrl, logger, env })
        : undefined;
    const releaseToken = settings.runtime.releaseToken;
    const releaseClient = client && github && releaseToken ? createGitHubClient({ token: releaseToken, baseUrl: github.apiUrl, logger, env }) : client;
    return {
        ...deps,
        clock,
        logger,
        recorder: client && github && settings.runtime.deploymentRecords
            ? new GitHubDeploymentRecorder({ client, owner: github.owner, repo: github.repo, logUrl: github.runUrl, logger })
            : undefined,
        approval: createApproval(settings, client, github, logger, clock),
        publisher: createPublisher(releaseClient, github, logger, config.release.promotePrerelease),
    };
}
function createApproval(settings, client, github, logger, clock) {
    const approval = settings.config.approval;
    if (approval.mode !== "issue" || settings.config.stages !== "all")
        return undefined;
    if (!client || !github) {
        throw new errors/* ConfigError */.xL("approval", action_early/* ISSUE_APPROVAL_NEEDS_GITHUB */.G$);
    }
    return new IssueApproval({
        client,
        owner: github.owner,
        repo: github.repo,
        approvers: [...approval.approvers],
        minimum: approval.minimum,
        timeoutMs: approval.timeoutMs,
        allowSelfApproval: approval.allowSelfApproval,
        actor: github.actor,
        clock,
        logger,
        repoUrl: `${github.serverUrl}/${github.owner}/${github.repo}`,
        label: "shipline-approval",
    });
}
function createPublisher(client, github, logger, promotePrerelease) {
    if (!client || !github)
        return undefined;
    return new GitHubPublisher({ client, owner: github.owner, repo: github.repo, logger, runUrl: github.runUrl, promotePrerelease });
}
//# sourceMappingURL=deps.js.map
;// CONCATENATED MODULE: ./lib/action/workers.js
/**
 * The action's wiring for a release of several Workers (config key `workers`): the first
 * Worker uses the deployer the action already built; each other Worker gets its own, over its
 * own folder (its wrangler, its config, its secrets and vars), through the same shared wiring.
 */




/** Every Worker of the release, in deploy order, with its own deployer. */
async function workerUnits(settings, first, options) {
    const workers = settings.workers ?? [];
    const units = [];
    for (const [index, w] of workers.entries()) {
        const config = w.settings.config;
        const directory = (0,external_node_path_.relative)(options.workspace, config.workingDirectory) || ".";
        if (index === 0) {
            units.push({ name: w.name, config, directory, deps: { deployer: first.deployer } });
            continue;
        }
        options.logger.info(`Worker ${w.name} (${directory}):`);
        const { deps } = await wireShared({
            config,
            wranglerVersion: w.settings.runtime.wranglerVersion,
            apiToken: w.settings.runtime.cloudflareApiToken,
            accountId: w.settings.runtime.cloudflareAccountId,
            env: (0,action_env/* definedEnv */.j)(options.env),
            logger: options.logger,
            signal: options.signal,
            toolCache: options.env["RUNNER_TOOL_CACHE"] || (0,external_node_path_.join)((0,external_node_os_.tmpdir)(), "shipline-tools"),
            tempRoot: options.env["RUNNER_TEMP"] || undefined,
            secretValues: w.settings.runtime.secretValues,
        });
        units.push({
            name: w.name,
            config,
            directory,
            deps: { deployer: deps.deployer, ...(deps.commands ? { commands: deps.commands } : {}) },
        });
    }
    return units;
}
//# sourceMappingURL=workers.js.map
;// CONCATENATED MODULE: ./lib/action/progress.js
/**
 * The command a human runs after a cut-off: a release's puts back what production served
 * before the run (its anchor); an emergency rollback's finishes the rollback to its chosen
 * target (the anchor there is the version rolled away from: putting it back would undo the
 * rollback). None before the target is known, and none for several Workers' rollback (one
 * command could not cover them: the message says to check each).
 */
function cutOffCommand(mode, facts, deployer, environment, severalWorkers) {
    if (!deployer)
        return undefined;
    if (mode === "rollback") {
        const target = facts.productionVersionId;
        if (severalWorkers || !target)
            return undefined;
        return deployer.manualRestoreCommand({ environment }, [{ versionId: target, percentage: 100 }], "emergency rollback, finished by hand");
    }
    return facts.anchor
        ? deployer.manualRestoreCommand({ environment }, facts.anchor.allocation, "restore after a cancelled run")
        : undefined;
}
class RunProgress {
    #facts = { approval: { status: "skipped", approvedBy: [] } };
    #stages = [];
    #open;
    /** Feed it every pipeline event. */
    observe = (event) => {
        if (event.type === "facts")
            this.#facts = event.facts;
        else if (event.type === "stage-start")
            this.#open = { stage: event.stage, label: event.label, at: event.at };
        else if (event.type === "stage-end") {
            this.#stages.push({
                stage: event.stage,
                label: event.label,
                status: event.status,
                startedAt: this.#open?.at ?? event.at,
                endedAt: event.at,
                ...(event.detail ? { detail: event.detail } : {}),
            });
            this.#open = undefined;
        }
    };
    /** Whether a write that changes what production serves started (the engine says so; an upload alone does not). */
    get productionTouched() {
        return this.#facts.productionTouched === true || this.#stages.some((s) => s.stage === "rollback") || this.#open?.stage === "rollback";
    }
    /**
     * The result of a run cut off at the hard deadline: `rollback-failed` when production was
     * touched and its restore was not read back, else `failed`. `deadline` names whose deadline
     * it was (the CLI has no runner).
     */
    cutOff(mode, startedAt, now, manualCommand, deadline = "the runner's deadline") {
        const stages = this.#open
            ? [
                ...this.#stages,
                {
                    stage: this.#open.stage,
                    label: this.#open.label,
                    status: "cancelled",
                    startedAt: this.#open.at,
                    endedAt: now,
                    detail: "cut off at the hard deadline",
                },
            ]
            : [...this.#stages];
        const restored = this.#stages.some((s) => s.stage === "rollback-verify" && s.status === "passed");
        const touched = this.productionTouched && !restored;
        const restoring = this.#stages.some((s) => s.stage === "rollback") || this.#open?.stage === "rollback";
        const facts = this.#facts;
        const serving = facts.productionVersionId ? ` (this run's ${facts.productionVersionId})` : "";
        const message = touched
            ? `Cancelled, and the cleanup did not finish before ${deadline}: production may serve an unproven version${serving}; before this run it served ${facts.previousVersionId ?? "nothing"}. Check it and restore by hand.`
            : restored
                ? `Cancelled: production was restored and read back, but the cleanup did not finish before ${deadline}.`
                : `Cancelled, and the cleanup did not finish before ${deadline}; production was not touched.`;
        return {
            ...facts,
            mode,
            result: touched ? "rollback-failed" : "failed",
            message,
            // A restore begun and cut off may still land: the command re-runs it, it does not "leave" production.
            ...(touched && manualCommand
                ? { manualCommand, manualCommandPurpose: restoring ? "retry-rollback" : "restore-anchor" }
                : {}),
            cancelled: true,
            stages,
            gates: [],
            warnings: [],
            startedAt,
            endedAt: now,
        };
    }
    get facts() {
        return this.#facts;
    }
}
/**
 * A recorder that remembers which Deployment records are still `in_progress`, so the hard
 * deadline can mark them instead of leaving them running forever on the Environments page.
 */
function trackingRecorder(inner) {
    const open = new Map();
    return {
        ...(inner.prepare ? { prepare: (signal) => inner.prepare(signal) } : {}),
        async start(environment, info) {
            const handle = await inner.start(environment, info);
            if (handle)
                open.set(handle, environment);
            return handle;
        },
        async update(handle, state, info) {
            await inner.update(handle, state, info);
            // Only once GitHub has it: a final status that did not land is sent again at the deadline.
            if (state !== "in_progress")
                open.delete(handle);
        },
        async markOpen(description, urlOf) {
            const pending = [...open.entries()];
            open.clear();
            await Promise.allSettled(pending.map(([handle, environment]) => {
                const url = urlOf(environment);
                return inner.update(handle, "failure", { description, ...(url ? { environmentUrl: url } : {}) });
            }));
        },
    };
}
//# sourceMappingURL=progress.js.map
;// CONCATENATED MODULE: ./lib/action/signals.js


/** SPEC: within 7 s of the runner's SIGINT the step has cleaned up and exited (the tree is killed at 10 s). */
const HARD_DEADLINE_MS = 6_000;
/** At the hard deadline, children get this long after SIGTERM before the exit SIGKILLs them. */
const HARD_DEADLINE_GRACE_MS = 300;
/** At the hard deadline, writing outputs, the summary and Deployment statuses gets this long. */
const HARD_DEADLINE_REPORT_MS = 400;
/**
 * Turns the runner's cancel (SIGINT, then SIGTERM) into an abort of the run. The first signal
 * starts the cleanup; later ones are logged and ignored so the cleanup is never cut in half.
 */
function installSignalHandlers(controller, logger, options = {}) {
    let deadline;
    const onSignal = (signal) => {
        if (controller.signal.aborted) {
            logger.warn(`${signal} received again: cleanup is already running and will finish first.`);
            return;
        }
        logger.warn(`${signal} received: cancelling. Stopping child processes and restoring anything unproven.`);
        controller.abort(new errors/* CancelledError */.cc(`cancelled by ${signal}`));
        deadline = setTimeout(() => {
            logger.error(`Cleanup did not finish in time; stopping every child process and exiting ${options.exitReason ?? "before the runner kills the process tree"}.`);
            // Report what is known, SIGTERM every child, a short grace, then exit: the exit hook
            // SIGKILLs whatever is still running, so no wrangler or user command outlives the step
            // (an orphaned deploy could change production).
            const report = options.onHardDeadline?.().catch(() => undefined);
            const bounded = Promise.race([report, new Promise((done) => setTimeout(done, HARD_DEADLINE_REPORT_MS).unref())]);
            const stopped = (0,process_tree/* stopAllChildren */.LM)({ graceMs: HARD_DEADLINE_GRACE_MS, refuseNew: true });
            void Promise.allSettled([bounded, stopped]).finally(() => process.exit(1));
        }, options.hardDeadlineMs ?? HARD_DEADLINE_MS);
        deadline.unref();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    return {
        dispose() {
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
            if (deadline)
                clearTimeout(deadline);
        },
    };
}
//# sourceMappingURL=signals.js.map
;// CONCATENATED MODULE: ./lib/action/main.js

























/** The action: parse inputs once, run the pipeline, write outputs and the summary. Returns the exit code. */
async function run(env = process.env, early) {
    early ??= await (0,action_early/* startEarly */.wM)(env);
    const logger = createActionsLogger();
    const { startedAt, inputs, controller } = early;
    for (const name of ["cloudflare-api-token", "github-token", "release-token"]) {
        const secret = inputs[name];
        if (secret)
            core/* setSecret */.Pq(secret);
    }
    const github = tryReadContext(env);
    if (!early.settings.ok)
        return finish(stoppedBeforeStart(early.settings.error, startedAt), env, github);
    const settings = early.settings.value;
    // The runner masks a log line at a time: a multi-line value (a PEM key) is masked line by line too.
    for (const secret of settings.secrets) {
        core/* setSecret */.Pq(secret);
        for (const line of secret.split(/\r?\n/))
            if (line.trim().length >= 4 && line !== secret)
                core/* setSecret */.Pq(line.trim());
    }
    early.log.attach(logger);
    for (const warning of settings.warnings)
        logger.warn(warning);
    if (settings.config.mode === "plan")
        return finish(await plan(settings, env, startedAt), env, github);
    const progress = new RunProgress();
    let deps;
    let records;
    // The engine's result, or what is known when the cleanup after a cancel is cut off: whichever comes first.
    let finished = false;
    const finishOnce = (result) => {
        if (finished)
            return process.exitCode === undefined ? 1 : Number(process.exitCode);
        finished = true;
        return finish(result, env, github);
    };
    const onHardDeadline = async () => {
        const manual = cutOffCommand(settings.config.mode, progress.facts, deps?.deployer, settings.config.production.environment, Boolean(settings.workers));
        finishOnce(progress.cutOff(settings.config.mode, startedAt, Date.now(), manual));
        const facts = progress.facts;
        const urlOf = (environment) => environment === settings.config.production.environment
            ? facts.productionUrl
            : environment === settings.config.staging.environment
                ? facts.stagingUrl
                : undefined;
        await records?.markOpen("cancelled; the cleanup did not finish in time", urlOf);
    };
    const signals = installSignalHandlers(controller, logger, { onHardDeadline });
    early.signals.dispose();
    const earlyRunner = await early.prestarted;
    try {
        const built = await createActionDeps({
            settings,
            env,
            github,
            logger,
            signal: controller.signal,
            ...(early.targets ? { targets: early.targets } : {}),
            ...(earlyRunner ? { runner: earlyRunner } : {}),
        });
        records = built.recorder ? trackingRecorder(built.recorder) : undefined;
        deps = { ...built, ...(records ? { recorder: records } : {}), onEvent: progress.observe };
        const wranglerEnv = productionCommandEnv({
            env: (0,action_env/* definedEnv */.j)(env),
            apiToken: settings.runtime.cloudflareApiToken,
            accountId: settings.runtime.cloudflareAccountId,
        });
        const context = { runUrl: github?.runUrl, actor: github?.actor, env: (0,action_env/* definedEnv */.j)(env), wranglerEnv };
        const workspace = env["GITHUB_WORKSPACE"] || process.cwd();
        const result = settings.config.mode === "rollback"
            ? settings.workers
                ? await runMultiRollback(await workerUnits(settings, deps, { env, signal: controller.signal, logger, workspace }), deps, controller.signal, context)
                : await runEmergencyRollback(settings.config, deps, controller.signal, context)
            : settings.workers
                ? await runMultiPipeline(await workerUnits(settings, deps, { env, signal: controller.signal, logger, workspace }), deps, controller.signal, context)
                : await runPipeline(settings.config, deps, controller.signal, context);
        return finishOnce(result);
    }
    catch (error) {
        return finishOnce(stoppedBeforeStart(error, startedAt));
    }
    finally {
        // Nothing started for this run outlives it (before the signal handlers go: a cancel now still waits for this).
        // A deploy started early and never reached refuses its held writes first.
        await earlyRunner?.discardPrestarted("the run ended before its deploy");
        await (0,process_tree/* stopAllChildren */.LM)();
        signals.dispose();
    }
}
async function plan(settings, env, startedAt) {
    const config = settings.config;
    const release = (0,core_version/* resolveVersion */.x)({ ...config.version });
    const accountId = settings.runtime.cloudflareAccountId || env["CLOUDFLARE_ACCOUNT_ID"];
    const found = settings.deployer.kind === "command" || !settings.project
        ? commandFacts(settings)
        : await projectFacts({
            directory: config.workingDirectory,
            project: settings.project,
            environments: (0,wrangler_project_check/* environmentsNeeded */.c)(config),
            wranglerRange: settings.runtime.wranglerVersion,
            hasToken: Boolean(settings.runtime.cloudflareApiToken || env["CLOUDFLARE_API_TOKEN"]),
            ...(accountId ? { accountId } : {}),
        });
    const tag = { version: release.version, tag: release.tag, commandDeployer: settings.deployer.kind === "command" };
    const planText = settings.workers
        ? settings.workers
            .map((w, i) => `Worker ${i + 1} of ${settings.workers.length}: ${w.name}\n${renderPlan(w.settings.config, tag)}`)
            .join("\n\n")
        : renderPlan(config, tag);
    const text = `${planText}\n\nProject:\n${found.map((line) => `  ${line}`).join("\n")}`;
    core/* info */.pq(text);
    return {
        ...failedBeforeStart(config.mode, "", startedAt, Date.now()),
        result: "planned",
        release,
        plan: text,
        message: `Plan for ${release.tag}: nothing was changed.`,
    };
}
function commandFacts(settings) {
    const d = settings.deployer;
    return d.kind === "command" ? (0,project_check/* commandProjectFacts */.M)(settings.config.workingDirectory, d.commands, d.timeoutMs) : [];
}
function stoppedBeforeStart(error, startedAt) {
    const message = error instanceof errors/* ConfigError */.xL ? `Configuration error: ${error.message}` : (0,errors/* errorMessage */.gJ)(error);
    return failedBeforeStart("release", message, startedAt, Date.now());
}
/**
 * Writes outputs, the health report, the summary, and the final annotation; returns the exit
 * code. Synchronous, so that the hard deadline's path writes all of it before it exits.
 */
function finish(result, env, github) {
    const reportPath = writeHealthReport(result, env);
    for (const [name, value] of Object.entries(toOutputs(result, reportPath)))
        core/* setOutput */.uH(name, value);
    const summary = env["GITHUB_STEP_SUMMARY"];
    if (summary)
        (0,external_node_fs_.appendFileSync)(summary, `${renderSummary(result, { runUrl: github?.runUrl })}\n`);
    const ok = isSuccess(result);
    if (ok)
        core/* notice */.lm(`shipline: ${result.result}. ${result.message}`);
    else {
        const manual = result.manualCommand ? `\nRun by hand: ${result.manualCommand}` : "";
        core/* error */.z3(`shipline: ${result.result}. ${result.message}${manual}`);
        process.exitCode = 1;
    }
    return ok ? 0 : 1;
}
function writeHealthReport(result, env) {
    const dir = env["RUNNER_TEMP"] || (0,external_node_os_.tmpdir)();
    const file = (0,external_node_path_.join)(dir, `shipline-health-report-${env["GITHUB_RUN_ID"] ?? process.pid}-${Date.now()}.json`);
    (0,external_node_fs_.mkdirSync)(dir, { recursive: true });
    (0,external_node_fs_.writeFileSync)(file, JSON.stringify(healthReport(result), null, 2));
    return file;
}
function tryReadContext(env) {
    try {
        return (0,context/* readGitHubContext */.L7)(env);
    }
    catch {
        return undefined;
    }
}
//# sourceMappingURL=main.js.map

/***/ }),

/***/ 6251:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Qt: () => (/* binding */ mainVersion),
/* harmony export */   WG: () => (/* binding */ soleVersion),
/* harmony export */   lA: () => (/* binding */ sameAllocation),
/* harmony export */   q7: () => (/* binding */ describeAllocation)
/* harmony export */ });
/* harmony import */ var _version_id_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4817);

/** `a1b2c3d4@100%` or `a1b2c3d4@10% + e5f6a7b8@90%`. */
function describeAllocation(allocation) {
    if (!allocation || allocation.length === 0)
        return "nothing";
    return allocation.map((share) => `${share.versionId}@${share.percentage}%`).join(" + ");
}
/** Whether two allocations route traffic the same way (order-, case- and hyphen-insensitive; 0% shares ignored). */
function sameAllocation(a, b) {
    const norm = (x) => x
        .filter((s) => s.percentage > 0)
        .map((s) => `${(0,_version_id_js__WEBPACK_IMPORTED_MODULE_0__/* .normaliseVersionId */ .a)(s.versionId)}@${s.percentage}`)
        .sort()
        .join(",");
    return norm(a) === norm(b);
}
/** The version that serves all traffic, when one does. */
function soleVersion(allocation) {
    const live = allocation?.filter((s) => s.percentage > 0) ?? [];
    return live.length === 1 && live[0]?.percentage === 100 ? live[0].versionId : undefined;
}
/** The version with the largest share (the "previous version" of a split anchor). */
function mainVersion(allocation) {
    if (!allocation || allocation.length === 0)
        return undefined;
    return [...allocation].sort((a, b) => b.percentage - a.percentage)[0]?.versionId;
}
//# sourceMappingURL=allocation.js.map

/***/ }),

/***/ 4817:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ normaliseVersionId),
/* harmony export */   o: () => (/* binding */ sameVersionId)
/* harmony export */ });
/**
 * Worker version ids as they reach shipline from different places (wrangler's output, the API,
 * a response header the Worker sets): Cloudflare's ids are UUIDs that may come with or without
 * hyphens and in any case, so ids are compared in one normal form.
 */
const HEX32 = /^[0-9a-f]{32}$/;
/**
 * The normal form of a version id: a UUID as lower-case `8-4-4-4-12` whether it came with
 * hyphens or without; any other id (another host's) trimmed and lower-cased.
 */
function normaliseVersionId(id) {
    const text = id.trim().toLowerCase();
    const hex = text.replace(/-/g, "");
    if (!HEX32.test(hex))
        return text;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
/** Whether two ids name the same version (never when either is missing). */
function sameVersionId(a, b) {
    return a !== undefined && b !== undefined && normaliseVersionId(a) === normaliseVersionId(b);
}
//# sourceMappingURL=version-id.js.map

/***/ }),

/***/ 8180:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   findEntry: () => (/* binding */ findEntry),
/* harmony export */   knownEntrySchema: () => (/* binding */ knownEntrySchema),
/* harmony export */   parseOutputFile: () => (/* binding */ parseOutputFile),
/* harmony export */   parseOutputLine: () => (/* binding */ parseOutputLine)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8816);
/**
 * wrangler's machine-readable output file (`WRANGLER_OUTPUT_FILE_PATH`): one JSON object per
 * line. Only the fields shipline reads are declared; wrangler adds fields freely, and entry
 * types this file does not know are kept as `other` rather than rejected.
 */

const base = { version: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().optional(), timestamp: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional() };
const sessionEntry = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    ...base,
    type: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz("wrangler-session"),
    wrangler_version: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    command_line_args: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()).optional(),
    log_file_path: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
});
const deployEntry = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    ...base,
    type: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz("deploy"),
    worker_name: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    worker_tag: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().nullish(),
    // `null` for `--dry-run`.
    version_id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().nullish(),
    // Absent for `--dry-run`.
    targets: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()).optional(),
    wrangler_environment: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
});
const versionUploadEntry = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    ...base,
    type: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz("version-upload"),
    worker_name: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    worker_tag: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().nullish(),
    version_id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().nullish(),
    preview_url: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().nullish(),
    preview_alias_url: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().nullish(),
    wrangler_environment: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
});
const versionDeployEntry = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    ...base,
    type: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz("version-deploy"),
    worker_name: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    worker_tag: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().nullish(),
    deployment_id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().nullish(),
    // Always `{}` in wrangler 4.86 (a Map serialised by JSON.stringify): never read the split here.
    version_traffic: zod__WEBPACK_IMPORTED_MODULE_0__/* .unknown */ .L5J().optional(),
});
const commandFailedEntry = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    ...base,
    type: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz("command-failed"),
    // Only present when the error carried a Cloudflare API error code.
    code: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().optional(),
    message: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
});
/** The entry types shipline understands, discriminated by `type`. */
const knownEntrySchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .discriminatedUnion */ .gMt("type", [
    sessionEntry,
    deployEntry,
    versionUploadEntry,
    versionDeployEntry,
    commandFailedEntry,
]);
const KNOWN_TYPES = new Set(knownEntrySchema.options.map((option) => option.shape.type.value));
/** Parses one ND-JSON line; `undefined` for blank or non-JSON lines (a torn last line when killed). */
function parseOutputLine(line) {
    if (line.trim() === "")
        return undefined;
    let raw;
    try {
        raw = JSON.parse(line);
    }
    catch {
        return undefined;
    }
    if (typeof raw !== "object" || raw === null)
        return undefined;
    const type = raw.type;
    const originalType = typeof type === "string" ? type : "";
    if (KNOWN_TYPES.has(originalType)) {
        const parsed = knownEntrySchema.safeParse(raw);
        if (parsed.success)
            return parsed.data;
    }
    return { type: "other", originalType, raw };
}
/** Parses the whole output file's text into entries, in file order. */
function parseOutputFile(text) {
    return text
        .split(/\r?\n/)
        .map(parseOutputLine)
        .filter((entry) => entry !== undefined);
}
/** The last entry of a given type, if any. */
function findEntry(entries, type) {
    for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i];
        if (entry?.type === type)
            return entry;
    }
    return undefined;
}
//# sourceMappingURL=output.js.map

/***/ })

};

//# sourceMappingURL=762.index.js.map