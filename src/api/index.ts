// Public API of src/api: load, validate and locate argoproj.io specs.
export * from "./types.js";
export { formatFieldPath, parseFieldPath, resourceName, type FieldPath } from "./fieldpath.js";
export {
  formatLocation,
  listSpecFiles,
  loadSpecs,
  loadSpecsFromText,
  readFilesInOrder,
  specError,
  specWarning,
  withoutSyntaxTree,
  type FileRead,
  type LoadedSpec,
  type LoadResult,
  type Position,
} from "./load.js";
export { checkSpecs, loadAndValidate, sortErrors, validateLoaded, validateSpecs } from "./validate.js";
export { schemaCheck, type SchemaCheck } from "./field-names.js";
export { schemaIssues, crdSchema, closest, type SchemaIssue } from "./schema.js";
export { natsUrlProblem } from "./nats-url.js";
export { semanticIssues, webhookRoutes, type Issue, type WebhookRoute } from "./semantic.js";
export { NOT_SUPPORTED, findUnsupported, type NotSupportedRule } from "./unsupported.js";
export * from "./extension-points.js";
