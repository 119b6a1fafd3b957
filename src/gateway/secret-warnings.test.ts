import { afterAll, describe, expect, it } from "vitest";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { formatFieldPath } from "../api/index.js";
import { loadConfig } from "../config/file-specs.js";
import { secretChecks, secretReferences } from "../config/index.js";
import { createLogger } from "../logger.js";
import { packageRoot } from "../paths.js";
import { missingSecrets, SecretWarnings } from "./secret-warnings.js";

const root = packageRoot();
const temps: string[] = [];
afterAll(() => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "tg-secret-warnings-"));
  temps.push(dir);
  return dir;
};
const load = async (...paths: string[]) => (await loadConfig(paths.map((p) => join(root, p)))).valid;

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: createLogger({ destination }) };
}
const tick = () => new Promise((r) => setTimeout(r, 20));

describe("secretReferences (config), as validate --secrets-dir reads them", () => {
  it("finds the references validate --secrets-dir checks (every one missing from an empty directory)", async () => {
    const docs = await load("fixtures/quickstart", "fixtures/samples", "fixtures/e2e");
    const empty = await tempDir();
    const viaValidate = (await secretChecks(docs, empty)).map((e) => `${e.resource} ${e.fieldPath}`).sort();
    const here = docs.flatMap((d) => secretReferences(d).map((r) => `${d.spec.kind}/${d.spec.metadata.name} ${formatFieldPath(r.path)}`));
    expect(viaValidate.length).toBeGreaterThan(5);
    expect(here.sort()).toEqual(viaValidate);
  });
});

describe("missingSecrets", () => {
  it("without --secrets-dir: every reference, with spec, field and secret name/key", async () => {
    const missing = await missingSecrets(await load("fixtures/quickstart"), undefined);
    expect(missing).toEqual([
      { kind: "EventSource", namespace: "argo-events", name: "github", fieldPath: "spec.github.push.webhookSecret", secretName: "github-webhook", secretKey: "secret" },
    ]);
  });

  it("with --secrets-dir: only the keys not there", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "github-webhook"));
    await writeFile(join(dir, "github-webhook", "secret"), "s3cr3t-value");
    const missing = await missingSecrets(await load("fixtures/quickstart", "fixtures/e2e"), dir);
    expect(missing.map((m) => `${m.name} ${m.fieldPath} ${m.secretName}/${m.secretKey}`)).toEqual([
      "gitlab spec.gitlab.merge-requests.secretToken gitlab-token/token",
      "webhook spec.webhook.deploy.authSecret webhook-auth/token",
    ]);
  });
});

describe("SecretWarnings", () => {
  it("one warning per (spec, reference), naming spec, field and secret, never the value; not again while it stays missing", async () => {
    const { lines, logger } = capture();
    const w = new SecretWarnings({ logger });
    const docs = await load("fixtures/quickstart");
    await w.check(docs);
    await w.check(docs);
    await tick();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      code: "SECRET_MISSING",
      kind: "EventSource",
      namespace: "argo-events",
      name: "github",
      fieldPath: "spec.github.push.webhookSecret",
      secretName: "github-webhook",
      secretKey: "secret",
      msg:
        "secret github-webhook/secret is referenced by EventSource argo-events/github spec.github.push.webhookSecret " +
        "but no --secrets-dir was given: every delivery that needs it fails with 500",
    });
    // Gone (the spec was removed), then back: told again.
    await w.check([]);
    await w.check(docs);
    await tick();
    expect(lines).toHaveLength(2);
  });

  it("--secrets-dir without the key: the message names the directory and the file", async () => {
    const { lines, logger } = capture();
    const dir = await tempDir();
    await new SecretWarnings({ logger, secretsDir: dir }).check(await load("fixtures/quickstart"));
    await tick();
    expect(lines.map((l) => l.msg)).toEqual([
      `secret github-webhook/secret is referenced by EventSource argo-events/github spec.github.push.webhookSecret but --secrets-dir ${dir} has no file github-webhook/secret: every delivery that needs it fails with 500`,
    ]);
  });

  it("a process of one role checks the specs it runs; --no-manage-hooks leaves hook credentials out", async () => {
    const docs = await load("fixtures/samples");
    const fields = async (o: Omit<ConstructorParameters<typeof SecretWarnings>[0], "logger">) => {
      const { lines, logger } = capture();
      await new SecretWarnings({ logger, ...o }).check(docs);
      await tick();
      return lines.map((l) => `${l.kind} ${l.fieldPath}`).sort();
    };
    const all = await fields({});
    expect(all).toContain("Sensor spec.triggers[0].template.http.secureHeaders[0].valueFrom.secretKeyRef");
    expect(all).toContain("EventSource spec.bitbucketserver.example.accessToken");
    expect(await fields({ role: "sensors" })).toEqual(all.filter((f) => f.startsWith("Sensor ")));
    expect(await fields({ role: "receivers" })).toEqual(all.filter((f) => f.startsWith("EventSource ")));
    const noHooks = await fields({ manageHooks: false });
    expect(noHooks).not.toContain("EventSource spec.bitbucketserver.example.accessToken");
    expect(noHooks).toContain("EventSource spec.bitbucketserver.example.webhookSecret");
  });
});
