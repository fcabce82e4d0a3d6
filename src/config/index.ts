/**
 * Configuration: action inputs and the config file → one validated `PipelineConfig`, the plan
 * text of `mode: plan`, and the generated `action.yml` / JSON Schema.
 */
export { INPUTS, OUTPUTS, inputEnvName, inputSpec, readInputs, type InputKind, type InputSpec, type OutputSpec } from "./inputs.js";
export { resolveSettings, type ResolveArgs, type ResolvedSettings, type RuntimeSettings } from "./resolve.js";
export { parseConfigFile, resolveConfig } from "./parse-file.js";
export { DEFAULT_CONFIG_PATH, expandEnv, loadConfigSource } from "./file.js";
export { configFileSchema, emitJsonSchema, SCHEMA_ID, type ConfigFile } from "./schema.js";
export { ConfigErrors } from "./values.js";
export { renderPlan, gateTimings, describeGate, type GateTimings, type PlanExtra } from "./plan.js";
export { renderActionYml } from "./emit-action-yml.js";
export { generatedFiles, type GeneratedFile } from "./generated.js";
