// Semantic checks per document (after the structural schema passed) and the entry
// point that adds the `not supported` table.
import { eventSourceNameProblem, subjectTokenProblem } from "./bus-names.js";
import { SOURCE_TYPE_ROUTES } from "./extension-points.js";
import type { FieldPath } from "./fieldpath.js";
import { checkSensor, type Issue } from "./semantic-sensor.js";
import type { EventSource, Sensor, Spec, WebhookContext, WorkflowTemplate } from "./types.js";
import { natsUrlProblem } from "./nats-url.js";
import { findUnsupported } from "./unsupported.js";

export type { Issue } from "./semantic-sensor.js";

export interface WebhookRoute {
  sourceType: string;
  eventName: string;
  /** Path of the WebhookContext inside the EventSource. */
  path: FieldPath;
  context: WebhookContext;
}

/** Every HTTP route an EventSource declares. */
export function webhookRoutes(es: EventSource): WebhookRoute[] {
  const routes: WebhookRoute[] = [];
  for (const [sourceType, where] of Object.entries(SOURCE_TYPE_ROUTES)) {
    const section = es.spec[sourceType] as Record<string, Record<string, unknown>> | undefined;
    if (!section || typeof section !== "object") continue;
    for (const [eventName, entry] of Object.entries(section)) {
      const context = (where === "self" ? entry : entry.webhook) as WebhookContext | undefined;
      const path = where === "self" ? ["spec", sourceType, eventName] : ["spec", sourceType, eventName, "webhook"];
      if (context) routes.push({ sourceType, eventName, path, context });
    }
  }
  return routes;
}

const HTTP_METHOD = /^[A-Z]+$/;

function checkWebhookContext(route: WebhookRoute, issues: Issue[]): void {
  const { context, path } = route;
  if (context.endpoint === undefined) issues.push({ path: [...path, "endpoint"], message: "required field is missing" });
  else if (!context.endpoint.startsWith("/")) {
    issues.push({ path: [...path, "endpoint"], message: `must start with "/", got ${JSON.stringify(context.endpoint)}` });
  }
  if (context.port === undefined) issues.push({ path: [...path, "port"], message: "required field is missing" });
  else if (!/^\d+$/.test(context.port) || Number(context.port) < 1 || Number(context.port) > 65535) {
    issues.push({ path: [...path, "port"], message: `must be a port number 1-65535 as a string, got ${JSON.stringify(context.port)}` });
  }
  if (context.method !== undefined && context.method !== "" && !HTTP_METHOD.test(context.method)) {
    issues.push({ path: [...path, "method"], message: `must be an HTTP method in capitals, got ${JSON.stringify(context.method)}` });
  }
  if (context.maxPayloadSize !== undefined && context.maxPayloadSize <= 0) {
    issues.push({ path: [...path, "maxPayloadSize"], message: "must be greater than 0" });
  }
}

function checkEventSource(es: EventSource): Issue[] {
  const issues: Issue[] = [];
  const badName = typeof es.metadata.name === "string" ? eventSourceNameProblem(es.metadata.name) : undefined;
  if (badName) issues.push({ path: ["metadata", "name"], message: badName });
  for (const [sourceType, route] of Object.entries(SOURCE_TYPE_ROUTES)) {
    const section = es.spec[sourceType] as Record<string, Record<string, unknown>> | undefined;
    for (const [eventName, entry] of Object.entries(section ?? {})) {
      const badToken = subjectTokenProblem(eventName);
      if (badToken) issues.push({ path: ["spec", sourceType, eventName], message: `event name ${badToken}` });
      if (route !== "webhook") continue;
      // The gateway only receives: without a webhook section there is nothing to listen on.
      if (entry.webhook === undefined) {
        issues.push({ path: ["spec", sourceType, eventName, "webhook"], message: "required field is missing" });
      }
    }
  }
  for (const route of webhookRoutes(es)) checkWebhookContext(route, issues);
  return issues;
}

function checkEventBus(spec: Record<string, unknown>): Issue[] {
  const kinds = ["nats", "jetstream", "jetstreamExotic", "kafka"].filter((k) => spec[k] !== undefined);
  if (kinds.length === 0) return [{ path: ["spec"], message: "must set one of jetstream, jetstreamExotic, nats, kafka" }];
  if (kinds.length > 1) return [{ path: ["spec"], message: `sets more than one bus type: ${kinds.join(", ")}` }];
  const url = (spec.jetstreamExotic as { url?: unknown } | undefined)?.url;
  const bad = typeof url === "string" ? natsUrlProblem(url) : undefined;
  return bad ? [{ path: ["spec", "jetstreamExotic", "url"], message: bad }] : [];
}

function checkWorkflowTemplate(wt: WorkflowTemplate): Issue[] {
  const issues: Issue[] = [];
  const args = wt.spec.arguments as { parameters?: { name: string; value?: unknown; default?: unknown; enum?: unknown[] }[] } | undefined;
  const seen = new Set<string>();
  args?.parameters?.forEach((p, i) => {
    const at = ["spec", "arguments", "parameters", i];
    if (seen.has(p.name)) issues.push({ path: [...at, "name"], message: `duplicate parameter name ${JSON.stringify(p.name)}` });
    seen.add(p.name);
    if (!p.enum || p.enum.length === 0) return;
    const allowed = p.enum.map(String);
    for (const key of ["value", "default"] as const) {
      const v = p[key];
      if (v !== undefined && !allowed.includes(String(v))) {
        issues.push({ path: [...at, key], message: `${JSON.stringify(String(v))} is not in enum [${allowed.join(", ")}]` });
      }
    }
  });
  return issues;
}

function checksFor(spec: Spec): Issue[] {
  switch (spec.kind) {
    case "Sensor":
      return checkSensor(spec as Sensor);
    case "EventSource":
      return checkEventSource(spec as EventSource);
    case "EventBus":
      return checkEventBus(spec.spec as Record<string, unknown>);
    case "WorkflowTemplate":
    case "ClusterWorkflowTemplate":
      return checkWorkflowTemplate(spec as WorkflowTemplate);
    default:
      return [];
  }
}

/** Semantic problems and unsupported features of one structurally valid document; one issue per field. */
export function semanticIssues(spec: Spec): Issue[] {
  const issues = [...checksFor(spec), ...findUnsupported(spec.kind, spec)];
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify(issue.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
