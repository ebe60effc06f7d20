/**
 * The statistics engine's folded scan (issue 17): one loop per shape of question, written out as its own
 * function. Shared by the engine and its scan workers (`scan-worker.ts`), which run the same loop over
 * a part of the positions.
 */
/** The columns and constants of one folded scan (see `scanLoop`). */
export interface ScanParts {
  st: Uint8Array;
  un: Uint32Array;
  ukey: Int32Array;
  group: Uint32Array | null;
  dense: Uint32Array;
  /** By a row's state: 1 when it is counted (active, or any person when inactive ones are asked for). */
  stateOk: Uint8Array;
  fc: Uint8Array[];
  fm: (Uint8Array | null)[];
  fa: Uint8Array[];
  mc: (Uint8Array | Uint16Array | Uint32Array)[];
  mk: number[];
  dc: Uint8Array[];
  dm: (Uint8Array | null)[];
  ds: number[];
  mCol: Uint8Array | Uint16Array | Uint32Array | null;
  mRestrict: number;
  mStride: number;
}

export interface ScanShape {
  grouped: boolean;
  byteFilterMaps: boolean[];
  multiFilters: number;
  byteDimMaps: boolean[];
  multi: boolean;
}

const SCAN_LOOPS = new Map<string, (parts: ScanParts) => (from: number, to: number) => number>();

/**
 * The folded scan's loop for one shape of question (how many byte and multi-valued filters, byte
 * dimensions, which read through a map; a multi-valued dimension or not; a position group or all rows),
 * written out as its own function, once per shape and kept: every column is a named constant of the
 * loop and each access sees one kind of typed array, so V8 compiles it to a tight loop (~10 ns a row
 * through arrays of columns, ~2–3 written out). Only counts and fixed identifiers go into the text:
 * no value of a question is ever part of it.
 */
export function scanLoop(shape: ScanShape): (parts: ScanParts) => (from: number, to: number) => number {
  const id = JSON.stringify(shape);
  const known = SCAN_LOOPS.get(id);
  if (known) return known;
  const read = (col: string, map: string | null) => (map ? `${map}[${col}[i]]` : `${col}[i]`);
  const consts = [
    ...shape.byteFilterMaps.flatMap((m, f) => [
      `fc${f} = p.fc[${f}]`,
      `fa${f} = p.fa[${f}]`,
      ...(m ? [`fm${f} = p.fm[${f}]`] : []),
    ]),
    ...Array.from({ length: shape.multiFilters }, (_, f) => [`mc${f} = p.mc[${f}]`, `mk${f} = p.mk[${f}]`]).flat(),
    ...shape.byteDimMaps.flatMap((m, d) => [
      `dc${d} = p.dc[${d}]`,
      `ds${d} = p.ds[${d}]`,
      ...(m ? [`dm${d} = p.dm[${d}]`] : []),
    ]),
  ];
  // Whether a row passes its state and every filter is one 0/1 product of byte reads, tested before the row's
  // unit is looked up: the unit's key is a gather (positions are not in unit order), and a filter that
  // passes few rows then spares most of them (a third of the time at 15 M, session 14). The test is one
  // branch; a row that passes is counted in its cell (branch-free counting was slower: the failing rows'
  // increments of one trash slot form a chain).
  const bit = (x: string) => `((${x} | -${x}) >>> 31)`; // 1 when the 32-bit value x is not 0
  const tests = [
    'stateOk[st[i]]',
    ...shape.byteFilterMaps.map((m, f) => `fa${f}[${read(`fc${f}`, m ? `fm${f}` : null)}]`),
    ...Array.from({ length: shape.multiFilters }, (_, f) => bit(`(mc${f}[i] & mk${f})`)),
  ];
  const body = `
    const st = p.st, un = p.un, ukey = p.ukey, group = p.group, dense = p.dense, stateOk = p.stateOk;
    const mCol = p.mCol, mRestrict = p.mRestrict, mStride = p.mStride;
    ${consts.length ? `const ${consts.join(', ')};` : ''}
    return function scan(from, to) {
      let passed = 0;
      for (let j = from; j < to; j++) {
        const i = ${shape.grouped ? 'group[j]' : 'j'};
        if ((${tests.join(' & ')}) === 0) continue;
        let key = ukey[un[i]];
        if (key < 0) continue;
        passed++;
        ${shape.byteDimMaps.map((m, d) => `key += ${read(`dc${d}`, m ? `dm${d}` : null)} * ds${d};`).join('\n        ')}
        ${
          shape.multi
            ? `let a = mCol[i] & mRestrict;
        if (a === 0) { dense[key]++; continue; }
        do { const bit = a & -a; dense[key + (32 - Math.clz32(bit)) * mStride]++; a ^= bit; } while (a !== 0);`
            : 'dense[key]++;'
        }
      }
      return passed;
    };`;
  const make = new Function('p', body) as (parts: ScanParts) => (from: number, to: number) => number;
  SCAN_LOOPS.set(id, make);
  return make;
}
