import type { GitlabEventSource } from "../api/index.js";
import type { SecretStore } from "../config/index.js";
import { BadRequestError, ForbiddenError, UnauthorizedError } from "../errors.js";
import { readSecret } from "./credentials.js";
import { headerValue, tokenEquals } from "../http/index.js";
import { maskCredentials, parseJson, withMetadata } from "./payload.js";
import type { ParsedDelivery, SourceHandler, WebhookRequest } from "./receiver.js";
import type { SourceTypeEntry } from "./source-type.js";

/**
 * `X-Gitlab-Event` value -> the `events` names that subscribe to it. The names
 * are the hook option fields of GitLab's Go client (project and group hooks),
 * which is what Argo Events' `events` list holds; a few singular spellings
 * people write are accepted too.
 */
const GITLAB_EVENTS: Record<string, string[]> = {
  "Push Hook": ["PushEvents"],
  "Tag Push Hook": ["TagPushEvents"],
  "Issue Hook": ["IssuesEvents"],
  "Confidential Issue Hook": ["ConfidentialIssuesEvents"],
  "Note Hook": ["NoteEvents"],
  "Confidential Note Hook": ["ConfidentialNoteEvents"],
  "Merge Request Hook": ["MergeRequestsEvents"],
  "Job Hook": ["JobEvents"],
  "Pipeline Hook": ["PipelineEvents"],
  "Wiki Page Hook": ["WikiPageEvents"],
  "Deployment Hook": ["DeploymentEvents"],
  "Release Hook": ["ReleasesEvents", "ReleaseEvents"],
  "Feature Flag Hook": ["FeatureFlagEvents"],
  "Milestone Hook": ["MilestoneEvents"],
  "Emoji Hook": ["EmojiEvents"],
  "Member Hook": ["MemberEvents"],
  "Subgroup Hook": ["SubGroupEvents", "SubgroupEvents"],
  "Project Hook": ["ProjectEvents"],
  "Resource Access Token Hook": ["ResourceAccessTokenEvents"],
  "Vulnerability Hook": ["VulnerabilityEvents"],
};

/** The `events` names that subscribe to an `X-Gitlab-Event` value ([] if unknown). */
export function gitlabEventNames(header: string): string[] {
  return Object.hasOwn(GITLAB_EVENTS, header) ? GITLAB_EVENTS[header] : [];
}

/** Every `events` name this receiver understands. */
export const GITLAB_EVENT_NAMES: readonly string[] = [...new Set(Object.values(GITLAB_EVENTS).flat())];

/** True when the `events` list (empty = all) subscribes to this `X-Gitlab-Event`. */
export function gitlabSubscribed(events: string[] | undefined, header: string | undefined): boolean {
  if (!events || events.length === 0) return true;
  if (header === undefined) return false;
  const names = gitlabEventNames(header);
  return events.some((e) => names.includes(e));
}

export interface GitlabContext {
  namespace: string;
  secrets: SecretStore;
}

async function verify(spec: GitlabEventSource, ctx: GitlabContext, req: WebhookRequest): Promise<void> {
  if (!spec.secretToken) return;
  const expected = await readSecret(ctx.secrets, ctx.namespace, spec.secretToken, "secretToken");
  const token = headerValue(req.headers, "X-Gitlab-Token");
  if (token === undefined) throw new UnauthorizedError("missing X-Gitlab-Token header: a secret token is configured");
  if (!tokenEquals(token, expected)) throw new ForbiddenError("X-Gitlab-Token does not match the secret token");
}

function parse(spec: GitlabEventSource, req: WebhookRequest): ParsedDelivery {
  const event = headerValue(req.headers, "X-Gitlab-Event");
  const text = req.rawBody.toString("utf8");
  if (text.trim() === "") throw new BadRequestError("GitLab payload is empty");
  const body = parseJson(text, "GitLab payload");
  return {
    data: withMetadata(
      { headers: maskCredentials(req.headers), body },
      spec.metadata,
    ),
    // GitLab (17.4+) keeps Idempotency-Key across retries and resends, which get a new X-Gitlab-Event-UUID.
    deliveryId: headerValue(req.headers, "Idempotency-Key") || headerValue(req.headers, "X-Gitlab-Event-UUID") || undefined,
    subscribed: gitlabSubscribed(spec.events, event),
    providerEvent: event,
  };
}

export function gitlabSource(spec: GitlabEventSource, ctx: GitlabContext): SourceHandler {
  return {
    type: "gitlab",
    method: (spec.webhook?.method || "POST").toUpperCase(),
    authenticate: (req) => verify(spec, ctx, req),
    authenticatesHeaders: true,
    parse: (req) => parse(spec, req),
  };
}

export const gitlabType: SourceTypeEntry<GitlabEventSource> = {
  route: (spec) => spec.webhook,
  filter: (spec) => spec.filter,
  handler: gitlabSource,
  bare: { webhook: { endpoint: "/", port: "0", method: "POST" }, projects: [] },
  event: { header: "X-Gitlab-Event", example: "Push Hook" },
  subscribable: { provider: "GitLab", names: async () => new Set(GITLAB_EVENT_NAMES) },
  deliveryHeaders: (o) => ({
    "content-type": "application/json",
    "user-agent": "GitLab/trigger-gateway",
    "x-gitlab-event": o.event,
    "x-gitlab-event-uuid": o.id,
    ...(o.secret === undefined ? {} : { "x-gitlab-token": o.secret }),
  }),
};
