// Managed webhooks end to end: `serve` against the provider API doubles.
// - The GitLab EventSource of a team's CI tutorial (webhook.url, accessToken, a project,
//   four events, deleteHookOnFinish) creates exactly one correct hook and deletes it on
//   shutdown.
// - The outage: the gateway is down while GitHub fails to deliver N pushes; after the
//   restart each becomes exactly one Workflow, and a later check resends nothing.
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveCommand } from "../../src/gateway/serve.js";
import type { Gateway } from "../../src/gateway/gateway.js";
import { Observer } from "../../src/observe/index.js";
import { packageRoot } from "../../src/paths.js";
import { captureLogger } from "../kube/support.js";
import { startGithubApi, type GithubApi } from "../support/github-api/index.js";
import { startGitlabApi, type GitlabApi } from "../support/gitlab-api/index.js";
import { githubPushBody } from "../support/sensor-fixtures.js";
import { waitFor } from "../support/wait.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-hooks-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function secretFile(root: string, name: string, key: string, value: string): Promise<void> {
  await mkdir(join(root, name), { recursive: true });
  await writeFile(join(root, name, key), value);
}

function serve(config: string, secrets: string, port: number, store: string, observer?: Observer, manageHooks = true): Promise<{ gateway: Gateway }> {
  return serveCommand({
    manageHooks,
    config: [config],
    secretsDir: secrets,
    localStore: store,
    host: "127.0.0.1",
    ports: [`12000=${port}`],
    events: { port: 0 },
    observer,
    logger: captureLogger().logger,
  });
}

