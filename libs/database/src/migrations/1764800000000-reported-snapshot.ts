import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reported state of a record that has changed since it was reported (federation resync must
 * re-publish what was reported, not a draft under review). Kept by a trigger, so every write path
 * is covered: when a reported record is first changed, its reported state is copied here; when the
 * record is reported again, the copy is dropped. Records unchanged since reporting have no row.
 */
export class ReportedSnapshot1764800000000 implements MigrationInterface {
  name = 'ReportedSnapshot1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE teacher_reported (
        teacher_id uuid PRIMARY KEY REFERENCES teacher(id),
        reported_version integer NOT NULL,
        id_type varchar(2) NOT NULL,
        id_number varchar(32) NOT NULL,
        name varchar(100) NOT NULL,
        person_status varchar(4) NOT NULL,
        record jsonb NOT NULL,
        custom jsonb NOT NULL,
        catalogue_version varchar(16) NOT NULL,
        saved_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE FUNCTION teacher_keep_reported() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.reported_version IS NOT NULL AND NEW.reported_version = NEW.version THEN
          IF OLD.reported_version IS DISTINCT FROM NEW.reported_version THEN
            DELETE FROM teacher_reported WHERE teacher_id = NEW.id;
          END IF;
        ELSIF OLD.reported_version IS NOT NULL AND OLD.version = OLD.reported_version AND NEW.version <> OLD.version THEN
          INSERT INTO teacher_reported (teacher_id, reported_version, id_type, id_number, name, person_status, record, custom, catalogue_version)
          VALUES (OLD.id, OLD.reported_version, OLD.id_type, OLD.id_number, OLD.name, OLD.person_status, OLD.record, OLD.custom, OLD.catalogue_version)
          ON CONFLICT (teacher_id) DO UPDATE SET reported_version = EXCLUDED.reported_version, id_type = EXCLUDED.id_type, id_number = EXCLUDED.id_number,
            name = EXCLUDED.name, person_status = EXCLUDED.person_status, record = EXCLUDED.record, custom = EXCLUDED.custom,
            catalogue_version = EXCLUDED.catalogue_version, saved_at = now();
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER teacher_keep_reported BEFORE UPDATE OF version, reported_version ON teacher FOR EACH ROW EXECUTE FUNCTION teacher_keep_reported()`,
    );
    // Resync pages through the province in teacher-id order, a chunk per transaction.
    await q.query(`CREATE INDEX teacher_reported_id_idx ON teacher (id) WHERE reported_version IS NOT NULL`);
    // A resync's progress, so that a node restarted mid-resync carries on where it stopped.
    await q.query(`
      CREATE TABLE sync_resync (
        id bigserial PRIMARY KEY,
        state varchar(16) NOT NULL CHECK (state IN ('running','done','failed')),
        head_sequence bigint NOT NULL,
        after_teacher_id uuid,
        units_queued integer NOT NULL DEFAULT 0,
        teachers_queued integer NOT NULL DEFAULT 0,
        started_by uuid,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        error text
      )`);
    await q.query(`CREATE UNIQUE INDEX sync_resync_one_running ON sync_resync ((true)) WHERE state = 'running'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sync_resync`);
    await q.query(`DROP INDEX teacher_reported_id_idx`);
    await q.query(`DROP TRIGGER teacher_keep_reported ON teacher`);
    await q.query(`DROP FUNCTION teacher_keep_reported()`);
    await q.query(`DROP TABLE teacher_reported`);
  }
}
