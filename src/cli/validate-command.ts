// `trigger-gateway validate [--strict] <file|dir>...`
import type { Command } from "commander";

export function defineValidate(program: Command): Command {
  return program
    .command("validate")
    .summary("check specs; exit 1 with one line per error")
    .description(
      "Check EventSource/Sensor/EventBus/WorkflowEventBinding/WorkflowTemplate YAML (multi-document; *.yaml, *.yml, *.json below a directory). Prints one FILE:LINE:COL Kind/name spec.path: message line per error and exits 1, or the number of valid specs and exits 0. Fields Argo ignores, or reads in another case, get a warning: line and do not fail the check unless --strict.",
    )
    .argument("<file|dir...>", "spec files or directories")
    .option("--strict", "fail on warnings too (fields Argo ignores, or reads in another case)")
    .option("--secrets-dir <dir>", "check that every Secret the specs reference is there (<dir>/<name>/<key>, as serve reads it)")
    .action(async (paths: string[], flags: { strict?: boolean; secretsDir?: string }) => {
      const { validateCommand } = await import("../commands/validate.js");
      const options = { strict: flags.strict ?? false, secretsDir: flags.secretsDir };
      process.exitCode = await validateCommand(paths, (l) => process.stdout.write(l + "\n"), options);
    });
}
