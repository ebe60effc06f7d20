import { Injectable } from '@nestjs/common';
import {
  SyncOutbox,
  type CustomFieldsChangedPayload,
  type OrgUnitsChangedPayload,
  type TeacherCreditsPayload,
  type TeacherUpsertedPayload,
} from '@tmis/contracts';
import { OutboxRepository } from './outbox.repository.js';

/**
 * The provincial node's side of the `SyncOutbox` port: each event is a row of `sync_outbox`, written
 * in the caller's open transaction, so it commits (or rolls back) with the change it describes. The
 * relay publishes it later. Callers build the payloads with `buildPayload` (validated against the
 * class the national node parses with).
 */
@Injectable()
export class SyncOutboxWriter extends SyncOutbox {
  constructor(private readonly outbox: OutboxRepository) {
    super();
  }

  async teacherReported(payload: TeacherUpsertedPayload): Promise<void> {
    await this.outbox.append('teacher.upserted', payload.teacherId, payload);
  }

  async customFieldsChanged(payload: CustomFieldsChangedPayload): Promise<void> {
    await this.outbox.append('custom-fields.changed', 'custom-fields', payload);
  }

  async unitsChanged(payload: OrgUnitsChangedPayload): Promise<void> {
    await this.outbox.append('org-units.changed', 'org-units', payload);
  }

  async creditsConfirmed(payload: TeacherCreditsPayload): Promise<void> {
    // Keyed by teacher, like the record: a teacher's credits follow their record in order.
    await this.outbox.append('teacher.credits', payload.teacherId, payload);
  }
}
