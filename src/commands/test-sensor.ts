import { readFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { loadAndValidate, type Sensor } from "../api/index.js";
import { compileErrors, compileSensor, dryRun, type DryRunResult, type SensorEvent } from "../sensor/index.js";
import { errorMessage, GatewayError } from "../errors.js";
import { SOURCE_TYPES, SOURCE_TYPE_NAMES, isSourceType, offlineEventData, type SourceType } from "../eventsource/index.js";

export interface EventArg {
  dependency?: string;
  file: string;
}

/** `DEP=FILE` or `FILE` (a path may itself contain `=`: only a leading name before `=` counts). */
export function parseEventArg(arg: string): EventArg {
  const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(arg);
  return m ? { dependency: m[1], file: m[2] } : { file: arg };
}

function isArgoEvent(v: unknown): v is { context: Record<string, unknown>; data: unknown } {
  return typeof v === "object" && v !== null && "context" in v && "data" in v &&
    typeof (v as { context: unknown }).context === "object";
}

/** An Argo event file as it is, or a bare payload with a context made up from the dependency. */
export function toSensorEvent(sensor: Sensor, dependency: string | undefined, content: unknown): SensorEvent {
  const dep = sensor.spec.dependencies.find((d) => d.name === dependency) ?? sensor.spec.dependencies[0];
  const defaults = {
    id: randomBytes(16).toString("hex"),
    source: dep?.eventSourceName ?? "",
    subject: dep?.eventName ?? "",
    specversion: "1.0",
    type: "webhook",
    datacontenttype: "application/json",
    time: new Date().toISOString(),
  };
  if (isArgoEvent(content)) {
    return { context: { ...defaults, ...(content.context as Partial<SensorEvent["context"]>) }, data: content.data };
  }
  return { context: defaults, data: content };
}

export interface TestSensorOptions {
  /** Build each event as this receiver type would from the raw file (its headers from `headers`). */
  provider?: SourceType;
  /** `Name=Value` (or `Name: Value`) request headers, with `provider`. */
  headers?: string[];
}

/** A dry run's result, and hints when the events look unlike what the Sensor reads. */
export type TestSensorResult = DryRunResult & { hints?: string[] };

function headerPairs(args: readonly string[]): [string, string][] {
  return args.map((h) => {
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(h);
    if (!m) throw new GatewayError(`--header ${h}: expected Name=Value`);
    return [m[1] as string, m[2] as string];
  });
}

/** A bare provider payload handed to a Sensor that reads `body.*`: say how to pass it. */
function rawPayloadHint(sensor: Sensor, content: unknown, arg: string): string | undefined {
  if (typeof content !== "object" || content === null || Array.isArray(content)) return undefined;
  if ("body" in content || "headers" in content || "context" in content) return undefined;
  if (!JSON.stringify(sensor.spec).includes('"body.')) return undefined;
  return `--event ${arg}: the Sensor reads body.* but this file has no "body": it looks like a raw provider payload; pass --provider github|gitlab|bitbucket|bitbucketserver|webhook (with --header X-GitHub-Event=push or the like) to build the event as the receiver does, or wrap it as {"body": ...}`;
}

export async function testSensorCommand(sensorFile: string, eventArgs: string[], options: TestSensorOptions = {}): Promise<TestSensorResult> {
  const { specs, errors } = await loadAndValidate([sensorFile]);
  const all = [...errors, ...compileErrors(specs)];
  if (all.length > 0) throw new GatewayError(all.map((e) => e.message).join("\n"));
  const loaded = specs.find((s) => s.spec.kind === "Sensor");
  if (!loaded) throw new GatewayError(`${sensorFile}: no Sensor in this file`);
  const sensor = loaded.spec as Sensor;
  const events: { dependency?: string; event: SensorEvent }[] = [];
  const hints: string[] = [];
  const pairs = headerPairs(options.headers ?? []);
  if (pairs.length > 0 && !options.provider) throw new GatewayError("--header needs --provider: headers are part of the request a receiver turns into the event");
  if (options.provider && !isSourceType(options.provider)) {
    throw new GatewayError(`--provider ${options.provider}: expected one of ${SOURCE_TYPE_NAMES.join(", ")}`);
  }
  for (const arg of eventArgs) {
    const { dependency, file } = parseEventArg(arg);
    if (dependency && !sensor.spec.dependencies.some((d) => d.name === dependency)) {
      throw new GatewayError(`--event ${arg}: the sensor has no dependency "${dependency}"`);
    }
    if (options.provider) {
      events.push({ dependency, event: await providerEvent(sensor, dependency, options.provider, pairs, file, arg) });
      continue;
    }
    let content: unknown;
    try {
      content = JSON.parse(await readFile(file, "utf8"));
    } catch (err) {
      throw new GatewayError(`--event ${arg}: ${(err as Error).message}`, { cause: err });
    }
    const hint = rawPayloadHint(sensor, content, arg);
    if (hint) hints.push(hint);
    events.push({ dependency, event: toSensorEvent(sensor, dependency, content) });
  }
  const result: TestSensorResult = dryRun(compileSensor(sensor), events);
  if (hints.length > 0) result.hints = hints;
  return result;
}

async function providerEvent(sensor: Sensor, dependency: string | undefined, provider: SourceType, pairs: [string, string][], file: string, arg: string): Promise<SensorEvent> {
  const named = SOURCE_TYPES[provider].event;
  if (named && !pairs.some(([k]) => k.toLowerCase() === named.header.toLowerCase())) {
    throw new GatewayError(`--provider ${provider} needs --header ${named.header}=<event>, as the provider sends it (e.g. ${named.example})`);
  }
  let data: unknown;
  try {
    data = offlineEventData(provider, pairs, await readFile(file));
  } catch (err) {
    throw new GatewayError(`--event ${arg}: ${errorMessage(err)}`, { cause: err });
  }
  const event = toSensorEvent(sensor, dependency, data);
  return { ...event, context: { ...event.context, type: provider } };
}
