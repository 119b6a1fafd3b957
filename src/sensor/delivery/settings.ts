import type { Backoff, RateLimit } from "../../api/index.js";
import { errorMessage } from "../../errors.js";
import type { BackoffPolicy } from "../../retry.js";
import type { CompiledTrigger } from "../compile.js";
import type { Where } from "../where.js";
import { NO_RETRY, parseBackoff } from "./backoff.js";
import type { Clock } from "./clock.js";
import { ConditionsReset } from "./conditions-reset.js";
import { compileK8sPolicy, type K8sPolicy } from "./k8s-policy.js";
import { rateLimiterFor, type RateLimiter } from "./rate-limit.js";

/** How one trigger's firings are delivered: retries, rate, the k8s policy, resets. */
export interface DeliverySettings {
  /** `retryStrategy`; without it one attempt, as Argo Events. */
  retry: BackoffPolicy;
  limiter?: RateLimiter;
  k8sPolicy?: K8sPolicy;
  reset?: ConditionsReset;
}

function field<T>(where: Where, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw where.spec(path, errorMessage(err));
  }
}

/** Reads the delivery fields of a trigger (`at` = its field path); errors name the field. */
export function compileDelivery(trigger: CompiledTrigger, where: Where, at: string, clock: Clock): DeliverySettings {
  const t = trigger.spec;
  return {
    retry: field(where, `${at}.retryStrategy`, () => parseBackoff(t.retryStrategy as Backoff | undefined, NO_RETRY)),
    limiter: field(where, `${at}.rateLimit`, () => rateLimiterFor(t.rateLimit as RateLimit | undefined, clock)),
    k8sPolicy: field(where, `${at}.policy.k8s`, () => compileK8sPolicy(t.policy)),
    reset: field(where, `${at}.template.conditionsReset`, () => ConditionsReset.compile(t.template.conditionsReset, clock.now())),
  };
}
