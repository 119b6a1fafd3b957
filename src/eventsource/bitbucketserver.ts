// Bitbucket Server / Data Center receiver. As Argo Events: payload
// {headers, body, metadata?}; `webhookSecret` = HMAC-SHA256 of the body in
// `X-Hub-Signature: sha256=<hex>`. Unlike Argo Events, the secret is checked
// whenever it is configured (Argo only loads it when it manages the hooks),
// timing-safe, and `events` filters on X-Event-Key. Registering the hooks
// (`repositories`, `projects`, `checkInterval`, `deleteHookOnFinish`) is the hook
// manager's work (src/hooks/bitbucketserver.ts).
//
// `repo:refs_changed` with `skipBranchRefsChangedOnOpenPR` / `oneEventPerChange`,
// as Argo's processBitbucketServerWebhook (pkg/eventsources/sources/bitbucketserver/start.go):
// - the body is read as Argo's Go struct refsChangedWebhookEvent: a value of the
//   wrong JSON type refuses the delivery (400);
// - skip: each change of a BRANCH that is not a DELETE is dropped when a pull
//   request containing its toHash is OPEN (GET .../commits/{toHash}/pull-requests
//   with `accessToken` on `bitbucketserverBaseURL`); no change left = no event (200).
//   Otherwise the one event keeps the original body, every change included, as Argo.
//   An API failure fails the delivery, as Argo's (no event), but with a 503 and an
//   error log naming the repository and commit instead of Argo's 400;
// - oneEventPerChange: one event per (kept) change, its body the struct re-encoded
//   (its fields only, in its order, zero values for absent ones) with `changes` =
//   [that change]. Each event id derives from X-Request-Id and the change's refId, so
//   a redelivery is deduplicated per change.
import type { SecretKeySelector } from "../api/index.js";
import { ApiUnavailableError, BadRequestError, ForbiddenError, GatewayError, SpecError, UnauthorizedError, errorMessage } from "../errors.js";
import { BitbucketServerHookClient } from "../hooks/index.js";
import { bitbucketBody, bitbucketSubscribed, verifyAuthSecret, BITBUCKET_EVENT_KEY, type BitbucketContext, type BitbucketEventSource } from "./bitbucket.js";
import { readSecret } from "./credentials.js";
import { headerValue, verifyHmac, signHmac } from "../http/index.js";
import { maskCredentials, withMetadata } from "./payload.js";
import type { ParsedDelivery, ParsedEvent, SourceHandler, WebhookRequest } from "./receiver.js";
import type { SourceTypeEntry } from "./source-type.js";

export interface BitbucketServerEventSource extends BitbucketEventSource {
  webhookSecret?: SecretKeySelector;
  accessToken?: SecretKeySelector;
  bitbucketserverBaseURL?: string;
  skipBranchRefsChangedOnOpenPR?: boolean;
  oneEventPerChange?: boolean;
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
  if (spec.skipBranchRefsChangedOnOpenPR && (!spec.accessToken || !spec.bitbucketserverBaseURL)) {
    throw new SpecError("", "spec.bitbucketserver", "skipBranchRefsChangedOnOpenPR", "needs accessToken and bitbucketserverBaseURL to ask Bitbucket Server for open pull requests");
  }
  const splits = spec.skipBranchRefsChangedOnOpenPR === true || spec.oneEventPerChange === true;
  return {
    type: "bitbucketserver",
    method: (spec.webhook?.method || "POST").toUpperCase(),
    authenticate: (req) => verify(spec, ctx, req),
    checkHeaders: (req) => checkHeaders(spec, ctx, req),
    parse: (req) => parse(spec, req),
    ...(splits ? { expand: (parsed: ParsedDelivery) => expandRefsChanged(spec, ctx, parsed) } : {}),
  };
}

export const REFS_CHANGED = "repo:refs_changed";

/** Bitbucket Data Center's webhook event keys ("Event payload" in its documentation). */
export const BITBUCKET_SERVER_EVENT_KEYS: readonly string[] = [
  "proj:modified",
  REFS_CHANGED, "repo:modified", "repo:forked", "repo:comment:added", "repo:comment:edited", "repo:comment:deleted",
  "repo:secret_detected", "mirror:repo_synchronized",
  "pr:opened", "pr:from_ref_updated", "pr:to_ref_updated", "pr:modified", "pr:reviewer:updated",
  "pr:reviewer:approved", "pr:reviewer:unapproved", "pr:reviewer:needs_work", "pr:merged", "pr:declined",
  "pr:deleted", "pr:comment:added", "pr:comment:edited", "pr:comment:deleted",
];

