export * from './validators/id-number.js';
export * from './validators/school-code.js';
export * from './code-tables/code-table.js';
export * from './code-tables/school.js';
export * from './code-tables/person.js';
export * from './code-tables/staff.js';
export * from './catalogue/index.js';
