// The door to the GitLab REST API test double (see README.md).
export { startGitlabApi, type Fault, type GitlabApi, type GitlabApiOptions, type RecordedRequest, type TokenAccess, type Violation } from "./server.js";
export { documentedResponseFields, eventFlags, hookResponse, type HookScope, type StoredHook } from "./attributes.js";
export { GITLAB_EVENTS, type DeliveryOutcome } from "./delivery.js";
export type { GroupSpec, HookEvent, ProjectSpec } from "./store.js";
