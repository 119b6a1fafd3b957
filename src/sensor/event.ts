import type { CloudEvent } from "../eventbus/index.js";

/** An event as a sensor sees it, as in Argo Events: the CloudEvent context and the payload. */
export interface EventContext {
  id: string;
  source: string;
  specversion: string;
  type: string;
  datacontenttype: string;
  subject: string;
  time: string;
}

export interface SensorEvent {
  context: EventContext;
  /** The parsed payload: {headers|header, body, metadata?}. */
  data: unknown;
}

/** The sensor's view of a CloudEvent: every attribute but `data` is context (extensions included). */
export function sensorEventFromCloudEvent(ce: CloudEvent): SensorEvent {
  const { data, ...attributes } = ce;
  const context = { ...attributes } as unknown as EventContext;
  return { context, data };
}
