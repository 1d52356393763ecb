/**
 * lambda-gitops: cdk8s constructs, a policy gate, a PR diff and a capacity planner for AI/ML
 * platforms on Lambda Labs GPU servers, rendered as a Flux repository.
 */
export * from './core/errors.js';
export * from './core/labels.js';
export * from './core/names.js';
export * from './core/quantity.js';
export * from './core/flux-bootstrap-files.js';
export * from './layout/manifest-directory.js';
export * from './tenancy/tenant.js';
export * from './tenancy/gpu-quota-need.js';
export * from './flux/index.js';
export * from './render/index.js';
export * from './render/default-validators.js';
export * from './network/index.js';
export * from './cluster/index.js';
export * from './core/policy-exemption.js';
export * from './core/chart-services.js';
export * from './workloads/index.js';
export * from './availability/index.js';
export * from './scaling/index.js';
export * from './observability/index.js';
export * from './ingress/index.js';
export * from './secrets/index.js';
export * from './gpu/index.js';
export * from './capacity/index.js';
export * from './diff/index.js';
export * from './github/index.js';
export * from './policy/index.js';
export * from './schema/index.js';
export { synthApp } from './cli/synth-app.js';
export type { SynthAppOptions } from './cli/synth-app.js';
export * from './build/build-freshness.js';
export { buildProject, BuildError } from './build/build-project.js';
export * from './masking/index.js';
