import { TRIGGER_TEMPLATE_META_KEYS, type TriggerTypeName, type Trigger, type TriggerTemplate } from "../../api/index.js";
import type { Where } from "../where.js";
import { argoWorkflowTrigger } from "./argo-workflow.js";
import { httpTrigger } from "./http.js";
import { k8sTrigger } from "./k8s.js";
import { logTrigger } from "./log.js";
import type { TriggerAction, TriggerCompileOptions, TriggerType } from "./types.js";

/** The one table of trigger types, keyed by the template key each one reads. */
export const TRIGGER_TYPES: { readonly [K in TriggerTypeName]: TriggerType<K> } = {
  argoWorkflow: argoWorkflowTrigger,
  k8s: k8sTrigger,
  http: httpTrigger,
  log: logTrigger,
};

const NOT_TYPES: ReadonlySet<string> = new Set(TRIGGER_TEMPLATE_META_KEYS);

/**
 * Compile a trigger template with the type whose key it sets; exactly one must be
 * set. `trigger` is the Trigger around the template (its `policy` reaches the type).
 */
export function compileTriggerAction(
  template: TriggerTemplate,
  where: Where,
  at: string,
  trigger?: Pick<Trigger, "policy">,
): TriggerAction {
  const keys = Object.keys(template).filter((k) => !NOT_TYPES.has(k) && template[k] !== undefined && template[k] !== null);
  if (keys.length !== 1) {
    throw where.spec(at, keys.length === 0 ? "no trigger type is set" : `more than one trigger type is set: ${keys.join(", ")}`);
  }
  const type = Object.hasOwn(TRIGGER_TYPES, keys[0]) ? TRIGGER_TYPES[keys[0] as TriggerTypeName] : undefined;
  if (!type) throw where.notSupported(`${at}.${keys[0]}`, `trigger type "${keys[0]}" is not supported yet`);
  return type.compile(template, where, at, { policy: trigger?.policy as TriggerCompileOptions["policy"] });
}
