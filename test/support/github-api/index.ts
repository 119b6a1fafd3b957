// The door to the GitHub REST API test double: hooks, deliveries, App installation
// tokens, checked against GitHub's OpenAPI description (see server.ts).
export { startGithubApi, type GithubApi, type GithubApiOptions, type RecordedRequest, type Violation } from "./server.js";
export type { Fault } from "./faults.js";
export { generateAppKey, type TestAppKey } from "./jwt.js";
export { HOOKSHOT_USER_AGENT } from "./delivery.js";
export { hookRepresentation } from "./hooks.js";
export { matchRoute, operationById, toJsonSchema } from "./openapi.js";
export type { AppSpec, GithubStore, HookScope, InstallationSpec, IssuedToken, RepositorySpec, StoredDelivery, StoredHook } from "./store.js";
export { startHookReceiver, type HookReceiver, type ReceivedDelivery } from "./receiver.js";
