// GitHub's published OpenAPI description (@octokit/openapi, api.github.com.deref.json)
// as the judge of the double: route matching, request parameter and body validation,
// and response validation. Loaded once per process; only the schemas of operations
// actually used are converted and compiled, lazily.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv as AjvInstance, ErrorObject, ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Json;
}

export interface Operation {
  operationId: string;
  method: string;
  /** The documented path template, e.g. /repos/{owner}/{repo}/hooks. */
  template: string;
  parameters: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Json }> };
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
  /** The docs page GitHub names in its error bodies. */
  documentationUrl: string;
}

export interface RouteMatch {
  operation: Operation;
  params: Record<string, string>;
}

interface Spec {
  paths: Record<string, Record<string, Json>>;
  "x-webhooks": Record<string, { post?: { parameters?: Array<{ name: string; example?: string }>; "x-github"?: { subcategory?: string } } }>;
}

const SPEC_FILE = "@octokit/openapi/generated/api.github.com.deref.json";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

let spec: Spec | undefined;
let routes: Array<{ regex: RegExp; names: string[]; template: string }> | undefined;

/** The description, parsed once per process (~70 MB, about 1.5 s). */
export function githubSpec(): Spec {
  spec ??= JSON.parse(readFileSync(require.resolve(SPEC_FILE), "utf8")) as Spec;
  return spec;
}

function routeTable(): Array<{ regex: RegExp; names: string[]; template: string }> {
  if (routes) return routes;
  routes = Object.keys(githubSpec().paths).map((template) => {
    const names: string[] = [];
    const pattern = template
      .split("/")
      .map((seg) =>
        seg.replace(/\{([^}]+)\}|[^{]+/g, (m, name: string | undefined) => {
          if (name === undefined) return m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          names.push(name);
          return "([^/]+)";
        }),
      )
      .join("/");
    return { regex: new RegExp(`^${pattern}$`), names, template };
  });
  // Literal segments win over parameters (/repos/{owner}/{repo}/hooks/{hook_id}/pings over a longer match).
  routes.sort((a, b) => a.names.length - b.names.length);
  return routes;
}

const operations = new Map<string, Operation>();

function operationOf(template: string, method: string): Operation | undefined {
  const key = `${method} ${template}`;
  const cached = operations.get(key);
  if (cached) return cached;
  const item = githubSpec().paths[template];
  const raw = item?.[method] as Json | undefined;
  if (!raw || typeof raw.operationId !== "string") return undefined;
  const docs = raw.externalDocs as { url?: string } | undefined;
  const op: Operation = {
    operationId: raw.operationId,
    method,
    template,
    parameters: [...((item.parameters as unknown as Parameter[] | undefined) ?? []), ...((raw.parameters as Parameter[] | undefined) ?? [])],
    requestBody: raw.requestBody as Operation["requestBody"],
    responses: (raw.responses ?? {}) as Operation["responses"],
    documentationUrl: docs?.url ?? "https://docs.github.com/rest",
  };
  operations.set(key, op);
  return op;
}

/**
 * The documented operation for a method and path (already URL-decoded segments are
 * not expected: `path` is the raw pathname). `pathKnown` tells an undocumented method
 * on a documented path from an unknown path.
 */
export function matchRoute(method: string, pathname: string): { match?: RouteMatch; pathKnown: boolean } {
  const m = method.toLowerCase();
  let pathKnown = false;
  for (const route of routeTable()) {
    const found = route.regex.exec(pathname);
    if (!found) continue;
    pathKnown = true;
    const operation = operationOf(route.template, m);
    if (!operation) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(found[i + 1]);
    });
    return { match: { operation, params }, pathKnown };
  }
  return { pathKnown: METHODS.includes(m) && pathKnown };
}

/** An operation by its operationId (e.g. "repos/create-webhook"), for fault matching and tests. */
export function operationById(operationId: string): Operation | undefined {
  for (const [template, item] of Object.entries(githubSpec().paths)) {
    for (const method of METHODS) {
      if ((item[method] as Json | undefined)?.operationId === operationId) return operationOf(template, method);
    }
  }
  return undefined;
}

// ---- OpenAPI 3.0 schema -> JSON Schema (draft-07, what ajv checks) ----

const ANNOTATIONS = new Set(["example", "examples", "xml", "externalDocs", "discriminator", "deprecated", "description", "title", "readOnly", "writeOnly"]);

