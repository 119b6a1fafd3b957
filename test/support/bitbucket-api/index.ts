// The door to the Bitbucket Cloud API test double (see README.md).
export {
  REPOSITORY_EVENTS,
  startBitbucketApi,
  type Access,
  type BitbucketApi,
  type BitbucketApiOptions,
  type Fault,
  type RecordedRequest,
  type StoredSubscription,
  type Violation,
} from "./server.js";
