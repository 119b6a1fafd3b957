// Hook deliveries: list (newest first, per_page + cursor, a Link header with the next
// cursor, as GitHub paginates them), get one (with request and response), and
// redeliver (202, then the same payload and GUID sent again, recorded as a new
// delivery with redelivery: true; refused after GitHub's 3-day window).
import { hookOf } from "./hooks.js";
import { ApiError, notFound, type Handler, type HandlerContext, type StoredDelivery } from "./types.js";

const REDELIVERY_WINDOW_MS = 3 * 24 * 3600 * 1000;

function summary(d: StoredDelivery): Record<string, unknown> {
  return {
    id: d.id,
    guid: d.guid,
    delivered_at: d.deliveredAt,
    redelivery: d.redelivery,
    duration: d.duration,
    status: d.status,
    status_code: d.statusCode,
    event: d.event,
    action: d.action,
    installation_id: d.installationId,
    repository_id: d.repositoryId,
    throttled_at: null,
  };
}

function badRequest(ctx: HandlerContext, message: string): ApiError {
  return new ApiError(400, { message, documentation_url: ctx.operation.documentationUrl, status: "400" });
}

const list: Handler = (ctx) => {
  const hook = hookOf(ctx);
  const perPage = Math.min(Math.max(Number(ctx.query.per_page ?? 30), 1), 100);
  let all = ctx.store.deliveriesOf(hook.id);
  if (ctx.query.status === "success") all = all.filter((d) => d.statusCode >= 200 && d.statusCode < 300);
  if (ctx.query.status === "failure") all = all.filter((d) => !(d.statusCode >= 200 && d.statusCode < 300));
  let start = 0;
  if (ctx.query.cursor !== undefined) {
    const m = /^v1_(\d+)$/.exec(String(ctx.query.cursor));
    if (!m) throw badRequest(ctx, "Invalid cursor");
    const after = Number(m[1]);
    start = all.findIndex((d) => d.id < after);
    if (start < 0) start = all.length;
  }
  const page = all.slice(start, start + perPage);
  const headers: Record<string, string> = {};
  if (start + perPage < all.length) {
    const base = hook.scope === "repository" ? `${ctx.apiUrl}/repos/${hook.owner}/hooks/${hook.id}/deliveries` : `${ctx.apiUrl}/orgs/${hook.owner}/hooks/${hook.id}/deliveries`;
    const status = ctx.query.status !== undefined ? `&status=${String(ctx.query.status)}` : "";
    headers.Link = `<${base}?per_page=${perPage}${status}&cursor=v1_${page[page.length - 1].id}>; rel="next"`;
  }
  return { status: 200, body: page.map(summary), headers };
};

function deliveryOf(ctx: HandlerContext): StoredDelivery {
  const hook = hookOf(ctx);
  const d = ctx.store.deliveries.find((x) => x.id === Number(ctx.params.delivery_id) && x.hookId === hook.id);
  if (!d) throw notFound();
  return d;
}

const getOne: Handler = (ctx) => {
  const d = deliveryOf(ctx);
  return {
    status: 200,
    body: {
      ...summary(d),
      url: d.url,
      request: { headers: { ...d.request.headers }, payload: d.request.payload },
      response: { headers: d.response.headers, payload: d.response.payload },
    },
  };
};

const redeliver: Handler = (ctx) => {
  const d = deliveryOf(ctx);
  if (ctx.now() - Date.parse(d.deliveredAt) > REDELIVERY_WINDOW_MS) {
    throw new ApiError(422, { message: "Redelivery window has passed: deliveries can be redelivered for 3 days", documentation_url: ctx.operation.documentationUrl, status: "422" });
  }
  const hook = ctx.store.hooks.get(d.hookId)!;
  ctx.deliverLater(hook, { event: d.event, payload: d.request.payload, guid: d.guid, redelivery: true });
  return { status: 202, body: {} };
};

export const DELIVERY_HANDLERS: Record<string, Handler> = {
  "repos/list-webhook-deliveries": list,
  "repos/get-webhook-delivery": getOne,
  "repos/redeliver-webhook-delivery": redeliver,
  "orgs/list-webhook-deliveries": list,
  "orgs/get-webhook-delivery": getOne,
  "orgs/redeliver-webhook-delivery": redeliver,
};
