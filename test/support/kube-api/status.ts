// Kubernetes `Status` failures with the reasons, codes and message shapes of
// k8s.io/apimachinery/pkg/api/errors, so clients see what a real server sends.
import type { ResourceType } from "./types.js";

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Failure";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Thrown inside the server; the router answers with its Status. */
export class KubeApiError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
    this.name = "KubeApiError";
  }
  get code(): number {
    return this.status.code;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): KubeApiError {
  const status: KubeStatus = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  if (details) status.details = details;
  return new KubeApiError(status);
}

/** `workflows.argoproj.io` or `secrets` (core resources have no group suffix). */
export function qualifiedResource(rt: ResourceType): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

function resourceDetails(rt: ResourceType, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (rt.group) d.group = rt.group;
  d.kind = rt.plural;
  return d;
}

export function notFound(rt: ResourceType, name: string): KubeApiError {
  return failure(404, "NotFound", `${qualifiedResource(rt)} "${name}" not found`, resourceDetails(rt, name));
}

export function alreadyExists(rt: ResourceType, name: string): KubeApiError {
  return failure(409, "AlreadyExists", `${qualifiedResource(rt)} "${name}" already exists`, resourceDetails(rt, name));
}

export function conflict(rt: ResourceType, name: string, why: string): KubeApiError {
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(rt)} "${name}": ${why}`,
    resourceDetails(rt, name),
  );
}

export const STALE_OBJECT = "the object has been modified; please apply your changes to the latest version and try again";

/** `Workflow.argoproj.io "x" is invalid: <field>: <detail>` with one cause per error. */
export function invalid(rt: ResourceType, name: string, causes: StatusCause[]): KubeApiError {
  const qualifiedKind = rt.group ? `${rt.kind}.${rt.group}` : rt.kind;
  const lines = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = lines.length === 1 ? lines[0] : `[${lines.join(", ")}]`;
  const details: StatusDetails = { name };
  if (rt.group) details.group = rt.group;
  details.kind = rt.kind;
  details.causes = causes;
  return failure(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${summary}`, details);
}

/** `<field>: <message>` strings (the Validator convention) to causes. */
export function causesFromErrors(errors: string[]): StatusCause[] {
  return errors.map((e) => {
    const m = /^([A-Za-z0-9_.[\]\-/]+): (.*)$/s.exec(e);
    if (!m) return { reason: "FieldValueInvalid", message: e };
    const reason = m[2].startsWith("Required value")
      ? "FieldValueRequired"
      : m[2].startsWith("Unsupported value")
        ? "FieldValueNotSupported"
        : m[2].startsWith("Forbidden")
          ? "FieldValueForbidden"
          : "FieldValueInvalid";
    return { reason, message: m[2], field: m[1] };
  });
}

/** Too old resourceVersion on a watch or continue token. */
export function expired(message: string): KubeApiError {
  return failure(410, "Expired", message);
}

export function badRequest(message: string): KubeApiError {
  return failure(400, "BadRequest", message);
}

export function methodNotAllowed(rt?: ResourceType): KubeApiError {
  const details: StatusDetails | undefined = rt ? resourceDetails(rt) : undefined;
  return failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", details);
}

export function unsupportedMediaType(accepted: readonly string[]): KubeApiError {
  return failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );
}

/** The route does not exist at all (`404 page not found` on a real server, as a Status). */
export function noRoute(): KubeApiError {
  return failure(404, "NotFound", "the server could not find the requested resource");
}

/** RBAC (or impersonation) refused the request; `message` as forbiddenMessage builds it. */
export function forbidden(message: string, details: StatusDetails): KubeApiError {
  return failure(403, "Forbidden", message, details);
}

/** No valid credentials: the real server's bare 401. */
export function unauthorized(): KubeApiError {
  return failure(401, "Unauthorized", "Unauthorized");
}

export function internal(message: string): KubeApiError {
  return failure(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ reason: "", message }] });
}

export interface SuccessStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Success";
  details: StatusDetails;
}

/** What a delete answers for resources whose storage does not return the deleted object (CRs, secrets). */
export function deleted(rt: ResourceType, name: string, uid: string | undefined): SuccessStatus {
  const details = resourceDetails(rt, name);
  if (uid) details.uid = uid;
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}
