import type { TriggerOutcome } from "../sensor/index.js";

/** The runner's outcomes, as the observer reads them. */
export type ObservedTriggerOutcome = TriggerOutcome;

/** Why a trigger did not fire (or where its events went), in the runner's own words, kept verbatim. */
export function outcomeDetail(o: ObservedTriggerOutcome): string | undefined {
  switch (o.status) {
    case "skipped":
    case "rate-limited":
      return o.reason;
    case "failed":
      return o.error.message;
    case "dead-lettered":
      // The error that made it final, then where the events went.
      return `${o.error.message}; ${o.reason}`;
    case "fired":
      return o.warnings?.length ? o.warnings.join("; ") : undefined;
  }
}

/** The trigger's own duration, when the runner reports one (`durationMs`). */
export function outcomeDurationMs(o: ObservedTriggerOutcome): number | undefined {
  return "durationMs" in o && typeof o.durationMs === "number" ? o.durationMs : undefined;
}

/** Whether the message is settled with this outcome (no further attempt follows). */
export function isFinal(o: ObservedTriggerOutcome): boolean {
  switch (o.status) {
    case "fired":
    case "skipped":
      return true;
    case "failed":
      return !o.willRetry;
    default:
      return false;
  }
}

/** Every event id an outcome settles: a multi-dependency firing or dead letter covers all it consumed. */
export function outcomeEventIds(o: ObservedTriggerOutcome): string[] {
  const more = o.status === "fired" || o.status === "dead-lettered" ? o.eventIds : [];
  return [...new Set([o.eventId, ...more])];
}
