import { describe, expect, it } from "vitest";
import type { Sensor } from "../api/types.js";
import type { WorkflowClient } from "./client.js";
import { cachedClients, sensorServiceAccountName, sensorUsername } from "./identity.js";

const sensor = (namespace: string | undefined, template?: unknown): Sensor => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Sensor",
  metadata: { name: "s", ...(namespace ? { namespace } : {}) },
  spec: { dependencies: [], triggers: [], ...(template !== undefined ? { template } : {}) },
});

describe("Sensor identity", () => {
  it("is the Sensor's service account in its own namespace", () => {
    expect(sensorUsername(sensor("team-a", { serviceAccountName: "ops" }))).toBe("system:serviceaccount:team-a:ops");
    expect(sensorServiceAccountName(sensor("team-a", { serviceAccountName: "ops" }))).toBe("ops");
  });

  it("falls back to the operator's default (or `default`) in the Sensor's namespace", () => {
    expect(sensorUsername(sensor("team-b"))).toBe("system:serviceaccount:team-b:default");
    expect(sensorUsername(sensor("team-b", { serviceAccountName: "" }), "sensors")).toBe("system:serviceaccount:team-b:sensors");
    expect(sensorUsername(sensor(undefined, { serviceAccountName: 7 }))).toBe("system:serviceaccount:default:default");
  });

  it("keeps one client per identity", () => {
    const made: string[] = [];
    const clientFor = cachedClients((u) => {
      made.push(u);
      return { user: u } as unknown as WorkflowClient;
    });
    const a = clientFor("system:serviceaccount:a:x");
    expect(clientFor("system:serviceaccount:a:x")).toBe(a);
    expect(clientFor("system:serviceaccount:b:x")).not.toBe(a);
    expect(made).toEqual(["system:serviceaccount:a:x", "system:serviceaccount:b:x"]);
  });
});
