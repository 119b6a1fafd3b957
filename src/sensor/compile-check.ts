// What `serve` refuses when it compiles a Sensor (a regex, a path, a template function,
// a trigger source), found at load time, so that `validate` and `test-sensor` report
// it as `FILE:LINE:COL Sensor/name path: detail` like any other spec error.
import { parseFieldPath, specError, specWarning, type LoadedSpec, type Sensor } from "../api/index.js";
import { errorMessage, SpecError, type SpecWarning } from "../errors.js";
import { compileSensor, type CompiledSensor } from "./compile.js";
import { systemClock } from "./delivery/clock.js";
import { compileDelivery } from "./delivery/settings.js";
import { Where } from "./where.js";
import { sensorWarnings } from "./lint.js";

// Where formats compile errors `ns/name Sensor <field path>: <detail>`.
const LOCATED = /^\S+ Sensor (\S+): ([\s\S]*)$/;

/** One error per Sensor that does not compile (compiling stops at the first problem). */
export function compileErrors(loaded: readonly LoadedSpec[]): SpecError[] {
  const out: SpecError[] = [];
  for (const doc of loaded) {
    if (doc.spec.kind !== "Sensor") continue;
    try {
      compileRunSettings(compileSensor(doc.spec as Sensor));
    } catch (err) {
      if (err instanceof SpecError && err.resource === "Sensor") {
        out.push(specError(doc, parseFieldPath(err.fieldPath), err.detail));
        continue;
      }
      const m = LOCATED.exec(errorMessage(err));
      out.push(m ? specError(doc, parseFieldPath(m[1] as string), m[2] as string) : specError(doc, [], errorMessage(err)));
    }
  }
  return out;
}

/** What the runner reads when it starts a Sensor (retries, rate, k8s policy, cron resets), read the same way. */
function compileRunSettings(sensor: CompiledSensor): void {
  const where = new Where(sensor.namespace, sensor.name);
  sensor.triggers.forEach((trigger, i) => {
    const at = `spec.triggers[${i}]`;
    compileDelivery(trigger, where, at, systemClock);
    if (trigger.dlqTrigger) compileDelivery(trigger.dlqTrigger, where, `${at}.dlqTrigger`, systemClock);
  });
}

/** What loads but fails at every event or firing (see lint.ts), as warnings at the field. */
export function lintWarnings(loaded: readonly LoadedSpec[]): SpecWarning[] {
  const out: SpecWarning[] = [];
  for (const doc of loaded) {
    if (doc.spec.kind !== "Sensor") continue;
    for (const w of sensorWarnings(doc.spec as Sensor)) out.push(specWarning(doc, w.path, w.message));
  }
  return out;
}