describe("managed hooks", () => {
  let gitlab: GitlabApi;
  afterAll(async () => gitlab?.close());

  it("the tutorial's GitLab EventSource creates one correct hook, and deletes it on shutdown", async () => {
    gitlab = await startGitlabApi();
    const root = join(dir, "gitlab");
    const secrets = join(root, "secrets");
    await secretFile(secrets, "gitlab-access", "token", "glpat-test-token");
    await secretFile(secrets, "gitlab-hook", "token", "hook-token-1");
    await mkdir(join(root, "config"), { recursive: true });
    await writeFile(
      join(root, "config", "eventsource.yaml"),
      `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: { name: gitlab, namespace: argo-events }
spec:
  gitlab:
    al-cloud:
      projects: ["cmp/al-cloud"]
      webhook: { endpoint: /push, port: "12000", method: POST, url: "https://events.example.com" }
      events: [PushEvents, TagPushEvents, MergeRequestsEvents, IssuesEvents]
      accessToken: { name: gitlab-access, key: token }
      secretToken: { name: gitlab-hook, key: token }
      enableSSLVerification: true
      gitlabBaseURL: ${gitlab.url}
      deleteHookOnFinish: true
`,
    );
    const observer = new Observer({ defaultMetrics: false });
    const { gateway } = await serve(join(root, "config"), secrets, 0, join(root, "wf"), observer);
    try {
      const hook = await waitFor(() => gitlab.hooks.find((h) => h.url === "https://events.example.com/push"), 10_000, "the hook");
      expect(gitlab.hooks).toHaveLength(1);
      expect(hook).toMatchObject({ scope: "project", ownerId: 1, enable_ssl_verification: true, token: "hook-token-1" });
      const on = Object.entries(hook.flags).filter(([, v]) => v).map(([k]) => k).sort();
      expect(on).toEqual(["issues_events", "merge_requests_events", "push_events", "tag_push_events"]);
      const line = await waitFor(() => observer.recorder.flow().managedHooks.find((h) => h.action === "created"), 5000, "the flow page line");
      expect(line).toMatchObject({ provider: "gitlab", target: "project:cmp/al-cloud", url: "https://events.example.com/push" });
    } finally {
      await gateway.close();
    }
    expect(gitlab.hooks).toEqual([]);
    expect(gitlab.violations).toEqual([]);

    // --no-manage-hooks: the same EventSource, and the provider is never called (a
    // managing gateway's close waits for its first check, so it would have been).
    const calls = gitlab.requests.length;
    const again = await serve(join(root, "config"), secrets, 0, join(root, "wf"), undefined, false);
    await again.gateway.close();
    expect(gitlab.requests.length).toBe(calls);
    expect(gitlab.hooks).toEqual([]);
  }, 30_000);

  describe("delivery recovery (GitHub)", () => {
    let github: GithubApi;
    afterAll(async () => github?.close());

    it("pushes GitHub could not deliver while the gateway was down become one Workflow each after the restart", async () => {
      github = await startGithubApi({ repositories: ["octo-org/hello-world"], tokens: ["ghp_test_token"] });
      const root = join(dir, "github");
      const secrets = join(root, "secrets");
      await cp(join(packageRoot(), "fixtures/quickstart/secrets"), secrets, { recursive: true });
      await secretFile(secrets, "github-access", "token", "ghp_test_token");
      const config = join(root, "config");
      await mkdir(config, { recursive: true });
      for (const f of ["sensor.yaml", "workflowtemplate.yaml"]) await cp(join(packageRoot(), "fixtures/quickstart", f), join(config, f));
      const port = await freePort();
      await writeFile(
        join(config, "eventsource.yaml"),
        `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: { name: github, namespace: argo-events }
spec:
  github:
    push:
      repositories: [{ owner: octo-org, names: [hello-world] }]
      webhook: { endpoint: /push, port: "12000", method: POST, url: "http://127.0.0.1:${port}" }
      events: [push]
      apiToken: { name: github-access, key: token }
      webhookSecret: { name: github-webhook, key: secret }
      githubBaseURL: ${github.url}
      contentType: json
      active: true
`,
      );
      const store = join(root, "wf");
      const workflows = async () => (await readdir(join(store, "argo")).catch(() => [] as string[])).filter((f) => !f.startsWith("."));
      const push = (n: number) => ({ ...githubPushBody("refs/heads/main"), after: `${n}`.padStart(40, "0") });

      let { gateway } = await serve(config, secrets, port, store);
      const hook = await waitFor(() => [...github.state.hooks.values()].find((h) => h.config.url === `http://127.0.0.1:${port}/push`), 10_000, "the hook");
      await github.deliver({ hook, event: "push", payload: push(0) });
      await waitFor(async () => ((await workflows()).length === 1 ? true : undefined), 10_000, "the first Workflow");
      await gateway.close();

      // Down: GitHub gets no answer (status 0) for each of these.
      const N = 3;
      for (let i = 1; i <= N; i++) expect((await github.deliver({ hook, event: "push", payload: push(i) })).statusCode).toBe(0);
      expect(await workflows()).toHaveLength(1);

      ({ gateway } = await serve(config, secrets, port, store));
      try {
        await waitFor(async () => ((await workflows()).length === 1 + N ? true : undefined), 20_000, "the recovered Workflows");
        await github.idle();
        const redelivered = github.state.deliveries.filter((d) => d.redelivery);
        expect(redelivered).toHaveLength(N);
        expect(redelivered.every((d) => d.statusCode === 200)).toBe(true);
      } finally {
        await gateway.close();
      }
      // A third start looks again: nothing is left to resend, and nothing is created twice.
      ({ gateway } = await serve(config, secrets, port, store));
      try {
        const lists = github.requests.length;
        await waitFor(() => (github.requests.slice(lists).some((r) => /\/deliveries(\?|$)/.test(r.path)) ? true : undefined), 10_000, "the third look");
        await github.idle();
        expect(github.state.deliveries.filter((d) => d.redelivery)).toHaveLength(N);
        expect(await workflows()).toHaveLength(1 + N);
      } finally {
        await gateway.close();
      }
      // No deleteHookOnFinish: the hook stays.
      expect([...github.state.hooks.values()]).toHaveLength(1);
      github.assertNoViolations();
    }, 60_000);
  });
});
