// `--node-field-selector` as `argo retry --restart-successful` reads it: a Kubernetes
// field selector (`a=b,c!=d`) over the fields Argo's SelectorMatchesNode gives a node.
import { BadRequestError } from "../errors.js";

type Obj = Record<string, unknown>;

export type NodeSelector = (node: Obj) => boolean;

const str = (v: unknown): string => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));

function nodeFields(node: Obj): Map<string, string> {
  const f = new Map<string, string>([
    ["displayName", str(node.displayName)],
    ["templateName", str(node.templateName)],
    ["phase", str(node.phase)],
    ["name", str(node.name)],
    ["id", str(node.id)],
  ]);
  const ref = node.templateRef as Obj | undefined;
  if (ref && typeof ref === "object") {
    f.set("templateRef.name", str(ref.name));
    f.set("templateRef.template", str(ref.template));
  }
  const params = (node.inputs as { parameters?: Obj[] } | undefined)?.parameters;
  if (Array.isArray(params)) for (const p of params) f.set(`inputs.parameters.${str(p.name)}.value`, str(p.value));
  return f;
}

/** Every requirement must hold; a field the node lacks reads as "". */
export function parseNodeFieldSelector(text: string): NodeSelector {
  const requirements = text
    .split(",")
    .filter((part) => part.trim() !== "")
    .map((part) => {
      const m = /^\s*([^=!\s]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(part);
      if (!m) throw new BadRequestError(`invalid node field selector ${JSON.stringify(text)}: ${JSON.stringify(part)} is not key=value or key!=value`);
      return { key: m[1] as string, equal: m[2] !== "!=", value: m[3] as string };
    });
  return (node) => {
    const fields = nodeFields(node);
    return requirements.every((r) => (fields.get(r.key) ?? "") === r.value === r.equal);
  };
}
