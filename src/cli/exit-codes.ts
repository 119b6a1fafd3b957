// What `trigger-gateway` exits with (README.md, "Commands"):
// 0 it did what was asked; 1 the input was invalid or the run failed (a spec error,
// a non-2xx answer, a serve that could not start); 2 the command line itself was wrong.
import type { Command } from "commander";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A wrong command line: a flag value that does not parse (values.ts), flags that exclude each other. Exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Reports a wrong command line as commander reports its own (message, hint) and exits 2. */
export function usageError(cmd: Command, message: string): never {
  cmd.error(message, { exitCode: EXIT_USAGE, code: "trigger-gateway.usage" });
}

/** Makes the UsageErrors of `cmd`'s option parsers usage errors of `cmd`. Call after the options are added. */
export function reportUsageErrors(cmd: Command): Command {
  for (const option of cmd.options) {
    const parse = option.parseArg;
    if (!parse) continue;
    option.parseArg = <T>(value: string, previous: T): T => {
      try {
        return parse(value, previous);
      } catch (err) {
        if (err instanceof UsageError) usageError(cmd, err.message);
        throw err;
      }
    };
  }
  return cmd;
}

/**
 * Commander checks required options before it looks for unknown ones, so a typo of a
 * required flag (`test-sensor --sensr x.yaml`) would only read "required option
 * '--sensor <file>' not specified", without the suggestion. `cmd`'s required options
 * are checked just before its action instead: after unknown options and missing
 * arguments, with commander's message. Call after the options are added.
 */
export function requireOptionsAfterUnknown(cmd: Command): Command {
  const required = cmd.options.filter((option) => option.mandatory);
  if (required.length === 0) return cmd;
  for (const option of required) option.mandatory = false;
  return cmd.hook("preAction", () => {
    for (const option of required) {
      if (cmd.getOptionValue(option.attributeName()) === undefined) usageError(cmd, `required option '${option.flags}' not specified`);
    }
  });
}

/** Runs a command's action; a UsageError it throws (flags that exclude each other) is a usage error of `cmd`. */
export async function whileReportingUsage(cmd: Command, run: () => Promise<void> | void): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof UsageError) usageError(cmd, err.message);
    throw err;
  }
}
