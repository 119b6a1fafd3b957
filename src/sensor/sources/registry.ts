// The one table of trigger source kinds, keyed by the ArtifactLocation key each one
// reads (names from api/extension-points.ts): a kind without an entry does not compile.
import type { TriggerSourceKind } from "../../api/index.js";
import type { Where } from "../where.js";
import { compileConfigMapSource } from "./configmap.js";
import { compileFileSource } from "./file.js";
import { compileInlineSource, compileResourceSource } from "./loaded.js";
import type { TriggerSource } from "./types.js";
import { compileUrlSource } from "./url.js";

/** Compiles the kind's value, or undefined when the value is not set in a form the kind reads. */
export type SourceCompiler = (value: unknown, where: Where, at: string, now: () => number) => TriggerSource | undefined;

export const TRIGGER_SOURCES: { readonly [K in TriggerSourceKind]: SourceCompiler } = {
  resource: compileResourceSource,
  inline: compileInlineSource,
  file: compileFileSource,
  url: compileUrlSource,
  configmap: compileConfigMapSource,
};
