// What one dependency filter kind provides: a new kind is one file exporting a
// FilterKind, its name in api/extension-points.ts and one line in registry.ts.
import type { EventDependencyFilter } from "../../api/index.js";
import type { SensorEvent } from "../event.js";
import type { FilterPayload } from "../parameter-source.js";
import type { Where } from "../where.js";
import type { KindResult } from "./result.js";

/** The event as a filter kind reads it; the payload is parsed once, and only if a kind asks. */
export interface FilterInput {
  event: SensorEvent;
  payload(): FilterPayload;
}

export interface FilterKind<C> {
  /** Its name in messages: "the <label> filter". */
  readonly label: string;
  /** The kind's part of `filters`, compiled; undefined when the spec does not set it. `at` is the path of `filters`. */
  compile(spec: EventDependencyFilter, where: Where, at: string): C | undefined;
  /** Pure: pass, or why not (KindResult.errors discard the event whatever the logical operator). */
  check(compiled: C, input: FilterInput): KindResult;
}

/** A kind made of a list of filters with its own logical operator (data, exprs). */
export interface FilterList<F> {
  or: boolean;
  filters: F[];
}

export const isOr = (op: string | undefined): boolean => op === "or";