/** Argo's processBitbucketServerWebhook after the signature check: the events one delivery becomes. */
async function expandRefsChanged(spec: BitbucketServerEventSource, ctx: BitbucketContext, parsed: ParsedDelivery): Promise<ParsedEvent[]> {
  const whole: ParsedEvent[] = [{ data: parsed.data, deliveryId: parsed.deliveryId }];
  if (parsed.providerEvent !== REFS_CHANGED) return whole;
  const event = decodeRefsChanged(parsed.data.body);
  let changes = event.changes;
  if (spec.skipBranchRefsChangedOnOpenPR) {
    changes = await changesWithoutOpenPullRequest(spec, ctx, event);
    if (changes.length === 0) return [];
  }
  if (!spec.oneEventPerChange) return whole;
  const list = changes ?? [];
  const refIds = list.map((c) => c.refId);
  return list.map((change, i) => {
    const unique = change.refId !== "" && refIds.indexOf(change.refId) === refIds.lastIndexOf(change.refId);
    return {
      // `body` keeps its place between `headers` and `metadata`.
      data: { ...parsed.data, body: { ...event, changes: [change] } },
      deliveryId: parsed.deliveryId === undefined ? undefined : `${parsed.deliveryId}\u0000${unique ? change.refId : `#${i}`}`,
    };
  });
}

/** Argo's filterChangesForOpenPRs: the changes kept; the first API failure fails the delivery. */
async function changesWithoutOpenPullRequest(spec: BitbucketServerEventSource, ctx: BitbucketContext, event: RefsChanged): Promise<RefChange[]> {
  const kept: RefChange[] = [];
  let client: BitbucketServerHookClient | undefined;
  const project = event.repository.project.key;
  const repo = event.repository.slug;
  for (const change of event.changes ?? []) {
    if (change.ref.type !== "BRANCH" || change.type === "DELETE") {
      kept.push(change);
      continue;
    }
    client ??= new BitbucketServerHookClient({
      baseUrl: spec.bitbucketserverBaseURL as string,
      token: await readSecret(ctx.secrets, ctx.namespace, spec.accessToken as SecretKeySelector, "accessToken"),
      retry: { steps: 3, durationMs: 200, factor: 2, jitter: 0.2 },
      timeoutMs: 5_000,
    });
    let open: boolean;
    try {
      open = await client.hasOpenPullRequest(project, repo, change.toHash);
    } catch (err) {
      const status = err instanceof ApiUnavailableError ? err.apiStatus : err instanceof GatewayError ? err.status : 0;
      throw new ApiUnavailableError(
        `skipBranchRefsChangedOnOpenPR: checking for open pull requests of ${project}/${repo} at ${change.toHash} failed, delivery refused: ${errorMessage(err)}`,
        status,
        { cause: err },
      );
    }
    if (!open) kept.push(change);
  }
  return kept;
}

// Argo's refsChangedWebhookEvent, field by field, in its order: what json.Unmarshal
// keeps of a delivery and json.Marshal writes back.
type GoType = "string" | "int" | "bool" | { struct: readonly (readonly [string, GoType])[] } | { slice: GoType };
const struct = (...fields: (readonly [string, GoType])[]): GoType => ({ struct: fields });
const slice = (of: GoType): GoType => ({ slice: of });
const LINKS = struct(["self", slice(struct(["href", "string"]))]);
const REF_CHANGE = struct(
  ["ref", struct(["id", "string"], ["displayId", "string"], ["type", "string"])],
  ["refId", "string"],
  ["fromHash", "string"],
  ["toHash", "string"],
  ["type", "string"],
);
const REFS_CHANGED_EVENT = struct(
  ["eventKey", "string"],
  ["date", "string"],
  ["actor", struct(["name", "string"], ["emailAddress", "string"], ["id", "int"], ["displayName", "string"], ["active", "bool"], ["slug", "string"], ["type", "string"], ["links", LINKS])],
  [
    "repository",
    struct(
      ["slug", "string"],
      ["id", "int"],
      ["name", "string"],
      ["hierarchyId", "string"],
      ["scmId", "string"],
      ["state", "string"],
      ["statusMessage", "string"],
      ["forkable", "bool"],
      ["project", struct(["key", "string"], ["id", "int"], ["name", "string"], ["public", "bool"], ["type", "string"], ["links", LINKS])],
      ["public", "bool"],
      ["links", struct(["clone", slice(struct(["href", "string"], ["name", "string"]))], ["self", slice(struct(["href", "string"]))])],
    ),
  ],
  ["changes", slice(REF_CHANGE)],
);

