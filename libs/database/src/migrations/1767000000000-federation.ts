import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The federation messenger (ADR 0013), on both node roles: `federation_outbox` (messages to another
 * node, written in the sender's business transaction; `relay_seq` handed out gap-free under
 * `federation_relay_counter`'s lock, so an HTTP reader paging by it never skips a row that committed
 * late), `federation_inbox` (message ids already handled: a redelivery is acknowledged and ignored),
 * `federation_dead_letter` (refused messages with the reason) and `federation_cursor` (how far a
 * province has pulled its downward messages over HTTP).
 */
export class Federation1767000000000 implements MigrationInterface {
  name = 'Federation1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE federation_outbox (
        seq bigserial PRIMARY KEY,
        message_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
        destination varchar(8) NOT NULL,
        type varchar(100) NOT NULL,
        key varchar(200) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        relay_seq bigint UNIQUE,
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX federation_outbox_unassigned_idx ON federation_outbox (seq) WHERE relay_seq IS NULL`);
    await q.query(
      `CREATE INDEX federation_outbox_unpublished_idx ON federation_outbox (relay_seq) WHERE published_at IS NULL AND relay_seq IS NOT NULL`,
    );
    await q.query(`CREATE INDEX federation_outbox_destination_idx ON federation_outbox (destination, relay_seq)`);
    await q.query(
      `CREATE TABLE federation_relay_counter (id boolean PRIMARY KEY DEFAULT true CHECK (id), last bigint NOT NULL)`,
    );
    await q.query(`INSERT INTO federation_relay_counter (id, last) VALUES (true, 0)`);
    await q.query(`
      CREATE TABLE federation_inbox (
        message_id uuid PRIMARY KEY,
        source varchar(8) NOT NULL,
        type varchar(100) NOT NULL,
        outcome varchar(16) NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE federation_dead_letter (
        id bigserial PRIMARY KEY,
        message_id uuid,
        source varchar(8),
        channel varchar(200) NOT NULL,
        reason text NOT NULL,
        raw text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE TABLE federation_cursor (name varchar(64) PRIMARY KEY, position bigint NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE federation_cursor`);
    await q.query(`DROP TABLE federation_dead_letter`);
    await q.query(`DROP TABLE federation_inbox`);
    await q.query(`DROP TABLE federation_relay_counter`);
    await q.query(`DROP TABLE federation_outbox`);
  }
}
