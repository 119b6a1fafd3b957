// Authentication, impersonation and RBAC for every request, in the API server's
// order: who sent it (bearer token), whom it acts as (Impersonate-User/-Group,
// each needing the `impersonate` verb), then whether RBAC lets that user do it.
import type { IncomingMessage } from "node:http";
import type { AuthConfig } from "./auth.js";
import { forbiddenMessage, groupsFor, type RbacAuthorizer, type RequestAttributes } from "./rbac.js";
import { forbidden, unauthorized } from "./status.js";
import type { ResourceType } from "./types.js";

export interface RequestUser {
  username: string;
  groups: string[];
}

const SERVICE_ACCOUNT = /^system:serviceaccount:([^:]+):([^:]+)$/;

function authenticate(auth: AuthConfig, req: IncomingMessage): RequestUser {
  const header = req.headers.authorization ?? "";
  const user = header.startsWith("Bearer ") ? auth.tokens.get(header.slice(7)) : undefined;
  if (!user) throw unauthorized();
  return { username: user.username, groups: groupsFor(user.username, user.groups) };
}

function check(rbac: RbacAuthorizer, a: RequestAttributes): void {
  if (rbac.allows(a)) return;
  throw forbidden(forbiddenMessage(a), { ...(a.name ? { name: a.name } : {}), ...(a.group ? { group: a.group } : {}), kind: a.resource });
}

/** The user the request acts as: the sender, or whom it may impersonate. */
export function requestUser(auth: AuthConfig, rbac: RbacAuthorizer, req: IncomingMessage): RequestUser {
  const sender = authenticate(auth, req);
  const as = req.headersDistinct["impersonate-user"]?.[0];
  const groups = req.headersDistinct["impersonate-group"] ?? [];
  if (as === undefined) {
    if (groups.length > 0) throw forbidden("requested impersonation of groups without a user", {});
    return sender;
  }
  const who = { user: sender.username, groups: sender.groups, verb: "impersonate" };
  const sa = SERVICE_ACCOUNT.exec(as);
  check(rbac, sa ? { ...who, group: "", resource: "serviceaccounts", namespace: sa[1], name: sa[2] } : { ...who, group: "", resource: "users", name: as });
  for (const g of groups) check(rbac, { ...who, group: "", resource: "groups", name: g });
  return { username: as, groups: groupsFor(as, groups) };
}

function verbOf(method: string, name: string | undefined, watch: boolean): string {
  switch (method) {
    case "GET":
      return name === undefined ? (watch ? "watch" : "list") : "get";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return name === undefined ? "deletecollection" : "delete";
    default:
      return method.toLowerCase();
  }
}

/** Throws 403 Forbidden unless RBAC lets `user` make this resource request. */
export function authorizeResource(
  rbac: RbacAuthorizer,
  user: RequestUser,
  method: string,
  route: { rt: ResourceType; namespace?: string; name?: string; subresource?: string },
  watch: boolean,
): void {
  check(rbac, {
    user: user.username,
    groups: user.groups,
    verb: verbOf(method, route.name, watch),
    group: route.rt.group,
    resource: route.rt.plural,
    ...(route.subresource ? { subresource: route.subresource } : {}),
    ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
    ...(route.name !== undefined ? { name: route.name } : {}),
  });
}
