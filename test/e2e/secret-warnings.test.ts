// serve --config with Secrets it cannot read: one warning per (spec, reference) at load and
// at each reload, naming the spec, the field and the secret (never a value); it still starts
// (a secret added later is read at the next delivery). Before, it logged "gateway ready" and
// then answered every signed delivery 500.
import { afterAll, describe, expect, it } from "vitest";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { waitFor } from "../support/wait.js";
import { packageRoot } from "../../src/paths.js";

const root = packageRoot();
const temps: string[] = [];
const gateways: GatewayProcess[] = [];
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "tg-secret-warnings-"));
  temps.push(dir);
  return dir;
};
async function serve(...args: string[]): Promise<GatewayProcess> {
  const gw = await startGatewayProcess(["--local-store", await tempDir(), "--host", "127.0.0.1", "--port", "12000=0", "--port", "13002=0", ...args]);
  gateways.push(gw);
  return gw;
}
const warnings = (gw: GatewayProcess) => gw.logs.filter((l) => l.code === "SECRET_MISSING");

describe("serve --config: Secrets the specs reference and serve cannot read", () => {
  it("no --secrets-dir: a warning per reference, and serve starts", async () => {
    const gw = await serve("--config", "fixtures/quickstart");
    expect(warnings(gw)).toEqual([
      expect.objectContaining({
        level: 40,
        kind: "EventSource",
        namespace: "argo-events",
        name: "github",
        fieldPath: "spec.github.push.webhookSecret",
        secretName: "github-webhook",
        secretKey: "secret",
        msg:
          "secret github-webhook/secret is referenced by EventSource argo-events/github spec.github.push.webhookSecret " +
          "but no --secrets-dir was given: every delivery that needs it fails with 500",
      }),
    ]);
    // Before "gateway ready": told at load.
    const ready = gw.logs.findIndex((l) => l.msg === "gateway ready");
    expect(gw.logs.indexOf(warnings(gw)[0])).toBeLessThan(ready);
  });

  it("--secrets-dir without the key: the warning names the directory; with it, none", async () => {
    const empty = await tempDir();
    const without = await serve("--config", "fixtures/quickstart", "--secrets-dir", empty);
    expect(warnings(without).map((l) => l.msg)).toEqual([
      `secret github-webhook/secret is referenced by EventSource argo-events/github spec.github.push.webhookSecret but --secrets-dir ${empty} has no file github-webhook/secret: every delivery that needs it fails with 500`,
    ]);
    const complete = await serve("--config", "fixtures/quickstart", "--secrets-dir", "fixtures/quickstart/secrets");
    expect(warnings(complete)).toEqual([]);
  });

  it("a reload that adds a reference to a missing secret warns about it, once", async () => {
    const config = await tempDir();
    await cp(join(root, "fixtures/quickstart"), config, { recursive: true });
    const gw = await serve("--config", config, "--secrets-dir", join(config, "secrets"));
    expect(warnings(gw)).toEqual([]);
    await writeFile(
      join(config, "deploy.yaml"),
      "apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata: {name: deploy, namespace: argo-events}\nspec:\n" +
        "  webhook:\n    deploy: {port: '13002', endpoint: /deploy, method: POST, authSecret: {name: deploy-auth, key: token}}\n",
    );
    await waitFor(() => (gw.logs.some((l) => l.msg === "specs reloaded") ? true : undefined), 10_000, "the reload");
    await waitFor(() => (warnings(gw).length > 0 ? true : undefined), 5_000, "the warning");
    expect(warnings(gw)).toEqual([
      expect.objectContaining({ name: "deploy", fieldPath: "spec.webhook.deploy.authSecret", secretName: "deploy-auth", secretKey: "token" }),
    ]);
    // An unrelated edit reloads again: the same missing secret is not told again.
    await writeFile(join(config, "deploy.yaml"), "# edited\n" + "apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata: {name: deploy, namespace: argo-events}\nspec:\n" +
      "  webhook:\n    deploy: {port: '13002', endpoint: /deploy2, method: POST, authSecret: {name: deploy-auth, key: token}}\n");
    await waitFor(() => (gw.logs.filter((l) => l.msg === "specs reloaded").length >= 2 ? true : undefined), 10_000, "the second reload");
    await new Promise((r) => setTimeout(r, 200));
    expect(warnings(gw)).toHaveLength(1);
  });
});
