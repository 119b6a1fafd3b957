import { rememberJsonTextWithin, type CloudEvent } from "../eventbus/index.js";
import { locateJsonText } from "../expr/index.js";

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
  // An event read off the bus: its data's text is found in the event's text when asked for.
  rememberJsonTextWithin(data, ce, ["data"], locateJsonText);
  return { context, data };
}
