export const id = 180;
export const ids = [180];
export const modules = {

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

//# sourceMappingURL=180.index.js.map