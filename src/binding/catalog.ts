// Where the dispatcher finds bindings and templates. Local mode: the loaded
// specs (SpecBindingCatalog). The Kubernetes mode backs the same interface with
// watched WorkflowEventBinding / (Cluster)WorkflowTemplate CRs.
import type { WorkflowEventBinding, WorkflowTemplate } from "../api/index.js";
import { NotFoundError } from "../errors.js";
import { compileBinding, type CompiledBinding } from "./compile.js";

export interface TemplateRef {
  name: string;
  clusterScope: boolean;
}

export interface BindingCatalog {
  /** The compiled bindings of one namespace (compiled once per binding version). */
  bindings(namespace: string): Promise<readonly CompiledBinding[]>;
  /** Namespaces that hold at least one binding now. */
  namespaces(): Promise<readonly string[]>;
  /** The referenced template; NotFoundError when there is none. */
  template(namespace: string, ref: TemplateRef): Promise<WorkflowTemplate>;
}

export interface BindingSpecs {
  bindings: WorkflowEventBinding[];
  workflowTemplates: WorkflowTemplate[];
}

/** The catalog of the specs loaded from files: compiled at construction. */
export class SpecBindingCatalog implements BindingCatalog {
  private readonly byNamespace = new Map<string, CompiledBinding[]>();
  private readonly templates = new Map<string, WorkflowTemplate>();

  constructor(specs: BindingSpecs) {
    for (const b of specs.bindings) {
      const compiled = compileBinding(b);
      const list = this.byNamespace.get(compiled.namespace) ?? [];
      list.push(compiled);
      this.byNamespace.set(compiled.namespace, list);
    }
    for (const t of specs.workflowTemplates) {
      const name = t.metadata.name ?? "";
      if (t.kind === "ClusterWorkflowTemplate") this.templates.set(`cluster/${name}`, t);
      else this.templates.set(`${t.metadata.namespace || "default"}/${name}`, t);
    }
  }

  /** Every compiled binding, for start-up diagnostics. */
  all(): CompiledBinding[] {
    return [...this.byNamespace.values()].flat();
  }

  async bindings(namespace: string): Promise<readonly CompiledBinding[]> {
    return this.byNamespace.get(namespace) ?? [];
  }

  async namespaces(): Promise<readonly string[]> {
    return [...this.byNamespace.keys()].sort();
  }

  async template(namespace: string, ref: TemplateRef): Promise<WorkflowTemplate> {
    const key = ref.clusterScope ? `cluster/${ref.name}` : `${namespace}/${ref.name}`;
    const t = this.templates.get(key);
    if (!t) {
      throw new NotFoundError(
        ref.clusterScope
          ? `clusterworkflowtemplates.argoproj.io "${ref.name}" not found`
          : `workflowtemplates.argoproj.io "${ref.name}" not found in namespace ${namespace}`,
      );
    }
    return t;
  }
}

/**
 * A catalog over specs that change (the watched CRs of `--kube`): reads the
 * current specs on every call; a binding object is compiled once, on first use.
 */
export class LiveBindingCatalog implements BindingCatalog {
  private readonly compiled = new WeakMap<WorkflowEventBinding, CompiledBinding>();

  constructor(private readonly current: () => BindingSpecs) {}

  private compile(b: WorkflowEventBinding): CompiledBinding {
    let c = this.compiled.get(b);
    if (!c) this.compiled.set(b, (c = compileBinding(b)));
    return c;
  }

  async bindings(namespace: string): Promise<readonly CompiledBinding[]> {
    return this.current()
      .bindings.filter((b) => (b.metadata.namespace || "default") === namespace)
      .map((b) => this.compile(b));
  }

  async namespaces(): Promise<readonly string[]> {
    return [...new Set(this.current().bindings.map((b) => b.metadata.namespace || "default"))].sort();
  }

  async template(namespace: string, ref: TemplateRef): Promise<WorkflowTemplate> {
    return new SpecBindingCatalog({ bindings: [], workflowTemplates: this.current().workflowTemplates }).template(namespace, ref);
  }
}
