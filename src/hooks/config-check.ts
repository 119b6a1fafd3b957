// What a managed hook's entry asks that no provider would accept (an App ID of 0, an
// owner with a "/", a GitLab event name with no hook option, a checkInterval that is
// no duration): serve reports such a hook as failed at every check, so validate
// refuses it at load.
import { specError, type EventSource, type LoadedSpec } from "../api/index.js";
import type { SpecError } from "../errors.js";
import { managedHooksOf } from "./managed.js";

const NO_SECRETS = { get: () => Promise.reject(new Error("not read at validation")) };

export function managedHookErrors(loaded: readonly LoadedSpec[]): SpecError[] {
  const out: SpecError[] = [];
  for (const doc of loaded) {
    if (doc.spec.kind !== "EventSource") continue;
    for (const hook of managedHooksOf(doc.spec as EventSource, { secrets: NO_SECRETS })) {
      for (const issue of hook.issues) out.push(specError(doc, issue.path, `${issue.message} (a managed hook: webhook.url and credentials are set)`));
    }
  }
  return out;
}
