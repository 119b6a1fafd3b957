import { ARGO_WORKFLOW_OPERATIONS, type ArgoWorkflowOperation, type KubeObject, type TriggerTemplate } from "../../api/index.js";
import { AlreadyExistsError, BadRequestError, TriggerError } from "../../errors.js";
import { WORKFLOW_API_VERSION, SUBMIT_FROM_KINDS, resubmittedWorkflow, resume, retry, stop, submitFrom, suspend, terminate, workflowFromTemplate, type RetryOptions, type SubmitFromKind, applySubmitOpts, type SubmitOpts, parseNodeFieldSelector } from "../../workflows/index.js";
import type { Where } from "../where.js";
import { ArgoArgsError, parseOperationArgs, parseSubmitArgs, type OperationOpts } from "./argo-args.js";
import { createIntent, firingName, requireName, SourcedAction, type Intend, type Intent } from "./resource.js";
import type { Firing, TriggerAction, TriggerRuntime, TriggerType } from "./types.js";

type Operation = ArgoWorkflowOperation;

function workflowRef(namespace: string, name: string): { apiVersion: string; kind: string; namespace: string; name: string } {
  return { apiVersion: WORKFLOW_API_VERSION, kind: "Workflow", namespace, name };
}

function submitIntent(opts: SubmitOpts): Intend {
  return (obj, firing) => {
    if (obj.kind !== "Workflow") throw new TriggerError(`trigger ${firing.triggerName}: submit creates a Workflow, got kind "${obj.kind}"`);
    return createIntent(applySubmitOpts(obj, opts), firing);
  };
}

/** `argo submit --from`: a new Workflow named from the firing (so a redelivery finds it), labelled as the argo server does. */
const submitFromIntent = (opts: SubmitOpts): Intend => (obj, firing) => {
  const kind = SUBMIT_FROM_KINDS.find((k) => k === obj.kind);
  if (!kind) {
    throw new TriggerError(`trigger ${firing.triggerName}: submit-from needs a ${SUBMIT_FROM_KINDS.join(", ")} resource, got "${obj.kind}"`);
  }
  const from = requireName(obj, firing, "submit-from");
  const namespace = obj.metadata.namespace || firing.sensorNamespace;
  const name = opts.name ?? firingName(opts.generateName ?? `${from}-`, firing);
  const run = async (runtime: TriggerRuntime) => {
    try {
      const created = await submitFrom(runtime.workflows, kind as SubmitFromKind, namespace, from, { name, now: firing.now, submitOpts: opts });
      return { object: workflowRef(namespace, created.metadata.name ?? name) };
    } catch (err) {
      // Only a name derived from the firing proves this firing already ran; a fixed --name taken is a failure.
      if (err instanceof AlreadyExistsError && opts.name === undefined) return { object: workflowRef(namespace, name), alreadyExisted: true };
      throw err;
    }
  };
  if (kind === "CronWorkflow") {
    return { derivedName: true, summary: { operation: "submit-from", from: { kind, namespace, name: from }, name }, run };
  }
  return { resource: workflowFromTemplate(kind, from, namespace, { name, submitOpts: opts }), derivedName: opts.name === undefined, run };
};

const resubmitIntent = (opts: OperationOpts): Intend => (obj, firing) => {
  const target = requireName(obj, firing, "resubmit");
  const namespace = obj.metadata.namespace as string;
  return {
    derivedName: true,
    summary: { operation: "resubmit", target: workflowRef(namespace, target) },
    async run(runtime) {
      const wf = await runtime.workflows.get(WORKFLOW_API_VERSION, "Workflow", namespace, target);
      const fresh = resubmittedWorkflow(wf, opts.parameters?.length ? { submitOpts: { parameters: opts.parameters } } : {});
      const name = firingName(fresh.metadata.generateName as string, firing);
      fresh.metadata.name = name;
      try {
        await runtime.workflows.create(fresh);
        return { object: workflowRef(namespace, name) };
      } catch (err) {
        if (err instanceof AlreadyExistsError) return { object: workflowRef(namespace, name), alreadyExisted: true };
        throw err;
      }
    },
  };
};

