import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import type { KubeObject } from "../../api/index.js";
import { kubeError } from "../../workflows/index.js";

export const READY = "Ready";

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface DesiredCondition {
  status: "True" | "False";
  reason: string;
  message: string;
}

function conditionsOf(o: KubeObject): Condition[] {
  const c = (o.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(c) ? (c as Condition[]) : [];
}

/** The conditions to write, or undefined when the object already says this. */
export function nextConditions(o: KubeObject, want: DesiredCondition, now: Date): Condition[] | undefined {
  const all = conditionsOf(o);
  const current = all.find((c) => c.type === READY);
  if (current && current.status === want.status && current.reason === want.reason && current.message === want.message) return undefined;
  // The transition time moves only when the status does, as in Kubernetes' own conditions.
  const lastTransitionTime =
    current && current.status === want.status ? current.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return [...all.filter((c) => c.type !== READY), { type: READY, ...want, lastTransitionTime }];
}

/** Writes `status.conditions` through the status subresource (merge patch). */
export class StatusWriter {
  private readonly api: CustomObjectsApi;
  constructor(kubeConfig: KubeConfig) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async write(o: KubeObject, plural: string, conditions: Condition[]): Promise<void> {
    const [group, version] = o.apiVersion.split("/");
    const name = o.metadata.name ?? "";
    const body = { status: { conditions } };
    const options = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    try {
      await this.api.patchNamespacedCustomObjectStatus(
        { group, version, plural, namespace: o.metadata.namespace ?? "default", name, body },
        options,
      );
    } catch (err) {
      throw kubeError(err, `status of ${o.kind} ${o.metadata.namespace}/${name}`);
    }
  }
}
