import { describe, expect, it } from "vitest";
import { SecretNotFoundError } from "../errors.js";
import { MapSecretStore, type SecretStore } from "../config/secrets.js";
import { readSecret } from "./credentials.js";

const selector = { name: "github-webhook", key: "secret" };

describe("readSecret", () => {
  it("returns the configured value", async () => {
    const store = new MapSecretStore({ "github-webhook": { secret: "s3cret" } });
    await expect(readSecret(store, "argo-events", selector, "webhookSecret")).resolves.toBe("s3cret");
  });

  it("reports an unreadable secret as SecretNotFoundError naming the field, the secret and the store's reason", async () => {
    const failure = new Error("permission denied");
    const store: SecretStore = { get: () => Promise.reject(failure) };
    const err = await readSecret(store, "argo-events", selector, "webhookSecret").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect((err as Error).message).toBe("webhookSecret github-webhook/secret unavailable: permission denied");
    expect((err as Error).cause).toBe(failure);
  });

  it("refuses an empty secret rather than verify against it", async () => {
    const store = new MapSecretStore({ "github-webhook": { secret: "" } });
    const err = await readSecret(store, "argo-events", selector, "secretToken").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect((err as Error).message).toBe("secretToken github-webhook/secret is empty");
  });
});
