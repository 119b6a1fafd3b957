// GitHub App endpoints (JWT-authenticated): installation access tokens with an
// expiry, and the installation of a repository or an organization.
import { ApiError, isoSeconds, notFound, type Handler, type HandlerContext } from "./types.js";
import type { InstallationSpec } from "./store.js";

/** The operations that take an App JWT (and nothing else). */
export const APP_OPERATIONS = new Set(["apps/create-installation-access-token", "apps/get-repo-installation", "apps/get-org-installation"]);

const PERMISSIONS = { metadata: "read", repository_hooks: "write", organization_hooks: "write" };

function appId(ctx: HandlerContext): number {
  if (ctx.who.kind !== "app") throw new ApiError(401, { message: "A JSON web token could not be decoded", documentation_url: "https://docs.github.com/rest", status: "401" }, {}, true);
  return ctx.who.appId;
}

function installationRepresentation(ctx: HandlerContext, inst: InstallationSpec & { appId: number }): Record<string, unknown> {
  const org = ctx.store.organization(inst.account);
  const app = ctx.store.apps.get(String(inst.appId));
  const login = org?.login ?? inst.account;
  const id = org?.id ?? 583_231;
  const u = `${ctx.apiUrl}/users/${login}`;
  const at = isoSeconds(ctx.now());
  return {
    id: inst.id,
    account: {
      login,
      id,
      node_id: `MDEyOk9yZ2FuaXphdGlvbj${id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: "",
      url: u,
      html_url: `https://github.com/${login}`,
      followers_url: `${u}/followers`,
      following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`,
      organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`,
      received_events_url: `${u}/received_events`,
      type: org ? "Organization" : "User",
      site_admin: false,
    },
    repository_selection: inst.repositories === undefined || inst.repositories === "all" ? "all" : "selected",
    access_tokens_url: `${ctx.apiUrl}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${ctx.apiUrl}/installation/repositories`,
    html_url: `https://github.com/organizations/${login}/settings/installations/${inst.id}`,
    app_id: inst.appId,
    app_slug: app?.slug ?? "trigger-gateway-test",
    target_id: id,
    target_type: org ? "Organization" : "User",
    permissions: PERMISSIONS,
    events: [],
    created_at: at,
    updated_at: at,
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  };
}

const createToken: Handler = (ctx) => {
  const app = appId(ctx);
  const inst = ctx.store.installations.get(Number(ctx.params.installation_id));
  if (!inst || inst.appId !== app) {
    throw new ApiError(404, { message: "Not Found", documentation_url: ctx.operation.documentationUrl, status: "404" });
  }
  const t = ctx.store.issueToken(inst.id, app, ctx.now(), ctx.tokenLifetimeMs);
  return {
    status: 201,
    body: {
      token: t.token,
      expires_at: isoSeconds(t.expiresAt),
      permissions: PERMISSIONS,
      repository_selection: inst.repositories === undefined || inst.repositories === "all" ? "all" : "selected",
    },
  };
};

const installationFor =
  (scope: "repository" | "organization"): Handler =>
  (ctx) => {
    const app = appId(ctx);
    const owner = scope === "repository" ? `${String(ctx.params.owner)}/${String(ctx.params.repo)}` : String(ctx.params.org);
    const exists = scope === "repository" ? ctx.store.repository(owner) : ctx.store.organization(owner);
    const inst = exists ? [...ctx.store.installations.values()].find((i) => i.appId === app && ctx.store.installationCovers(i, scope, owner)) : undefined;
    if (!inst) throw notFound();
    return { status: 200, body: installationRepresentation(ctx, inst) };
  };

export const APP_HANDLERS: Record<string, Handler> = {
  "apps/create-installation-access-token": createToken,
  "apps/get-repo-installation": installationFor("repository"),
  "apps/get-org-installation": installationFor("organization"),
};
