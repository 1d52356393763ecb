export * from './synthesize.js';
export * from './tree-layout.js';
export * from './atomic-write.js';
export * from './swap-journal.js';
export * from './render-app.js';
