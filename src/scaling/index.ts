export * from './scaling-behavior.js';
export * from './horizontal-autoscaler.js';
export * from './keda-trigger.js';
export * from './keda-scaled-object.js';