interface RefChange {
  ref: { id: string; displayId: string; type: string };
  refId: string;
  fromHash: string;
  toHash: string;
  type: string;
  [k: string]: unknown;
}
interface RefsChanged {
  repository: { slug: string; project: { key: string } };
  /** null when absent (a nil slice). */
  changes: RefChange[] | null;
  [k: string]: unknown;
}

/** json.Unmarshal of a repo:refs_changed body into Argo's struct; a type mismatch is a 400, as Argo refuses it. */
export function decodeRefsChanged(body: unknown): RefsChanged {
  return decode(REFS_CHANGED_EVENT, body, undefined, "refsChangedWebhookEvent") as unknown as RefsChanged;
}

function zero(t: GoType): unknown {
  if (t === "string") return "";
  if (t === "int") return 0;
  if (t === "bool") return false;
  if ("slice" in t) return null;
  return Object.fromEntries(t.struct.map(([k, f]) => [k, zero(f)]));
}

const INT64 = 2 ** 63;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function decode(t: GoType, v: unknown, into: unknown, at: string): unknown {
  if (v === null) return into ?? zero(t); // null leaves a Go value as it was
  const mismatch = (): never => {
    const got = Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v === "boolean" ? "bool" : typeof v;
    const want = typeof t === "string" ? t : "slice" in t ? "slice" : "struct";
    throw new BadRequestError(`decoding ${REFS_CHANGED} webhook: json: cannot unmarshal ${got} into Go struct field ${at} of type ${want}`);
  };
  // Go replaces a lone surrogate (`"\ud800"`) with U+FFFD.
  if (t === "string") return typeof v === "string" ? v.replace(LONE_SURROGATE, "\ufffd") : mismatch();
  if (t === "int") return typeof v === "number" && Number.isInteger(v) && Math.abs(v) < INT64 ? v : mismatch();
  if (t === "bool") return typeof v === "boolean" ? v : mismatch();
  if ("slice" in t) return Array.isArray(v) ? v.map((e) => decode(t.slice, e, undefined, at)) : mismatch();
  if (typeof v !== "object" || Array.isArray(v)) return mismatch();
  // Keys in document order; each goes to the field of that name, else of that name in
  // any case (Go's case-insensitive match); a repeated field's later value wins, and
  // an object merges into the struct already decoded.
  const out = { ...((into ?? zero(t)) as Record<string, unknown>) };
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    const field = t.struct.find(([k]) => k === key) ?? t.struct.find(([k]) => k.toLowerCase() === key.toLowerCase());
    if (!field) continue;
    const [name, ft] = field;
    out[name] = decode(ft, value, typeof ft === "object" && "struct" in ft ? out[name] : undefined, `${at}.${name}`);
  }
  return out;
}

export const bitbucketServerType: SourceTypeEntry<BitbucketServerEventSource> = {
  route: (spec) => spec.webhook,
  filter: (spec) => spec.filter,
  handler: bitbucketServerSource,
  bare: { webhook: { endpoint: "/", port: "0", method: "POST" } },
  event: { header: BITBUCKET_EVENT_KEY, example: "repo:refs_changed" },
  subscribable: { provider: "Bitbucket Server", names: async () => new Set(BITBUCKET_SERVER_EVENT_KEYS) },
  deliveryHeaders: (o) => ({
    "content-type": "application/json; charset=utf-8",
    "user-agent": "Atlassian HttpClient/trigger-gateway",
    [BITBUCKET_EVENT_KEY.toLowerCase()]: o.event,
    "x-request-id": o.id,
    ...(o.secret === undefined ? {} : { "x-hub-signature": signHmac("sha256", o.secret, o.body) }),
  }),
};
