// Bitbucket Server / Data Center receiver. As Argo Events: payload
// {headers, body, metadata?}; `webhookSecret` = HMAC-SHA256 of the body in
// `X-Hub-Signature: sha256=<hex>`. Unlike Argo Events, the secret is checked
// whenever it is configured (Argo only loads it when it manages the hooks),
// timing-safe, and `events` filters on X-Event-Key. Hooks are never registered
// (`accessToken`, `bitbucketserverBaseURL`, `repositories` are for that).
import type { SecretKeySelector } from "../api/types.js";
import { ForbiddenError, UnauthorizedError } from "../errors.js";
import { bitbucketBody, bitbucketSubscribed, verifyAuthSecret, BITBUCKET_EVENT_KEY, type BitbucketContext, type BitbucketEventSource } from "./bitbucket.js";
import { readSecret } from "./credentials.js";
import { headerValue, verifyHmac, signHmac } from "../http/index.js";
import { maskCredentials, withMetadata } from "./payload.js";
import type { ParsedDelivery, SourceHandler, WebhookRequest } from "./receiver.js";
import type { SourceTypeEntry } from "./source-type.js";

export interface BitbucketServerEventSource extends BitbucketEventSource {
  webhookSecret?: SecretKeySelector;
}

/** Before the body: the bearer token, and with a secret configured, the signature header's presence. */
async function checkHeaders(spec: BitbucketServerEventSource, ctx: BitbucketContext, req: Omit<WebhookRequest, "rawBody">): Promise<void> {
  await verifyAuthSecret(spec.webhook?.authSecret, ctx, req);
  if (spec.webhookSecret && headerValue(req.headers, "X-Hub-Signature") === undefined) {
    throw new UnauthorizedError("missing X-Hub-Signature header: a webhook secret is configured");
  }
}

async function verify(spec: BitbucketServerEventSource, ctx: BitbucketContext, req: WebhookRequest): Promise<void> {
  await checkHeaders(spec, ctx, req);
  if (!spec.webhookSecret) return;
  const secret = await readSecret(ctx.secrets, ctx.namespace, spec.webhookSecret, "webhookSecret");
  const signature = headerValue(req.headers, "X-Hub-Signature") as string;
  if (!verifyHmac("sha256", secret, req.rawBody, signature)) {
    throw new ForbiddenError("X-Hub-Signature does not match the payload signed with the webhook secret");
  }
}

function parse(spec: BitbucketServerEventSource, req: WebhookRequest): ParsedDelivery {
  const key = headerValue(req.headers, BITBUCKET_EVENT_KEY);
  return {
    data: withMetadata({ headers: maskCredentials(req.headers), body: bitbucketBody(req, "Bitbucket Server") }, spec.metadata),
    deliveryId: headerValue(req.headers, "X-Request-Id") || undefined,
    subscribed: bitbucketSubscribed(spec.events, key),
    providerEvent: key,
  };
}

export function bitbucketServerSource(spec: BitbucketServerEventSource, ctx: BitbucketContext): SourceHandler {
  return {
    type: "bitbucketserver",
    method: (spec.webhook?.method || "POST").toUpperCase(),
    authenticate: (req) => verify(spec, ctx, req),
    checkHeaders: (req) => checkHeaders(spec, ctx, req),
    parse: (req) => parse(spec, req),
  };
}

export const bitbucketServerType: SourceTypeEntry<BitbucketServerEventSource> = {
  route: (spec) => spec.webhook,
  filter: (spec) => spec.filter,
  handler: bitbucketServerSource,
  bare: { webhook: { endpoint: "/", port: "0", method: "POST" } },
  event: { header: BITBUCKET_EVENT_KEY, example: "repo:refs_changed" },
  deliveryHeaders: (o) => ({
    "content-type": "application/json; charset=utf-8",
    "user-agent": "Atlassian HttpClient/trigger-gateway",
    [BITBUCKET_EVENT_KEY.toLowerCase()]: o.event,
    "x-request-id": o.id,
    ...(o.secret === undefined ? {} : { "x-hub-signature": signHmac("sha256", o.secret, o.body) }),
  }),
};
