export * from './esc-path.js';
export * from './pulumi-esc-secret-store.js';
export * from './esc-external-secret.js';
export * from './secret-volume.js';
export * from './secret-data-guard.js';
export * from './cluster-scoped.js';
