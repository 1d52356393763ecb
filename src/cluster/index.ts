export * from './instance-types.js';
