import type { SecretKeySelector } from "../api/index.js";
import type { SecretStore } from "../config/index.js";
import { SecretNotFoundError, errorMessage } from "../errors.js";

/**
 * Reads a configured secret for one request (so a rotated secret file applies
 * at once). Missing or empty is an error — verification is never skipped.
 */
export async function readSecret(
  secrets: SecretStore,
  namespace: string,
  selector: SecretKeySelector,
  field: string,
): Promise<string> {
  let value: string;
  try {
    value = await secrets.get(namespace, selector);
  } catch (err) {
    throw new SecretNotFoundError(`${field} ${selector.name}/${selector.key} unavailable: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (value === "") throw new SecretNotFoundError(`${field} ${selector.name}/${selector.key} is empty`);
  return value;
}
