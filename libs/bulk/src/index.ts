// The public surface of libs/bulk: only what other libs, apps, tests, bench and tools import.
export { BulkModule } from './bulk.module.js';
// For the benchmarks and tests that build import files in the templates' layout.
export { ALL_SETS, csvMetaLine, layoutMeta, sheetLayouts } from './layout.js';
// For the national node's export of its search (the same layout as a province's export).
export { recordRows } from './export.service.js';
export { writeWorkbook } from './workbook.writer.js';
