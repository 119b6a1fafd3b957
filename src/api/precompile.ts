// `npm run build` runs this after tsc: every kind's validator as ajv standalone code in
// dist/src/api/validators/<kind>.cjs, stamped with the digest of what it was made from.
// schema.ts loads one only when its digest still matches (see schemaDigest).
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { newAjv, precompiledPath, SCHEMA_KINDS, schemaDigest, schemaFor } from "./schema.js";

const require = createRequire(import.meta.url);

/** The CommonJS source of kind's standalone validator. */
export function validatorSource(kind: string): string {
  const schema = schemaFor(kind);
  if (!schema) throw new Error(`no schema for kind ${kind}`);
  const standaloneCode = require("ajv/dist/standalone") as typeof import("ajv/dist/standalone/index.js").default;
  const ajv = newAjv({ source: true });
  const code = standaloneCode(ajv, ajv.compile(schema));
  return `${code}\nmodule.exports.digest = ${JSON.stringify(schemaDigest(kind))};\n`;
}

/** Writes every kind's validator; returns the files written. */
export function writeValidators(dir?: string): string[] {
  const files: string[] = [];
  for (const kind of SCHEMA_KINDS) {
    const file = precompiledPath(kind, dir);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, validatorSource(kind));
    files.push(file);
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeValidators();
}
