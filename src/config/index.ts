// The public surface of src/config: the only module other folders import from it.
export { createEventBus } from "./bus.js";
export { FileSpecSource } from "./file-source.js";
export { referenceChecks, secretChecks } from "./reference-checks.js";
export { missingIn, secretReferences, type SecretReference } from "./secret-references.js";
export { DirSecretStore, MapSecretStore, secretReferenceProblem, type SecretStore } from "./secrets.js";
export { type ApplyFailure, type ApplyResult, type SpecSource } from "./spec-source.js";
export { type SpecSet } from "./specs.js";
