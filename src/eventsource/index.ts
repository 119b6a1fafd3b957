// Webhook receivers for the github, gitlab and generic webhook EventSource types.
//
// Payloads and CloudEvents are shaped exactly as Argo Events builds them. Where the
// original is insecure or loose, these receivers deliberately differ:
// - a configured secret (webhookSecret / secretToken / authSecret) is always checked,
//   timing-safe, and read per request; a missing or empty one fails with 500, never
//   skips verification (the original only loads the GitLab token when it manages hooks);
// - missing credentials -> 401, wrong ones -> 403 (the original answers 400 or 401);
// - a body over maxPayloadSize (default 1 MiB) -> 413, enforced while reading;
// - `events` filters deliveries on arrival (GitHub X-GitHub-Event, GitLab X-Gitlab-Event
//   mapped to the hook option names): an unsubscribed one gets 200 and is not published;
// - 200 only once the bus accepted the event; a bus failure -> 503 + Retry-After: 1;
// - X-Gitlab-Token is masked in the payload like Authorization;
// - generic webhook: an empty body is `null` (the original fails), any method other
//   than GET is read like POST, and form posts are detected by media type;
// - TLS in the receiver (serverCertSecret) is refused at load (validate and serve): terminate TLS in front.
export { startReceivers } from "./server.js";
export { offlineEventData, headersFrom } from "./offline.js";
export { SOURCE_TYPES, SOURCE_TYPE_NAMES, isSourceType, type SourceSpecs } from "./registry.js";
export type { DeliveryOptions, SourceContext, SourceTypeEntry } from "./source-type.js";
export type { ReceiverServer, ReceiverEndpoint, StartReceiversOptions } from "./server.js";
export { buildReceivers } from "./sources.js";
export { eventSourceCompileErrors } from "./compile-check.js";
export { createReceiver, filterEnv, DEFAULT_MAX_PAYLOAD_SIZE } from "./receiver.js";
export type {
  OutcomeListener,
  OutcomeReason,
  ParsedDelivery,
  Receiver,
  ReceiverConfig,
  ReceiverOutcome,
  SourceHandler,
  SourceType,
  WebhookRequest,
  WebhookResponse,
} from "./receiver.js";
export { githubSource, githubSubscribed, GITHUB_EVENT_KEY, GITHUB_DELIVERY_KEY } from "./github.js";
export { gitlabSource, gitlabSubscribed, gitlabEventNames, GITLAB_EVENT_NAMES } from "./gitlab.js";
export { webhookSource } from "./webhook.js";
export { bitbucketSource, bitbucketSubscribed, type BitbucketEventSource } from "./bitbucket.js";
export { bitbucketServerSource, type BitbucketServerEventSource } from "./bitbucketserver.js";
export { CREDENTIAL_HEADERS, MASKED } from "./payload.js";
