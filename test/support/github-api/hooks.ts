// Repository and organization webhooks: list (page/per_page with a Link header),
// get, create (then a `ping`, as GitHub sends), update, delete, ping.
import { knownEvents } from "./openapi.js";
import { pingPayload } from "./delivery.js";
import type { HookScope, StoredHook } from "./store.js";
import { ApiError, isoSeconds, notFound, validationFailed, type Answer, type Handler, type HandlerContext } from "./types.js";

/** The hook owner a request names ("owner/repo" or "org"), after checking the caller may see it. */
export function ownerOf(ctx: HandlerContext): { scope: HookScope; owner: string } {
  const scope: HookScope = ctx.operation.operationId.startsWith("orgs/") ? "organization" : "repository";
  const owner = scope === "repository" ? `${String(ctx.params.owner)}/${String(ctx.params.repo)}` : String(ctx.params.org);
  const exists = scope === "repository" ? ctx.store.repository(owner) : ctx.store.organization(owner);
  if (!exists) throw notFound();
  if (ctx.who.kind === "installation") {
    const inst = ctx.store.installations.get(ctx.who.token.installationId);
    if (!inst || !ctx.store.installationCovers(inst, scope, owner)) throw notFound();
  }
  const canonical = scope === "repository" ? ctx.store.repository(owner)!.fullName : ctx.store.organization(owner)!.login;
  return { scope, owner: canonical };
}

export function hookOf(ctx: HandlerContext): StoredHook {
  const { scope, owner } = ownerOf(ctx);
  const hook = ctx.store.hooks.get(Number(ctx.params.hook_id));
  if (!hook || hook.scope !== scope || hook.owner !== owner) throw notFound();
  return hook;
}

export function hookRepresentation(hook: StoredHook, apiUrl: string): Record<string, unknown> {
  const base = hook.scope === "repository" ? `${apiUrl}/repos/${hook.owner}/hooks/${hook.id}` : `${apiUrl}/orgs/${hook.owner}/hooks/${hook.id}`;
  const config: Record<string, unknown> = { content_type: hook.config.content_type, insecure_ssl: hook.config.insecure_ssl, url: hook.config.url };
  if (hook.config.secret) config.secret = "********";
  const rep: Record<string, unknown> = {
    type: hook.scope === "repository" ? "Repository" : "Organization",
    id: hook.id,
    name: "web",
    active: hook.active,
    events: [...hook.events],
    config,
    updated_at: hook.updatedAt,
    created_at: hook.createdAt,
    url: base,
    ping_url: `${base}/pings`,
    deliveries_url: `${base}/deliveries`,
  };
  if (hook.scope === "repository") {
    rep.test_url = `${base}/test`;
    rep.last_response = { ...hook.lastResponse };
  }
  return rep;
}

type ConfigBody = { url?: string; content_type?: string; secret?: string; insecure_ssl?: string | number };

/** GitHub's checks beyond the schema; returns the normalized config. */
function checkConfig(ctx: HandlerContext, config: ConfigBody | undefined): StoredHook["config"] {
  if (!config || typeof config.url !== "string" || config.url === "") {
    throw validationFailed(ctx.operation, [{ resource: "Hook", code: "custom", message: "Config must contain URL for webhooks" }]);
  }
  if (!/^https?:\/\//i.test(config.url)) {
    throw validationFailed(ctx.operation, [{ resource: "Hook", code: "custom", message: "Config url must be an http or https URL" }]);
  }
  const contentType = config.content_type ?? "form";
  if (contentType !== "json" && contentType !== "form") {
    throw validationFailed(ctx.operation, [{ resource: "Hook", code: "custom", field: "content_type", message: `${contentType} is not a valid content type` }]);
  }
  const insecure = config.insecure_ssl === undefined ? "0" : String(config.insecure_ssl);
  if (insecure !== "0" && insecure !== "1") {
    throw validationFailed(ctx.operation, [{ resource: "Hook", code: "custom", field: "insecure_ssl", message: "insecure_ssl must be 0 or 1" }]);
  }
  const out: StoredHook["config"] = { url: config.url, content_type: contentType, insecure_ssl: insecure };
  if (config.secret !== undefined && config.secret !== "") out.secret = config.secret;
  return out;
}

let eventNames: Set<string> | undefined;
function checkEvents(ctx: HandlerContext, events: string[]): string[] {
  eventNames ??= knownEvents();
  const bad = events.filter((e) => !eventNames!.has(e));
  if (bad.length > 0) {
    throw validationFailed(ctx.operation, bad.map((e) => ({ resource: "Hook", code: "custom", field: "events", message: `"${e}" is not a valid event name` })));
  }
  return [...new Set(events)];
}

