export * from './pod-disruption-budget.js';
