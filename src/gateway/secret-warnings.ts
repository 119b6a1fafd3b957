// serve with --config: a Secret the specs reference that serve cannot read is told at
// load and at each reload, one warning per (spec, reference), naming the spec, the field
// and the secret's name/key (never a value). It is not an error: secrets are read per
// delivery or firing, so one added later applies without a restart. With --kube Secrets
// come from the API and are not checked here.
import { formatFieldPath, type LoadedSpec } from "../api/index.js";
import { missingIn, secretReferenceProblem, secretReferences } from "../config/index.js";
import type { Logger } from "../logger.js";
import { runsReceivers, runsSensors, type GatewayRole } from "./role.js";

/** A referenced Secret key serve cannot read. */
export interface MissingSecret {
  kind: string;
  namespace: string;
  name: string;
  /** `spec.github.push.webhookSecret` */
  fieldPath: string;
  secretName: string;
  secretKey: string;
}

const KINDS = new Set(["EventSource", "Sensor", "EventBus"]);

/**
 * The references of `docs` serve cannot read: with `secretsDir` those with no file
 * there (as `validate --secrets-dir` finds them), without it every one.
 */
export async function missingSecrets(docs: readonly LoadedSpec[], secretsDir: string | undefined): Promise<MissingSecret[]> {
  const out: MissingSecret[] = [];
  for (const doc of docs) {
    if (!KINDS.has(doc.spec.kind)) continue;
    const { kind, metadata } = doc.spec;
    const spec = { kind, namespace: metadata.namespace || "default", name: metadata.name ?? "" };
    // A reference that can name no Secret is a load error, not this warning.
    const refs = secretReferences(doc).filter((r) => !secretReferenceProblem(r));
    for (const r of secretsDir === undefined ? refs : await missingIn(secretsDir, refs)) {
      out.push({ ...spec, fieldPath: formatFieldPath(r.path), secretName: r.name, secretKey: r.key });
    }
  }
  return out;
}

// Fields a receiver reads at every delivery to verify it (github, gitlab, bitbucket, webhook).
const DELIVERY_FIELDS = new Set(["webhookSecret", "secretToken", "authSecret"]);

/** What fails without it. */
function consequence(m: MissingSecret): string {
  const field = m.fieldPath.split(".").pop() ?? "";
  if (m.kind === "EventSource") {
    return DELIVERY_FIELDS.has(field)
      ? "every delivery that needs it fails with 500"
      : "keeping the provider's webhook with it fails";
  }
  if (m.kind === "Sensor") return "every firing of a trigger that needs it fails";
  return "the bus cannot use it";
}

export interface SecretWarningsOptions {
  logger: Logger;
  secretsDir?: string;
  role?: GatewayRole;
  /** `--no-manage-hooks`: an EventSource's hook credentials are not read. */
  manageHooks?: boolean;
}

/** Logs the missing secrets of each loaded set; each once, not again while it stays missing. */
export class SecretWarnings {
  private warned = new Set<string>();
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly o: SecretWarningsOptions) {}

  /** Checks `docs` (after the checks before it); never rejects. */
  check(docs: readonly LoadedSpec[]): Promise<void> {
    this.last = this.last.then(() => this.run(docs)).catch((err: unknown) => {
      this.o.logger.debug({ err: err instanceof Error ? err.message : String(err) }, "checking the referenced secrets failed");
    });
    return this.last;
  }

  private async run(docs: readonly LoadedSpec[]): Promise<void> {
    const role = this.o.role ?? "all";
    const relevant = docs.filter((d) => (d.spec.kind === "EventSource" ? runsReceivers(role) : d.spec.kind === "Sensor" ? runsSensors(role) : true));
    const now = new Set<string>();
    for (const m of await missingSecrets(relevant, this.o.secretsDir)) {
      const field = m.fieldPath.split(".").pop() ?? "";
      if (m.kind === "EventSource" && this.o.manageHooks === false && !DELIVERY_FIELDS.has(field)) continue;
      const id = `${m.kind}/${m.namespace}/${m.name} ${m.fieldPath} ${m.secretName}/${m.secretKey}`;
      now.add(id);
      if (this.warned.has(id)) continue;
      const where = this.o.secretsDir === undefined ? "but no --secrets-dir was given" : `but --secrets-dir ${this.o.secretsDir} has no file ${m.secretName}/${m.secretKey}`;
      this.o.logger.warn(
        { code: "SECRET_MISSING", kind: m.kind, namespace: m.namespace, name: m.name, fieldPath: m.fieldPath, secretName: m.secretName, secretKey: m.secretKey },
        `secret ${m.secretName}/${m.secretKey} is referenced by ${m.kind} ${m.namespace}/${m.name} ${m.fieldPath} ${where}: ${consequence(m)}`,
      );
    }
    this.warned = now;
  }
}
