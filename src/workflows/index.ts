// The public surface of src/workflows: the only module other folders import from it.
export { LABEL_ACTION_TIMESTAMP, LABEL_SENSOR, LABEL_TRIGGER, WORKFLOW_API_VERSION, type PatchStrategy, type WorkflowClient } from "./client.js";
export { cachedClients, sensorUsername, type WorkflowClientFor } from "./identity.js";
export { kubeError } from "./kube-errors.js";
export { LocalWorkflowStore } from "./local.js";
export { parseNodeFieldSelector } from "./node-selector.js";
export { SUBMIT_FROM_KINDS, resubmittedWorkflow, resume, retry, stop, submitFrom, suspend, terminate, workflowFromTemplate, type RetryOptions, type SubmitFromKind } from "./operations.js";
export { applySubmitOpts, type SubmitOpts } from "./submit-opts.js";
export { ValidatingWorkflowClient, firstFound, parameterViolations, templateLabel, templateLookupFromClient, templateLookupFromList, templateRefOf, type TemplateLookup } from "./submit-validation.js";
