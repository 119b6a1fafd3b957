// The validators `npm run build` precompiles (ajv standalone code) report exactly
// what the ones compiled at run time report, on every fixture and on broken variants.
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ValidateFunction } from "ajv";
import { describe, expect, test } from "vitest";
import { loadSpecs } from "../../src/api/load.js";
import { validatorSource } from "../../src/api/precompile.js";
import { newAjv, SCHEMA_KINDS, schemaDigest, schemaFor } from "../../src/api/schema.js";
import { packageRoot } from "../../src/paths.js";

const requireFromPackage = createRequire(join(packageRoot(), "package.json"));

function standalone(kind: string): ValidateFunction & { digest?: unknown } {
  const module: { exports: unknown } = { exports: {} };
  new Function("module", "exports", "require", validatorSource(kind))(module, module.exports, requireFromPackage);
  return module.exports as ValidateFunction & { digest?: unknown };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Broken copies of `doc`: an unknown field in each object, each leaf of another type, each key removed. */
function variants(doc: Json, limit = 300): Json[] {
  const out: Json[] = [];
  const visit = (node: Json, replace: (v: Json | undefined) => void): void => {
    if (out.length >= limit) return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, (v) => {
        const copy = [...node];
        if (v === undefined) copy.splice(i, 1);
        else copy[i] = v;
        replace(copy);
      }));
      replace({ notAList: true });
    } else if (node !== null && typeof node === "object") {
      replace({ ...node, bogusFild: 1 });
      for (const [k, v] of Object.entries(node)) {
        visit(v, (nv) => {
          const copy = { ...node };
          if (nv === undefined) delete copy[k];
          else copy[k] = nv;
          replace(copy);
        });
        const copy = { ...node };
        delete copy[k];
        replace(copy);
      }
    } else {
      replace(typeof node === "string" ? 1.5 : typeof node === "number" ? (Number.isInteger(node) ? 2.5 : "x") : typeof node === "boolean" ? "yes" : 7);
      if (typeof node === "string") replace(3);
    }
  };
  visit(doc, (v) => {
    if (v !== undefined && out.length < limit) out.push(v);
  });
  return out;
}

describe("precompiled schema validators", async () => {
  const { specs } = await loadSpecs([join(packageRoot(), "fixtures"), join(packageRoot(), "deploy")]);
  const ajv = newAjv();

  test.each(SCHEMA_KINDS.map((k) => [k]))("%s: same errors as the runtime-compiled validator", (kind) => {
    const schema = schemaFor(kind);
    expect(schema).toBeDefined();
    const runtime = ajv.compile(schema as Record<string, unknown>);
    const built = standalone(kind);
    expect(built.digest).toBe(schemaDigest(kind));
    const docs: Json[] = specs.filter((s) => s.spec.kind === kind).map((s) => s.spec as unknown as Json);
    // A kind without a fixture still gets a minimal document and its variants.
    if (docs.length === 0) docs.push({ apiVersion: "argoproj.io/v1alpha1", kind, metadata: { name: "x" }, spec: {} });
    let compared = 0;
    for (const doc of docs) {
      for (const candidate of [doc, ...variants(doc)]) {
        const a = runtime(candidate);
        const b = built(candidate);
        expect(b).toBe(a);
        expect(JSON.stringify(built.errors)).toBe(JSON.stringify(runtime.errors));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1);
  });

  test("the digest changes with the kind", () => {
    expect(new Set(SCHEMA_KINDS.map(schemaDigest)).size).toBe(SCHEMA_KINDS.length);
  });
});
