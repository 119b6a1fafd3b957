// The event-flow page: polls /api/flow and /api/events every 2 s and redraws.
// Every string from the server goes into the DOM as text (never HTML): reasons quote payload values.
"use strict";

const REFRESH_MS = 2000;
const EVENTS_SHOWN = 50;

/** Creates an element with a class, optional text and children. */
function el(tag, className, text, children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const c of children || []) if (c) node.appendChild(c);
  return node;
}

function counts(values, order) {
  const wrap = el("div", "counts");
  for (const k of order) {
    if (values[k] === undefined) continue;
    if (values[k] === 0 && !["received", "triggered", "published", "filtered", "failed"].includes(k)) continue;
    const item = el("span", k);
    item.appendChild(el("b", "", values[k]));
    item.appendChild(document.createTextNode(" " + k.replace(/[A-Z]/g, (c) => " " + c.toLowerCase())));
    wrap.appendChild(item);
  }
  return wrap;
}

const eventKey = (ns, es, name) => `event:${ns}/${es}/${name}`;
const sensorKey = (ns, name) => `sensor:${ns}/${name}`;
const triggerKey = (ns, sensor, name) => `trigger:${ns}/${sensor}/${name}`;

function box(key, title, kind, extraClass, countsNode) {
  const b = el("div", "box" + (extraClass ? " " + extraClass : ""));
  b.dataset.node = key;
  const t = el("div", "title", title);
  if (kind) t.appendChild(el("span", "kind", kind));
  b.appendChild(t);
  b.appendChild(countsNode);
  return b;
}

function sum(list, field) {
  return list.reduce((n, x) => n + (x.counts[field] || 0), 0);
}

function renderFlow(flow) {
  const cols = {
    events: document.getElementById("col-events"),
    sensors: document.getElementById("col-sensors"),
    triggers: document.getElementById("col-triggers"),
  };
  for (const c of Object.values(cols)) while (c.children.length > 1) c.removeChild(c.lastChild);

  for (const es of flow.eventSources) {
    const group = el("div", "group", undefined, [el("div", "group-title", `EventSource ${es.namespace}/${es.name}`)]);
    for (const e of es.events) {
      const c = counts(e.counts, ["received", "published", "filtered", "failed"]);
      group.appendChild(box(eventKey(es.namespace, es.name, e.name), e.name, e.type || (e.configured ? "" : "not loaded here"), e.configured ? "" : "unconfigured", c));
    }
    cols.events.appendChild(group);
  }
  const edges = [];
  for (const s of flow.sensors) {
    const total = {
      triggered: sum(s.triggers, "triggered"),
      filtered: sum(s.triggers, "filtered"),
      failed: sum(s.triggers, "failed"),
    };
    cols.sensors.appendChild(box(sensorKey(s.namespace, s.name), s.name, s.namespace, "", counts(total, ["triggered", "filtered", "failed"])));
    for (const d of s.dependencies) edges.push([eventKey(s.namespace, d.eventSourceName, d.eventName), sensorKey(s.namespace, s.name)]);
    const group = el("div", "group", undefined, [el("div", "group-title", `Sensor ${s.namespace}/${s.name}`)]);
    for (const t of s.triggers) {
      const c = counts(t.counts, ["received", "triggered", "filtered", "failed", "retried", "deadLettered", "rateLimited", "duplicates"]);
      const kind = t.dlqFor ? `${t.type}, dlqTrigger of ${t.dlqFor}` : t.type;
      group.appendChild(box(triggerKey(s.namespace, s.name, t.name), t.name, kind, t.dlqFor ? "dlq" : "", c));
      edges.push([sensorKey(s.namespace, s.name), triggerKey(s.namespace, s.name, t.name)]);
    }
    cols.triggers.appendChild(group);
  }
  if (flow.eventSources.length === 0) cols.events.appendChild(el("p", "empty", "no EventSource loaded"));
  if (flow.sensors.length === 0) cols.sensors.appendChild(el("p", "empty", "no Sensor loaded"));
  drawEdges(edges);
  renderRejected(flow.rejectedSpecs || []);
  renderHooks(flow.managedHooks || [], flow.recoveredDeliveries || []);
}

function drawEdges(edges) {
  const svg = document.getElementById("edges");
  const origin = document.getElementById("flow").getBoundingClientRect();
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const find = (key) => document.querySelector(`[data-node="${CSS.escape(key)}"]`);
  for (const [from, to] of edges) {
    const a = find(from);
    const b = find(to);
    if (!a || !b) continue;
    const ra = a.getBoundingClientRect();
    const rb = b.getBoundingClientRect();
    const x1 = ra.right - origin.left;
    const y1 = ra.top + ra.height / 2 - origin.top;
    const x2 = rb.left - origin.left;
    const y2 = rb.top + rb.height / 2 - origin.top;
    const mid = (x1 + x2) / 2;
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
    path.dataset.from = from;
    path.dataset.to = to;
    svg.appendChild(path);
  }
}

