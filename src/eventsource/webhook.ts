import type { GenericWebhookEventSource } from "../api/index.js";
import type { SecretStore } from "../config/index.js";
import { ForbiddenError, UnauthorizedError } from "../errors.js";
import { readSecret } from "./credentials.js";
import { headerValue, tokenEquals } from "../http/index.js";
import { formValues, maskCredentials, mediaType, parseJson, withMetadata } from "./payload.js";
import type { ParsedDelivery, SourceHandler, WebhookRequest } from "./receiver.js";
import type { SourceTypeEntry } from "./source-type.js";

export interface WebhookSourceContext {
  namespace: string;
  secrets: SecretStore;
}

async function verify(spec: GenericWebhookEventSource, ctx: WebhookSourceContext, req: WebhookRequest): Promise<void> {
  if (!spec.authSecret) return;
  const expected = await readSecret(ctx.secrets, ctx.namespace, spec.authSecret, "authSecret");
  const auth = headerValue(req.headers, "Authorization");
  if (auth === undefined || !auth.startsWith("Bearer ")) {
    throw new UnauthorizedError("missing Authorization: Bearer <token> header: an auth secret is configured");
  }
  if (!tokenEquals(auth.slice("Bearer ".length), expected)) throw new ForbiddenError("invalid bearer token");
}

/**
 * The body as Argo Events builds it: GET -> the query as {key: [values]},
 * a form post -> the form as {key: [values]}, anything else -> the JSON body
 * (not JSON -> 400, as the original fails to marshal it). Unlike the original,
 * an empty body is `null` rather than an error.
 */
function body(req: WebhookRequest): unknown {
  if (req.method.toUpperCase() === "GET") return formValues(req.query ?? "");
  const text = req.rawBody.toString("utf8");
  if (mediaType(headerValue(req.headers, "Content-Type")) === "application/x-www-form-urlencoded") {
    return formValues(text);
  }
  if (text.trim() === "") return null;
  return parseJson(text, "request body");
}

function parse(spec: GenericWebhookEventSource, req: WebhookRequest): ParsedDelivery {
  return {
    data: withMetadata({ header: maskCredentials(req.headers), body: body(req) }, spec.metadata),
    deliveryId:
      headerValue(req.headers, "X-Request-UUID") || headerValue(req.headers, "X-Request-Id") || undefined,
    subscribed: true,
  };
}

export function webhookSource(spec: GenericWebhookEventSource, ctx: WebhookSourceContext): SourceHandler {
  return {
    type: "webhook",
    method: (spec.method || "POST").toUpperCase(),
    authenticate: (req) => verify(spec, ctx, req),
    authenticatesHeaders: true,
    parse: (req) => parse(spec, req),
  };
}

export const webhookType: SourceTypeEntry<GenericWebhookEventSource> = {
  route: (spec) => spec,
  filter: (spec) => spec.filter,
  handler: webhookSource,
  bare: { endpoint: "/", port: "0", method: "POST" },
  deliveryHeaders: (o) => ({
    "content-type": "application/json",
    "user-agent": "trigger-gateway-send",
    "x-request-id": o.id,
    ...(o.secret === undefined ? {} : { authorization: `Bearer ${o.secret}` }),
  }),
};
