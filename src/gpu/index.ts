export * from './time-slicing-config.js';
export * from './priority-classes.js';
