import { BadRequestError } from "../errors.js";
import { rememberJsonText } from "../eventbus/json-text.js";
import { canonicalHeaderKey, type GoHeader } from "./headers.js";

/** The value Argo Events puts in place of a consumed credential header. */
export const MASKED = "*** Masked Auth Secret ***";

/**
 * A copy of the headers with credential headers masked, so a secret never
 * travels in an event. Argo Events masks `Authorization`; we also mask the
 * GitLab token.
 */
export function maskCredentials(headers: GoHeader, names: string[] = ["Authorization"]): GoHeader {
  const out: GoHeader = { ...headers };
  for (const name of names) {
    const key = canonicalHeaderKey(name);
    if (out[key] !== undefined) out[key] = [MASKED];
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
  for (const [k, v] of new URLSearchParams(text)) (out[k] ??= []).push(v);
  return out;
}
