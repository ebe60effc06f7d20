export * from './node-config.js';
export * from './node-info.js';
export * from './problem.filter.js';
export * from './validation.js';
export * from './health.controller.js';
export * from './bootstrap.js';
export * from './health.registry.js';
