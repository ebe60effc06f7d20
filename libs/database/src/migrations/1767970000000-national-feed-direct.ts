import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  NATIONAL_CHANGE_COLS,
  NATIONAL_CHANGE_ROWS,
  nationalChangeFunction,
} from './1767820000000-feed-national-and-delivery.js';

/** A resync's staged statement: its changes go to the session's table, numbered at commit. */
const DIRECT = `
        IF TG_OP <> 'DELETE' AND current_setting('tmis.feed_direct', true) = 'on' THEN
          IF TG_OP = 'INSERT' THEN
            EXECUTE $q$INSERT INTO pg_temp.change_direct ${NATIONAL_CHANGE_COLS} ${NATIONAL_CHANGE_ROWS.insert}$q$;
          ELSE
            EXECUTE $q$INSERT INTO pg_temp.change_direct ${NATIONAL_CHANGE_COLS} ${NATIONAL_CHANGE_ROWS.update}$q$;
          END IF;
          GET DIAGNOSTICS n = ROW_COUNT;
          -- One row per statement that left changes: its deferred trigger numbers them at commit.
          IF n > 0 THEN EXECUTE 'INSERT INTO pg_temp.change_direct_mark VALUES (true)'; END IF;
          RETURN NULL;
        END IF;`;

/**
 * Issue 19, a resync's change-feed entries numbered at commit (ADR 0020 addendum). Every change to
 * `national_teacher` was appended to `change_pending` and moved into `change_log` by the sequencer: on a
 * resync that wrote each reported document twice more and deleted it once (about a third of national
 * PostgreSQL's time per record, `pg_stat_statements` at 300,000 records). A resync's staged apply now
 * switches the trigger (`tmis.feed_direct`, transaction-local, set by `tmis_change_direct_begin()` for
 * its one statement) to a temporary table of its session; a deferred trigger numbers that table's rows
 * into `change_log` when the transaction commits, under the counter's row lock (held only for the move
 * and the commit, so batches applied concurrently do not queue behind each other's work), with the
 * counter. The guarantees are the sequencer's: sequences consecutive, the entries and the counter
 * committed together, a rolled-back savepoint takes its rows and its deferred numbering with it. Every
 * other write goes through `change_pending` as before.
 */
export class NationalFeedDirect1767970000000 implements MigrationInterface {
  name = 'NationalFeedDirect1767970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION tmis_change_direct_number() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        head bigint;
        n integer;
      BEGIN
        SELECT last INTO head FROM change_feed_counter FOR UPDATE;
        EXECUTE $q$
          WITH moved AS (DELETE FROM pg_temp.change_direct RETURNING *)
          INSERT INTO change_log (seq, type, entity_type, entity_id, unit_path, old_unit_path, changed_at, committed_at, data)
          SELECT $1 + row_number() OVER (ORDER BY id), type, entity_type, entity_id, unit_path, old_unit_path, changed_at,
                 clock_timestamp(), data FROM moved$q$ USING head;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n > 0 THEN UPDATE change_feed_counter SET last = last + n; END IF;
        RETURN NULL;
      END $$`);
    // The session's tables (once per session), then the flag for the rest of the transaction (the caller
    // switches it off after its statement).
    await q.query(`
      CREATE FUNCTION tmis_change_direct_begin() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF to_regclass('pg_temp.change_direct_mark') IS NULL THEN
          -- change_pending's columns and defaults (its key's sequence too: only the order within the table matters).
          CREATE TEMP TABLE change_direct (LIKE change_pending INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
          CREATE TEMP TABLE change_direct_mark (one boolean) ON COMMIT DELETE ROWS;
          CREATE CONSTRAINT TRIGGER change_direct_number AFTER INSERT ON pg_temp.change_direct_mark
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tmis_change_direct_number();
        END IF;
        PERFORM set_config('tmis.feed_direct', 'on', true);
      END $$`);
    await q.query(nationalChangeFunction(DIRECT));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(nationalChangeFunction());
    await q.query(`DROP FUNCTION tmis_change_direct_begin()`);
    await q.query(`DROP FUNCTION tmis_change_direct_number()`);
  }
}
