// The gateway in this process, wired as `serve` wires it, with the local store
// wrapped so that every created Workflow is timestamped the moment it is stored.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { createLogger, DirSecretStore, groupSpecs, loadAndValidate, LocalWorkflowStore, startGateway } from "../dist/src/index.js";
import { createEventBus } from "../dist/src/config/index.js";

const now = () => performance.timeOrigin + performance.now();

/** Delegates to the store; records `delivery` parameter -> time of each successful create. */
function timestampingStore(inner, storedAt) {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "create") {
        return async (obj) => {
          const created = await target.create(obj);
          const p = obj.spec?.arguments?.parameters?.find((x) => x.name === "delivery");
          if (p?.value !== undefined) storedAt.set(p.value, now());
          return created;
        };
      }
      const v = target[prop];
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/**
 * bus: "memory" | { natsUrl }. Logs at `logLevel` (default info, as serve) go to
 * /dev/null synchronously, so their cost is paid as with serve's stdout.
 */
export async function startBenchGateway({ configDir, secretsDir, natsUrl, logLevel = "info", triggerConcurrency }) {
  const { specs, errors } = await loadAndValidate([configDir]);
  if (errors.length) throw new Error(errors.map((e) => e.message).join("\n"));
  const set = groupSpecs(specs.map((s) => s.spec));
  const logger = createLogger({ level: logLevel, destination: pino.destination({ dest: "/dev/null", sync: true }) });
  const secrets = new DirSecretStore(secretsDir);
  const bus = await createEventBus({ eventBuses: set.eventBuses, natsUrl, secrets, logger });
  const storeDir = await mkdtemp(join(tmpdir(), "tg-bench-store-"));
  const storedAt = new Map();
  const gateway = await startGateway({
    specs: set,
    bus,
    workflows: timestampingStore(new LocalWorkflowStore(storeDir), storedAt),
    secrets,
    logger,
    host: "127.0.0.1",
    portOverride: () => 0,
    triggerConcurrency,
  });
  const url = gateway.endpoints()[0].url;
  return { url, storedAt, storeDir, close: () => gateway.close() };
}
