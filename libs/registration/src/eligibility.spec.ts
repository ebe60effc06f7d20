import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assessEligibility,
  assessTitleEligibility,
  assessmentYears,
  cycleContaining,
  registrationStatus,
  vetoUntil,
  type CreditEntry,
  type RecordFacts,
} from './eligibility.js';
import { anniversary, cycleEnd, DEFAULT_RULES, rulesOn, wholeYears } from './rules.js';

const cycle = { start: '2021-09-01', end: '2026-08-31' };
const asOf = '2026-06-15';
const allQualified = [2021, 2022, 2023, 2024, 2025].map((year) => ({ year, result: '2' }));
const facts = (over: Partial<RecordFacts> = {}): RecordFacts => ({
  personStatus: '01',
  assessments: allQualified,
  violations: [],
  ...over,
});
let n = 0;
const credit = (hours: number, over: Partial<CreditEntry> = {}): CreditEntry => ({
  id: `c${++n}`,
  kind: 'project',
  credits: hours / 10,
  hours,
  confirmedOn: '2023-05-01',
  source: '11',
  ruleVersion: '11-2026.1',
  appliedTo: null,
  ...over,
});
const run = (f: RecordFacts, credits: CreditEntry[], rules = DEFAULT_RULES, at = asOf, c = cycle) =>
  assessEligibility({ facts: f, credits, rules, cycle: c, asOf: at });
const cond = (e: ReturnType<typeof run>, key: string) => e.conditions.find((c) => c.key === key)!;

