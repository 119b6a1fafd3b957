// `serve` (the built CLI) serves the events endpoint next to the receivers.
import { mkdtemp, rm, writeFile, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageRoot } from "../../src/paths.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { waitFor } from "../support/wait.js";

const TOKEN = "serve-test-token-0123456789";

describe("serve --events-port", () => {
  let dir: string;
  let gw: GatewayProcess;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "serve-bindings-"));
    await writeFile(join(dir, "tokens.yaml"), `${TOKEN}:\n  serviceAccount: ci\n  namespace: argo-events\n`);
    gw = await startGatewayProcess([
      "--config",
      join(packageRoot(), "fixtures/samples/workfloweventbinding.yaml"),
      "--config",
      join(packageRoot(), "fixtures/samples/workflowtemplate-ci.yaml"),
      "--local-store",
      join(dir, "workflows"),
      "--tokens-file",
      join(dir, "tokens.yaml"),
      "--binding-mode",
      "sync",
      "--host",
      "127.0.0.1",
    ]);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("logs the endpoint URL and submits from the sample binding", async () => {
    const base = gw.logs.find((l) => l.msg === "events endpoint listening")?.url;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/events\/$/);
    const res = await fetch(`${base}argo-events/ci`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ repo: "argoproj/argo-workflows", revision: "v3.6.0" }),
    });
    expect(res.status).toBe(200);
    const files = await waitFor(async () => {
      const f = (await readdir(join(dir, "workflows", "argo-events")).catch(() => [] as string[])).filter((n) => n.endsWith(".yaml"));
      return f.length > 0 ? f : undefined;
    });
    const wf = parse(await readFile(join(dir, "workflows", "argo-events", files[0] as string), "utf8")) as Record<string, unknown>;
    expect(wf).toMatchObject({
      kind: "Workflow",
      metadata: { generateName: "ci-build-", labels: { "workflows.argoproj.io/workflow-event-binding": "ci-build-event" } },
      spec: {
        workflowTemplateRef: { name: "ci-build" },
        arguments: {
          parameters: [
            { name: "repo", value: "argoproj/argo-workflows" },
            { name: "revision", value: "v3.6.0" },
          ],
        },
      },
    });
    const denied = await fetch(`${base}argo-events/ci`, { method: "POST", body: "{}" });
    expect(denied.status).toBe(401);
  });
});
