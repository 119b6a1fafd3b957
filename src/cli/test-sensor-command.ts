// `trigger-gateway test-sensor --sensor FILE --event [DEPENDENCY=]FILE... [--provider P --header K=V...]`
import { Option, type Command } from "commander";
import { SOURCE_TYPE_NAMES, isSourceType, type SourceTypeName as SourceType } from "../api/extension-points.js";
import { reportUsageErrors, UsageError } from "./exit-codes.js";
import { repeatable } from "./values.js";

function sourceType(value: string): SourceType {
  if (!isSourceType(value)) throw new UsageError(`--provider ${value}: expected ${SOURCE_TYPE_NAMES.join(", ")}`);
  return value;
}

export function defineTestSensor(program: Command): Command {
  const cmd = program
    .command("test-sensor")
    .summary("evaluate a sensor offline against saved events; print JSON of what fires")
    .description(
      'Evaluate a sensor offline against saved events and print {"triggers":[{"name","fired","resource"|"reason"}]}. ' +
        'An event file is an Argo event {"context":...,"data":...} (e.g. saved from the admin API\'s /api/events/<id>/event), ' +
        "a payload as its event's data ({\"headers\",\"body\"}), or with --provider the raw body a provider sends, built into the " +
        "event by that receiver's own parser with the --header values. DEPENDENCY= names the dependency the event is for; without it, " +
        "the event gets the first dependency's event source and event name.",
    )
    .requiredOption("--sensor <file>", "the Sensor YAML")
    .option("--event <[dependency=]file>", "a saved event (repeatable)", repeatable)
    .addOption(new Option("--provider <type>", "build events from raw provider bodies: github, gitlab, bitbucket, bitbucketserver, webhook").argParser(sourceType))
    .option("--header <name=value>", "a request header for --provider, e.g. X-GitHub-Event=push (repeatable)", repeatable)
    .action(async (opts: { sensor: string; event?: string[]; provider?: SourceType; header?: string[] }) => {
      const { testSensorCommand } = await import("../commands/test-sensor.js");
      const result = await testSensorCommand(opts.sensor, opts.event ?? [], { provider: opts.provider, headers: opts.header });
      process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    });
  return reportUsageErrors(cmd);
}