describe('registration eligibility (pure)', () => {
  it('eligible: in post, every assessment qualified, 360 hours, no veto; the credits used are named', () => {
    const cs = [credit(200), credit(160)];
    const e = run(facts(), cs);
    assert.equal(e.outcome, 'eligible');
    assert.deepEqual(
      e.conditions.map((c) => [c.key, c.met]),
      [
        ['on-post', true],
        ['assessments', true],
        ['credits', true],
        ['ethics', true],
      ],
    );
    assert.deepEqual(
      e.creditIds,
      cs.map((c) => c.id),
    );
    assert.equal(cond(e, 'credits').evidence.totalHours, 360);
    assert.deepEqual(e.missing, []);
  });

  it('any unqualified year defers, with the year as evidence', () => {
    const e = run(facts({ assessments: allQualified.map((a) => (a.year === 2023 ? { ...a, result: '4' } : a)) }), [
      credit(360),
    ]);
    assert.equal(e.outcome, 'deferred');
    assert.deepEqual(cond(e, 'assessments').evidence.unqualifiedYears, [2023]);
    assert.deepEqual(e.creditIds, [], 'no credits are used by a deferral');
    assert.equal(e.missing[0].key, 'assessments');
  });

  it('basically qualified (3) and not graded (5) do not defer; a missing year does unless the rules say otherwise', () => {
    const soft = allQualified.map((a, i) => ({ ...a, result: i === 0 ? '3' : i === 1 ? '5' : '1' }));
    assert.equal(run(facts({ assessments: soft }), [credit(360)]).outcome, 'eligible');
    const gap = allQualified.filter((a) => a.year !== 2024);
    const e = run(facts({ assessments: gap }), [credit(360)]);
    assert.equal(e.outcome, 'deferred');
    assert.deepEqual(cond(e, 'assessments').evidence.missingYears, [2024]);
    assert.equal(
      run(facts({ assessments: gap }), [credit(360)], { ...DEFAULT_RULES, missingAssessmentDefers: false }).outcome,
      'eligible',
    );
  });

  it('assessment years: those whose 31 December lies in the cycle and on or before the date', () => {
    assert.deepEqual(assessmentYears(cycle, asOf), [2021, 2022, 2023, 2024, 2025]);
    assert.deepEqual(assessmentYears(cycle, '2025-12-30'), [2021, 2022, 2023, 2024]);
    assert.deepEqual(assessmentYears(cycle, '2025-12-31'), [2021, 2022, 2023, 2024, 2025]);
    assert.deepEqual(
      assessmentYears({ start: '2022-01-01', end: '2026-12-31' }, '2027-03-01'),
      [2022, 2023, 2024, 2025, 2026],
    );
    // A cycle starting on 31 December counts that year; one starting on 1 January of the next does not.
    assert.deepEqual(assessmentYears({ start: '2021-12-31', end: '2026-12-30' }, '2022-01-05'), [2021]);
    assert.deepEqual(assessmentYears({ start: '2022-01-01', end: '2026-12-31' }, '2022-01-05'), []);
  });

  it('hours below the threshold defer; exactly the threshold passes (boundary)', () => {
    assert.equal(run(facts(), [credit(359.5)]).outcome, 'deferred');
    const e = run(facts(), [credit(359.5)]);
    assert.match(cond(e, 'credits').en, /0\.5 missing/);
    assert.equal(run(facts(), [credit(359.5), credit(0.5)]).outcome, 'eligible');
  });

  it('credits confirmed outside the cycle, of kinds that do not count, or already applied are not counted', () => {
    const outside = [credit(300, { confirmedOn: '2021-08-31' }), credit(60, { confirmedOn: '2026-09-01' })];
    assert.equal(run(facts(), outside).outcome, 'deferred');
    const edges = [credit(300, { confirmedOn: '2021-09-01' }), credit(60, { confirmedOn: '2026-08-31' })];
    assert.equal(run(facts(), edges).outcome, 'eligible', 'both cycle edges are inside');
    const rules = { ...DEFAULT_RULES, countedKinds: ['project'] };
    assert.equal(run(facts(), [credit(300), credit(60, { kind: 'self-study' })], rules).outcome, 'deferred');
    assert.equal(run(facts(), [credit(300), credit(60, { appliedTo: 'title:x' })]).outcome, 'deferred');
  });

  it('a province counting credits compares credits, not hours', () => {
    const rules = { ...DEFAULT_RULES, requiredCredits: 72 };
    assert.equal(run(facts(), [credit(360, { credits: 71 })], rules).outcome, 'deferred');
    const e = run(facts(), [credit(100, { credits: 72 })], rules);
    assert.equal(e.outcome, 'eligible');
    assert.equal(cond(e, 'credits').evidence.measure, 'credits');
  });

  it('a mid-cycle transfer between provinces: credits confirmed under either province count at their confirmed value', () => {
    const before = credit(200, { source: '11', ruleVersion: '11-2024.1', credits: 20, confirmedOn: '2022-03-01' });
    const after = credit(160, { source: '44', ruleVersion: '44-2025.2', credits: 10, confirmedOn: '2025-03-01' });
    const e = run(facts(), [before, after], { ...DEFAULT_RULES, requiredCredits: 30 });
    assert.equal(e.outcome, 'eligible');
    assert.deepEqual(cond(e, 'credits').evidence.sources, ['11', '44']);
    assert.equal(cond(e, 'credits').evidence.totalCredits, 30);
    assert.equal(run(facts(), [before, after]).outcome, 'eligible', '360 hours across both provinces');
  });

  it('a confirmed serious ethics violation in the cycle is a veto (not passed), whatever else holds', () => {
    const v = { id: 'v1', date: '2024-04-01', vetoUntil: vetoUntil('2024-04-01', DEFAULT_RULES) };
    const e = run(facts({ violations: [v] }), [credit(360)]);
    assert.equal(e.outcome, 'not_passed');
    assert.equal(cond(e, 'ethics').effect, 'veto');
    const both = run(facts({ violations: [v], personStatus: '03' }), [credit(10)]);
    assert.equal(both.outcome, 'not_passed', 'the veto outranks deferrals');
  });

  it('the veto period is data: a violation before the cycle vetoes while its period overlaps the cycle', () => {
    const old = { id: 'v', date: '2018-01-10', vetoUntil: vetoUntil('2018-01-10', DEFAULT_RULES) };
    assert.equal(old.vetoUntil, '2023-01-09');
    assert.equal(run(facts({ violations: [old] }), [credit(360)]).outcome, 'not_passed');
    const short = { ...old, vetoUntil: vetoUntil('2018-01-10', { ...DEFAULT_RULES, vetoYears: 3 }) };
    assert.equal(short.vetoUntil, '2021-01-09');
    assert.equal(run(facts({ violations: [short] }), [credit(360)]).outcome, 'eligible');
    const edge = { id: 'e', date: '2016-09-01', vetoUntil: '2021-09-01' };
    assert.equal(run(facts({ violations: [edge] }), [credit(360)]).outcome, 'not_passed', 'ends on the first day');
    const after = { id: 'a', date: '2026-09-01', vetoUntil: '2031-08-31' };
    assert.equal(run(facts({ violations: [after] }), [credit(360)]).outcome, 'eligible', 'after the cycle');
  });

  it('not in post (long sick leave, long absence) defers', () => {
    for (const s of ['02', '03']) assert.equal(run(facts({ personStatus: s }), [credit(360)]).outcome, 'deferred');
    assert.equal(run(facts({ personStatus: null }), [credit(360)]).outcome, 'deferred');
  });
});