const ON_EXISTING = {
  retry: (rt: TriggerRuntime, ns: string, name: string, now: Date, o: RetryOptions) => retry(rt.workflows, ns, name, now, o),
  resume: (rt: TriggerRuntime, ns: string, name: string, now: Date) => resume(rt.workflows, ns, name, now),
  suspend: (rt: TriggerRuntime, ns: string, name: string) => suspend(rt.workflows, ns, name),
  terminate: (rt: TriggerRuntime, ns: string, name: string) => terminate(rt.workflows, ns, name),
  stop: (rt: TriggerRuntime, ns: string, name: string) => stop(rt.workflows, ns, name),
} as const;

/** An operation on the Workflow the resource names (after parameters), as the original passes that name to the argo CLI. */
function existingIntent(operation: keyof typeof ON_EXISTING, options: RetryOptions = {}): Intend {
  return (obj, firing) => {
    const name = requireName(obj, firing, operation);
    const namespace = obj.metadata.namespace as string;
    const target = workflowRef(namespace, name);
    return {
      derivedName: false,
      summary: { operation, target },
      async run(runtime) {
        await ON_EXISTING[operation](runtime, namespace, name, firing.now, options);
        return { object: target };
      },
    };
  };
}

function intentFor(op: Operation, opts: SubmitOpts, opOpts: OperationOpts): Intend {
  switch (op) {
    case "submit":
      return submitIntent(opts);
    case "submit-from":
      return submitFromIntent(opts);
    case "resubmit":
      return resubmitIntent(opOpts);
    case "retry": {
      const restart = opOpts.restartSuccessful && opOpts.nodeFieldSelector ? parseNodeFieldSelector(opOpts.nodeFieldSelector) : undefined;
      return existingIntent("retry", { ...(restart ? { restart } : {}), ...(opOpts.parameters ? { parameters: opOpts.parameters } : {}) });
    }
    default:
      return existingIntent(op);
  }
}

/**
 * `argoWorkflow`: every operation of the argo CLI, done through the workflow
 * client instead of exec'ing the CLI. `args` (extra CLI flags) are read as the
 * CLI reads them for submit and submit-from (see argo-args.ts); with another
 * operation they are refused at load rather than ignored.
 */
export const argoWorkflowTrigger: TriggerType<"argoWorkflow"> = {
  type: "argoWorkflow",
  compile(template: TriggerTemplate, where: Where, at: string): TriggerAction {
    const section = template.argoWorkflow;
    const field = `${at}.argoWorkflow`;
    if (!section || typeof section !== "object") throw where.spec(field, "must be an object");
    const op = (section.operation || "submit") as Operation;
    if (!ARGO_WORKFLOW_OPERATIONS.includes(op)) {
      throw where.spec(`${field}.operation`, `unknown operation "${op}"; one of ${ARGO_WORKFLOW_OPERATIONS.join(", ")}`);
    }
    let opts: SubmitOpts = {};
    let opOpts: OperationOpts = {};
    if (section.args?.length) {
      if (op !== "submit" && op !== "submit-from" && op !== "retry" && op !== "resubmit") {
        throw where.notSupported(`${field}.args`, `argo CLI flags with operation ${op} (submit, submit-from, retry and resubmit take them)`);
      }
      try {
        if (op === "retry" || op === "resubmit") {
          opOpts = parseOperationArgs(op, section.args);
          if (opOpts.nodeFieldSelector) parseNodeFieldSelector(opOpts.nodeFieldSelector);
        } else {
          opts = parseSubmitArgs(section.args);
        }
      } catch (err) {
        if (err instanceof ArgoArgsError || err instanceof BadRequestError) throw where.notSupported(`${field}.args`, err.message);
        throw err;
      }
    }
    const action = new SourcedAction("argoWorkflow", op, section.source, section.parameters, intentFor(op, opts, opOpts), where, field);
    const kind = action.loaded?.kind;
    if (kind !== undefined && op === "submit" && kind !== "Workflow") {
      throw where.spec(`${field}.source`, `submit creates a Workflow, got kind "${kind}"`);
    }
    if (kind !== undefined && op === "submit-from" && !SUBMIT_FROM_KINDS.some((k) => k === kind)) {
      throw where.spec(`${field}.source`, `submit-from needs a ${SUBMIT_FROM_KINDS.join(", ")}, got kind "${kind}"`);
    }
    return action;
  },
};
