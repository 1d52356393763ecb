export * from './resources.js';
export * from './workloads.js';
export * from './scheduler.js';
export * from './cloud-prices.js';
export * from './plan.js';
export * from './report.js';
export * from './delta.js';
export * from './capacity-fit.js';