describe('cycles and dates', () => {
  it('a cycle ends the day before its anniversary; 29 February starts end on 28 February', () => {
    assert.equal(cycleEnd('2021-09-01', 5), '2026-08-31');
    assert.equal(cycleEnd('2022-01-01', 5), '2026-12-31');
    assert.equal(anniversary('2024-02-29', 5), '2029-03-01');
    assert.equal(cycleEnd('2024-02-29', 5), '2029-02-28');
    assert.equal(cycleEnd('2024-02-29', 4), '2028-02-28', 'leap to leap');
    assert.equal(cycleEnd('2023-03-01', 5), '2028-02-29', 'ends on a leap day');
  });

  it('a leap-day cycle: credits on its first and last day count', () => {
    const c = { start: '2024-02-29', end: cycleEnd('2024-02-29', 5) };
    const f = facts({ assessments: [2024, 2025, 2026, 2027, 2028].map((year) => ({ year, result: '1' })) });
    const cs = [credit(300, { confirmedOn: '2024-02-29' }), credit(60, { confirmedOn: '2029-02-28' })];
    assert.equal(run(f, cs, DEFAULT_RULES, '2029-02-28', c).outcome, 'eligible');
    assert.equal(
      run(f, [cs[0], credit(60, { confirmedOn: '2029-03-01' })], DEFAULT_RULES, '2029-03-01', c).outcome,
      'deferred',
    );
  });

  it('whole years count the anniversary, including 29 February', () => {
    assert.equal(wholeYears('2021-06-15', '2026-06-14'), 4);
    assert.equal(wholeYears('2021-06-15', '2026-06-15'), 5);
    assert.equal(wholeYears('2024-02-29', '2025-02-28'), 0);
    assert.equal(wholeYears('2024-02-29', '2025-03-01'), 1);
  });

  it('the cycle containing a date, anchored on the qualification date', () => {
    assert.deepEqual(cycleContaining('2011-12-15', 5, '2026-11-30'), { start: '2021-12-15', end: '2026-12-14' });
    assert.deepEqual(cycleContaining('2011-12-15', 5, '2026-12-15'), { start: '2026-12-15', end: '2031-12-14' });
    assert.deepEqual(cycleContaining('2024-02-29', 5, '2029-02-28'), { start: '2024-02-29', end: '2029-02-28' });
    assert.deepEqual(cycleContaining('2024-02-29', 5, '2029-03-01'), { start: '2029-03-01', end: '2034-02-28' });
    assert.deepEqual(cycleContaining('2030-01-01', 5, '2026-01-01'), { start: '2030-01-01', end: '2034-12-31' });
  });

  it('rules versions: the latest effective on the date, over the defaults', () => {
    const versions = [
      { version: '11-a', effectiveFrom: '2020-01-01', rules: { requiredHours: 300 } },
      { version: '11-b', effectiveFrom: '2026-01-01', rules: { requiredCredits: 72, countedKinds: ['project'] } },
    ];
    assert.equal(rulesOn([], '2026-01-01').requiredHours, 360);
    assert.equal(rulesOn(versions, '2019-12-31').version, 'default');
    assert.equal(rulesOn(versions, '2025-12-31').requiredHours, 300);
    const b = rulesOn(versions, '2026-01-01');
    assert.deepEqual([b.version, b.requiredHours, b.requiredCredits, b.cycleYears], ['11-b', 360, 72, 5]);
  });
});

