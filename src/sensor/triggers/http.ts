import { isObject, type ConfigMapKeySelector, type SecretKeySelector, type TriggerParameter, type TriggerTemplate } from "../../api/index.js";
import { NotFoundError, TriggerError } from "../../errors.js";
import type { SensorEvent } from "../event.js";
import { applyParameters, compileParameters, resolveParameter, type CompiledParameter } from "../parameters.js";
import type { Where } from "../where.js";
import { HttpRequestError, httpRequest, type TlsOptions } from "./http-request.js";
import type { Firing, TriggerAction, TriggerCompileOptions, TriggerPlan, TriggerResult, TriggerRuntime, TriggerType } from "./types.js";

/** The `http` section of a trigger template (argoproj.io/v1alpha1 HTTPTrigger). */
export interface HttpTriggerSpec {
  url: string;
  method?: string;
  payload?: TriggerParameter[];
  parameters?: TriggerParameter[];
  headers?: Record<string, string>;
  dynamicHeaders?: TriggerParameter[];
  secureHeaders?: { name: string; valueFrom?: { secretKeyRef?: SecretKeySelector; configMapKeyRef?: ConfigMapKeySelector } }[];
  basicAuth?: { username?: SecretKeySelector; password?: SecretKeySelector };
  timeout?: number;
  host?: string;
  tls?: {
    caCertSecret?: SecretKeySelector;
    clientCertSecret?: SecretKeySelector;
    clientKeySecret?: SecretKeySelector;
    insecureSkipVerify?: boolean;
    enabled?: boolean;
  };
}

const DEFAULT_TIMEOUT_SECONDS = 60;
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const RETRYABLE_STATUS = (s: number): boolean => s >= 500 || s === 408 || s === 429;

interface Request {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutSeconds: number;
}

/**
 * Payload as the original's ConstructPayload: each parameter set into `{}` at its
 * dest (sjson); a parameter with an empty dest is the whole body instead.
 */
function buildPayload(params: { p: CompiledParameter; whole: boolean }[], events: Record<string, SensorEvent>): string | undefined {
  if (params.length === 0) return undefined;
  let doc: unknown = {};
  for (const { p, whole } of params) {
    if (whole) {
      const v = resolveParameter(p, events);
      if (v) return v.text;
      continue;
    }
    doc = applyParameters(doc, [p], events);
  }
  return JSON.stringify(doc);
}

class HttpAction implements TriggerAction {
  readonly type = "http";
  private readonly sectionParams: CompiledParameter[];
  private readonly payload: { p: CompiledParameter; whole: boolean }[];
  private readonly dynamicHeaders: CompiledParameter[];
  private readonly allow?: number[];

  constructor(
    private readonly spec: HttpTriggerSpec,
    options: TriggerCompileOptions,
    where: Where,
    at: string,
  ) {
    this.sectionParams = compileParameters(spec.parameters, where, `${at}.parameters`);
    // compileParameters requires a dest; an empty one means "the whole body" here.
    this.payload = (spec.payload ?? []).map((param, i) => {
      const whole = param.dest === "" || param.dest === undefined;
      const [p] = compileParameters([whole ? { ...param, dest: "_" } : param], where, `${at}.payload[${i}]`);
      return { p, whole };
    });
    this.dynamicHeaders = compileParameters(spec.dynamicHeaders, where, `${at}.dynamicHeaders`);
    const allow = options.policy?.status?.allow;
    if (allow !== undefined) {
      if (!Array.isArray(allow) || allow.some((s) => !Number.isInteger(s))) throw where.spec("policy.status.allow", "must be a list of status codes");
      this.allow = allow;
    }
  }

