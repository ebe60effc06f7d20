import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Role, type Actor } from '@tmis/access';
import { availableActions, transition } from '@tmis/workflow';
import { authorityLevelFor, REGISTRATION_WORKFLOW, type ApplicationContext } from './registration.workflow.js';

const SCHOOL_PATH = '/000000/110000/110100/110101/2111000001/';
const actor = (unitPath: string, unitLevel: number, role = Role.InfoAdmin): Actor => ({
  accountId: 'a',
  sessionId: 's',
  role,
  unitId: 'u',
  unitPath,
  unitLevel,
  mustChangePassword: false,
});
const ctx = (a: Actor, outcome?: ApplicationContext['outcome']): ApplicationContext => ({
  actor: a,
  unitPath: SCHOOL_PATH,
  isOwner: false,
  authorityLevel: 4,
  outcome,
});
const school = actor(SCHOOL_PATH, 5);
const county = actor('/000000/110000/110100/110101/', 4);
const city = actor('/000000/110000/110100/', 3);
const otherCounty = actor('/000000/110000/110100/110102/', 4);

describe('registration workflow guards', () => {
  it('the school confirms or returns (with a reason); nobody else', () => {
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'applied', ctx(school)), [
      'school-confirm',
      'school-return',
    ]);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'applied', ctx(county)), []);
    assert.equal(
      (transition(REGISTRATION_WORKFLOW, 'applied', 'school-return', ctx(school)) as { reason: string }).reason,
      'reason-required',
    );
    assert.equal(transition(REGISTRATION_WORKFLOW, 'applied', 'school-confirm', ctx(school)).ok, true);
  });
  it('the authority (the named level, in scope) decides only what the eligibility says', () => {
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'school_confirmed', ctx(county, 'eligible')), [
      'register',
    ]);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'school_confirmed', ctx(county, 'deferred')), ['defer']);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'school_confirmed', ctx(county, 'not_passed')), [
      'refuse',
    ]);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'school_confirmed', ctx(county)), []);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'school_confirmed', ctx(city, 'eligible')), []);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'school_confirmed', ctx(otherCounty, 'eligible')), []);
    assert.deepEqual(
      availableActions(REGISTRATION_WORKFLOW, 'school_confirmed', { ...ctx(city, 'eligible'), authorityLevel: 3 }),
      ['register'],
      'a province naming the city as the authority',
    );
    assert.equal(
      (transition(REGISTRATION_WORKFLOW, 'applied', 'register', ctx(county, 'eligible')) as { reason: string }).reason,
      'illegal-transition',
      'not before the school confirmed',
    );
  });
  it('decided applications are closed', () => {
    for (const s of ['registered', 'deferred', 'not_passed', 'returned'] as const)
      assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, s, ctx(county, 'eligible')), []);
  });
  it('a registration is revoked only by a confirmed veto, by a department in scope, with its reason', () => {
    const vetoed = (a: Actor) => ({ ...ctx(a), vetoConfirmed: true });
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'registered', vetoed(county)), ['veto-revoke']);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'registered', vetoed(city)), ['veto-revoke']);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'registered', vetoed(school)), []);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'registered', vetoed(otherCounty)), []);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'deferred', vetoed(county)), []);
    assert.equal(
      (transition(REGISTRATION_WORKFLOW, 'registered', 'veto-revoke', vetoed(county)) as { reason: string }).reason,
      'reason-required',
    );
  });
  it("a central university's applications are decided by the ministry (no province above it)", () => {
    const UNI = '/000000/4111010001/';
    assert.equal(authorityLevelFor(UNI, 4), 1);
    assert.equal(authorityLevelFor(`${UNI}dept01/`, 3), 1, "a university's secondary department too");
    assert.equal(authorityLevelFor(SCHOOL_PATH, 4), 4, 'a school in a province: the level the rules name');
    assert.equal(authorityLevelFor(SCHOOL_PATH, 3), 3);
    const onUni = (a: Actor): ApplicationContext => ({
      actor: a,
      unitPath: UNI,
      isOwner: false,
      authorityLevel: authorityLevelFor(UNI, 4),
      outcome: 'eligible',
    });
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'school_confirmed', onUni(actor('/000000/', 1))), [
      'register',
    ]);
    assert.deepEqual(availableActions(REGISTRATION_WORKFLOW, 'school_confirmed', onUni(actor(UNI, 5))), []);
    assert.deepEqual(
      availableActions(REGISTRATION_WORKFLOW, 'school_confirmed', onUni(actor('/000000/110000/', 2))),
      [],
      "a province's administrator is out of the university's scope",
    );
  });
});
