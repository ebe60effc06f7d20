import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTransientDatabaseError } from './rows.js';

describe('isTransientDatabaseError', () => {
  it('is true for a database restarting, unreachable or busy, through TypeORM or the driver', () => {
    for (const e of [
      { code: '57P01', message: 'terminating connection due to administrator command' },
      { driverError: { code: '57P03', message: 'the database system is starting up' } },
      { code: '08006' },
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
      new Error('Connection terminated unexpectedly'),
      { code: '40P01', message: 'deadlock detected' },
    ])
      assert.equal(isTransientDatabaseError(e), true, JSON.stringify(e));
  });
  it('is false for what a statement or its data caused', () => {
    for (const e of [
      { code: '22P02', message: 'invalid input syntax for type uuid' },
      { code: '23505', message: 'duplicate key value violates unique constraint' },
      { code: '42883', message: 'function max(uuid) does not exist' },
      new Error('resync payload invalid'),
      null,
    ])
      assert.equal(isTransientDatabaseError(e), false, JSON.stringify(e));
  });
});