/**
 * Converts an OpenAPI 3.0 schema object:
 * - `nullable: true` adds "null" to `type` (and to `enum`), or wraps a type-less
 *   schema (anyOf/allOf/oneOf) in `anyOf: [{type: "null"}, ...]`;
 * - `oneOf` becomes `anyOf`: GitHub's description has overlapping alternatives
 *   (e.g. three nullable branches that all accept null, or object shapes without
 *   additionalProperties:false), which a strict oneOf would reject though GitHub
 *   means "one of these shapes"; anyOf still requires a documented shape;
 * - boolean exclusiveMinimum/exclusiveMaximum (3.0) become the draft-07 numbers;
 * - annotations and x-* extensions are dropped.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== "object") return schema;
  const src = schema as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (ANNOTATIONS.has(k) || k.startsWith("x-") || k === "nullable") continue;
    if (k === "properties" || k === "patternProperties") {
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([name, s]) => [name, toJsonSchema(s)]));
    } else if (k === "oneOf") {
      out.anyOf = toJsonSchema(v);
    } else if (k === "enum" || k === "required" || k === "default" || k === "const") {
      out[k] = v;
    } else if ((k === "exclusiveMinimum" || k === "exclusiveMaximum") && typeof v === "boolean") {
      continue;
    } else {
      out[k] = toJsonSchema(v);
    }
  }
  if (src.exclusiveMinimum === true && typeof src.minimum === "number") {
    out.exclusiveMinimum = src.minimum;
    delete out.minimum;
  }
  if (src.exclusiveMaximum === true && typeof src.maximum === "number") {
    out.exclusiveMaximum = src.maximum;
    delete out.maximum;
  }
  if (src.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
    } else if (out.type === undefined) {
      return { anyOf: [{ type: "null" }, out] };
    }
  }
  return out;
}

// ---- ajv, with the formats GitHub's description uses ----

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/;
let ajv: AjvInstance | undefined;

function getAjv(): AjvInstance {
  if (ajv) return ajv;
  const { Ajv } = require("ajv") as typeof import("ajv");
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, logger: false });
  ajv.addFormat("date-time", DATE_TIME);
  ajv.addFormat("date", /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat("uri", (s: string) => {
    try {
      return new URL(s).protocol.length > 1;
    } catch {
      return false;
    }
  });
  ajv.addFormat("email", /^[^\s@]+@[^\s@]+$/);
  for (const f of ["int32", "int64", "uri-template", "binary", "byte", "float", "double", "password", "uuid", "hostname", "ipv4", "ipv6", "repo.nwo", "ssh-key", "ssh-key fingerprint"]) {
    ajv.addFormat(f, true);
  }
  return ajv;
}

const compiled = new Map<string, ValidateFunction>();

function validatorFor(key: string, schema: unknown): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    v = getAjv().compile(toJsonSchema(schema) as object);
    compiled.set(key, v);
  }
  return v;
}

function describe(errors: ErrorObject[] | null | undefined, root: string): string[] {
  return (errors ?? []).slice(0, 8).map((e) => `${root}${e.instancePath || ""} ${e.message ?? "is invalid"}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`);
}

/** Validates `value` against a schema of `op` (`part` names it in the cache and messages). */
export function validateSchema(op: Operation, part: string, schema: unknown, value: unknown): string[] {
  const v = validatorFor(`${op.method} ${op.template} ${part}`, schema);
  return v(value) ? [] : describe(v.errors, part);
}

/** A parameter value as GitHub reads it from the URL: integers, numbers and booleans parsed. */
export function coerceParam(schema: Json | undefined, raw: string): unknown {
  const type = schema?.type;
  if (type === "integer" && /^-?\d+$/.test(raw)) return Number(raw);
  if (type === "number" && raw.trim() !== "" && !Number.isNaN(Number(raw))) return Number(raw);
  if (type === "boolean" && (raw === "true" || raw === "false")) return raw === "true";
  return raw;
}

/** The JSON schema of a documented response (undefined: documented without a body). */
export function responseSchema(op: Operation, status: number): { documented: boolean; schema?: unknown } {
  const r = op.responses[String(status)];
  if (!r) return { documented: false };
  const content = r.content?.["application/json"] ?? (r.content ? Object.values(r.content)[0] : undefined);
  return { documented: true, schema: content?.schema };
}

/** The webhook event names GitHub knows (from the description's x-webhooks), plus "*". */
export function knownEvents(): Set<string> {
  const names = new Set<string>(["*"]);
  for (const hook of Object.values(githubSpec()["x-webhooks"])) {
    const sub = hook.post?.["x-github"]?.subcategory;
    if (sub) names.add(sub);
    const example = hook.post?.parameters?.find((p) => p.name.toLowerCase() === "x-github-event")?.example;
    if (example) names.add(example);
  }
  return names;
}

/** GitHub's generic error shapes, taken from the description itself. */
export function basicErrorSchema(): unknown {
  return operationOf("/repos/{owner}/{repo}/hooks", "get")!.responses["404"].content!["application/json"].schema;
}

export function validationErrorSchema(): unknown {
  return operationOf("/repos/{owner}/{repo}/hooks", "post")!.responses["422"].content!["application/json"].schema;
}
