import type { TriggerPolicy } from "../../api/index.js";
import { TriggerError } from "../../errors.js";
import { backoffDelay, type BackoffPolicy } from "../../retry.js";
import type { WorkflowClient } from "../../workflows/index.js";
import { DEFAULT_BACKOFF, parseBackoff } from "./backoff.js";
import type { Clock } from "./clock.js";

/** `policy.k8s`: the created resource must come to carry `labels` within `backoff`. */
export interface K8sPolicy {
  labels: Record<string, string>;
  backoff: BackoffPolicy;
  errorOnBackoffTimeout: boolean;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** None when the policy sets no labels (Argo Events then skips it too). */
export function compileK8sPolicy(policy: unknown): K8sPolicy | undefined {
  const k8s = (policy as TriggerPolicy | undefined)?.k8s;
  if (!k8s?.labels || Object.keys(k8s.labels).length === 0) return undefined;
  return {
    labels: Object.fromEntries(Object.entries(k8s.labels).map(([k, v]) => [k, String(v)])),
    backoff: parseBackoff(k8s.backoff, DEFAULT_BACKOFF),
    errorOnBackoffTimeout: k8s.errorOnBackoffTimeout === true,
  };
}

function carries(labels: Record<string, string> | undefined, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labels?.[k] === v);
}

/**
 * Polls the object until it carries every label, `backoff.steps` reads in all.
 * Resolves with a warning when it never does and the policy tolerates that;
 * otherwise throws a TriggerError (final: the object exists, a retry would only wait again).
 * A failing read is thrown as it is.
 */
export async function awaitLabels(
  policy: K8sPolicy,
  ref: ObjectRef,
  workflows: WorkflowClient,
  clock: Clock,
  random: () => number = Math.random,
): Promise<{ warning?: string }> {
  for (let n = 1; ; n++) {
    const obj = await workflows.get(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    if (carries(obj.metadata?.labels, policy.labels)) return {};
    if (n >= policy.backoff.steps) break;
    await clock.sleep(backoffDelay(policy.backoff, n, random));
  }
  const what = `${ref.kind} ${ref.namespace}/${ref.name} did not get the labels ${JSON.stringify(policy.labels)} of policy.k8s within ${policy.backoff.steps} checks`;
  if (policy.errorOnBackoffTimeout) throw new TriggerError(`${what} (errorOnBackoffTimeout)`);
  return { warning: what };
}
