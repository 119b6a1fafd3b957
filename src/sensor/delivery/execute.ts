import type { Logger } from "../../logger.js";
import { withRetry } from "../../retry.js";
import type { SecretStore } from "../../config/index.js";
import type { WorkflowClient } from "../../workflows/index.js";
import type { CompiledSensor, CompiledTrigger } from "../compile.js";
import { planFiring } from "../engine.js";
import type { SensorEvent } from "../event.js";
import type { FileSourcePolicy } from "../sources/index.js";
import type { TriggerMemory } from "../triggers/memory.js";
import type { TriggerResult } from "../triggers/types.js";
import type { Clock } from "./clock.js";
import { awaitLabels } from "./k8s-policy.js";
import type { DeliverySettings } from "./settings.js";

export interface FiringContext {
  sensor: CompiledSensor;
  workflows: WorkflowClient;
  secrets: SecretStore;
  logger: Logger;
  /** Handed to the trigger actions in their runtime. */
  memory: TriggerMemory;
  /** Which files `file` sources may read. */
  files?: FileSourcePolicy;
  clock: Clock;
  random?: () => number;
  retryable(err: unknown): boolean;
  /** The rate limit held an attempt back for `waitedMs`. */
  onRateLimited?(waitedMs: number): void;
}

export interface FiringResult extends TriggerResult {
  warnings: string[];
}

/**
 * One firing within one delivery: plan it, then up to `retryStrategy.steps`
 * attempts (each taking a rateLimit slot) of execute + policy.k8s. The last
 * error is thrown; the runner then decides between bus redelivery and dead letter.
 */
export async function executeFiring(
  ctx: FiringContext,
  trigger: CompiledTrigger,
  settings: DeliverySettings,
  events: Record<string, SensorEvent>,
): Promise<FiringResult> {
  const { action, plan } = planFiring(ctx.sensor, trigger, events, ctx.clock.now());
  const runtime = { workflows: ctx.workflows, secrets: ctx.secrets, logger: ctx.logger, memory: ctx.memory, files: ctx.files };
  return withRetry(
    settings.retry,
    async () => {
      if (settings.limiter) {
        const waited = await settings.limiter.acquire();
        if (waited > 0) ctx.onRateLimited?.(waited);
      }
      const result = await action.execute(plan, runtime);
      const warnings: string[] = [];
      // Only the types that create a Kubernetes object (k8s, argoWorkflow) return one for policy.k8s to watch.
      if (settings.k8sPolicy && result.object) {
        const r = await awaitLabels(settings.k8sPolicy, result.object, ctx.workflows, ctx.clock, ctx.random);
        if (r.warning) warnings.push(r.warning);
      }
      return { ...result, warnings };
    },
    {
      clock: ctx.clock,
      random: ctx.random,
      retryable: ctx.retryable,
      onRetry: (err, attempt, delayMs) =>
        ctx.logger.warn({ err, attempt, retryInMs: Math.round(delayMs) }, "trigger attempt failed, retrying (retryStrategy)"),
    },
  );
}
