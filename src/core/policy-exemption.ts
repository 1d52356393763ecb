import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { InvalidPropError } from './errors.js';

/** Annotation prefix the policy gate reads: `policy.lambda-gitops.dev/exempt-<rule-id>: "<reason>"`. */
export const POLICY_EXEMPTION_PREFIX = 'policy.lambda-gitops.dev/exempt-';

/**
 * Exempts the object rendered by `scope` (an ApiObject, or a construct whose main object is its
 * `Resource` child) from a policy rule. A reason is mandatory and is shown in every report; the
 * gate's `--no-exemptions` ignores it.
 */
export function exemptFromPolicy(scope: IConstruct, ruleId: string, reason: string): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(ruleId)) throw new InvalidPropError(scope, 'ruleId', ruleId, 'must be a policy id such as served-replicas');
  if (typeof reason !== 'string' || reason.trim().length < 10) {
    throw new InvalidPropError(scope, 'reason', reason, 'an exemption needs a reason of at least 10 characters that a reviewer can judge');
  }
  const target = ApiObject.isApiObject(scope) ? scope : scope.node.tryFindChild('Resource');
  if (!target || !ApiObject.isApiObject(target)) {
    throw new InvalidPropError(scope, 'scope', scope.node.path, 'must be an ApiObject or a construct with a Resource child');
  }
  target.metadata.addAnnotation(`${POLICY_EXEMPTION_PREFIX}${ruleId}`, reason.trim());
}
