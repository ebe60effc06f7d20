import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PROVINCIAL_NODE } from '@tmis/org';
import type { TeacherRow } from '../teacher.repository.js';

/**
 * Transactional outbox: the event row is written in the same transaction as the change it
 * describes (a record becoming, or staying, reported). The sync relay publishes it later.
 */
@Injectable()
export class OutboxWriter {
  async teacherReported(tx: EntityManager, teacherId: string): Promise<void> {
    const [t]: (Pick<
      TeacherRow,
      'id' | 'idType' | 'idNumber' | 'name' | 'personStatus' | 'record' | 'custom' | 'catalogueVersion'
    > & { unitCode: string; version: number })[] = await tx.query(
      `SELECT t.id, t.id_type AS "idType", t.id_number AS "idNumber", t.name, t.person_status AS "personStatus", t.record, t.custom,
              t.catalogue_version AS "catalogueVersion", t.version, u.code AS "unitCode"
         FROM teacher t JOIN org_unit u ON u.id = t.unit_id WHERE t.id = $1`,
      [teacherId],
    );
    if (!t) return;
    // Only a provincial node syncs up: the national node (the one with the ministry unit) keeps its own records.
    await tx.query(
      `INSERT INTO sync_outbox (type, key, payload) SELECT 'teacher.upserted', $1::varchar, $2::jsonb WHERE ${PROVINCIAL_NODE}`,
      [
        t.id,
        JSON.stringify({
          teacherId: t.id,
          unitCode: t.unitCode,
          idType: t.idType,
          idNumber: t.idNumber,
          name: t.name,
          personStatus: t.personStatus,
          reportedVersion: t.version,
          record: t.record,
          custom: t.custom,
          catalogueVersion: t.catalogueVersion,
        }),
      ],
    );
  }

  async customFieldsChanged(tx: EntityManager, definitions: unknown[]): Promise<void> {
    await tx.query(
      `INSERT INTO sync_outbox (type, key, payload) SELECT 'custom-fields.changed', 'custom-fields', $1::jsonb WHERE ${PROVINCIAL_NODE}`,
      [JSON.stringify({ definitions })],
    );
  }
}
