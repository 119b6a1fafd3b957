import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ForbiddenError, GatewayError } from "../errors.js";
import {
  NamespaceAuthorizer,
  NoTokensAuthenticator,
  TokensFileAuthenticator,
  parseServiceAccount,
  parseTokensFile,
  serviceAccountIdentity,
} from "./auth.js";

const TOKEN = "0123456789abcdef"; // 16 characters: the shortest token accepted

describe("ServiceAccount identities", () => {
  it("a ServiceAccount has its username and the groups Kubernetes gives every ServiceAccount", () => {
    expect(serviceAccountIdentity("argo", "ci")).toEqual({
      username: "system:serviceaccount:argo:ci",
      groups: ["system:serviceaccounts", "system:serviceaccounts:argo", "system:authenticated"],
    });
  });

  it.each([
    ["system:serviceaccount:argo:ci", { namespace: "argo", name: "ci" }],
    ["system:serviceaccount:argo:ci:extra", undefined],
    ["evil:system:serviceaccount:argo:ci", undefined],
    ["system:serviceaccount:argo", undefined],
    ["alice", undefined],
  ])("%s is parsed as %j", (username, expected) => {
    expect(parseServiceAccount(username)).toEqual(expected);
  });
});

describe("parseTokensFile", () => {
  it("reads a YAML map token -> {serviceAccount, namespace}", () => {
    const tokens = parseTokensFile(`${TOKEN}: {serviceAccount: ci, namespace: argo}\n"${TOKEN}x": {serviceAccount: b, namespace: c}\n`);
    expect([...tokens]).toEqual([
      [TOKEN, { serviceAccount: "ci", namespace: "argo" }],
      [`${TOKEN}x`, { serviceAccount: "b", namespace: "c" }],
    ]);
  });

  it.each(["", "# no tokens yet\n", "null", "~"])("an empty file (%j) has no tokens", (text) => {
    expect(parseTokensFile(text).size).toBe(0);
  });

  it.each([
    ["type: [", /^tokens\.yaml: not YAML\/JSON: /],
    ["just a string", /^tokens\.yaml: expected a map token -> \{serviceAccount, namespace\}$/],
    ["42", /^tokens\.yaml: expected a map token -> \{serviceAccount, namespace\}$/],
    [`- ${TOKEN}`, /^tokens\.yaml: expected a map token -> \{serviceAccount, namespace\}$/],
    [`${TOKEN}:`, /^tokens\.yaml: the entry of a token needs serviceAccount and namespace strings$/],
    [`${TOKEN}: {namespace: argo}`, /^tokens\.yaml: the entry of a token needs serviceAccount and namespace strings$/],
    [`${TOKEN}: {serviceAccount: ci}`, /^tokens\.yaml: the entry of a token needs serviceAccount and namespace strings$/],
    [`${TOKEN}: {serviceAccount: 7, namespace: argo}`, /^tokens\.yaml: the entry of a token needs serviceAccount and namespace strings$/],
    [`${TOKEN}: {serviceAccount: ci, namespace: 7}`, /^tokens\.yaml: the entry of a token needs serviceAccount and namespace strings$/],
    [`${TOKEN}: {serviceAccount: "", namespace: argo}`, /^tokens\.yaml: the entry of a token needs serviceAccount and namespace strings$/],
    [`${TOKEN}: {serviceAccount: ci, namespace: ""}`, /^tokens\.yaml: the entry of a token needs serviceAccount and namespace strings$/],
    [`${TOKEN.slice(1)}: {serviceAccount: ci, namespace: argo}`, /^tokens\.yaml: tokens must be at least 16 characters$/],
  ])("%j is refused", (text, message) => {
    expect(() => parseTokensFile(text, "tokens.yaml")).toThrow(GatewayError);
    expect(() => parseTokensFile(text, "tokens.yaml")).toThrow(message);
  });

  it("names the tokens file in its errors when no path is given", () => {
    expect(() => parseTokensFile("[]")).toThrow(/^tokens file: expected a map/);
  });
});

describe("TokensFileAuthenticator", () => {
  it("loads a tokens file: a known token is its ServiceAccount, any other token nobody", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tokens-"));
    try {
      const file = join(dir, "tokens.yaml");
      await writeFile(file, `${TOKEN}: {serviceAccount: ci, namespace: argo}\nffffffffffffffffff: {serviceAccount: deploy, namespace: prod}\n`);
      const auth = await TokensFileAuthenticator.load(file);
      expect(await auth.authenticate(TOKEN)).toEqual(serviceAccountIdentity("argo", "ci"));
      expect(await auth.authenticate("ffffffffffffffffff")).toEqual(serviceAccountIdentity("prod", "deploy"));
      expect(await auth.authenticate(`${TOKEN}0`)).toBeUndefined();
      expect(await auth.authenticate("")).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a tokens file that cannot be read fails with its path", async () => {
    const missing = join(tmpdir(), "no-such-dir-for-tokens", "tokens.yaml");
    await expect(TokensFileAuthenticator.load(missing)).rejects.toThrow(GatewayError);
    await expect(TokensFileAuthenticator.load(missing)).rejects.toThrow(`--tokens-file ${missing}: ENOENT`);
  });

  it("a tokens file that is not a map fails with its path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tokens-"));
    try {
      const file = join(dir, "tokens.yaml");
      await writeFile(file, "[]\n");
      await expect(TokensFileAuthenticator.load(file)).rejects.toThrow(`${file}: expected a map`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("without a tokens file no token is valid", async () => {
    expect(await new NoTokensAuthenticator().authenticate()).toBeUndefined();
  });
});

describe("NamespaceAuthorizer", () => {
  const authorizer = new NamespaceAuthorizer();

  it("a ServiceAccount may submit events in its own namespace", async () => {
    await expect(authorizer.authorizeEvent(serviceAccountIdentity("argo", "ci"), "argo")).resolves.toBeUndefined();
  });

  it.each([
    ["a ServiceAccount of another namespace", "system:serviceaccount:other:ci"],
    ["a user that is no ServiceAccount", "alice"],
    ["a username with a ServiceAccount inside it", "x:system:serviceaccount:argo:ci"],
  ])("%s may not", async (_n, username) => {
    const refused = authorizer.authorizeEvent({ username }, "argo");
    await expect(refused).rejects.toThrow(ForbiddenError);
    await expect(authorizer.authorizeEvent({ username }, "argo")).rejects.toThrow(`${username} may not submit events in namespace argo`);
  });
});
