import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, Max, ValidateNested } from 'class-validator';
import { findBadText, jsonDepthExceeds, textProblem } from './request-guard.js';
import { RequestErrorCode } from './request.errors.js';
import { implicitRuleErrors, INT4_MAX } from './validation.js';

describe('request guard', () => {
  it('measures JSON nesting without parsing, ignoring brackets inside strings', () => {
    const enc = (s: string) => Buffer.from(s);
    assert.equal(jsonDepthExceeds(enc('{"a":[1,{"b":[]}]}'), 4), false);
    assert.equal(jsonDepthExceeds(enc('{"a":[1,{"b":[[]]}]}'), 4), true);
    assert.equal(jsonDepthExceeds(enc('{"a":"[[[[[[[[[[\\"[[[["}'), 1), false);
    assert.equal(jsonDepthExceeds(enc('['.repeat(100_000)), 32), true);
  });

  it('finds NUL and lone surrogates in values and member names, with their paths', () => {
    assert.equal(textProblem('ok 中文 😀'), null);
    assert.equal(textProblem('a\u0000'), RequestErrorCode.NulCharacter);
    assert.equal(textProblem('\ud800'), RequestErrorCode.InvalidUnicode);
    assert.equal(textProblem('x\udc00'), RequestErrorCode.InvalidUnicode);
    assert.deepEqual(findBadText({ a: [{ b: 'ok' }, { c: 'x\u0000' }] }), {
      path: 'a[1].c',
      code: RequestErrorCode.NulCharacter,
    });
    assert.deepEqual(findBadText({ ['k\ud800']: 1 }), { path: 'k?', code: RequestErrorCode.InvalidUnicode });
    assert.equal(findBadText({ a: 1, b: [true, null, 'fine'] }), null);
  });
});

class Inner {
  @IsOptional() @IsObject() basic?: Record<string, unknown>;
}
class Outer {
  @IsInt() version!: number;
  @IsInt() @Max(Number.MAX_SAFE_INTEGER) sequence!: number;
  @ValidateNested() @Type(() => Inner) changes!: Inner;
  @IsOptional() @ValidateNested() @Type(() => Inner) extra?: Inner;
}

describe('implicit validation rules', () => {
  const o = (v: Partial<Outer>) => Object.assign(new Outer(), v);
  it('bounds an @IsInt without @Max to int4, and leaves an explicit @Max alone', () => {
    assert.deepEqual(implicitRuleErrors(o({ version: 1, sequence: 2 ** 40, changes: new Inner() })), []);
    const errors = implicitRuleErrors(o({ version: INT4_MAX + 1, sequence: 1, changes: new Inner() }));
    assert.deepEqual(
      errors.map((e) => [e.property, Object.keys(e.constraints ?? {})]),
      [['version', ['max']]],
    );
  });
  it('requires a nested member that is not optional', () => {
    const errors = implicitRuleErrors(o({ version: 1, sequence: 1 }));
    assert.deepEqual(
      errors.map((e) => [e.property, Object.keys(e.constraints ?? {})]),
      [['changes', ['isDefined']]],
    );
  });
});
