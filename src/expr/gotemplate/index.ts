// Go text/template with the sprig functions, as Argo Events sensors use it in
// `dataTemplate`, `contextTemplate` and data-filter `template`. Parse once, render many.

import { ExpressionError } from "../../errors.js";
import { builtins } from "./builtins.js";
import { ExecError, Executor } from "./exec.js";
import type { FuncTable } from "./funcs.js";
import { ParseError, parseTemplate, type ParsedTemplate } from "./parser.js";
import { sprigCase } from "./sprig-case.js";
import { sprigCerts } from "./sprig-certs.js";
import { sprigCollections } from "./sprig-collections.js";
import { sprigCrypto } from "./sprig-crypto.js";
import { sprigGoutils } from "./sprig-goutils.js";
import { sprigMisc } from "./sprig-misc.js";
import { sprigNumeric } from "./sprig-numeric.js";
import { sprigRegex } from "./sprig-regex.js";
import { sprigSemver } from "./sprig-semver.js";
import { sprigStrings } from "./sprig-strings.js";
import { sprigUrl } from "./sprig-url.js";
import { deepCopy } from "./values.js";

/** A template parse or execution error, with the position in the template source. */
export class GoTemplateError extends ExpressionError {
  constructor(
    message: string,
    /** 1-based line and column in the template source. */
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export interface CompiledGoTemplate {
  readonly source: string;
  /** Executes the template; throws GoTemplateError as Go's Execute returns an error. */
  render(data: unknown): string;
}

export interface GoTemplateOptions {
  /** Template name used in error messages; Argo names its templates "param". */
  name?: string;
}

/** Sprig overrides builtins of the same name (its `slice` replaces text/template's). */
const FUNCS: FuncTable = {
  ...builtins, ...sprigStrings, ...sprigGoutils, ...sprigCase, ...sprigCollections, ...sprigNumeric, ...sprigMisc,
  ...sprigRegex, ...sprigSemver, ...sprigUrl, ...sprigCrypto, ...sprigCerts,
};
/** Functions that mutate a map argument: the data is copied first so callers' payloads stay intact. */
const MUTATING = new Set(["set", "unset", "merge", "mergeOverwrite", "mustMerge", "mustMergeOverwrite"]);

function lineCol(src: string, pos: number): { line: number; column: number } {
  const before = src.slice(0, pos);
  const line = before.split("\n").length;
  return { line, column: pos - before.lastIndexOf("\n") };
}

export function compileGoTemplate(source: string, options: GoTemplateOptions = {}): CompiledGoTemplate {
  const name = options.name ?? "param";
  let mutates = false;
  let parsed: ParsedTemplate;
  try {
    parsed = parseTemplate(source, (fnName) => {
      if (MUTATING.has(fnName)) mutates = true;
      return Object.prototype.hasOwnProperty.call(FUNCS, fnName);
    });
  } catch (err) {
    if (err instanceof RangeError) throw new GoTemplateError(`template: ${name}: nested too deeply to parse`, 0, 0);
    if (!(err instanceof ParseError)) throw err;
    const { line, column } = lineCol(source, err.pos);
    throw new GoTemplateError(`template: ${name}:${line}:${column}: ${err.message}`, line, column);
  }
  return {
    source,
    render(data: unknown): string {
      try {
        return new Executor(source, FUNCS, parsed.defines).run(parsed.root, mutates ? deepCopy(data) : data);
      } catch (err) {
        if (!(err instanceof ExecError)) {
          // E.g. a stack overflow printing absurdly deep data: still a template failure to the caller.
          throw new GoTemplateError(`template: ${name}: executing "${name}": ${err instanceof Error ? err.message : String(err)}`, 0, 0);
        }
        const { line, column } = lineCol(source, err.pos);
        throw new GoTemplateError(
          `template: ${name}:${line}:${column}: executing "${name}" at <${err.context}>: ${err.detail}`,
          line,
          column,
        );
      }
    },
  };
}
