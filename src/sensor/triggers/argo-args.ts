// `argoWorkflow.args`: Argo Events appends them to the argo CLI command it runs
// (`argo -n <ns> submit <file> <args...>`). The gateway calls the API instead, so it
// reads the flags as the CLI would (pflag syntax) and applies what changes the
// created Workflow; flags that only change what the CLI prints or waits for have no
// effect here; anything else is refused at load with the flag's name.
import { errorMessage } from "../../errors.js";
import { applySubmitOpts, type SubmitOpts } from "../../workflows/index.js";

type FlagKind = "string" | "strings" | "int" | "bool";

interface Flag {
  kind: FlagKind;
  /** Where a value goes; undefined: accepted, no effect on what is created. */
  set?: (opts: SubmitOpts, value: string) => void;
  /** Known to the argo CLI but not done by the gateway (why). */
  refused?: string;
}

// util.PopulateSubmitOpts and the submit command's own flags (cmd/argo/commands/submit.go).
const SUBMIT_FLAGS: Record<string, Flag> = {
  name: { kind: "string", set: (o, v) => (o.name = v) },
  "generate-name": { kind: "string", set: (o, v) => (o.generateName = v) },
  entrypoint: { kind: "string", set: (o, v) => (o.entrypoint = v) },
  parameter: { kind: "strings", set: (o, v) => (o.parameters = [...(o.parameters ?? []), v]) },
  serviceaccount: { kind: "string", set: (o, v) => (o.serviceAccount = v) },
  labels: { kind: "string", set: (o, v) => (o.labels = v) },
  priority: { kind: "int", set: (o, v) => (o.priority = Number(v)) },
  "parameter-file": { kind: "string", refused: "it reads a file on the machine running the CLI" },
  "dry-run": { kind: "bool", refused: "it creates nothing" },
  "server-dry-run": { kind: "bool", refused: "it creates nothing" },
  from: { kind: "string", refused: "use operation: submit-from" },
  "scheduled-time": { kind: "string", refused: "not implemented" },
  // What the CLI prints or waits for: the created Workflow is the same.
  output: { kind: "string" },
  wait: { kind: "bool" },
  watch: { kind: "bool" },
  log: { kind: "bool" },
  strict: { kind: "bool" },
  status: { kind: "string" },
  "node-field-selector": { kind: "string" },
};

const SHORT: Record<string, string> = { p: "parameter", l: "labels", f: "parameter-file", o: "output", w: "wait" };

export class ArgoArgsError extends Error {}

/** What `argo retry` / `argo resubmit` flags change (cmd/argo/commands/retry.go, resubmit.go). */
export interface OperationOpts {
  parameters?: string[];
  restartSuccessful?: boolean;
  nodeFieldSelector?: string;
}

const DISPLAY: Record<string, Flag> = { output: { kind: "string" }, wait: { kind: "bool" }, watch: { kind: "bool" }, log: { kind: "bool" } };

const OPERATION_FLAGS: Record<"retry" | "resubmit", Record<string, Flag & { apply?: (o: OperationOpts, v: string) => void }>> = {
  retry: {
    ...DISPLAY,
    parameter: { kind: "strings", apply: (o, v) => (o.parameters = [...(o.parameters ?? []), v]) },
    "restart-successful": { kind: "bool", apply: (o, v) => (o.restartSuccessful = /^(true|1|t|T|TRUE|True)$/.test(v)) },
    "node-field-selector": { kind: "string", apply: (o, v) => (o.nodeFieldSelector = v) },
  },
  resubmit: {
    ...DISPLAY,
    parameter: { kind: "strings", apply: (o, v) => (o.parameters = [...(o.parameters ?? []), v]) },
    memoized: { kind: "bool", refused: "a memoized resubmit is not implemented" },
    priority: { kind: "int", refused: "not implemented for resubmit" },
  },
};

/** Splits pflag arguments into (flag name, value) pairs against a flag table. */
function readFlags(args: readonly string[], table: Record<string, Flag>, what: string, each: (name: string, flag: Flag, value: string) => void): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (arg.startsWith("-") && arg.length > 1) {
      const long = SHORT[arg[1] as string];
      if (!long) throw new ArgoArgsError(`unknown shorthand flag: '${arg[1]}' in ${arg}`);
      name = long;
      const rest = arg.slice(2);
      inline = rest === "" ? undefined : rest.startsWith("=") ? rest.slice(1) : rest;
    } else {
      throw new ArgoArgsError(`unexpected argument ${JSON.stringify(arg)}: ${what}`);
    }
    const flag = table[name];
    if (!flag) throw new ArgoArgsError(`unknown flag: --${name}`);
    if (flag.refused) throw new ArgoArgsError(`not supported: argo flag --${name} (${flag.refused})`);
    let value: string;
    if (flag.kind === "bool") {
      value = inline ?? "true";
      if (!/^(true|false|1|0|t|f|TRUE|FALSE|True|False|T|F)$/.test(value)) throw new ArgoArgsError(`invalid argument "${value}" for "--${name}" flag`);
    } else if (inline !== undefined) {
      value = inline;
    } else {
      if (i + 1 >= args.length) throw new ArgoArgsError(`flag needs an argument: --${name}`);
      value = args[++i] as string;
    }
    if (flag.kind === "int" && !/^[+-]?\d+$/.test(value)) throw new ArgoArgsError(`invalid argument "${value}" for "--${name}" flag`);
    each(name, flag, value);
  }
}

/** The options `args` stand for with operation retry or resubmit. */
export function parseOperationArgs(operation: "retry" | "resubmit", args: readonly string[]): OperationOpts {
  const opts: OperationOpts = {};
  const table = OPERATION_FLAGS[operation];
  readFlags(args, table, `argo ${operation} takes the workflow from the trigger's source`, (name, _flag, value) => table[name]?.apply?.(opts, value));
  for (const p of opts.parameters ?? []) {
    if (!p.includes("=")) throw new ArgoArgsError(`expected parameter of the form: NAME=VALUE. Received: ${p}`);
  }
  return opts;
}

/** The submit options `args` stand for (submit and submit-from); throws ArgoArgsError naming the flag. */
export function parseSubmitArgs(args: readonly string[]): SubmitOpts {
  const opts: SubmitOpts = {};
  readFlags(args, SUBMIT_FLAGS, "argo submit takes the workflow from the trigger's source", (_name, flag, value) => flag.set?.(opts, value));
  // Malformed values fail at load, not at the first firing.
  try {
    applySubmitOpts({ apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: {}, spec: {} }, opts);
  } catch (err) {
    throw new ArgoArgsError(errorMessage(err));
  }
  return opts;
}
