import { loadAndValidate, sortErrors } from "../api/index.js";
import { referenceChecks, secretChecks } from "../config/index.js";
import { bindingWarnings, DEFAULT_EVENTS_PORT } from "../binding/index.js";
import { eventSourceCompileErrors } from "../eventsource/index.js";
import { managedHookErrors } from "../hooks/index.js";
import { DEFAULT_ADMIN_PORT } from "../observe/index.js";
import { compileErrors, lintWarnings, templateChecks } from "../sensor/index.js";

export interface ValidateOptions {
  /** Warnings (fields Argo ignores or reads case-insensitively, unchecked references) fail the check too. */
  strict?: boolean;
  /** Check that every Secret the specs reference is there, as serve --secrets-dir reads it. */
  secretsDir?: string;
}

/** Prints one line per error and per warning; returns the exit code. */
export async function validateCommand(paths: string[], out: (line: string) => void, options: ValidateOptions = {}): Promise<number> {
  const loaded = await loadAndValidate(paths);
  // What serve would refuse when compiling a valid-looking Sensor is an error here too,
  // and so is what would fail every firing (a template's parameters) or never arrive.
  const sources = eventSourceCompileErrors(loaded.specs, {
    [DEFAULT_ADMIN_PORT]: `the admin port (--admin-port, default ${DEFAULT_ADMIN_PORT})`,
    [DEFAULT_EVENTS_PORT]: `the WorkflowEventBinding endpoint (--events-port, default ${DEFAULT_EVENTS_PORT})`,
  });
  const failed = [...compileErrors(loaded.specs), ...sources.errors, ...managedHookErrors(loaded.specs)];
  const refs = await referenceChecks(loaded.specs);
  const templates = await templateChecks(loaded.specs);
  refs.errors.push(...templates.errors);
  refs.warnings.push(...templates.warnings);
  if (options.secretsDir) refs.errors.push(...(await secretChecks(loaded.specs, options.secretsDir)));
  const errors = sortErrors([...loaded.errors, ...failed, ...refs.errors]);
  // A warning at a field that already has an error (e.g. an unknown event name of a managed hook) says nothing more.
  const errorAt = new Set(errors.map((e) => `${e.location} ${e.fieldPath}`));
  const warnings = sortErrors([...(loaded.warnings ?? []), ...refs.warnings, ...sources.warnings, ...lintWarnings(loaded.specs), ...bindingWarnings(loaded.specs)]).filter(
    (w) => !errorAt.has(`${w.location} ${w.fieldPath}`),
  );
  const bad = new Set([...failed, ...refs.errors].map((e) => `${e.location.split(":")[0]} ${e.resource}`));
  const specs = loaded.specs.filter((s) => !bad.has(`${s.file} ${s.spec.kind}/${s.spec.metadata.name ?? ""}`)).length;
  for (const e of errors) out(e.message);
  for (const w of warnings) out(`warning: ${w.message}`);
  if (errors.length > 0) return 1;
  if (options.strict && warnings.length > 0) {
    out(`${warnings.length} warning(s), and --strict fails on warnings`);
    return 1;
  }
  out(`${specs} spec(s) valid${warnings.length > 0 ? `, ${warnings.length} warning(s)` : ""}`);
  return 0;
}
