export * from './validators/id-number.js';
export * from './validators/school-code.js';
export * from './code-tables/code-table.js';
export * from './code-tables/school.js';
