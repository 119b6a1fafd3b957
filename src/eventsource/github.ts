import type { GithubEventSource } from "../api/index.js";
import type { SecretStore } from "../config/index.js";
import { BadRequestError, ForbiddenError, UnauthorizedError } from "../errors.js";
import { readSecret } from "./credentials.js";
import { rememberJsonText } from "../eventbus/index.js";
import { headerValue, verifyHmac, signHmac } from "../http/index.js";
import { formValues, maskCredentials, mediaType, parseJson, withMetadata } from "./payload.js";
import type { ParsedDelivery, SourceHandler, WebhookRequest } from "./receiver.js";
import type { SourceTypeEntry } from "./source-type.js";

// Argo Events copies these two headers into the body under exactly these keys.
export const GITHUB_EVENT_KEY = "X-GitHub-Event";
export const GITHUB_DELIVERY_KEY = "X-GitHub-Delivery";

export interface GithubContext {
  namespace: string;
  secrets: SecretStore;
}

/** True when `event` is wanted by the `events` list (empty or `*` = all). */
export function githubSubscribed(events: string[] | undefined, event: string | undefined): boolean {
  if (!events || events.length === 0 || events.includes("*")) return true;
  return event !== undefined && events.includes(event);
}

const MISSING_SIGNATURE = "missing X-Hub-Signature-256 header: a webhook secret is configured";

/** Before the body: with a secret configured, a delivery without any signature header is refused. */
async function checkHeaders(spec: GithubEventSource, req: Omit<WebhookRequest, "rawBody">): Promise<void> {
  if (!spec.webhookSecret) return;
  if (headerValue(req.headers, "X-Hub-Signature-256") === undefined && headerValue(req.headers, "X-Hub-Signature") === undefined) {
    throw new UnauthorizedError(MISSING_SIGNATURE);
  }
}

async function verify(spec: GithubEventSource, ctx: GithubContext, req: WebhookRequest): Promise<void> {
  if (!spec.webhookSecret) return;
  const secret = await readSecret(ctx.secrets, ctx.namespace, spec.webhookSecret, "webhookSecret");
  // As GitHub and go-github: prefer the SHA-256 signature, fall back to SHA-1.
  const sha256 = headerValue(req.headers, "X-Hub-Signature-256");
  const sha1 = headerValue(req.headers, "X-Hub-Signature");
  if (sha256 !== undefined) {
    if (!verifyHmac("sha256", secret, req.rawBody, sha256)) {
      throw new ForbiddenError("X-Hub-Signature-256 does not match the payload signed with the webhook secret");
    }
    return;
  }
  if (sha1 !== undefined) {
    if (!verifyHmac("sha1", secret, req.rawBody, sha1)) {
      throw new ForbiddenError("X-Hub-Signature does not match the payload signed with the webhook secret");
    }
    return;
  }
  throw new UnauthorizedError(MISSING_SIGNATURE);
}

/** The JSON text of the delivery: the body itself, or the `payload` form field. */
function payloadText(req: WebhookRequest): string {
  const type = mediaType(headerValue(req.headers, "Content-Type"));
  const text = req.rawBody.toString("utf8");
  if (type === "application/json") return text;
  if (type === "application/x-www-form-urlencoded") {
    const payload = formValues(text).payload?.[0];
    if (payload === undefined) throw new BadRequestError("form-encoded body has no payload field");
    return payload;
  }
  throw new BadRequestError(
    `unsupported Content-Type "${type}": expected application/json or application/x-www-form-urlencoded`,
  );
}

/**
 * The JSON text of `{...body, ...added}` from the body's own text: the keys go before
 * its closing brace. A key the body already has is then given twice, and JSON.parse
 * keeps its first position and the last value, as the spread does.
 */
function withKeysAppended(text: string, body: object, added: Record<string, string>): string {
  const extra = JSON.stringify(added).slice(1, -1);
  if (Object.keys(body).length === 0) return `{${extra}}`;
  const close = text.lastIndexOf("}");
  return `${text.slice(0, close)},${extra}}`;
}

function parse(spec: GithubEventSource, req: WebhookRequest): ParsedDelivery {
  const event = headerValue(req.headers, GITHUB_EVENT_KEY);
  const delivery = headerValue(req.headers, GITHUB_DELIVERY_KEY);
  const text = payloadText(req);
  const body = parseJson(text, "GitHub payload");
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new BadRequestError("GitHub payload must be a JSON object");
  }
  const added = { [GITHUB_EVENT_KEY]: event ?? "", [GITHUB_DELIVERY_KEY]: delivery ?? "" };
  const withHeaders = rememberJsonText({ ...(body as Record<string, unknown>), ...added }, withKeysAppended(text, body, added));
  return {
    data: withMetadata({ headers: maskCredentials(req.headers), body: withHeaders }, spec.metadata),
    deliveryId: delivery || undefined,
    subscribed: githubSubscribed(spec.events, event),
    providerEvent: event,
  };
}

export function githubSource(spec: GithubEventSource, ctx: GithubContext): SourceHandler {
  return {
    type: "github",
    method: (spec.webhook?.method || "POST").toUpperCase(),
    authenticate: (req) => verify(spec, ctx, req),
    checkHeaders: (req) => checkHeaders(spec, req),
    parse: (req) => parse(spec, req),
  };
}

export const githubType: SourceTypeEntry<GithubEventSource> = {
  route: (spec) => spec.webhook,
  filter: (spec) => spec.filter,
  handler: githubSource,
  bare: { webhook: { endpoint: "/", port: "0", method: "POST" } },
  event: { header: GITHUB_EVENT_KEY, example: "push" },
  subscribable: {
    provider: "GitHub",
    // @octokit/webhooks' list of GitHub's events (with ".action" suffixes), loaded only by the checks that use it.
    names: async () => new Set((await import("@octokit/webhooks")).emitterEventNames.map((e) => e.split(".")[0] as string)),
  },
  deliveryHeaders: (o) => ({
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/trigger-gateway",
    "x-github-event": o.event,
    "x-github-delivery": o.id,
    ...(o.secret === undefined
      ? {}
      : { "x-hub-signature-256": signHmac("sha256", o.secret, o.body), "x-hub-signature": signHmac("sha1", o.secret, o.body) }),
  }),
};
