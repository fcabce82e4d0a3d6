export const id = 908;
export const ids = [908];
export const modules = {

/***/ 9908:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   deploymentCreatedSchema: () => (/* binding */ deploymentCreatedSchema),
/* harmony export */   deploymentsResultSchema: () => (/* binding */ deploymentsResultSchema),
/* harmony export */   envelopeSchema: () => (/* binding */ envelopeSchema),
/* harmony export */   membershipsResultSchema: () => (/* binding */ membershipsResultSchema),
/* harmony export */   secretsResultSchema: () => (/* binding */ secretsResultSchema),
/* harmony export */   toDeployments: () => (/* binding */ toDeployments),
/* harmony export */   toVersions: () => (/* binding */ toVersions),
/* harmony export */   versionsResultSchema: () => (/* binding */ versionsResultSchema)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8816);
/**
 * The Cloudflare API objects shipline reads (deployments, versions, memberships), mapped to
 * shipline's domain types. Only the fields shipline reads are required; the rest pass through
 * unchecked, so a fuller object from the real API parses as well as the minimal one.
 */

const annotations = zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .unknown */ .L5J()).nullish();
const deploymentSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    created_on: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    annotations,
    versions: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ version_id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), percentage: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig() })),
});
const versionSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    metadata: zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ created_on: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional() }).nullish(),
    annotations,
});
/** `GET …/workers/scripts/<name>/deployments`: `{ deployments: [...] }`. */
const deploymentsResultSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ deployments: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(deploymentSchema) });
/** `GET …/workers/scripts/<name>/versions?deployable=true`: `{ items: [...] }`. */
const versionsResultSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ items: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(versionSchema) });
/** `POST …/workers/scripts/<name>/deployments`: the new deployment (only its id is read). */
const deploymentCreatedSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP() });
/** `GET …/workers/scripts/<name>/secrets`: names and types only, never values. */
const secretsResultSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ name: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), type: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional() }));
/** `GET /memberships`: one entry per account the credentials reach. */
const membershipsResultSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ account: zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), name: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional() }) }));
/** The Cloudflare envelope; `result` is checked by the endpoint's own schema. */
const envelopeSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    success: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY(),
    errors: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ code: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().optional(), message: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional() }).passthrough()).nullish(),
    messages: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .unknown */ .L5J()).nullish(),
    result: zod__WEBPACK_IMPORTED_MODULE_0__/* .unknown */ .L5J().optional(),
    result_info: zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .unknown */ .L5J()).nullish(),
});
/** Deployments newest first, with their allocation and `workers/message`. */
function toDeployments(result) {
    return sortNewestFirst(result.deployments.map((raw) => {
        const message = annotationText(raw.annotations, "workers/message");
        return {
            deploymentId: raw.id,
            allocation: raw.versions.map((share) => ({ versionId: share.version_id, percentage: share.percentage })),
            ...(raw.created_on ? { createdOn: raw.created_on } : {}),
            ...(message ? { message } : {}),
        };
    }));
}
/** Versions newest first, with the release tag (`workers/tag`) and message (`workers/message`). */
function toVersions(result) {
    return sortNewestFirst(result.items.map((version) => {
        const tag = annotationText(version.annotations, "workers/tag");
        const message = annotationText(version.annotations, "workers/message");
        const createdOn = version.metadata?.created_on;
        return {
            versionId: version.id,
            ...(tag ? { tag } : {}),
            ...(message ? { message } : {}),
            ...(createdOn ? { createdOn } : {}),
        };
    }));
}
function annotationText(values, key) {
    const value = values?.[key];
    return typeof value === "string" && value !== "" ? value : undefined;
}
// The API lists newest first already; sorting by created_on keeps that true whatever order a
// response has. Stable: items with equal or missing timestamps keep the API's order.
function sortNewestFirst(items) {
    return items
        .map((item, index) => ({ item, index, at: item.createdOn ? Date.parse(item.createdOn) : Number.NaN }))
        .sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) ? 0 : b.at - a.at) || a.index - b.index)
        .map(({ item }) => item);
}
//# sourceMappingURL=shapes.js.map

/***/ })

};

//# sourceMappingURL=908.index.js.map