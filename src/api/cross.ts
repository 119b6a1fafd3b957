// Checks across all loaded documents: one object per (kind, namespace, name), and one
// EventSource per HTTP route (port + endpoint), since all routes share one server.
import { CLUSTER_SCOPED_KINDS } from "./extension-points.js";
import { formatFieldPath, type FieldPath } from "./fieldpath.js";
import { formatLocation, type LoadedSpec } from "./load.js";
import { webhookRoutes } from "./semantic.js";
import type { EventSource } from "./types.js";

export interface CrossIssue {
  /** Index into the list given to crossIssues; that document is the one in error. */
  index: number;
  path: FieldPath;
  message: string;
}

function where(loaded: LoadedSpec, path: FieldPath): string {
  return `${loaded.spec.kind}/${loaded.spec.metadata.name ?? ""} at ${formatLocation(loaded.file, loaded.locate(path))}`;
}

export function crossIssues(specs: readonly LoadedSpec[]): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const byName = new Map<string, number>();
  specs.forEach((loaded, index) => {
    const { kind, metadata } = loaded.spec;
    const ns = CLUSTER_SCOPED_KINDS.has(kind) ? "" : (metadata.namespace ?? "");
    const key = `${kind}\u0000${ns}\u0000${metadata.name ?? ""}`;
    const first = byName.get(key);
    if (first === undefined) byName.set(key, index);
    else issues.push({ index, path: ["metadata", "name"], message: `duplicate ${kind} name; first defined as ${where(specs[first], ["metadata", "name"])}` });
  });

  const routes = new Map<string, { index: number; path: FieldPath }>();
  specs.forEach((loaded, index) => {
    if (loaded.spec.kind !== "EventSource") return;
    for (const route of webhookRoutes(loaded.spec as EventSource)) {
      const { port, endpoint } = route.context;
      if (port === undefined || endpoint === undefined) continue;
      const key = `${Number(port)} ${endpoint}`;
      const first = routes.get(key);
      if (first === undefined) {
        routes.set(key, { index, path: route.path });
        continue;
      }
      const other = specs[first.index];
      issues.push({
        index,
        path: [...route.path, "endpoint"],
        message: `port ${port} endpoint ${endpoint} is already used by ${where(other, [...first.path, "endpoint"])} (${formatFieldPath(first.path)})`,
      });
    }
  });
  return issues;
}
