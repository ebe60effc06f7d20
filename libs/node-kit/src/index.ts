export * from './core-node.module.js';
export * from './seed.js';
export * from './demo.js';
