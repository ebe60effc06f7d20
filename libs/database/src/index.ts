export * from './embedded.js';
export * from './data-source.js';
export { migrations } from './migrations/index.js';
export * from './rows.js';
export * from './transactions.js';
