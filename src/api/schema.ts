// Structural validation with ajv: EventSource/Sensor/EventBus against the openAPIV3Schema
// of our CRDs (crds/*.yaml), the Argo Workflows kinds against workflow-schemas.ts.
//
// `npm run build` precompiles every kind's validator into dist/src/api/validators/
// (ajv standalone code, see precompile.ts): a run then neither parses the CRDs' YAML
// nor loads ajv's compiler, which took most of a small gateway's start. A validator is
// used only if it was made from the same inputs (schemaDigest); otherwise, and under
// vitest (from src/), the schema is compiled here on first use, with the same options.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import { parse } from "yaml";
import { packageRoot } from "../paths.js";
import { type FieldPath } from "./fieldpath.js";
import { OBJECT_META_SCHEMA, WORKFLOW_SCHEMAS } from "./workflow-schemas.js";

const require = createRequire(import.meta.url);

type JsonSchema = Record<string, unknown>;

export interface SchemaIssue {
  path: FieldPath;
  message: string;
  /** Set for a field the schema does not know: the fields it does know at that place. */
  unknown?: { field: string; known: readonly string[] };
}

const CRD_FILES: Readonly<Record<string, string>> = {
  EventSource: "eventsource.yaml",
  Sensor: "sensor.yaml",
  EventBus: "eventbus.yaml",
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The openAPIV3Schema of one of our CRDs. */
export function crdSchema(kind: string): JsonSchema {
  const file = CRD_FILES[kind];
  if (!file) throw new Error(`no CRD for kind ${kind}`);
  const crd: unknown = parse(readFileSync(join(packageRoot(), "crds", file), "utf8"));
  const versions = isRecord(crd) && isRecord(crd.spec) ? crd.spec.versions : undefined;
  const first: unknown = Array.isArray(versions) ? versions[0] : undefined;
  const schema = isRecord(first) && isRecord(first.schema) ? first.schema.openAPIV3Schema : undefined;
  if (!isRecord(schema)) throw new Error(`crds/${file}: no openAPIV3Schema`);
  return schema;
}

// The API server prunes unknown fields silently; we reject them, because a misspelt
// field that is silently dropped is the most opaque error a user can get.
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!isRecord(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === "properties" && isRecord(v)
      ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, closeObjects(s)]))
      : closeObjects(v);
  }
  if (isRecord(out.properties) && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties = false;
  }
  return out;
}

function forAjv(kind: string): JsonSchema {
  const closed = closeObjects(crdSchema(kind)) as JsonSchema;
  const props = { ...(closed.properties as Record<string, unknown>), metadata: OBJECT_META_SCHEMA };
  return { ...closed, properties: props };
}

/** Every kind with a schema: the CRD kinds and the Argo Workflows kinds. */
export const SCHEMA_KINDS: readonly string[] = [...Object.keys(CRD_FILES), ...Object.keys(WORKFLOW_SCHEMAS)];

/** The schema ajv compiles for `kind`, or undefined when the kind has none. */
export function schemaFor(kind: string): JsonSchema | undefined {
  if (kind in CRD_FILES) return forAjv(kind);
  if (kind in WORKFLOW_SCHEMAS) return WORKFLOW_SCHEMAS[kind];
  return undefined;
}

/**
 * The ajv every validator is compiled with. `source` keeps the generated code, for
 * standalone export (precompile.ts); it does not change what is validated.
 */
export function newAjv(options: { source?: boolean } = {}): Ajv {
  // Required here, not imported: a run with precompiled validators never loads ajv's compiler.
  const { Ajv: AjvClass, _ } = require("ajv") as typeof import("ajv");
  const ajv = new AjvClass({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    validateFormats: false,
    verbose: true,
    ...(options.source ? { code: { source: true } } : {}),
  });
  ajv.addKeyword({
    keyword: "x-kubernetes-int-or-string",
    schemaType: "boolean",
    // Generated code (not a function), so that a standalone validator can contain it.
    code: (cxt) => {
      if (cxt.schema === true) cxt.fail(_`typeof ${cxt.data} != "string" && !Number.isInteger(${cxt.data})`);
    },
  });
  for (const keyword of [
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-validations",
  ]) {
    ajv.addKeyword({ keyword });
  }
  return ajv;
}

