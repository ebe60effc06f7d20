export * from './types.js';
export * from './catalogue.js';
export * from './sub-sets.js';
export * from './indicator-sets.js';
export * from './problems.js';
export * from './custom-fields.js';
export * from './record.validator.js';
export * from './ownership.js';
