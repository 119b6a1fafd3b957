import type { TriggerTemplate } from "../../api/index.js";
import type { Where } from "../where.js";
import type { Firing, TriggerAction, TriggerPlan, TriggerResult, TriggerRuntime, TriggerType } from "./types.js";

/**
 * `log`: writes each event of the firing at info (dependency, context, data);
 * with `intervalSeconds`, at most once per interval per trigger — firings in
 * between succeed without output, as in the original. Creates nothing. When
 * each trigger last logged is kept in the runtime's TriggerMemory (trigger
 * parameters recompile the action at every firing).
 */
export const logTrigger: TriggerType<"log"> = {
  type: "log",
  compile(template: TriggerTemplate, where: Where, at: string): TriggerAction {
    const interval = template.log?.intervalSeconds ?? 0;
    if (typeof interval !== "number" || !Number.isInteger(interval) || interval < 0) {
      throw where.spec(`${at}.log.intervalSeconds`, "must be a whole number of seconds, 0 or more");
    }
    return {
      type: "log",
      plan(firing: Firing): TriggerPlan {
        return { type: "log", derivedName: false, summary: { events: firing.events }, firing };
      },
      async execute(plan: TriggerPlan, runtime: TriggerRuntime): Promise<TriggerResult> {
        const f = plan.firing;
        const key = f ? `${f.sensorNamespace}/${f.sensorName}/${f.triggerName}` : "";
        const now = Date.now();
        const lastLogged = runtime.memory.lastLogged;
        const last = lastLogged.get(key);
        if (interval > 0 && last !== undefined && now - last < interval * 1000) return {};
        lastLogged.set(key, now);
        const events = f?.events ?? (plan.summary?.events as Firing["events"] | undefined) ?? {};
        for (const [dependencyName, event] of Object.entries(events)) {
          runtime.logger.info({ dependencyName, eventContext: event.context, data: event.data }, "log trigger");
        }
        return {};
      },
    };
  },
};
