import { existsSync } from "node:fs";

// No @kubernetes/client-node here: the CLI reads this on every start, --kube or not.

/** Where the service account token of a pod is mounted. */
export const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** True inside a pod: the API's service host is set and the token is mounted. Read once, by the CLI. */
export function runningInPod(env: NodeJS.ProcessEnv, tokenExists: (path: string) => boolean = existsSync): boolean {
  return !!env.KUBERNETES_SERVICE_HOST && tokenExists(SERVICE_ACCOUNT_TOKEN);
}
