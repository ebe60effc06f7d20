export * from './core-node.module.js';
export * from './seed.js';
export * from './demo.js';
export * from './run-main.js';
export * from './start.js';
