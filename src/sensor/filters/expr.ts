import { isOr, type FilterKind, type FilterList } from "./kind.js";
import type { ExprFilter } from "../../api/index.js";
import { ExpressionError } from "../../errors.js";
import { compilePath, type CompiledPath, compileGovaluate, type CompiledExpression } from "../../expr/index.js";
import type { FilterPayload } from "../parameter-source.js";
import type { Where } from "../where.js";
import { fail, failed, PASS, show, type KindResult } from "./result.js";

export interface CompiledExprFilter {
  readonly expression: CompiledExpression;
  readonly fields: { name: string; path: CompiledPath }[];
}

/**
 * An expression govaluate cannot parse: the original parses per event
 * (filterExpr calls NewEvaluableExpression after binding the fields), so it loads
 * and is an error for each event that gets that far.
 */
function unparsable(source: string, error: string): CompiledExpression {
  return {
    source,
    variables: [],
    evaluate(): unknown {
      throw new ExpressionError(error);
    },
  };
}

export function compileExprFilters(filters: ExprFilter[], where: Where, at: string): CompiledExprFilter[] {
  return filters.map((f, i) => {
    const field = `${at}[${i}]`;
    const expression = where.compile(`${field}.expr`, () => {
      try {
        return compileGovaluate(f.expr);
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        return unparsable(f.expr, errorText(err.cause ?? err));
      }
    });
    const fields = (f.fields ?? []).map((x, j) => {
      if (!x.name) throw where.spec(`${field}.fields[${j}].name`, "a field needs a name");
      return { name: x.name, path: where.compile(`${field}.fields[${j}].path`, () => compilePath(x.path)) };
    });
    return { expression, fields };
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * filters.exprs as the original evaluates them: each field is bound to the typed
 * value at its path (a number stays a number); a missing path or an evaluation
 * error is an error; an expression without fields is skipped; AND needs all
 * true, OR the first true. Only an absent list passes outright (the caller does not
 * call this then): an empty one passes in AND and fails in OR, as the original's
 * loop ends.
 */
export function checkExprs(filters: CompiledExprFilter[], or: boolean, payload: FilterPayload): KindResult {
  // filterExpr: no payload passes, a payload that is not JSON is an error.
  if (payload.kind === "none") return PASS;
  if (payload.kind === "invalid") return failed("expr", ["event data not valid JSON"]);
  const data = payload.value;
  const errors: string[] = [];
  const reasons: string[] = [];
  next: for (const f of filters) {
    const params: Record<string, unknown> = {};
    for (const field of f.fields) {
      const r = field.path.get(data);
      if (!r.exists) {
        const e = `path ${show(field.path.path)} does not exist`;
        if (!or) return failed("expr", [e]);
        errors.push(e);
        continue next;
      }
      params[field.name] = r.value;
    }
    if (f.fields.length === 0) continue;
    let result: unknown;
    try {
      result = f.expression.evaluate(params);
    } catch (err) {
      const e = `${show(f.expression.source)}: ${errorText(err)}`;
      if (!or) return failed("expr", [e]);
      errors.push(e);
      continue;
    }
    if (result === true) {
      if (or) return PASS;
      continue;
    }
    const reason = `expr filter: ${show(f.expression.source)} is ${show(result)} with ${show(params)}`;
    if (!or) return fail(reason);
    reasons.push(reason);
  }
  if (!or) return PASS;
  if (errors.length > 0) return { pass: false, errors: errors.map((e) => `expr filter: ${e}`), reason: reasons.join("; ") || undefined };
  return fail(reasons.join("; ") || "expr filter: no expression passed");
}

export const exprFilterKind: FilterKind<FilterList<CompiledExprFilter>> = {
  label: "expr",
  compile: (spec, where, at) =>
    spec.exprs ? { or: isOr(spec.exprLogicalOperator), filters: compileExprFilters(spec.exprs, where, `${at}.exprs`) } : undefined,
  check: (c, input) => checkExprs(c.filters, c.or, input.payload()),
};
