// What loads but fails at every event a WorkflowEventBinding meets: an expression that
// does not compile. Argo Workflows compiles them per event and so does the gateway (the
// binding is kept with its error); `validate` says so at load, at the field.
import { specWarning, type LoadedSpec, type WorkflowEventBinding } from "../api/index.js";
import type { SpecWarning } from "../errors.js";
import { BindingExpressionError, compileBinding } from "./compile.js";

export function bindingWarnings(loaded: readonly LoadedSpec[]): SpecWarning[] {
  const out: SpecWarning[] = [];
  for (const doc of loaded) {
    if (doc.spec.kind !== "WorkflowEventBinding") continue;
    const err = compileBinding(doc.spec as WorkflowEventBinding).compileError;
    if (!err) continue;
    const path = err instanceof BindingExpressionError ? err.fieldPath : ["spec"];
    out.push(specWarning(doc, path, `${err.message}: every event this binding meets fails with this error (Argo Workflows compiles it per event)`));
  }
  return out;
}
