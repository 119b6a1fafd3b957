import type { Logger } from "../logger.js";
import { type EventBus, MemoryEventBus, jetStreamOptionsFromSpec } from "../eventbus/index.js";
import type { EventBus as EventBusSpec } from "../api/index.js";
import type { SecretStore } from "./secrets.js";
import { GatewayError } from "../errors.js";

export interface BusChoice {
  eventBuses: EventBusSpec[];
  /** `--nats-url`: JetStream at this URL (comma-separated list), whatever the specs say. */
  natsUrl?: string;
  publishDeadlineMs?: number;
  /** `--ack-wait`: JetStream consumers' ack wait. */
  ackWaitMs?: number;
  secrets: SecretStore;
  logger: Logger;
  /** Set when several processes must share the bus (`--workers`): the in-process bus is then an error. */
  sharedBusFor?: string;
}

/** The EventBus spec the gateway uses: the one named `default`, as Argo's `eventBusName` default, or the only one. */
export function chooseEventBus(buses: EventBusSpec[]): EventBusSpec | undefined {
  if (buses.length <= 1) return buses[0];
  const byDefault = buses.find((b) => b.metadata.name === "default");
  if (byDefault) return byDefault;
  throw new GatewayError(
    `${buses.length} EventBus specs and none is named "default": one gateway serves one bus (${buses
      .map((b) => b.metadata.name)
      .join(", ")})`,
  );
}

/** JetStream when `--nats-url` or a JetStream EventBus spec says so; otherwise the in-process bus. */
export async function createEventBus(o: BusChoice): Promise<EventBus> {
  const spec = chooseEventBus(o.eventBuses);
  const wantsJetStream = o.natsUrl !== undefined || (spec !== undefined && ("jetstream" in spec.spec || "jetstreamExotic" in spec.spec));
  if (!wantsJetStream && o.sharedBusFor) {
    throw new GatewayError(`${o.sharedBusFor} needs the JetStream bus (--nats-url, or a JetStream EventBus spec): the in-process bus is not shared between processes`);
  }
  if (!wantsJetStream) return new MemoryEventBus(spec?.metadata.name ?? "default");
  const options = await jetStreamOptionsFromSpec(spec, o.secrets, {
    natsUrl: o.natsUrl,
    logger: o.logger,
    publishDeadlineMs: o.publishDeadlineMs,
    ackWaitMs: o.ackWaitMs,
  });
  // nats is loaded only when the bus is JetStream.
  const { JetStreamEventBus } = await import("../eventbus/jetstream.js");
  const bus = await JetStreamEventBus.connect(options);
  o.logger.info({ bus: options.name, servers: options.servers }, "connected to NATS JetStream");
  return bus;
}
