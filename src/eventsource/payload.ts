import { BadRequestError } from "../errors.js";
import { rememberJsonText } from "../eventbus/index.js";
import { goJsonMarshal } from "../expr/index.js";
import { canonicalHeaderKey, type GoHeader } from "../http/index.js";

/** The value Argo Events puts in place of a consumed credential header. */
export const MASKED = "*** Masked Auth Secret ***";

/**
 * Headers that carry a credential or a proof of one: a shared token (GitLab, Bitbucket
 * Cloud's hook UUID, which Argo Workflows' webhook clients use as the secret), a bearer
 * token, or an HMAC of the body (which lets anyone holding it replay that body).
 */
export const CREDENTIAL_HEADERS = ["Authorization", "X-Gitlab-Token", "X-Hook-Uuid", "X-Hub-Signature", "X-Hub-Signature-256"] as const;

/**
 * A copy of the headers with credential headers masked, so a secret never travels in
 * an event, a log line, a skip reason or /api/events. Argo Events masks only
 * `Authorization`.
 */
export function maskCredentials(headers: GoHeader, names: readonly string[] = CREDENTIAL_HEADERS): GoHeader {
  const out: GoHeader = { ...headers };
  for (const name of names) {
    const key = canonicalHeaderKey(name);
    if (Object.hasOwn(out, key)) out[key] = [MASKED];
  }
  return out;
}

/** `metadata` is omitted when empty, as Go's `omitempty` does. */
export function withMetadata(
  payload: Record<string, unknown>,
  metadata: Record<string, string> | undefined,
): Record<string, unknown> {
  if (metadata && Object.keys(metadata).length > 0) payload.metadata = { ...metadata };
  return payload;
}

/** The media type of a Content-Type value, lower case, without parameters ("" if none). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/** The parsed value remembers `text`, so publishing it does not serialise it again. */
export function parseJson(text: string, what: string): unknown {
  try {
    return rememberJsonText(JSON.parse(text) as unknown, text);
  } catch (err) {
    throw new BadRequestError(`${what} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Form or query values as Go's url.Values: every key maps to all its values. */
export function formValues(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    // Keys are data: `__proto__`, `constructor`, `toString` are form fields like any other.
    if (Object.hasOwn(out, k)) (out[k] as string[]).push(v);
    else Object.defineProperty(out, k, { value: [v], enumerable: true, writable: true, configurable: true });
  }
  // Argo marshals url.Values, a Go map: its text has sorted keys.
  return rememberJsonText(out, () => goJsonMarshal(out));
}
