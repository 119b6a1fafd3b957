// `trigger-gateway test-sensor --sensor FILE --event [DEPENDENCY=]FILE...`
import type { Command } from "commander";
import { repeatable } from "./values.js";

export function defineTestSensor(program: Command): Command {
  return program
    .command("test-sensor")
    .summary("evaluate a sensor offline against saved events; print JSON of what fires")
    .description(
      'Evaluate a sensor offline against saved events and print {"triggers":[{"name","fired","resource"|"reason"}]}. ' +
        'An event file is an Argo event {"context":...,"data":...} or a bare payload (then it is the ' +
        "event's data). DEPENDENCY= names the dependency the event is for; without it, a bare payload gets the first dependency's event source and event name.",
    )
    .requiredOption("--sensor <file>", "the Sensor YAML")
    .option("--event <[dependency=]file>", "a saved event (repeatable)", repeatable)
    .action(async (opts: { sensor: string; event?: string[] }) => {
      const { testSensorCommand } = await import("../commands/test-sensor.js");
      const result = await testSensorCommand(opts.sensor, opts.event ?? []);
      process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    });
}
