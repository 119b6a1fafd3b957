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
