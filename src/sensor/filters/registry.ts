// The one table of dependency filter kinds, keyed by their `filters` key (names from
// api/extension-points.ts, in the order Argo Events evaluates them).
import type { FilterKindName } from "../../api/index.js";
import { contextFilterKind, type ContextFilter } from "./context.js";
import { dataFilterKind, type CompiledDataFilter } from "./data.js";
import { exprFilterKind, type CompiledExprFilter } from "./expr.js";
import type { FilterKind, FilterList } from "./kind.js";
import { timeFilterKind, type CompiledTimeFilter } from "./time.js";

/** What each kind compiles to. */
export interface CompiledKinds {
  exprs: FilterList<CompiledExprFilter>;
  data: FilterList<CompiledDataFilter>;
  context: ContextFilter;
  time: CompiledTimeFilter;
}

export const FILTER_KINDS: { readonly [K in FilterKindName]: FilterKind<CompiledKinds[K]> } = {
  exprs: exprFilterKind,
  data: dataFilterKind,
  context: contextFilterKind,
  time: timeFilterKind,
};
