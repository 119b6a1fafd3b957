import { isObject, K8S_OPERATIONS, type KubeObject, type TriggerTemplate } from "../../api/index.js";
import { ConflictError, NotFoundError, TriggerError } from "../../errors.js";
import type { PatchStrategy } from "../../workflows/index.js";
import type { Where } from "../where.js";
import { createIntent, refOf, requireName, SourcedAction, type Intend, type Intent } from "./resource.js";
import type { Firing, TriggerAction, TriggerResult, TriggerRuntime, TriggerType } from "./types.js";

type Operation = (typeof K8S_OPERATIONS)[number];

/** `patchStrategy` is a Content-Type, as the original passes it to the API. */
export const PATCH_STRATEGIES: Readonly<Record<string, PatchStrategy>> = {
  "application/merge-patch+json": "merge",
  "application/json-patch+json": "json",
  "application/strategic-merge-patch+json": "strategic",
};
const CONFLICT_ATTEMPTS = 5;

/**
 * The original's mergo.Merge(live, obj, WithOverride), approximately: objects merge
 * key by key, any other value of `obj` replaces the live one (lists included);
 * null leaves the live value.
 */
export function overrideMerge(live: unknown, obj: unknown): unknown {
  if (!isObject(live) || !isObject(obj)) return obj === null || obj === undefined ? live : structuredClone(obj);
  const out: Record<string, unknown> = { ...live };
  for (const [k, v] of Object.entries(obj)) out[k] = overrideMerge(live[k], v);
  return out;
}

async function getLive(runtime: TriggerRuntime, obj: KubeObject): Promise<KubeObject | undefined> {
  const r = refOf(obj);
  try {
    return await runtime.workflows.get(r.apiVersion, r.kind, r.namespace, r.name);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** As the original: a missing object is created as written (no trigger labels). */
async function createInstead(runtime: TriggerRuntime, obj: KubeObject): Promise<TriggerResult> {
  const created = await runtime.workflows.create(obj);
  return { object: { ...refOf(obj), name: created.metadata.name ?? refOf(obj).name } };
}

/**
 * Update: merge the resource over the live object and replace it, again on a
 * conflict. With `liveObject` the parameters apply to the live object itself
 * (the source only names it), as in the original.
 */
function updateIntent(obj: KubeObject, firing: Firing, liveObject: boolean, reapply: (base: KubeObject) => KubeObject): Intent {
  requireName(obj, firing, "update");
  const target = refOf(obj);
  return {
    derivedName: false,
    summary: { operation: "update", target, ...(liveObject ? { liveObject: true } : {}), object: obj },
    async run(runtime) {
      for (let i = 1; ; i++) {
        const live = await getLive(runtime, obj);
        if (!live) return createInstead(runtime, obj);
        const merged = (liveObject ? reapply(live) : overrideMerge(live, obj)) as KubeObject;
        merged.metadata.resourceVersion = live.metadata.resourceVersion;
        try {
          await runtime.workflows.update(merged);
          return { object: target };
        } catch (err) {
          if (!(err instanceof ConflictError) || i >= CONFLICT_ATTEMPTS) throw err;
        }
      }
    },
  };
}

/**
 * Patch with the resource as the patch document (merge, strategic), or with
 * the resource's `patch` list as RFC 6902 operations (json: the original sends
 * the object itself, which the API server always rejects).
 */
function patchIntent(obj: KubeObject, firing: Firing, strategy: PatchStrategy): Intent {
  requireName(obj, firing, "patch");
  const target = refOf(obj);
  let body: unknown = obj;
  if (strategy === "json") {
    if (!Array.isArray(obj.patch)) {
      throw new TriggerError(`trigger ${firing.triggerName}: a json patch needs the resource's "patch" list of RFC 6902 operations`);
    }
    body = obj.patch;
  }
  return {
    derivedName: false,
    summary: { operation: "patch", patchStrategy: strategy, target, patch: body },
    async run(runtime) {
      const live = await getLive(runtime, obj);
      if (!live) {
        if (strategy === "json") throw new NotFoundError(`${target.kind} ${target.namespace}/${target.name} not found: nothing to patch`);
        return createInstead(runtime, obj);
      }
      await runtime.workflows.patch(target.apiVersion, target.kind, target.namespace, target.name, body, strategy);
      return { object: target };
    },
  };
}

/** Delete; an object already gone is success (a redelivery, or nothing to do). */
function deleteIntent(obj: KubeObject, firing: Firing): Intent {
  requireName(obj, firing, "delete");
  const target = refOf(obj);
  return {
    derivedName: false,
    summary: { operation: "delete", target },
    async run(runtime) {
      try {
        await runtime.workflows.delete(target.apiVersion, target.kind, target.namespace, target.name);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      return {};
    },
  };
}

function intentFor(op: Operation, strategy: PatchStrategy, liveObject: boolean): Intend {
  switch (op) {
    case "create":
      return createIntent;
    case "update":
      return (obj, firing, reapply) => updateIntent(obj, firing, liveObject, reapply);
    case "patch":
      return (obj, firing) => patchIntent(obj, firing, strategy);
    case "delete":
      return deleteIntent;
  }
}

/** `k8s`: create, update, patch or delete any kind through the workflow client. */
export const k8sTrigger: TriggerType<"k8s"> = {
  type: "k8s",
  compile(template: TriggerTemplate, where: Where, at: string): TriggerAction {
    const section = template.k8s;
    const field = `${at}.k8s`;
    if (!section || typeof section !== "object") throw where.spec(field, "must be an object");
    const op = (section.operation || "create") as Operation;
    if (!K8S_OPERATIONS.includes(op)) throw where.spec(`${field}.operation`, `unknown operation "${op}"; one of ${K8S_OPERATIONS.join(", ")}`);
    const strategyName = section.patchStrategy || "application/merge-patch+json";
    const strategy = PATCH_STRATEGIES[strategyName];
    if (op === "patch" && !strategy) {
      throw where.notSupported(`${field}.patchStrategy`, `patch strategy "${strategyName}" (use ${Object.keys(PATCH_STRATEGIES).join(", ")})`);
    }
    const liveObject = section.liveObject === true && op === "update";
    const intend = intentFor(op, strategy ?? "merge", liveObject);
    const action = new SourcedAction("k8s", op, section.source, section.parameters, intend, where, field);
    const loaded = action.loaded;
    if (loaded && op !== "create" && !loaded.metadata.name && !section.parameters?.length) {
      throw where.spec(`${field}.source`, `operation ${op} needs the resource's metadata.name`);
    }
    if (loaded && op === "patch" && strategy === "json" && !Array.isArray(loaded.patch)) {
      throw where.spec(`${field}.source`, 'a json patch needs a "patch" list of RFC 6902 operations in the resource');
    }
    return action;
  },
};
