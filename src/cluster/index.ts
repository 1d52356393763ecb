export * from './instance-types.js';
export * from './reservations.js';
export * from './cluster-model-document.js';
export * from './cluster-model.js';
export * from './cluster-model-file.js';
export * from './storage-classes.js';
