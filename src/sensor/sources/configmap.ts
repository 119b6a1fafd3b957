// `configmap`: read when the trigger fires, through the workflow client (so as the
// Sensor's identity), in the Sensor's namespace.
import { type ConfigMapKeySelector, type KubeObject, isObject } from "../../api/index.js";
import { NotFoundError, TriggerError } from "../../errors.js";
import type { Where } from "../where.js";
import { parseResource } from "./parse.js";
import type { SourceContext, TriggerSource } from "./types.js";

function configMapSource(ref: ConfigMapKeySelector): TriggerSource {
  return {
    kind: "configmap",
    describe: () => ({ configmap: { name: ref.name, key: ref.key } }),
    async load(ctx: SourceContext): Promise<KubeObject> {
      const cm = await ctx.workflows.get("v1", "ConfigMap", ctx.namespace, ref.name);
      const text = isObject(cm.data) ? cm.data[ref.key] : undefined;
      if (typeof text !== "string") throw new NotFoundError(`ConfigMap ${ctx.namespace}/${ref.name} has no key "${ref.key}"`);
      try {
        return parseResource(text);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        throw new TriggerError(`source configmap ${ref.name}/${ref.key}: ${detail}`, { cause: err });
      }
    },
  };
}

export function compileConfigMapSource(value: unknown, where: Where, at: string): TriggerSource | undefined {
  if (!isObject(value)) return undefined;
  const { name, key } = value;
  if (typeof name !== "string" || name === "") throw where.spec(`${at}.name`, "is required");
  if (typeof key !== "string" || key === "") throw where.spec(`${at}.key`, "is required");
  return configMapSource({ name, key });
}
