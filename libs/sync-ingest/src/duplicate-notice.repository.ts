import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

export interface ActivePerson {
  idType: string;
  idNumber: string;
  province: string;
  teacherId: string;
}

/** Above this many records, one lock over every person instead of one per person. */
const PERSON_LOCKS_UP_TO = 500;
/** The advisory lock key over every person (its own value, out of the hashed person keys' way by its text). */
const ALL_PERSONS = '-7310485911402893071';

/** `national_duplicate_notice` (what the provinces were last told) and the person lookups the notices need. */
@Injectable()
export class DuplicateNoticeRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  /**
   * For the persons of these received records whose duplicate status may have changed — active in two
   * or more provinces now, or notified before —: every active record with the same ID document (any
   * province), and the provinces last notified about each person. A person with records in one
   * province only and no notice (nearly everyone) stays in PostgreSQL.
   */
  async personsOf(
    teacherIds: string[],
  ): Promise<{ active: ActivePerson[]; notified: { idType: string; idNumber: string; provinces: string[] }[] }> {
    if (!teacherIds.length) return { active: [], notified: [] };
    const ids = `SELECT DISTINCT id_type, id_number FROM national_teacher WHERE teacher_id = ANY($1::uuid[])`;
    // Two provinces' batches are applied concurrently (one consumer per topic): each transaction would
    // read only the other's committed rows and neither would see the duplicate. A lock per person, taken
    // in one order, makes the second reader wait for the first one's commit and then see both records.
    // A large set (a resync's chunks: thousands of persons) takes one exclusive lock over every person
    // instead, which the small sets take shared before their person locks: the lock table stays small,
    // and a large set waits only for this step and its commit.
    if (teacherIds.length > PERSON_LOCKS_UP_TO)
      await this.tx.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [ALL_PERSONS]);
    else {
      await this.tx.query(`SELECT pg_advisory_xact_lock_shared($1::bigint)`, [ALL_PERSONS]);
      await this.tx.query(
        `SELECT pg_advisory_xact_lock(k) FROM (
           SELECT DISTINCT hashtextextended('national-person:' || id_type || ':' || id_number, 0) AS k
             FROM national_teacher WHERE teacher_id = ANY($1::uuid[]) ORDER BY k) s`,
        [teacherIds],
      );
    }
    const active: ActivePerson[] = await this.tx.query(
      `SELECT n.id_type AS "idType", n.id_number AS "idNumber", n.province_code AS province, n.teacher_id::text AS "teacherId"
         FROM (${ids}) p JOIN national_teacher n ON n.id_type = p.id_type AND n.id_number = p.id_number AND n.active AND NOT n.removed
        WHERE EXISTS (SELECT 1 FROM national_teacher o WHERE o.id_type = p.id_type AND o.id_number = p.id_number AND o.active
                         AND NOT o.removed AND o.province_code <> n.province_code)
           OR EXISTS (SELECT 1 FROM national_duplicate_notice d WHERE d.id_type = p.id_type AND d.id_number = p.id_number)`,
      [teacherIds],
    );
    const notified = await this.tx.query(
      `SELECT d.id_type AS "idType", d.id_number AS "idNumber", d.provinces FROM (${ids}) p
         JOIN national_duplicate_notice d ON d.id_type = p.id_type AND d.id_number = p.id_number`,
      [teacherIds],
    );
    return { active, notified };
  }

  async setNotified(idType: string, idNumber: string, provinces: string[]): Promise<void> {
    if (!provinces.length)
      await this.tx.query(`DELETE FROM national_duplicate_notice WHERE id_type = $1 AND id_number = $2`, [
        idType,
        idNumber,
      ]);
    else
      await this.tx.query(
        `INSERT INTO national_duplicate_notice (id_type, id_number, provinces) VALUES ($1, $2, $3)
         ON CONFLICT (id_type, id_number) DO UPDATE SET provinces = EXCLUDED.provinces, updated_at = now()`,
        [idType, idNumber, provinces],
      );
  }
}
