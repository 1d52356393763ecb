import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { exemptFromPolicy } from '../core/policy-exemption.js';

/** Pod Security levels a namespace can enforce. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/**
 * The namespace of a platform operator installed by a HelmRelease: labelled as an operator
 * namespace, enforcing `podSecurity`, and exempt from the `namespace-default-deny` rule for
 * `reason` (an operator chart talks to the API server and serves the control plane, whose
 * addresses the tree does not know).
 */
export function operatorNamespace(scope: Construct, id: string, name: string, podSecurity: PodSecurityLevel, reason: string): k8s.KubeNamespace {
  const ns = new k8s.KubeNamespace(scope, id, {
    metadata: {
      name,
      labels: { [LabelKeys.managedBy]: MANAGED_BY, 'pod-security.kubernetes.io/enforce': podSecurity, 'lambda-gitops.dev/role': 'operator' },
    },
  });
  exemptFromPolicy(ns, 'namespace-default-deny', reason);
  return ns;
}