describe('registration status', () => {
  const q = { issuedDate: '2016-12-15' };
  it('never registered: first registration for the cycle containing today', () => {
    const s = registrationStatus(q, null, DEFAULT_RULES, '2026-11-30')!;
    assert.equal(s.status, 'first');
    assert.deepEqual(s.cycle, { start: '2021-12-15', end: '2026-12-14' });
    assert.equal(registrationStatus({ issuedDate: null }, null, DEFAULT_RULES, '2026-11-30'), null);
  });
  it('registered → the next cycle; due in its last calendar year; lapsed after it', () => {
    const last = { result: 'registered' as const, cycle: { start: '2021-12-15', end: '2026-12-14' }, reason: null };
    const r = registrationStatus(q, last, DEFAULT_RULES, '2027-01-10')!;
    assert.deepEqual(
      [r.status, r.cycle.start, r.cycle.end, r.mayApply],
      ['registered', '2026-12-15', '2031-12-14', false],
    );
    assert.equal(registrationStatus(q, last, DEFAULT_RULES, '2030-12-31')!.status, 'registered');
    assert.equal(registrationStatus(q, last, DEFAULT_RULES, '2031-01-01')!.status, 'due');
    assert.equal(registrationStatus(q, last, DEFAULT_RULES, '2031-12-14')!.status, 'due');
    assert.equal(registrationStatus(q, last, DEFAULT_RULES, '2031-12-15')!.status, 'lapsed');
  });
  it('deferred may re-apply for the same cycle; not passed may not', () => {
    const c = { start: '2021-12-15', end: '2026-12-14' };
    const d = registrationStatus(q, { result: 'deferred', cycle: c, reason: '学时不足' }, DEFAULT_RULES, '2026-12-01')!;
    assert.deepEqual([d.status, d.mayApply, d.reason, d.cycle], ['deferred', true, '学时不足', c]);
    const np = registrationStatus(q, { result: 'not_passed', cycle: c, reason: 'veto' }, DEFAULT_RULES, '2026-12-01')!;
    assert.deepEqual([np.status, np.mayApply], ['not_passed', false]);
  });
});

describe('title evaluation eligibility (pure)', () => {
  const base = {
    gradeSince: '2019-09-01',
    credits: [credit(360, { confirmedOn: '2024-01-01' })],
    rules: DEFAULT_RULES,
    asOf: '2026-06-15',
  };
  it('eligible with five years in grade, qualified assessments, the training and no veto', () => {
    const t = assessTitleEligibility({ ...base, facts: facts() });
    assert.equal(t.eligible, true, JSON.stringify(t.reason));
  });
  it('refuses with the veto as the reason while the veto is in force', () => {
    const v = { id: 'v', date: '2025-01-01', vetoUntil: vetoUntil('2025-01-01', DEFAULT_RULES) };
    const t = assessTitleEligibility({ ...base, facts: facts({ violations: [v] }), gradeSince: '2010-01-01' });
    assert.equal(t.eligible, false);
    assert.equal(t.reason!.key, 'ethics');
    assert.match(t.reason!.zh, /一票否决/);
    const later = assessTitleEligibility({ ...base, asOf: '2030-01-01', facts: facts({ violations: [v] }) });
    assert.notEqual(later.reason?.key, 'ethics', 'the veto ends with its period');
  });
  it('refuses too few years in grade (the anniversary counts)', () => {
    assert.equal(
      assessTitleEligibility({ ...base, facts: facts(), gradeSince: '2021-06-16' }).reason!.key,
      'years-in-grade',
    );
    assert.equal(assessTitleEligibility({ ...base, facts: facts(), gradeSince: '2021-06-15' }).eligible, true);
  });
});
