// What `argo submit` does with its flags to the Workflow it creates (Argo Workflows'
// ApplySubmitOpts in workflow/util/util.go), for argoWorkflow triggers' `args`.
import type { KubeObject } from "../api/index.js";
import { BadRequestError } from "../errors.js";

export interface SubmitOpts {
  name?: string;
  generateName?: string;
  entrypoint?: string;
  serviceAccount?: string;
  /** `NAME=VALUE`, each overriding (or adding) an argument parameter. */
  parameters?: string[];
  /** `k=v,k2=v2`, merged over the Workflow's labels. */
  labels?: string;
  priority?: number;
}

/** util/cmd ParseLabels: `a=b,c=d`; every pair needs exactly one `=` and a key. */
export function parseLabels(spec: string): Record<string, string> {
  if (spec === "") throw new BadRequestError("no label spec passed");
  const out: Record<string, string> = {};
  for (const pair of spec.split(",")) {
    const kv = pair.split("=");
    if (kv.length !== 2) throw new BadRequestError(`expected labels of the form: NAME1=VALUE2,NAME2=VALUE2. Received: ${spec}: unexpected label spec: ${pair}`);
    if (kv[0] === "") throw new BadRequestError(`expected labels of the form: NAME1=VALUE2,NAME2=VALUE2. Received: ${spec}: unexpected empty label key`);
    Object.defineProperty(out, kv[0] as string, { value: kv[1], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Passed parameters first (in order), then the Workflow's others, as overrideParameters orders them. */
function overrideParameters(spec: Record<string, unknown>, passed: readonly string[]): void {
  if (passed.length === 0) return;
  const fresh: { name: string; value: string }[] = [];
  const names = new Set<string>();
  for (const p of passed) {
    const i = p.indexOf("=");
    if (i < 0) throw new BadRequestError(`expected parameter of the form: NAME=VALUE. Received: ${p}`);
    fresh.push({ name: p.slice(0, i), value: p.slice(i + 1) });
    names.add(p.slice(0, i));
  }
  const args = record(spec.arguments);
  const old = Array.isArray(args.parameters) ? (args.parameters as { name?: unknown }[]) : [];
  spec.arguments = { ...args, parameters: [...fresh, ...old.filter((q) => !names.has(String(q.name)))] };
}

/** Applies the options to `wf` in place, in ApplySubmitOpts' order. */
export function applySubmitOpts(wf: KubeObject, opts: SubmitOpts): KubeObject {
  wf.spec ??= {};
  const spec = wf.spec as Record<string, unknown>;
  if (opts.entrypoint) spec.entrypoint = opts.entrypoint;
  if (opts.serviceAccount) spec.serviceAccountName = opts.serviceAccount;
  if (opts.priority !== undefined) spec.priority = opts.priority;
  if (opts.labels) wf.metadata.labels = { ...(wf.metadata.labels ?? {}), ...parseLabels(opts.labels) };
  overrideParameters(spec, opts.parameters ?? []);
  if (opts.generateName) wf.metadata.generateName = opts.generateName;
  if (opts.name) wf.metadata.name = opts.name;
  return wf;
}
