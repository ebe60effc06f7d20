import { Injectable } from '@nestjs/common';
import { SyncOutbox } from '@tmis/contracts';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { TeacherRepository, type ReviewState } from '../teacher.repository.js';
import { toReportedPayload } from './reported-payload.js';

/**
 * The one way a record becomes (or stays) reported: department approval, an approved change request,
 * a status change of a reported record, a unit merge moving reported records, and bulk paths all come
 * here. The record is marked reported at its current version and exactly one `teacherReported` event
 * per record is announced through the `SyncOutbox` port, in the caller's transaction.
 */
@Injectable()
export class RecordReporting {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly records: TeacherRepository,
    private readonly outbox: SyncOutbox,
  ) {}

  /**
   * Reports one record; with `expect`, only if it is still in `expect.from` at `expect.version`.
   * Returns false when the guard did not hold (nothing written, nothing announced).
   */
  report(teacherId: string, expect?: { from: ReviewState; version: number }): Promise<boolean> {
    return this.txHost.withTransaction(async () => {
      return (await this.reportRows([teacherId], expect)) === 1;
    });
  }

  /**
   * Set-based: reports every record in `teacherIds` at its current version (one statement) and
   * announces each once, in the caller's transaction (or one of its own). For bulk paths.
   * Returns how many records were reported.
   */
  reportMany(teacherIds: string[]): Promise<number> {
    return this.txHost.withTransaction(async () => {
      return this.reportRows([...new Set(teacherIds)]);
    });
  }

  private async reportRows(ids: string[], expect?: { from: ReviewState; version: number }): Promise<number> {
    const rows = await this.records.markReported(ids, expect);
    for (const row of rows) await this.outbox.teacherReported(toReportedPayload(row));
    return rows.length;
  }
}
