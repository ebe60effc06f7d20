import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeLabel, hasCode } from './code-table.js';
import { TITLE_LEVEL_OF_TITLE, PROFESSIONAL_TITLE, TITLE_LEVEL, QUALIFICATION_TYPE } from './career.js';
import { DEGREE, EDUCATION_LEVEL } from './education.js';
import {
  CHINESE_NATIONALITIES,
  ETHNICITY,
  HEALTH,
  MARITAL_STATUS,
  NATIONALITY,
  POLITICAL_STATUS,
  SEX,
} from './person.js';
import { CORE_CODE_TABLES, CODE_TABLES, labelOf } from './registry.js';
import { INDICATOR_SET_BY_SCHOOL_TYPE, SCHOOL_TYPES } from './school.js';
import { ACTIVE_PERSON_STATUSES, PERSON_STATUS, STAFF_CATEGORY } from './staff.js';

const codesOf = (t: { entries: readonly { code: string }[] }) => t.entries.map((e) => e.code);

describe('code tables', () => {
  it('every table has a key, an honest standard, unique codes and both labels', () => {
    assert.equal(new Set(CORE_CODE_TABLES.map((t) => t.key)).size, CORE_CODE_TABLES.length);
    for (const t of CORE_CODE_TABLES) {
      assert.ok(t.standard.length > 3, t.key);
      assert.equal(new Set(codesOf(t)).size, t.entries.length, `${t.key} has duplicate codes`);
      for (const e of t.entries) assert.ok(e.zh && e.en, `${t.key}.${e.code}`);
    }
    for (const t of CORE_CODE_TABLES.filter((x) => /TMIS working/.test(x.standard)))
      assert.doesNotMatch(t.standard, /as published/, t.key);
  });

  it('sex is GB/T 2261.1 (0, 1, 2, 9); marital status GB/T 2261.2; health GB/T 2261.3', () => {
    assert.deepEqual(codesOf(SEX), ['0', '1', '2', '9']);
    assert.deepEqual(codesOf(MARITAL_STATUS), ['10', '20', '21', '22', '23', '30', '40', '90']);
    assert.deepEqual(codesOf(HEALTH), ['1', '2', '3', '6']);
  });

  it('ethnicity has the 56 groups 01..56 plus 97 and 98 (GB/T 3304)', () => {
    const expected = [...Array.from({ length: 56 }, (_, i) => String(i + 1).padStart(2, '0')), '97', '98'];
    assert.deepEqual(codesOf(ETHNICITY), expected);
    assert.equal(codeLabel(ETHNICITY, '01')?.zh, '汉族');
    assert.equal(codeLabel(ETHNICITY, '56')?.zh, '基诺族');
    assert.equal(codeLabel(ETHNICITY, '98')?.zh, '外国血统中国籍人士');
  });

  it('political status is 01..13 (GB/T 4762)', () => {
    assert.deepEqual(
      codesOf(POLITICAL_STATUS),
      Array.from({ length: 13 }, (_, i) => String(i + 1).padStart(2, '0')),
    );
    assert.equal(codeLabel(POLITICAL_STATUS, '13')?.zh, '群众');
  });

  it('education levels (GB/T 4658-2006) and degrees (GB/T 6864-2003) follow their code structure', () => {
    for (const c of ['10', '11', '14', '20', '21', '30', '31', '40', '60', '70', '80', '90'])
      assert.ok(hasCode(EDUCATION_LEVEL, c), c);
    assert.ok(codesOf(EDUCATION_LEVEL).every((c) => /^\d{2}$/.test(c)));
    assert.ok(!hasCode(EDUCATION_LEVEL, '50'), 'there is no level 50');
    for (const c of ['0', '2', '3', '4', '204', '342', '404']) assert.ok(hasCode(DEGREE, c), c);
    for (const c of codesOf(DEGREE).filter((x) => x.length === 3))
      assert.ok(hasCode(DEGREE, c[0]), `${c} has its level ${c[0]}`);
    assert.equal(codeLabel(DEGREE, '204')?.zh, '教育学博士学位');
  });

  it('nationality holds China, its SARs and Taiwan, which are the Chinese nationalities', () => {
    for (const c of CHINESE_NATIONALITIES) assert.ok(hasCode(NATIONALITY, c), c);
    assert.deepEqual([...CHINESE_NATIONALITIES].sort(), ['CHN', 'HKG', 'MAC', 'TWN']);
    assert.ok(NATIONALITY.entries.length >= 19);
  });

  it('staff category has the JY/T 1001 codes of Appendix A; active statuses are person statuses', () => {
    assert.equal(codeLabel(STAFF_CATEGORY, '11')?.zh, '专任教师');
    assert.equal(codeLabel(STAFF_CATEGORY, '12')?.zh, '教辅人员');
    assert.equal(codeLabel(STAFF_CATEGORY, '13')?.zh, '行政人员');
    assert.equal(codeLabel(STAFF_CATEGORY, '14')?.zh, '工勤人员');
    for (const s of ACTIVE_PERSON_STATUSES) assert.ok(hasCode(PERSON_STATUS, s), s);
    assert.ok(!ACTIVE_PERSON_STATUSES.has('05'), 'retired is not active');
  });

  it('every professional title has a title level, and qualification types are 1..7', () => {
    assert.deepEqual(Object.keys(TITLE_LEVEL_OF_TITLE).sort(), codesOf(PROFESSIONAL_TITLE).sort());
    for (const level of Object.values(TITLE_LEVEL_OF_TITLE)) assert.ok(hasCode(TITLE_LEVEL, level), level);
    assert.equal(TITLE_LEVEL_OF_TITLE['011'], '1');
    assert.equal(TITLE_LEVEL_OF_TITLE['022'], '2');
    assert.deepEqual(codesOf(QUALIFICATION_TYPE), ['1', '2', '3', '4', '5', '6', '7']);
  });

  it('indicator sets are picked only for known school types; labels resolve through the registry', () => {
    for (const t of Object.keys(INDICATOR_SET_BY_SCHOOL_TYPE)) assert.ok(hasCode(SCHOOL_TYPES, t), t);
    assert.equal(labelOf('sex', '2')?.en, 'Female');
    assert.equal(labelOf('sex', '3'), undefined);
    assert.equal(labelOf('no-such-table', '1'), undefined);
    assert.equal(CODE_TABLES.get('ethnicity'), ETHNICITY);
  });
});
