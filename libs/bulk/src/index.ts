// The public surface of libs/bulk: only what other libs, apps, tests, bench and tools import.
export { BulkModule } from './bulk.module.js';
// For the benchmarks and tests that build import files in the templates' layout.
export { ALL_SETS, layoutMeta, sheetLayouts } from './layout.js';
export { markBadCells, writeWorkbook } from './workbook.writer.js';
// Cell reading shared with other imports (training results): the same forgiving cell rules.
export { cellToValue, type CellInput } from './cells.js';
export { excelCell } from './readers.js';
