// The HookManager on EventSource specs, against the GitHub API double: App auth from a
// `githubApp` section, an organization hook, failures reported (never thrown), and
// deleteHookOnFinish only for the entries that ask.
import { afterEach, describe, expect, it } from "vitest";
import type { EventSource } from "../../src/api/types.js";
import { MapSecretStore } from "../../src/config/secrets.js";
import { HookManager, type HookSyncOutcome } from "../../src/hooks/index.js";
import { silentLogger } from "../../src/logger.js";
import { generateAppKey, startGithubApi, type GithubApi } from "../support/github-api/index.js";

let api: GithubApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function eventSource(github: Record<string, unknown>): EventSource {
  return { apiVersion: "argoproj.io/v1alpha1", kind: "EventSource", metadata: { name: "gh", namespace: "ci" }, spec: { github } } as EventSource;
}

describe("HookManager", () => {
  it("authenticates as a GitHub App installation from githubApp, and deletes on finish only what asks for it", async () => {
    const key = generateAppKey();
    api = await startGithubApi({ apps: [{ appId: 42, publicKey: key.publicKey, installations: [{ id: 7, account: "octo-org" }] }] });
    const common = { githubBaseURL: api.url, events: ["push"], githubApp: { appID: 42, installationID: 7, privateKey: { name: "app", key: "pem" } } };
    const es = eventSource({
      kept: { ...common, repositories: [{ owner: "octo-org", names: ["hello-world"] }], webhook: { endpoint: "/a", port: "12000", url: "https://hooks.example.com" } },
      temporary: { ...common, organizations: ["octo-org"], webhook: { endpoint: "/b", port: "12000", url: "https://hooks.example.com/" }, deleteHookOnFinish: true },
      // No credentials: not managed.
      plain: { webhook: { endpoint: "/c", port: "12000", url: "https://hooks.example.com" } },
    });
    const outcomes: HookSyncOutcome[] = [];
    const manager = new HookManager({
      eventSources: () => [es],
      secrets: new MapSecretStore({ app: { pem: key.privateKey } }),
      logger: silentLogger(),
      onSync: (o) => outcomes.push(o),
    });
    await manager.check();
    const hooks = [...api.state.hooks.values()];
    expect(hooks.map((h) => `${h.scope} ${h.owner} ${h.config.url}`).sort()).toEqual([
      "organization octo-org https://hooks.example.com/b",
      "repository octo-org/hello-world https://hooks.example.com/a",
    ]);
    expect(outcomes.map((o) => o.action)).toEqual(["created", "created"]);
    // A second check: the clients (and their installation tokens) are reused, nothing changes.
    const tokens = api.state.tokens.size;
    await manager.check();
    expect(api.state.tokens.size).toBe(tokens);
    expect(outcomes.map((o) => o.action)).toEqual(["created", "created", "unchanged", "unchanged"]);
    await manager.stop({ removeHooks: true });
    expect([...api.state.hooks.values()].map((h) => h.config.url)).toEqual(["https://hooks.example.com/a"]);
    expect(outcomes.at(-1)).toMatchObject({ action: "removed", target: "organization:octo-org" });
    api.assertNoViolations();
  });

  it("reports a provider failure as a failed outcome and tries again at the next check", async () => {
    api = await startGithubApi({ tokens: ["ghp_ok"] });
    const es = eventSource({
      push: {
        githubBaseURL: api.url,
        apiToken: { name: "gh", key: "token" },
        repositories: [{ owner: "octo-org", names: ["hello-world"] }],
        webhook: { endpoint: "/push", port: "12000", url: "https://hooks.example.com" },
      },
    });
    const tokens: Record<string, string> = { token: "ghp_wrong" };
    const outcomes: HookSyncOutcome[] = [];
    const manager = new HookManager({ eventSources: () => [es], secrets: new MapSecretStore({ gh: tokens }), logger: silentLogger(), onSync: (o) => outcomes.push(o) });
    await manager.check();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ action: "failed", provider: "github", target: "repository:octo-org/hello-world" });
    expect(outcomes[0]?.error).toMatch(/401/);
    expect(outcomes[0]?.error).not.toContain("ghp_wrong");
    // The token is rotated in the Secret: the next check picks it up.
    tokens.token = "ghp_ok";
    await manager.check();
    expect(outcomes.at(-1)?.action).toBe("created");
    expect(manager.snapshot().map((o) => o.action)).toEqual(["created"]);
    await manager.stop({ removeHooks: true });
    expect(api.state.hooks.size, "no deleteHookOnFinish: kept").toBe(1);
  });
  it("an entry no provider would accept is reported failed at every check and never stops the other hooks", async () => {
    api = await startGithubApi({ tokens: ["ghp_ok"] });
    const hook = (extra: Record<string, unknown>, endpoint: string) => ({
      githubBaseURL: api?.url,
      apiToken: { name: "gh", key: "token" },
      repositories: [{ owner: "octo-org", names: ["hello-world"] }],
      webhook: { endpoint, port: "12000", url: "https://hooks.example.com" },
      ...extra,
    });
    const bad = eventSource({ app: hook({ apiToken: undefined, githubApp: { appID: 0, installationID: 7, privateKey: { name: "gh", key: "token" } } }, "/app") });
    const slash = { ...eventSource({ owner: hook({ repositories: [{ owner: "octo-org/x", names: ["y"] }] }, "/owner") }), metadata: { name: "gh2", namespace: "ci" } } as EventSource;
    const good = { ...eventSource({ push: hook({}, "/push") }), metadata: { name: "gh3", namespace: "ci" } } as EventSource;
    const outcomes: HookSyncOutcome[] = [];
    const manager = new HookManager({ eventSources: () => [bad, slash, good], secrets: new MapSecretStore({ gh: { token: "ghp_ok" } }), logger: silentLogger(), onSync: (o) => outcomes.push(o) });
    await manager.check();
    expect(outcomes.map((o) => `${o.key} ${o.action}`)).toEqual(["ci/gh/github/app failed", "ci/gh2/github/owner failed", "ci/gh3/github/push created"]);
    expect(outcomes[0]?.error).toMatch(/spec\.github\.app\.githubApp\.appID: must be a positive integer/);
    expect(outcomes[1]?.error).toMatch(/repositories\.0\.owner: must be a user or organization name without "\/"/);
    expect([...api.state.hooks.values()].map((h) => h.config.url)).toEqual(["https://hooks.example.com/push"]);
    await manager.stop({ removeHooks: false });
    api.assertNoViolations();
  });
});
