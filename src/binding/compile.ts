// A WorkflowEventBinding compiled once: its selector, parameter and metadata
// expressions (expr-lang). A binding that does not compile is kept with its
// error, so every event it would see reports that error (as Argo, which
// compiles per event) instead of the whole gateway refusing to start.
import type { WorkflowEventBinding } from "../api/index.js";
import { type CompiledExpression, compileExprLang } from "../expr/index.js";
import { ExpressionError, errorMessage } from "../errors.js";

export interface CompiledParameter {
  name: string;
  /** Undefined when `valueFrom` (or `valueFrom.event`) is missing: an error at dispatch, as in Argo. */
  expression?: CompiledExpression;
}

/** `submit.metadata` fields, each an expression that must yield a string. */
export interface CompiledMetadata {
  name?: CompiledExpression;
  generateName?: CompiledExpression;
  labels: [string, CompiledExpression][];
  annotations: [string, CompiledExpression][];
}

export interface CompiledBinding {
  readonly namespace: string;
  readonly name: string;
  readonly binding: WorkflowEventBinding;
  readonly selector?: CompiledExpression;
  readonly template?: { name: string; clusterScope: boolean };
  readonly parameters: CompiledParameter[];
  readonly metadata: CompiledMetadata;
  /** Set when an expression failed to compile; every dispatch of this binding fails with it. */
  readonly compileError?: ExpressionError;
}

/** An expression of a binding that does not compile, with the field it is in. */
export class BindingExpressionError extends ExpressionError {
  constructor(
    message: string,
    readonly fieldPath: (string | number)[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

function compile(expression: string, what: string, fieldPath: (string | number)[]): CompiledExpression {
  try {
    return compileExprLang(expression);
  } catch (err) {
    throw new BindingExpressionError(`failed to compile ${what}: ${errorMessage(err)}`, fieldPath, { cause: err });
  }
}

function stringMap(value: unknown): [string, string][] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
}

export function compileBinding(binding: WorkflowEventBinding): CompiledBinding {
  const namespace = binding.metadata.namespace || "default";
  const name = binding.metadata.name ?? "";
  const submit = binding.spec.submit;
  const base = {
    namespace,
    name,
    binding,
    template: submit
      ? { name: submit.workflowTemplateRef.name, clusterScope: submit.workflowTemplateRef.clusterScope === true }
      : undefined,
  };
  try {
    const selector = compile(binding.spec.event.selector, "selector", ["spec", "event", "selector"]);
    const parameters: CompiledParameter[] = (submit?.arguments?.parameters ?? []).map((p, i) => ({
      name: p.name,
      expression:
        p.valueFrom?.event !== undefined
          ? compile(p.valueFrom.event, `parameter "${p.name}" expression`, ["spec", "submit", "arguments", "parameters", i, "valueFrom", "event"])
          : undefined,
    }));
    const meta = (submit?.metadata ?? {}) as Record<string, unknown>;
    const at = ["spec", "submit", "metadata"];
    const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
    const nameExpr = str(meta.name);
    const generateNameExpr = str(meta.generateName);
    const metadata: CompiledMetadata = {
      name: nameExpr !== undefined ? compile(nameExpr, "name expression", [...at, "name"]) : undefined,
      generateName: generateNameExpr !== undefined ? compile(generateNameExpr, "generateName expression", [...at, "generateName"]) : undefined,
      labels: stringMap(meta.labels).map(([k, v]) => [k, compile(v, `label "${k}" expression`, [...at, "labels", k])]),
      annotations: stringMap(meta.annotations).map(([k, v]) => [k, compile(v, `annotation "${k}" expression`, [...at, "annotations", k])]),
    };
    return { ...base, selector, parameters, metadata };
  } catch (err) {
    const compileError = err instanceof ExpressionError ? err : new ExpressionError(errorMessage(err), { cause: err });
    return { ...base, parameters: [], metadata: { labels: [], annotations: [] }, compileError };
  }
}
