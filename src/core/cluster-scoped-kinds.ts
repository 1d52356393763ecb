/** Built-in Kubernetes kinds that are cluster-scoped (Kubernetes 1.28). */
export const BUILT_IN_CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass',
  'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'CustomResourceDefinition',
  'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'RuntimeClass',
  'IngressClass', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration',
  'ComponentStatus', 'TokenReview', 'SelfSubjectReview', 'SelfSubjectAccessReview',
  'SelfSubjectRulesReview', 'SubjectAccessReview', 'ClusterTrustBundle', 'ResourceClass',
  'StorageVersion', 'ClusterCIDR', 'IPAddress',
]);

/**
 * Kinds that are never namespaced: the built-in ones plus the cluster-scoped custom resources
 * platform trees commonly carry (External Secrets, cert-manager, Kyverno).
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  ...BUILT_IN_CLUSTER_SCOPED_KINDS,
  'ClusterSecretStore', 'ClusterExternalSecret', 'ClusterIssuer', 'ClusterPolicy',
]);
