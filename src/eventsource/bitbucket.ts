// Bitbucket Cloud receiver. As Argo Events: payload {headers, body, metadata?},
// body = the JSON delivery. The hook itself (`auth`, `repositories`,
// `deleteHookOnFinish`) is the hook manager's (src/hooks/). Bitbucket Cloud has no
// shared-secret header Argo checks;
// `webhook.authSecret` (a bearer token, as for every Argo webhook route) is
// checked when set, and `events` filters on X-Event-Key.
import type { EventSourceFilter, SecretKeySelector, WebhookContext } from "../api/index.js";
import type { SecretStore } from "../config/index.js";
import { BadRequestError, ForbiddenError, UnauthorizedError } from "../errors.js";
import { readSecret } from "./credentials.js";
import { headerValue, tokenEquals } from "../http/index.js";
import { maskCredentials, parseJson, withMetadata } from "./payload.js";
import type { ParsedDelivery, SourceHandler, WebhookRequest } from "./receiver.js";
import type { SourceTypeEntry } from "./source-type.js";

export interface BitbucketEventSource {
  webhook?: WebhookContext;
  events?: string[];
  metadata?: Record<string, string>;
  filter?: EventSourceFilter;
  [key: string]: unknown;
}

export interface BitbucketContext {
  namespace: string;
  secrets: SecretStore;
}

export const BITBUCKET_EVENT_KEY = "X-Event-Key";

/** Bitbucket Cloud's repository event keys (GET /2.0/hook_events/repository, "Event payloads"). */
export const BITBUCKET_EVENT_KEYS: readonly string[] = [
  "repo:push", "repo:fork", "repo:updated", "repo:commit_comment_created", "repo:commit_status_created",
  "repo:commit_status_updated", "repo:imported", "repo:deleted", "repo:transfer",
  "issue:created", "issue:updated", "issue:comment_created",
  "pullrequest:created", "pullrequest:updated", "pullrequest:approved", "pullrequest:unapproved",
  "pullrequest:fulfilled", "pullrequest:rejected", "pullrequest:comment_created", "pullrequest:comment_updated",
  "pullrequest:comment_deleted", "pullrequest:comment_resolved", "pullrequest:comment_reopened",
  "pullrequest:changes_request_created", "pullrequest:changes_request_removed",
];

/** True when the `events` list (empty or `*` = all) names this X-Event-Key. */
export function bitbucketSubscribed(events: string[] | undefined, key: string | undefined): boolean {
  if (!events || events.length === 0 || events.includes("*")) return true;
  return key !== undefined && events.includes(key);
}

/** `webhook.authSecret`: `Authorization: Bearer <token>`, as Argo Events checks it on every webhook route. */
export async function verifyAuthSecret(
  selector: SecretKeySelector | undefined,
  ctx: BitbucketContext,
  req: Omit<WebhookRequest, "rawBody">,
): Promise<void> {
  if (!selector) return;
  const expected = await readSecret(ctx.secrets, ctx.namespace, selector, "webhook.authSecret");
  const auth = headerValue(req.headers, "Authorization");
  if (auth === undefined || !auth.startsWith("Bearer ")) {
    throw new UnauthorizedError("missing Authorization: Bearer <token> header: an auth secret is configured");
  }
  if (!tokenEquals(auth.slice("Bearer ".length), expected)) throw new ForbiddenError("invalid bearer token");
}

/** The JSON body of a Bitbucket delivery (Cloud and Server); empty or not JSON -> 400. */
export function bitbucketBody(req: WebhookRequest, what: string): unknown {
  const text = req.rawBody.toString("utf8");
  if (text.trim() === "") throw new BadRequestError(`${what} payload is empty`);
  return parseJson(text, `${what} payload`);
}

function parse(spec: BitbucketEventSource, req: WebhookRequest): ParsedDelivery {
  const key = headerValue(req.headers, BITBUCKET_EVENT_KEY);
  return {
    data: withMetadata({ headers: maskCredentials(req.headers), body: bitbucketBody(req, "Bitbucket") }, spec.metadata),
    // Bitbucket Cloud keeps X-Request-UUID across its retries of one delivery.
    deliveryId: headerValue(req.headers, "X-Request-UUID") || undefined,
    subscribed: bitbucketSubscribed(spec.events, key),
    providerEvent: key,
  };
}

export function bitbucketSource(spec: BitbucketEventSource, ctx: BitbucketContext): SourceHandler {
  return {
    type: "bitbucket",
    method: (spec.webhook?.method || "POST").toUpperCase(),
    authenticate: (req) => verifyAuthSecret(spec.webhook?.authSecret, ctx, req),
    authenticatesHeaders: true,
    parse: (req) => parse(spec, req),
  };
}

export const bitbucketType: SourceTypeEntry<BitbucketEventSource> = {
  route: (spec) => spec.webhook,
  filter: (spec) => spec.filter,
  handler: bitbucketSource,
  bare: { webhook: { endpoint: "/", port: "0", method: "POST" } },
  event: { header: BITBUCKET_EVENT_KEY, example: "repo:push" },
  subscribable: { provider: "Bitbucket", names: async () => new Set(BITBUCKET_EVENT_KEYS) },
  deliveryHeaders: (o) => ({
    "content-type": "application/json",
    "user-agent": "Bitbucket-Webhooks/2.0",
    [BITBUCKET_EVENT_KEY.toLowerCase()]: o.event,
    "x-request-uuid": o.id,
    ...(o.secret === undefined ? {} : { authorization: `Bearer ${o.secret}` }),
  }),
};
