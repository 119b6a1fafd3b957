import { KubeConfig } from "@kubernetes/client-node";

export { SERVICE_ACCOUNT_TOKEN, runningInPod } from "./in-pod.js";

export interface KubeConnection {
  /** A kubeconfig file (--kubeconfig); otherwise KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string;
  /** Use the pod's service account (KubeConfig.loadFromCluster). */
  inCluster: boolean;
}

export function loadKubeConfig(c: KubeConnection): KubeConfig {
  const kc = new KubeConfig();
  if (c.kubeconfig) kc.loadFromFile(c.kubeconfig);
  else if (c.inCluster) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/**
 * A copy of `kc` whose requests act as `username` (`Impersonate-User`); the
 * sender's own credentials still authenticate, so it needs the `impersonate` verb.
 */
export function impersonating(kc: KubeConfig, username: string): KubeConfig {
  const current = kc.getCurrentUser();
  // Without a current user the copy would send no Impersonate-User: act as nobody, not as the gateway.
  if (!current) throw new Error("kubeconfig has no current user: cannot impersonate");
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.getClusters(),
    users: kc.getUsers().map((u) => (u.name === current.name ? { ...u, impersonateUser: username } : u)),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  return copy;
}
