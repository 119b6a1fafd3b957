// In a cluster, the identity a binding event carries on the bus is not trusted as is:
// anyone who can publish there could name any user and any groups.
import { describe, expect, it } from "vitest";
import { ForbiddenError } from "../errors.js";
import { posterIdentity } from "./dispatch.js";
import type { BindingEventData } from "./event.js";

const data = (identity: unknown): BindingEventData =>
  ({ namespace: "argo", discriminator: "ci", payload: {}, metadata: {}, identity }) as unknown as BindingEventData;

describe("posterIdentity", () => {
  it("acts as a well-formed service account with the groups Kubernetes gives it, whatever groups the event claims", () => {
    expect(posterIdentity(data({ username: "system:serviceaccount:argo:poster", groups: ["system:masters"] }))).toEqual({
      username: "system:serviceaccount:argo:poster",
      groups: ["system:serviceaccounts", "system:serviceaccounts:argo", "system:authenticated"],
    });
  });

  it.each([
    ["no identity", undefined],
    ["an empty one", {}],
    ["an empty username", { username: "" }],
    ["a user", { username: "alice" }],
    ["a malformed account", { username: "system:serviceaccount:argo:a:b" }],
    ["an upper-case namespace", { username: "system:serviceaccount:Argo:poster" }],
  ])("refuses %s rather than act as the gateway", (_what, identity) => {
    expect(() => posterIdentity(data(identity))).toThrow(ForbiddenError);
  });
});