  /** URL, method, headers and body for a firing: pure, so plan and execute agree. */
  private request(firing: Firing): Request {
    const applied = applyParameters(structuredClone(this.spec), this.sectionParams, firing.events) as HttpTriggerSpec;
    if (!isObject(applied) || typeof applied.url !== "string" || applied.url === "") {
      throw new TriggerError(`trigger ${firing.triggerName}: http url is empty after parameters`);
    }
    const method = (applied.method || "POST").toUpperCase();
    if (!METHODS.has(method)) throw new TriggerError(`trigger ${firing.triggerName}: unsupported http method "${method}"`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(isObject(applied.headers) ? applied.headers : {})) headers[k] = String(v);
    for (const p of this.dynamicHeaders) {
      const v = resolveParameter(p, firing.events);
      if (v) headers[p.dest] = v.text;
    }
    if (applied.host) headers.Host = applied.host;
    const body = buildPayload(this.payload, firing.events);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["Content-Type"] = "application/json";
    }
    const timeout = typeof applied.timeout === "number" && applied.timeout > 0 ? applied.timeout : DEFAULT_TIMEOUT_SECONDS;
    return { method, url: applied.url, headers, body, timeoutSeconds: timeout };
  }

  plan(firing: Firing): TriggerPlan {
    const r = this.request(firing);
    let payload: unknown = r.body;
    try {
      if (r.body !== undefined) payload = JSON.parse(r.body) as unknown;
    } catch {
      // not JSON: shown as text
    }
    const secure = (this.spec.secureHeaders ?? []).map((h) => h.name);
    const summary: Record<string, unknown> = { method: r.method, url: r.url, headers: r.headers, payload };
    if (secure.length > 0) summary.secureHeaders = secure;
    if (this.spec.basicAuth) summary.basicAuth = true;
    return { type: "http", derivedName: false, summary, firing };
  }

  private async secureValue(
    runtime: TriggerRuntime,
    namespace: string,
    from: { secretKeyRef?: SecretKeySelector; configMapKeyRef?: ConfigMapKeySelector } | undefined,
    what: string,
  ): Promise<string> {
    if (from?.secretKeyRef) return runtime.secrets.get(namespace, from.secretKeyRef);
    if (from?.configMapKeyRef) {
      const { name, key } = from.configMapKeyRef;
      const cm = await runtime.workflows.get("v1", "ConfigMap", namespace, name);
      const v = isObject(cm.data) ? cm.data[key] : undefined;
      if (typeof v !== "string") throw new NotFoundError(`ConfigMap ${namespace}/${name} has no key "${key}"`);
      return v;
    }
    throw new TriggerError(`${what}: valueFrom needs secretKeyRef or configMapKeyRef`);
  }

  private async tls(runtime: TriggerRuntime, namespace: string): Promise<TlsOptions | undefined> {
    const t = this.spec.tls;
    if (!t) return undefined;
    if (t.insecureSkipVerify) return { rejectUnauthorized: false };
    const read = (s: SecretKeySelector | undefined) => (s ? runtime.secrets.get(namespace, s) : Promise.resolve(undefined));
    const [ca, cert, key] = await Promise.all([read(t.caCertSecret), read(t.clientCertSecret), read(t.clientKeySecret)]);
    if ((cert === undefined) !== (key === undefined)) throw new TriggerError("http tls: clientCertSecret and clientKeySecret go together");
    return { ca, cert, key, rejectUnauthorized: true };
  }

  async execute(plan: TriggerPlan, runtime: TriggerRuntime): Promise<TriggerResult> {
    const firing = plan.firing;
    if (!firing) throw new TriggerError("http trigger: the plan carries no firing");
    const r = this.request(firing);
    const ns = firing.sensorNamespace;
    for (const h of this.spec.secureHeaders ?? []) {
      r.headers[h.name] = await this.secureValue(runtime, ns, h.valueFrom, `secureHeaders ${h.name}`);
    }
    const auth = this.spec.basicAuth;
    if (auth) {
      const user = auth.username ? await runtime.secrets.get(ns, auth.username) : "";
      const pass = auth.password ? await runtime.secrets.get(ns, auth.password) : "";
      r.headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    }
    const res = await httpRequest({
      method: r.method,
      url: r.url,
      headers: r.headers,
      body: r.body,
      timeoutMs: r.timeoutSeconds * 1000,
      tls: await this.tls(runtime, ns),
    });
    runtime.logger.info({ url: r.url, method: r.method, status: res.status }, "http trigger request sent");
    const ok = this.allow ? this.allow.includes(res.status) : res.status < 400;
    if (!ok) {
      const why = this.allow ? `not in policy.status.allow [${this.allow.join(", ")}]` : "an error status";
      const message = `${r.method} ${r.url}: response status ${res.status} is ${why}`;
      if (RETRYABLE_STATUS(res.status)) throw new HttpRequestError(message);
      throw new TriggerError(message);
    }
    return { httpStatus: res.status };
  }
}

/**
 * `http`: one request per firing. Differences from the original, which counts
 * any response as success unless `policy.status.allow` is set: here, without a
 * policy, a 4xx is a final failure and a 5xx/408/429 a retryable one; with a
 * policy, a status outside the list fails (retryable for 5xx/408/429).
 * A JSON payload gets `Content-Type: application/json` unless a header sets one.
 */
export const httpTrigger: TriggerType<"http"> = {
  type: "http",
  compile(template: TriggerTemplate, where: Where, at: string, options: TriggerCompileOptions = {}): TriggerAction {
    const field = `${at}.http`;
    const spec = template.http as HttpTriggerSpec | undefined;
    if (!isObject(spec)) throw where.spec(field, "must be an object");
    if (typeof spec.url !== "string" || (spec.url === "" && !spec.parameters?.length)) throw where.spec(`${field}.url`, "is required");
    if (spec.url !== "" && !spec.parameters?.length && !/^https?:\/\//.test(spec.url)) {
      throw where.spec(`${field}.url`, "must be an http(s) URL");
    }
    if (spec.method && !METHODS.has(spec.method.toUpperCase())) throw where.spec(`${field}.method`, `unsupported method "${spec.method}"`);
    for (const [i, h] of (spec.secureHeaders ?? []).entries()) {
      if (!h.valueFrom?.secretKeyRef && !h.valueFrom?.configMapKeyRef) {
        throw where.spec(`${field}.secureHeaders[${i}].valueFrom`, "needs secretKeyRef or configMapKeyRef");
      }
    }
    return new HttpAction(spec, options, where, field);
  },
};
