export * from './durations.js';
export * from './git-repository.js';
export * from './flux-kustomization.js';
export * from './helm-release.js';
export * from './flux-cluster.js';
export * from './platform-operators.js';
