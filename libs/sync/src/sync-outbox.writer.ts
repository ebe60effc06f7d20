import { Injectable } from '@nestjs/common';
import {
  SyncOutbox,
  type CustomFieldsChangedPayload,
  type OrgUnitsChangedPayload,
  type TeacherUpsertedPayload,
} from '@tmis/contracts';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

/**
 * The provincial node's side of the `SyncOutbox` port: each event is a row of `sync_outbox`, written
 * in the caller's open transaction, so it commits (or rolls back) with the change it describes. The
 * relay publishes it later. The only writer of `sync_outbox` rows for live changes.
 */
@Injectable()
export class SyncOutboxWriter extends SyncOutbox {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {
    super();
  }

  async teacherReported(payload: TeacherUpsertedPayload): Promise<void> {
    await this.insert('teacher.upserted', payload.teacherId, payload);
  }

  async customFieldsChanged(payload: CustomFieldsChangedPayload): Promise<void> {
    await this.insert('custom-fields.changed', 'custom-fields', payload);
  }

  async unitsChanged(payload: OrgUnitsChangedPayload): Promise<void> {
    await this.insert('org-units.changed', 'org-units', payload);
  }

  private async insert(type: string, key: string, payload: object): Promise<void> {
    await this.txHost.tx.query(`INSERT INTO sync_outbox (type, key, payload) VALUES ($1, $2, $3::jsonb)`, [
      type,
      key,
      JSON.stringify(payload),
    ]);
  }
}

/** The national node is the hub: what its own units and records do is not sent anywhere. */
@Injectable()
export class NoSyncOutbox extends SyncOutbox {
  async teacherReported(): Promise<void> {}
  async customFieldsChanged(): Promise<void> {}
  async unitsChanged(): Promise<void> {}
}