const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

function sendPing(ctx: HandlerContext, hook: StoredHook): void {
  if (hook.active) ctx.deliverLater(hook, { event: "ping", payload: pingPayload(hookRepresentation(hook, ctx.apiUrl), hook, ctx.store, ctx.apiUrl) });
}

const list: Handler = (ctx) => {
  const { scope, owner } = ownerOf(ctx);
  const all = ctx.store.hooksOf(scope, owner);
  const perPage = Math.min(Math.max(Number(ctx.query.per_page ?? 30), 1), 100);
  const page = Math.max(Number(ctx.query.page ?? 1), 1);
  const items = all.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const base = scope === "repository" ? `${ctx.apiUrl}/repos/${owner}/hooks` : `${ctx.apiUrl}/orgs/${owner}/hooks`;
  const links: string[] = [];
  if (page < last) links.push(`<${base}?per_page=${perPage}&page=${page + 1}>; rel="next"`, `<${base}?per_page=${perPage}&page=${last}>; rel="last"`);
  if (page > 1) links.push(`<${base}?per_page=${perPage}&page=1>; rel="first"`, `<${base}?per_page=${perPage}&page=${page - 1}>; rel="prev"`);
  if (links.length > 0) headers.Link = links.join(", ");
  return { status: 200, body: items.map((h) => hookRepresentation(h, ctx.apiUrl)), headers };
};

const get: Handler = (ctx) => ({ status: 200, body: hookRepresentation(hookOf(ctx), ctx.apiUrl) });

const create: Handler = (ctx) => {
  const { scope, owner } = ownerOf(ctx);
  const body = ctx.body ?? {};
  if (body.name !== undefined && body.name !== "web") {
    throw validationFailed(ctx.operation, [{ resource: "Hook", code: "custom", field: "name", message: "Name must be 'web'" }]);
  }
  const config = checkConfig(ctx, body.config as ConfigBody | undefined);
  const events = checkEvents(ctx, (body.events as string[] | undefined) ?? ["push"]);
  const dup = ctx.store.hooksOf(scope, owner).find((h) => h.config.url === config.url && sameSet(h.events, events));
  if (dup) {
    throw validationFailed(ctx.operation, [{ resource: "Hook", code: "custom", message: `Hook already exists on this ${scope === "repository" ? "repository" : "organization"}` }]);
  }
  const hook = ctx.store.addHook({ scope, owner, active: (body.active as boolean | undefined) ?? true, events, config }, isoSeconds(ctx.now()));
  sendPing(ctx, hook);
  const rep = hookRepresentation(hook, ctx.apiUrl);
  return { status: 201, body: rep, headers: { Location: String(rep.url) } };
};

const update: Handler = (ctx) => {
  const hook = hookOf(ctx);
  const body = ctx.body ?? {};
  // A config given replaces the stored one: a secret left out is removed, as on GitHub.
  const config = body.config !== undefined ? checkConfig(ctx, body.config as ConfigBody) : hook.config;
  let events = body.events !== undefined ? checkEvents(ctx, body.events as string[]) : [...hook.events];
  if (body.add_events !== undefined) events = checkEvents(ctx, [...events, ...(body.add_events as string[])]);
  if (body.remove_events !== undefined) events = events.filter((e) => !(body.remove_events as string[]).includes(e));
  hook.config = config;
  hook.events = events;
  if (body.active !== undefined) hook.active = body.active as boolean;
  hook.updatedAt = isoSeconds(ctx.now());
  return { status: 200, body: hookRepresentation(hook, ctx.apiUrl) };
};

const remove: Handler = (ctx) => {
  const hook = hookOf(ctx);
  ctx.store.hooks.delete(hook.id);
  return { status: 204 };
};

const ping: Handler = (ctx): Answer => {
  const hook = hookOf(ctx);
  ctx.deliverLater(hook, { event: "ping", payload: pingPayload(hookRepresentation(hook, ctx.apiUrl), hook, ctx.store, ctx.apiUrl) });
  return { status: 204 };
};

export const HOOK_HANDLERS: Record<string, Handler> = {
  "repos/list-webhooks": list,
  "repos/get-webhook": get,
  "repos/create-webhook": create,
  "repos/update-webhook": update,
  "repos/delete-webhook": remove,
  "repos/ping-webhook": ping,
  "orgs/list-webhooks": list,
  "orgs/get-webhook": get,
  "orgs/create-webhook": create,
  "orgs/update-webhook": update,
  "orgs/delete-webhook": remove,
  "orgs/ping-webhook": ping,
};

export { ApiError };
