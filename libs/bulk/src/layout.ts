import {
  CATALOGUE,
  CATALOGUE_VERSION,
  catalogueIndex,
  fieldApplies,
  indicatorSet,
  type CodeEntry,
  type CustomFieldDefinition,
  type FieldType,
  type SubSetDef,
} from '@tmis/core-indicators';

/** Layout revision of the sheets (header rows, key columns); bumped when the layout itself changes. */
export const LAYOUT_VERSION = '1';
/** The value of the `format` entry of a template's `_meta` sheet (and of a CSV's first line). */
export const LAYOUT_FORMAT = 'tmis-bulk';
/** Header rows: 1 Chinese labels, 2 English labels, 3 field keys (hidden in xlsx). Data starts on row 4. */
export const HEADER_ROWS = 3;
export const META_SHEET = '_meta';
export const CODES_SHEET = '_codes';
export const INSTRUCTIONS_SHEET = '说明 Instructions';
/** Every indicator set at once: the layout of department templates and exports. */
export const ALL_SETS = 'all';

export type ColumnRole = 'unit' | 'key' | 'entryId' | 'field';

export interface LayoutColumn {
  key: string;
  zh: string;
  en: string;
  role: ColumnRole;
  type: FieldType;
  /** Allowed codes of code fields (catalogue table or the province's own codes). */
  codes?: readonly CodeEntry[];
  codeTable?: string;
  /** Sensitivity of the field ('pay' columns are dropped from masked exports). */
  sensitivity?: 'normal' | 'personal' | 'pay';
}

export interface SheetLayout {
  subSet: string;
  /** The sheet name: the sub-set's Chinese label (unique within the catalogue). */
  name: string;
  en: string;
  cardinality: 'one' | 'many';
  columns: LayoutColumn[];
}

export interface LayoutMeta {
  format: string;
  layoutVersion: string;
  kind: 'school' | 'department' | 'export';
  indicatorSet: string;
  catalogueVersion: string;
  /** `x_key@version` of the province's custom fields the layout was built with. */
  customFields: string;
  province: string;
  masked: string;
  generatedAt: string;
}

const KEY_COLUMNS: LayoutColumn[] = [
  {
    key: 'idType',
    zh: '身份证件类型',
    en: 'ID document type',
    role: 'key',
    type: 'code',
    codeTable: 'id-document-type',
  },
  { key: 'idNumber', zh: '身份证件号', en: 'ID document number', role: 'key', type: 'idNumber' },
];
const UNIT_COLUMN: LayoutColumn = {
  key: 'unitCode',
  zh: '单位代码（学校标识码）',
  en: 'Unit code (school identification code)',
  role: 'unit',
  type: 'string',
};
const ENTRY_ID_COLUMN: LayoutColumn = {
  key: 'id',
  zh: '条目标识（导出时填写，新增留空）',
  en: 'Entry id (filled by export; empty for new entries)',
  role: 'entryId',
  type: 'string',
};
const BASIC_FRONT = ['idType', 'idNumber', 'name'];

/** The sub-sets of a layout: those of one indicator set, or every sub-set for `all`. */
export function layoutSubSets(set: string): SubSetDef[] {
  const def = set === ALL_SETS ? undefined : indicatorSet(set);
  return [...CATALOGUE.subSets].filter((s) => !def || def.subSets.includes(s.key)).sort((a, b) => a.order - b.order);
}

/**
 * The sheets of a template or export: one per sub-set; the basic sheet carries the unit code and the
 * person's fields (ID type and number first), every other sheet the person key (ID type + number),
 * list sheets also the entry id (so that an export re-imports onto the same entries), then the fields
 * of the sub-set that apply in the set, then the province's active custom fields of the sub-set.
 */
export function sheetLayouts(
  set: string,
  custom: readonly CustomFieldDefinition[],
  opts: { withoutPay?: boolean } = {},
): SheetLayout[] {
  const tables = catalogueIndex(CATALOGUE).tables;
  const out: SheetLayout[] = [];
  for (const ss of layoutSubSets(set)) {
    const fields = ss.fields.filter((f) => set === ALL_SETS || fieldApplies(f, set));
    const fieldCols: LayoutColumn[] = fields.map((f) => ({
      key: f.key,
      zh: f.zh,
      en: f.en,
      role: 'field',
      type: f.type,
      codeTable: f.codeTable,
      codes: f.codeTable ? tables.get(f.codeTable)?.entries : undefined,
      sensitivity: f.sensitivity,
    }));
    for (const c of custom.filter((d) => d.subSet === ss.key && d.status === 'active')) {
      fieldCols.push({
        key: c.key,
        zh: c.zh,
        en: c.en,
        role: 'field',
        type: c.type,
        codeTable: c.codeTable ?? c.key,
        codes: c.codes ?? (c.codeTable ? tables.get(c.codeTable)?.entries : undefined),
        sensitivity: c.sensitivity,
      });
    }
    const kept = opts.withoutPay ? fieldCols.filter((c) => c.sensitivity !== 'pay') : fieldCols;
    if (opts.withoutPay && kept.length === 0) continue;
    let columns: LayoutColumn[];
    if (ss.key === 'basic') {
      const front = BASIC_FRONT.map((k) => kept.find((c) => c.key === k)).filter((c): c is LayoutColumn => !!c);
      columns = [UNIT_COLUMN, ...front, ...kept.filter((c) => !BASIC_FRONT.includes(c.key))];
    } else {
      columns = [...KEY_COLUMNS, ...(ss.cardinality === 'many' ? [ENTRY_ID_COLUMN] : []), ...kept];
    }
    out.push({ subSet: ss.key, name: ss.zh, en: ss.en, cardinality: ss.cardinality, columns });
  }
  return out;
}

/** The sheet layout of a sheet name (the sub-set's Chinese label), or undefined. */
export function sheetBySubSetName(name: string): SubSetDef | undefined {
  return CATALOGUE.subSets.find((s) => s.zh === name.trim());
}

export function layoutMeta(
  kind: LayoutMeta['kind'],
  set: string,
  custom: readonly CustomFieldDefinition[],
  province: string | undefined,
  masked: boolean,
): LayoutMeta {
  return {
    format: LAYOUT_FORMAT,
    layoutVersion: LAYOUT_VERSION,
    kind,
    indicatorSet: set,
    catalogueVersion: CATALOGUE_VERSION,
    customFields: custom
      .filter((c) => c.status === 'active')
      .map((c) => `${c.key}@${c.version}`)
      .join(','),
    province: province ?? '',
    masked: String(masked),
    generatedAt: new Date().toISOString(),
  };
}

/** Excel column letters of a 1-based column number. */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** The first line of a CSV file in this layout: `#tmis-bulk;layout=1;catalogue=…;subSet=…;kind=…;masked=…`. */
export function csvMetaLine(meta: LayoutMeta, subSet: string): string {
  return `#${meta.format};layout=${meta.layoutVersion};catalogue=${meta.catalogueVersion};subSet=${subSet};kind=${meta.kind};masked=${meta.masked}`;
}

export function parseCsvMetaLine(line: string): Record<string, string> | null {
  const m = /^\uFEFF?#([a-z-]+)((?:;[A-Za-z]+=[^;,]*)*)\s*,*\s*$/.exec(line.trim());
  if (!m) return null;
  const out: Record<string, string> = { format: m[1] };
  for (const part of m[2].split(';').filter(Boolean)) {
    const i = part.indexOf('=');
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}
