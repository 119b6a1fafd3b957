// Names that become tokens of a bus subject (`<bus>.<eventSourceName>.<eventName>`, as
// Argo Events' JetStream bus writes them). NATS refuses whitespace and the wildcards in
// a published subject, so such a name can never carry an event, in Argo Events either.

const NOT_IN_A_TOKEN = /[\s*>]/;
// metadata.name as the API server admits it (a DNS-1123 subdomain); the work subjects'
// `_work` token stays apart from event subjects because no EventSource name has `_`.
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Why `name` cannot be a token of a bus subject, or undefined when it can. */
export function subjectTokenProblem(name: string): string | undefined {
  if (!NOT_IN_A_TOKEN.test(name)) return undefined;
  return `${JSON.stringify(name)} cannot be part of a bus subject (no whitespace, '*' or '>'): NATS refuses to publish it, in Argo Events too`;
}

/** Why `name` cannot be an EventSource's name, or undefined when it can. */
export function eventSourceNameProblem(name: string): string | undefined {
  if (OBJECT_NAME.test(name)) return undefined;
  return `${JSON.stringify(name)} is not a Kubernetes object name (lower-case letters, digits, '-' and '.', at most 253): it names the EventSource's bus subjects`;
}
