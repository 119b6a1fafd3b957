#!/usr/bin/env node
// The `trigger-gateway` command line: the commands are defined under src/cli/, and
// load what they run only when they run it (help, version and usage errors stay quick).
import { Command, CommanderError } from "commander";
import { errorMessage } from "./errors.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, requireOptionsAfterUnknown } from "./cli/exit-codes.js";
import { defineSend } from "./cli/send-command.js";
import { defineServe } from "./cli/serve-command.js";
import { defineTestSensor } from "./cli/test-sensor-command.js";
import { defineValidate } from "./cli/validate-command.js";
import { packageVersion } from "./cli/version.js";

const NAME = "trigger-gateway";

const EXIT_CODES = `
Exit codes: 0 done; 1 invalid input or a failed run (validate found errors, send got
a non-2xx answer, serve could not start); 2 a wrong command line (no command, unknown
command or flag, missing argument, bad flag value).`;

function program(): Command {
  const root = new Command(NAME)
    .description("Argo Events-compatible webhook gateway: webhooks -> event bus -> sensors -> Workflows.")
    .version(packageVersion(), "--version", "print the version")
    .helpCommand("help [command]", "show the help of a command")
    .showSuggestionAfterError(true)
    // Every error, commander's and ours, is thrown to main with its exit code.
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`${NAME}: ${str.replace(/^error: /, "")}`) })
    .addHelpText("after", EXIT_CODES);
  // The settings above are copied to each command that root.command() creates.
  defineServe(root);
  defineValidate(root);
  defineTestSensor(root);
  defineSend(root);
  root
    .command("version")
    .description("print the version")
    .action(() => {
      process.stdout.write(packageVersion() + "\n");
    });
  for (const cmd of root.commands) {
    cmd.showHelpAfterError(`(${NAME} ${cmd.name()} --help shows its options)`);
    // `test-sensor --sensr x`: the typo, with "did you mean --sensor?", not "--sensor not specified".
    requireOptionsAfterUnknown(cmd);
  }
  root.showHelpAfterError(`(${NAME} --help lists the commands)`);
  return root;
}

async function main(argv: string[]): Promise<void> {
  const root = program();
  if (argv.length === 0) {
    // Nothing was asked for: the help, as a wrong command line (stderr, exit 2); `--help` asks for it (stdout, 0).
    root.outputHelp({ error: true });
    process.exitCode = EXIT_USAGE;
    return;
  }
  // `help servee`: the unknown command, with a suggestion, rather than the whole help.
  if (argv[0] === "help" && argv[1] !== undefined && !argv[1].startsWith("-") && !root.commands.some((c) => c.name() === argv[1])) {
    argv = argv.slice(1);
  }
  try {
    await root.parseAsync(argv, { from: "user" });
  } catch (err) {
    // Commander printed the help, the version or the usage error already.
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return;
    }
    throw err;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${NAME}: ${errorMessage(err)}\n`);
  process.exit(EXIT_FAILED);
});