let ownSource: string | undefined;

/**
 * A digest of everything `kind`'s validator is made from: this module's code (how the
 * schema is closed, the ajv options and keywords), the CRD text or workflow schema, the
 * metadata schema and ajv's version. A precompiled validator with another digest is stale.
 */
export function schemaDigest(kind: string): string {
  ownSource ??= readFileSync(fileURLToPath(import.meta.url), "utf8");
  const hash = createHash("sha256").update(ownSource).update("\0").update(kind).update("\0");
  const file = CRD_FILES[kind];
  if (file) hash.update(readFileSync(join(packageRoot(), "crds", file), "utf8"));
  else hash.update(JSON.stringify(WORKFLOW_SCHEMAS[kind] ?? null));
  const ajvVersion = (require("ajv/package.json") as { version: string }).version;
  return hash.update("\0").update(JSON.stringify(OBJECT_META_SCHEMA)).update("\0").update(ajvVersion).digest("hex");
}

/** Where `npm run build` puts kind's precompiled validator: beside this module, under validators/. */
export function precompiledPath(kind: string, dir = join(fileURLToPath(new URL(".", import.meta.url)), "validators")): string {
  return join(dir, `${kind}.cjs`);
}

type Precompiled = ValidateFunction & { digest?: unknown };

function precompiled(kind: string): ValidateFunction | undefined {
  let loaded: Precompiled;
  try {
    loaded = require(precompiledPath(kind)) as Precompiled;
  } catch {
    return undefined; // not built (vitest runs src/, or a plain `tsc`)
  }
  return typeof loaded === "function" && loaded.digest === schemaDigest(kind) ? loaded : undefined;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

// One validator per kind, on first use: precompiled when built, else compiled here
// (the Sensor schema alone takes a noticeable moment).
function validatorFor(kind: string): ValidateFunction | undefined {
  const cached = compiled.get(kind);
  if (cached) return cached;
  if (!SCHEMA_KINDS.includes(kind)) return undefined;
  let validate = precompiled(kind);
  if (!validate) {
    const schema = schemaFor(kind);
    if (!schema) return undefined;
    ajv ??= newAjv();
    validate = ajv.compile(schema);
  }
  compiled.set(kind, validate);
  return validate;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The known field a misspelt one most likely meant, if any is close enough. */
export function closest(field: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(field.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(field.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function describe(err: ErrorObject): SchemaIssue {
  const path = pointerToPath(err.instancePath);
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "required":
      return { path: [...path, String(params.missingProperty)], message: "required field is missing" };
    case "additionalProperties": {
      const field = String(params.additionalProperty);
      const known = isRecord(err.parentSchema) && isRecord(err.parentSchema.properties) ? Object.keys(err.parentSchema.properties) : [];
      const guess = closest(field, known);
      return {
        path: [...path, field],
        message: guess ? `unknown field (did you mean "${guess}"?)` : "unknown field",
        unknown: { field, known },
      };
    }
    case "type":
      return { path, message: `must be ${String(params.type).replace(/,/g, " or ")}` };
    case "enum":
      return { path, message: `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    case "x-kubernetes-int-or-string":
      return { path, message: "must be an integer or a string" };
    default:
      return { path, message: err.message ?? `fails ${err.keyword}` };
  }
}

/** Structural problems of one document of a supported kind; empty when it is valid. */
export function schemaIssues(kind: string, obj: unknown): SchemaIssue[] {
  const validate = validatorFor(kind);
  if (!validate) return [{ path: ["kind"], message: `not supported: kind ${JSON.stringify(kind)}` }];
  if (validate(obj)) return [];
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const err of validate.errors ?? []) {
    const issue = describe(err);
    const key = JSON.stringify(issue);
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}
