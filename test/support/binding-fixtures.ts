// Shared fixtures for the binding tests; lives under test/ so it never ships in dist/.
import type { WorkflowEventBinding, WorkflowTemplate } from "../../src/api/types.js";

export function binding(name: string, spec: WorkflowEventBinding["spec"], namespace = "argo"): WorkflowEventBinding {
  return { apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowEventBinding", metadata: { name, namespace }, spec };
}

export function template(name: string, spec: Record<string, unknown> = {}, namespace = "argo"): WorkflowTemplate {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "WorkflowTemplate",
    metadata: { name, namespace },
    spec: { entrypoint: "main", templates: [{ name: "main", container: { image: "alpine" } }], ...spec },
  };
}

export function clusterTemplate(name: string): WorkflowTemplate {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ClusterWorkflowTemplate",
    metadata: { name },
    spec: { entrypoint: "main", templates: [{ name: "main", container: { image: "alpine" } }] },
  };
}

/** A binding submitting `tmpl` with parameters `name -> expression`. */
export function submitting(
  name: string,
  selector: string,
  tmpl: string,
  params: Record<string, string> = {},
  extra: { clusterScope?: boolean; metadata?: Record<string, unknown>; namespace?: string } = {},
): WorkflowEventBinding {
  return binding(
    name,
    {
      event: { selector },
      submit: {
        workflowTemplateRef: extra.clusterScope ? { name: tmpl, clusterScope: true } : { name: tmpl },
        metadata: extra.metadata,
        arguments: { parameters: Object.entries(params).map(([n, e]) => ({ name: n, valueFrom: { event: e } })) },
      },
    },
    extra.namespace,
  );
}
