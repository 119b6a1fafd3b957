// The door to the Bitbucket Server (Data Center) REST API test double.
export {
  errorBody,
  startBitbucketServerApi,
  type BitbucketServerApi,
  type BitbucketServerApiOptions,
  type Fault,
  type RecordedRequest,
  type TokenAccess,
  type Violation,
} from "./server.js";
export { deliverEvent, signature, USER_AGENT, type DeliveryOutcome } from "./delivery.js";
export { BITBUCKET_SERVER_EVENTS, type ProjectSpec, type PullRequestSpec, type StoredHook } from "./store.js";
