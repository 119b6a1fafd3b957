import { createHmac } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalHeaderKey, type GoHeader } from "../http/index.js";
import {
  DirWebhookClientSource,
  hasWebhookCredentials,
  matchesWebhookClient,
  parseWebhookClient,
  webhookClientList,
  type WebhookClient,
  type WebhookClientType,
} from "./webhook-clients.js";

// HMAC-SHA256 of the body `{}` with the key `sh!` (computed with `openssl dgst -sha256 -hmac 'sh!'`).
const KNOWN = "926ceeb8dcd67d5979fd7d726e3905af6d220f7fd6b2d8cce946906f7cf35963";
const body = Buffer.from("{}");

function headers(h: Record<string, string>): GoHeader {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [canonicalHeaderKey(k), [v]]));
}
const client = (type: WebhookClientType, secret = "sh!"): WebhookClient => ({ serviceAccount: "sa", type, secret });

describe("webhook client signatures", () => {
  it("the known vector is what node computes too", () => {
    expect(createHmac("sha256", "sh!").update("{}").digest("hex")).toBe(KNOWN);
  });

  it.each<[string, WebhookClientType, Record<string, string>, boolean]>([
    ["github good", "github", { "X-GitHub-Event": "push", "X-Hub-Signature-256": `sha256=${KNOWN}` }, true],
    ["github upper-case hex", "github", { "X-GitHub-Event": "push", "X-Hub-Signature-256": `sha256=${KNOWN.toUpperCase()}` }, true],
    ["github bad signature", "github", { "X-GitHub-Event": "push", "X-Hub-Signature-256": `sha256=${"0".repeat(64)}` }, false],
    ["github sha1 header only", "github", { "X-GitHub-Event": "push", "X-Hub-Signature": `sha256=${KNOWN}` }, false],
    ["github no event header", "github", { "X-Hub-Signature-256": `sha256=${KNOWN}` }, false],
    ["gitlab good", "gitlab", { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "sh!" }, true],
    ["gitlab bad token", "gitlab", { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "sh" }, false],
    ["gitlab no event", "gitlab", { "X-Gitlab-Token": "sh!" }, false],
    ["gitlab no token", "gitlab", { "X-Gitlab-Event": "Push Hook" }, false],
    ["gitlab empty token", "gitlab", { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "" }, false],
    ["bitbucket good", "bitbucket", { "X-Event-Key": "repo:push", "X-Hook-UUID": "sh!" }, true],
    ["bitbucket bad uuid", "bitbucket", { "X-Event-Key": "repo:push", "X-Hook-UUID": "{other}" }, false],
    ["bitbucket no uuid", "bitbucket", { "X-Event-Key": "repo:push" }, false],
    ["bitbucket no event key", "bitbucket", { "X-Hook-UUID": "sh!" }, false],
    ["bitbucketserver good", "bitbucketserver", { "X-Event-Key": "repo:refs_changed", "X-Hub-Signature": `sha256=${KNOWN}` }, true],
    ["bitbucketserver no event key", "bitbucketserver", { "X-Hub-Signature": `sha256=${KNOWN}` }, false],
    ["bitbucketserver bad", "bitbucketserver", { "X-Event-Key": "repo:refs_changed", "X-Hub-Signature": `sha256=${KNOWN.replace("9", "8")}` }, false],
    ["bitbucketserver without sha256= prefix", "bitbucketserver", { "X-Event-Key": "repo:refs_changed", "X-Hub-Signature": `sha1=${KNOWN}` }, false],
    ["bitbucketserver bare hex", "bitbucketserver", { "X-Event-Key": "repo:refs_changed", "X-Hub-Signature": `xxxxxxx${KNOWN}` }, false],
  ])("%s", (_n, type, h, ok) => {
    expect(matchesWebhookClient(client(type), { headers: headers(h), rawBody: body })).toBe(ok);
  });

  it("a client of a type it does not know never matches", () => {
    const gitea = { serviceAccount: "sa", type: "gitea", secret: "sh!" } as unknown as WebhookClient;
    const h = headers({ "X-GitHub-Event": "push", "X-Hub-Signature-256": `sha256=${KNOWN}`, "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "sh!" });
    expect(matchesWebhookClient(gitea, { headers: h, rawBody: body })).toBe(false);
  });

  it("a signature over another body does not match", () => {
    const h = headers({ "X-GitHub-Event": "push", "X-Hub-Signature-256": `sha256=${KNOWN}` });
    expect(matchesWebhookClient(client("github"), { headers: h, rawBody: Buffer.from("{ }") })).toBe(false);
  });
});

describe("parseWebhookClient", () => {
  it.each([
    ["type: github\nsecret: shh\n", { serviceAccount: "sa", type: "github", secret: "shh" }],
    ['{"type": "bitbucketserver", "secret": "x"}', { serviceAccount: "sa", type: "bitbucketserver", secret: "x" }],
    ["type: gitea\nsecret: x", { serviceAccount: "sa", error: 'unknown webhook client type "gitea" (one of github, gitlab, bitbucket, bitbucketserver)' }],
    ["type: 7\nsecret: x", { serviceAccount: "sa", error: expect.stringMatching(/^unknown webhook client type 7 \(/) }],
    ["secret: x", { serviceAccount: "sa", error: expect.stringMatching(/unknown webhook client type null/) }],
    ["type: gitlab", { serviceAccount: "sa", error: "webhook client has no secret" }],
    ['type: gitlab\nsecret: ""', { serviceAccount: "sa", error: "webhook client has no secret" }],
    ["type: gitlab\nsecret: 7", { serviceAccount: "sa", error: "webhook client has no secret" }],
    ["type: [", { serviceAccount: "sa", error: expect.stringMatching(/failed to unmarshal/) }],
  ])("%j", (text, expected) => {
    expect(parseWebhookClient("sa", text)).toEqual(expected);
  });
});

describe("hasWebhookCredentials", () => {
  it.each(["X-Hub-Signature-256", "X-Hub-Signature", "X-Gitlab-Token", "X-Hook-UUID"])("a request with %s has webhook credentials", (name) => {
    expect(hasWebhookCredentials(headers({ [name]: "x" }))).toBe(true);
  });

  it("a request with only event headers has none", () => {
    expect(hasWebhookCredentials(headers({ "X-GitHub-Event": "push", "X-Event-Key": "repo:push", "X-Gitlab-Event": "Push Hook" }))).toBe(false);
  });
});

describe("webhookClientList", () => {
  it("orders the clients by name, so the first matching client is always the same one", () => {
    const list = webhookClientList([
      ["zeta", "type: gitlab\nsecret: s"],
      ["alpha", "type: gitlab\nsecret: s"],
      ["mid", "type: nope"],
      ["beta", "type: gitlab\nsecret: s"],
    ]);
    expect(list.clients.map((c) => c.serviceAccount)).toEqual(["alpha", "beta", "zeta"]);
    expect(list.invalid.map((c) => c.serviceAccount)).toEqual(["mid"]);
  });
});

describe("DirWebhookClientSource", () => {
  it("reads one file per client of the namespace's folder and skips the Secret mount's dot entries", async () => {
    const dir = await mkdtemp(join(tmpdir(), "clients-"));
    try {
      const d = join(dir, "argo-workflows-webhook-clients", "argo");
      await mkdir(join(d, "..data"), { recursive: true });
      await writeFile(join(d, "..data", "github"), "type: github\nsecret: s1\n");
      // A mounted Secret's keys are links into ..data.
      await symlink(join("..data", "github"), join(d, "github"));
      await writeFile(join(d, "broken"), "type: nope\nsecret: s\n");
      // Names a ServiceAccount cannot have (hidden files, spaces) are not clients.
      await writeFile(join(d, ".hidden"), "type: github\nsecret: s2\n");
      await writeFile(join(d, "has space"), "type: github\nsecret: s3\n");
      const list = await new DirWebhookClientSource(dir).clients("argo");
      expect(list.clients).toEqual([{ serviceAccount: "github", type: "github", secret: "s1" }]);
      expect(list.invalid.map((i) => i.serviceAccount)).toEqual(["broken"]);
      expect(await new DirWebhookClientSource(join(dir, "none")).clients("argo")).toEqual({ clients: [], invalid: [] });
      expect(await new DirWebhookClientSource(undefined).clients("argo")).toEqual({ clients: [], invalid: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the clients of one namespace authenticate no other; a file naming no namespace authenticates none", async () => {
    const dir = await mkdtemp(join(tmpdir(), "clients-"));
    try {
      const root = join(dir, "argo-workflows-webhook-clients");
      await mkdir(join(root, "ns-a"), { recursive: true });
      await writeFile(join(root, "ns-a", "gh"), "type: github\nsecret: a\n");
      await writeFile(join(root, "flat"), "type: github\nsecret: f\n");
      const source = new DirWebhookClientSource(dir);
      expect((await source.clients("ns-a")).clients.map((c) => c.secret)).toEqual(["a"]);
      const b = await source.clients("ns-b");
      expect(b.clients).toEqual([]);
      expect(b.invalid).toEqual([{ serviceAccount: "flat", error: expect.stringContaining("argo-workflows-webhook-clients/<namespace>/flat") }]);
      // A namespace is one path segment.
      expect((await source.clients("..")).clients).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
