import { registerCrossResourceRule, type CrossResourceRule } from '../registry.js';
import { duplicateObject } from './duplicate-object-rule.js';
import { labelSyntax } from './label-syntax-rule.js';
import { objectNameSyntax } from './object-name-rule.js';
import { podSpecNames } from './pod-spec-names-rule.js';
import { envUnique, selectorMatchesTemplate } from './pod-spec-rules.js';
import { rbacDefaultSaBroadBinding, rbacEscalateBindImpersonate, rbacNetworkControl, rbacSecretsAccess, rbacWildcard } from './rbac-rules.js';
import { routeBackendExists } from './route-backend-rule.js';
import { exemptionValid, manifestStructure, schemaValid, stableApiVersion } from './api-rules.js';
import { fluxDependsOn, fluxPathExists } from './flux-rules.js';
import { namespaceDefaultDeny, podPortsAllowed } from './network-rules.js';
import { noFixedReplicasWhenAutoscaled, pdbAllowsEviction, pdbConsistentWithAutoscaler, pdbPresent, scaleTargetExists, servedReplicas, servedSpread } from './reliability-rules.js';
import { probes, probesLivenessAfterReadiness } from './probe-rules.js';
import { externalSecretStoreExists, namespaceGpuQuota } from './secret-rules.js';
import { networkPolicySelectsPods, pdbSelectsPods, serviceSelectsPods, statefulSetHeadlessService } from './selection-rules.js';

/** The TypeScript rules shipped with the gate. */
export const BUILTIN_RULES: readonly CrossResourceRule[] = [
  manifestStructure, schemaValid, stableApiVersion, exemptionValid,
  fluxDependsOn, fluxPathExists,
  namespaceDefaultDeny, podPortsAllowed,
  noFixedReplicasWhenAutoscaled, pdbAllowsEviction, pdbConsistentWithAutoscaler, pdbPresent, scaleTargetExists, servedReplicas, servedSpread,
  externalSecretStoreExists, namespaceGpuQuota,
  probes, probesLivenessAfterReadiness,
  networkPolicySelectsPods, pdbSelectsPods, serviceSelectsPods, statefulSetHeadlessService,
  rbacWildcard, rbacSecretsAccess, rbacEscalateBindImpersonate, rbacNetworkControl, rbacDefaultSaBroadBinding,
  selectorMatchesTemplate, envUnique, labelSyntax, objectNameSyntax, podSpecNames, duplicateObject, routeBackendExists,
];

/** Registers {@link BUILTIN_RULES} (idempotent). */
export function registerBuiltinRules(): void {
  for (const rule of BUILTIN_RULES) registerCrossResourceRule(rule);
}
