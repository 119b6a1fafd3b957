import { CLUSTER_SCOPED_KINDS, isObject, type ArtifactLocation, type KubeObject, type TriggerParameter } from "../../api/index.js";
import { AlreadyExistsError, TriggerError } from "../../errors.js";
import { LABEL_ACTION_TIMESTAMP, LABEL_SENSOR, LABEL_TRIGGER } from "../../workflows/index.js";
import { deterministicName } from "../naming.js";
import { applyParameters, compileParameters, type CompiledParameter } from "../parameters.js";
import { compileSource, type TriggerSource } from "../sources/index.js";
import type { Where } from "../where.js";
import type { Firing, TriggerAction, TriggerPlan, TriggerResult, TriggerRuntime } from "./types.js";
import { cloneJson } from "../../clone.js";

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** "" for a cluster-scoped kind, whatever its metadata says. */
export function namespaceFor(obj: KubeObject): string {
  return CLUSTER_SCOPED_KINDS.has(obj.kind) ? "" : (obj.metadata.namespace ?? "");
}

export function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace: namespaceFor(obj),
    name: obj.metadata.name ?? "",
  };
}

/** What a firing will do, decided without I/O: what the dry run shows and the I/O to run. */
export interface Intent {
  resource?: KubeObject;
  summary?: Record<string, unknown>;
  derivedName: boolean;
  run(runtime: TriggerRuntime): Promise<TriggerResult>;
}

/**
 * Decides the intent for the resource after parameters; throws TriggerError when
 * the resource does not fit. `reapply` applies the same parameters to another
 * base object (k8s `liveObject`: the live object).
 */
export type Intend = (obj: KubeObject, firing: Firing, reapply: (base: KubeObject) => KubeObject) => Intent;

/** The name derived from the firing for a `generateName` (see naming.ts). */
export function firingName(generateName: string, firing: Firing): string {
  return deterministicName(generateName, {
    sensorNamespace: firing.sensorNamespace,
    sensorName: firing.sensorName,
    triggerName: firing.triggerName,
    eventIds: Object.values(firing.events).map((e) => e.context.id),
  });
}

export function requireName(obj: KubeObject, firing: Firing, operation: string): string {
  const name = obj.metadata.name;
  if (typeof name !== "string" || name === "") {
    throw new TriggerError(`trigger ${firing.triggerName}: operation ${operation} needs the resource's metadata.name`);
  }
  return name;
}

/**
 * A trigger whose work starts from a resource (argoWorkflow, k8s): the source,
 * then the parameters, then the namespace (the resource's, else the sensor's;
 * none for cluster-scoped kinds), then the operation's intent. A source known at
 * load is planned completely; a `file`/`url`/`configmap` one is read when the
 * trigger fires (as Argo Events reads it), and its plan says so.
 */
export class SourcedAction implements TriggerAction {
  private readonly source: TriggerSource;
  private readonly params: CompiledParameter[];

  constructor(
    readonly type: string,
    private readonly operation: string,
    source: ArtifactLocation | undefined,
    parameters: TriggerParameter[] | undefined,
    private readonly intend: Intend,
    where: Where,
    at: string,
  ) {
    this.source = compileSource(source, where, `${at}.source`);
    this.params = compileParameters(parameters, where, `${at}.parameters`);
  }

  /** The source as loaded at compile time, for load-time checks of its kind. */
  get loaded(): KubeObject | undefined {
    return this.source.loaded;
  }

  private applied(resource: KubeObject, firing: Firing): KubeObject {
    const out = applyParameters(cloneJson(resource), this.params, firing.events);
    if (!isObject(out) || !isObject(out.metadata)) {
      throw new TriggerError(`trigger ${firing.triggerName}: after parameters the resource has no metadata object`);
    }
    const obj = out as unknown as KubeObject;
    // A cluster-scoped kind keeps what is written (submit-from a ClusterWorkflowTemplate reads it).
    if (!CLUSTER_SCOPED_KINDS.has(obj.kind)) obj.metadata.namespace = obj.metadata.namespace || firing.sensorNamespace;
    return obj;
  }

  // A plan's intent, so that executing it does not apply the parameters a second time.
  private readonly intents = new WeakMap<TriggerPlan, Intent>();

  plan(firing: Firing): TriggerPlan {
    if (this.source.loaded) {
      const intent = this.intend(this.applied(this.source.loaded, firing), firing, (b) => this.applied(b, firing));
      const plan = { type: this.type, resource: intent.resource, summary: intent.summary, derivedName: intent.derivedName, firing };
      this.intents.set(plan, intent);
      return plan;
    }
    return {
      type: this.type,
      derivedName: false,
      summary: { operation: this.operation, source: this.source.describe(), note: "the resource is read when the trigger fires" },
      firing,
    };
  }

  async execute(plan: TriggerPlan, runtime: TriggerRuntime): Promise<TriggerResult> {
    const firing = plan.firing;
    if (!firing) throw new TriggerError(`${this.type} trigger: the plan carries no firing`);
    const planned = this.intents.get(plan);
    if (planned) return planned.run(runtime);
    const resource =
      this.source.loaded ??
      (await this.source.load({ workflows: runtime.workflows, namespace: firing.sensorNamespace, urlSources: runtime.memory.urlSources, files: runtime.files }));
    // Deterministic in the firing (its `now` included): the same intent the plan showed.
    return this.intend(this.applied(resource, firing), firing, (b) => this.applied(b, firing)).run(runtime);
  }
}

/** The labels the original puts on what it creates. */
export function withTriggerLabels(obj: KubeObject, firing: Firing): KubeObject {
  obj.metadata.labels = {
    ...(isObject(obj.metadata.labels) ? obj.metadata.labels : {}),
    [LABEL_SENSOR]: firing.sensorName,
    [LABEL_TRIGGER]: firing.triggerName,
    // Milliseconds since the epoch, as the original writes it.
    [LABEL_ACTION_TIMESTAMP]: String(firing.now.getTime()),
  };
  return obj;
}

/**
 * Create `obj`; a name derived from the firing that already exists means an
 * earlier delivery created it (a fixed name may be anyone's: an error).
 */
export async function createOnce(obj: KubeObject, derivedName: boolean, runtime: TriggerRuntime): Promise<TriggerResult> {
  const ref = refOf(obj);
  try {
    const created = await runtime.workflows.create(obj);
    return { object: { ...ref, name: created.metadata.name ?? ref.name } };
  } catch (err) {
    if (err instanceof AlreadyExistsError && derivedName) return { object: ref, alreadyExisted: true };
    if (err instanceof AlreadyExistsError) {
      throw new TriggerError(`${ref.kind} ${ref.namespace}/${ref.name} already exists`, { cause: err });
    }
    throw err;
  }
}

/** The create intent (argoWorkflow submit, k8s create): labels, then for generateName the derived name. */
export function createIntent(obj: KubeObject, firing: Firing): Intent {
  withTriggerLabels(obj, firing);
  let derivedName = false;
  if (!obj.metadata.name) {
    if (!obj.metadata.generateName) {
      throw new TriggerError(`trigger ${firing.triggerName}: the resource has neither metadata.name nor metadata.generateName`);
    }
    obj.metadata.name = firingName(obj.metadata.generateName, firing);
    derivedName = true;
  }
  return { resource: obj, derivedName, run: (runtime) => createOnce(obj, derivedName, runtime) };
}