function renderRejected(list) {
  const div = document.getElementById("rejected");
  div.hidden = list.length === 0;
  while (div.firstChild) div.removeChild(div.firstChild);
  if (list.length === 0) return;
  div.appendChild(el("strong", "", "Rejected specs"));
  const ul = el("ul");
  for (const r of list) ul.appendChild(el("li", "", `${r.kind} ${r.namespace}/${r.name}: ${r.message}`));
  div.appendChild(ul);
}

function renderHooks(hooks, recovered) {
  const div = document.getElementById("hooks");
  div.hidden = hooks.length === 0 && recovered.length === 0;
  while (div.firstChild) div.removeChild(div.firstChild);
  if (div.hidden) return;
  div.appendChild(el("strong", "", "Managed webhooks"));
  const ul = el("ul");
  for (const h of hooks) ul.appendChild(el("li", h.action === "failed" ? "failed" : "", `${h.provider} ${h.target} ${h.url}: ${h.action}${h.error ? ` (${h.error})` : ""} at ${h.time}`));
  for (const r of recovered) ul.appendChild(el("li", "recovered", `recovered ${r.provider} delivery ${r.guid} (${r.event}) on ${r.target} at ${r.time}`));
  div.appendChild(ul);
}

function describeOutcome(t) {
  const li = el("li", "outcome");
  li.dataset.status = t.status;
  li.appendChild(el("span", "target", `${t.sensor}/${t.trigger}`));
  li.appendChild(el("span", "pill " + t.status, t.status));
  if (t.status === "fired" && t.object) {
    const o = t.object;
    const what = `${o.kind} ${o.namespace}/${o.name}` + (t.alreadyExisted ? " (already existed: a redelivery)" : "");
    li.appendChild(document.createTextNode(" " + what));
  }
  if (t.status === "failed") {
    li.appendChild(document.createTextNode(t.willRetry ? ` attempt ${t.attempts}, will retry` : ` after ${t.attempts} attempt(s), no retry left`));
  }
  if (t.reason) li.appendChild(el("span", "reason", t.reason));
  return li;
}

function renderEvents(events) {
  const list = document.getElementById("events");
  while (list.firstChild) list.removeChild(list.firstChild);
  if (events.length === 0) list.appendChild(el("li", "empty", "no event yet"));
  for (const e of events) {
    const item = el("li", "event");
    if (e.id) item.dataset.eventId = e.id;
    const head = el("div", "head");
    head.appendChild(el("span", "time", new Date(e.time).toLocaleTimeString()));
    head.appendChild(el("span", "name", e.source ? `${e.source}/${e.subject}` : "(received by another replica)"));
    if (e.type) head.appendChild(el("span", "kind", e.type));
    if (e.receiver) {
      const r = e.receiver;
      const cls = r.reason === "published" ? "published" : r.status >= 400 || r.reason === "filter-error" ? "error" : "filtered";
      head.appendChild(el("span", "pill " + cls, `${r.status} ${r.reason}`));
      if (r.reason !== "published" && r.message) head.appendChild(el("span", "reason", r.message));
    }
    const id = el("span", "id", e.id ? e.id.slice(0, 12) : "no event id");
    if (e.id) id.title = e.id;
    head.appendChild(id);
    item.appendChild(head);
    if (e.triggers.length > 0) {
      const ul = el("ul", "outcomes");
      for (const t of e.triggers) ul.appendChild(describeOutcome(t));
      item.appendChild(ul);
    }
    list.appendChild(item);
  }
}

async function getJson(path) {
  const res = await fetch(path, { cache: "no-store" });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

let lastFlow;
async function refresh() {
  const status = document.getElementById("status");
  try {
    const [flow, events] = await Promise.all([getJson("api/flow"), getJson(`api/events?limit=${EVENTS_SHOWN}`)]);
    lastFlow = flow;
    renderFlow(flow);
    renderEvents(events.events);
    status.textContent = "updated " + new Date().toLocaleTimeString();
    status.classList.remove("down");
  } catch (err) {
    status.textContent = "cannot reach the gateway: " + err.message;
    status.classList.add("down");
  }
}

window.addEventListener("resize", () => lastFlow && renderFlow(lastFlow));
refresh();
setInterval(refresh, REFRESH_MS);
