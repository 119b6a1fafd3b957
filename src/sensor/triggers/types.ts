import type { KubeObject, TriggerPolicy, TriggerTemplate } from "../../api/index.js";
import type { Logger } from "../../logger.js";
import type { SecretStore } from "../../config/index.js";
import type { WorkflowClient } from "../../workflows/index.js";
import type { SensorEvent } from "../event.js";
import type { Where } from "../where.js";
import type { FileSourcePolicy } from "../sources/index.js";
import type { TriggerMemory } from "./memory.js";

/** What a firing is about: the sensor, the trigger and the events that satisfied its condition. */
export interface Firing {
  sensorNamespace: string;
  sensorName: string;
  triggerName: string;
  /** Dependency name -> event. */
  events: Record<string, SensorEvent>;
  now: Date;
}

/** What a trigger would do, computed without I/O (the dry run prints it). */
export interface TriggerPlan {
  type: string;
  /** The exact object to create, for triggers that create one. */
  resource?: KubeObject;
  /** The name was derived from the firing: AlreadyExists then means this firing already happened. */
  derivedName: boolean;
  /** For triggers that create nothing: what they act on, for display. */
  summary?: Record<string, unknown>;
  /** The firing planned: execute() derives its work from it (deterministically, `now` included). */
  firing?: Firing;
}

export interface TriggerRuntime {
  workflows: WorkflowClient;
  secrets: SecretStore;
  logger: Logger;
  /** What the triggers of this gateway remember between firings (log throttle, url sources). */
  memory: TriggerMemory;
  /** Which files `file` sources may read (default: any). */
  files?: FileSourcePolicy;
}

export interface TriggerResult {
  /** The object created (or found already created by an earlier delivery). */
  object?: { apiVersion: string; kind: string; namespace: string; name: string };
  /** True when an earlier delivery of the same firing had created it. */
  alreadyExisted?: boolean;
  /** The response status of an http trigger. */
  httpStatus?: number;
}

/** What of the Trigger around the template a trigger type may read (the http trigger: `policy.status`). */
export interface TriggerCompileOptions {
  policy?: TriggerPolicy;
}

/** One trigger template, compiled: plan() is pure, execute() does the I/O. */
export interface TriggerAction {
  readonly type: string;
  plan(firing: Firing): TriggerPlan;
  execute(plan: TriggerPlan, runtime: TriggerRuntime): Promise<TriggerResult>;
}

/** A trigger type: the key it has in a TriggerTemplate (`argoWorkflow`, `k8s`, `log`, ...). */
export interface TriggerType<K extends string = string> {
  readonly type: K;
  /** Validate and compile the template's section; throws SpecError/ExpressionError/NotSupportedError. */
  compile(template: TriggerTemplate, where: Where, at: string, options?: TriggerCompileOptions): TriggerAction;
}
