import { readFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { loadAndValidate } from "../api/index.js";
import { compileErrors } from "../sensor/compile-check.js";
import type { Sensor } from "../api/types.js";
import { compileSensor, dryRun, type DryRunResult } from "../sensor/index.js";
import type { SensorEvent } from "../sensor/event.js";
import { GatewayError } from "../errors.js";

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

export async function testSensorCommand(sensorFile: string, eventArgs: string[]): Promise<DryRunResult> {
  const { specs, errors } = await loadAndValidate([sensorFile]);
  const all = [...errors, ...compileErrors(specs)];
  if (all.length > 0) throw new GatewayError(all.map((e) => e.message).join("\n"));
  const loaded = specs.find((s) => s.spec.kind === "Sensor");
  if (!loaded) throw new GatewayError(`${sensorFile}: no Sensor in this file`);
  const sensor = loaded.spec as Sensor;
  const events: { dependency?: string; event: SensorEvent }[] = [];
  for (const arg of eventArgs) {
    const { dependency, file } = parseEventArg(arg);
    if (dependency && !sensor.spec.dependencies.some((d) => d.name === dependency)) {
      throw new GatewayError(`--event ${arg}: the sensor has no dependency "${dependency}"`);
    }
    let content: unknown;
    try {
      content = JSON.parse(await readFile(file, "utf8"));
    } catch (err) {
      throw new GatewayError(`--event ${arg}: ${(err as Error).message}`, { cause: err });
    }
    events.push({ dependency, event: toSensorEvent(sensor, dependency, content) });
  }
  return dryRun(compileSensor(sensor), events);
}
