import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  parseSyncMessage,
  provinceOfUnitCode,
  TeacherUpsertedPayload,
  type OrgUnitsChangedPayload,
  type SyncEnvelope,
  type SyncedUnit,
} from '@tmis/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { HealthRegistry } from '@tmis/server';
import { KafkaTransport, withTimeout, type SyncSubscription } from './kafka.transport.js';
import { SYNC_OPTIONS, type SyncOptions } from './sync.options.js';

export type IngestOutcome = 'applied' | 'duplicate' | 'dead-letter';

/**
 * National ingest: every message is validated like an HTTP body (bad shape → dead letter with the
 * reason, never dropped, never blocking the partition) and applied idempotently in one transaction
 * with the province's progress: a redelivered or older event of a teacher changes nothing. A
 * province may only write its own units.
 */
@Injectable()
export class SyncIngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('SyncIngest');
  private subscription: SyncSubscription | null = null;
  private kafka: KafkaTransport | null = null;

  constructor(
    private readonly db: DataSource,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
    private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.kind !== 'national') return;
    this.health.register('sync_national', async () => {
      const provinces: { province: string; maxSequence: string; applied: number; gap: string; lag: number | null }[] =
        await this.db.query(
          `SELECT p.province_code AS province, p.max_sequence::text AS "maxSequence", p.applied, (p.max_sequence - (SELECT count(*) FROM sync_received r WHERE r.province_code = p.province_code))::text AS gap,
                EXTRACT(EPOCH FROM now() - p.last_event_at)::int AS lag FROM sync_progress p ORDER BY 1`,
        );
      const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM sync_dead_letter`);
      const metrics: Record<string, number> = { dead_letters: n };
      // Lag in messages: what the broker holds that the national consumer group has not yet committed.
      const consumerLag = this.kafka
        ? await withTimeout(
            this.kafka.consumerLag(this.options.topic, 'tmis-national').catch(() => undefined),
            3000,
          )
        : undefined;
      if (consumerLag !== undefined) metrics.consumer_lag_messages = consumerLag;
      for (const p of provinces) {
        metrics[`last_sequence{province="${p.province}"}`] = Number(p.maxSequence);
        metrics[`gap{province="${p.province}"}`] = Number(p.gap);
        metrics[`seconds_since_last_event{province="${p.province}"}`] = p.lag ?? 0;
      }
      return {
        details: {
          consumer: this.subscription ? 'kafka' : 'none',
          consumerLagMessages: consumerLag ?? null,
          provinces,
          deadLetters: n,
        },
        metrics,
      };
    });
    if (!this.options.kafkaBrokers?.length) return;
    const kafka = new KafkaTransport(this.options.kafkaBrokers, 'tmis-national', {
      ssl: this.options.kafkaSsl,
      sasl: this.options.kafkaSasl,
    });
    this.kafka = kafka;
    await kafka.ensureTopic(this.options.topic);
    this.subscription = await kafka.subscribeBatches(this.options.topic, 'tmis-national', async (values) => {
      await this.applyBatch(values);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close().catch(() => undefined);
    await this.kafka?.close();
  }

  async apply(raw: Buffer | string | null): Promise<IngestOutcome> {
    return (await this.applyBatch([raw]))[0];
  }

  /**
   * Applies a batch in one transaction (one commit per Kafka batch), set-based: one insert into the
   * received set, one upsert of all teacher records (the newest event per teacher), one progress
   * update per province. If anything unexpected fails, the batch rolls back and is redelivered;
   * applying is idempotent.
   */
  async applyBatch(raws: (Buffer | string | null)[]): Promise<IngestOutcome[]> {
    return this.db.transaction(async (tx) => {
      const outcomes: IngestOutcome[] = new Array(raws.length);
      const valid: { i: number; env: SyncEnvelope }[] = [];
      for (let i = 0; i < raws.length; i++) {
        const parsed = parseSyncMessage(raws[i]);
        if (!parsed.ok) {
          outcomes[i] = await this.deadLetter(parsed.envelope, parsed.reason, raws[i], tx);
          continue;
        }
        const env = parsed.envelope;
        if (env.type === 'teacher.upserted' || env.type === 'teacher.removed') {
          const unitCode = String((env.payload as { unitCode: string }).unitCode);
          // School codes carry their province in digits 3-4 (central universities report to the national node directly).
          if (unitCode.slice(2, 4) !== env.provinceCode) {
            outcomes[i] = await this.deadLetter(
              env,
              `province ${env.provinceCode} may not write unit ${unitCode} of province ${unitCode.slice(2, 4)}`,
              raws[i],
              tx,
            );
            continue;
          }
        }
        if (env.type === 'org-units.changed') {
          const foreign = (env.payload as unknown as OrgUnitsChangedPayload).units.find(
            (u) =>
              provinceOfUnitCode(u.code) !== env.provinceCode ||
              (u.kind !== 'city' && provinceOfUnitCode(u.parentCode) !== env.provinceCode),
          );
          if (foreign) {
            outcomes[i] = await this.deadLetter(
              env,
              `province ${env.provinceCode} may not write unit ${foreign.code} (or place it under ${foreign.parentCode}) of another province`,
              raws[i],
              tx,
            );
            continue;
          }
        }
        valid.push({ i, env });
      }
      if (!valid.length) return outcomes;
      const provinces = [...new Set(valid.map((v) => v.env.provinceCode))].sort();
      // Batches of different partitions are applied concurrently: the received set (unique per province and
      // sequence) settles duplicates, a teacher's events share a partition, and the progress row is locked
      // only at the end (commutative GREATEST / += updates), so batches do not queue behind each other.
      await tx.query(`INSERT INTO sync_progress (province_code) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [
        provinces,
      ]);
      const fresh: { p: string; s: string }[] = await tx.query(
        `INSERT INTO sync_received (province_code, sequence) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING RETURNING province_code AS p, sequence::text AS s`,
        [valid.map((v) => v.env.provinceCode), valid.map((v) => v.env.sequence)],
      );
      const unseen = new Set(fresh.map((r) => `${r.p}:${r.s}`));
      const newest = new Map<string, { i: number; env: SyncEnvelope }>();
      const others: { i: number; env: SyncEnvelope }[] = [];
      for (const v of valid) {
        const k = `${v.env.provinceCode}:${v.env.sequence}`;
        if (!unseen.delete(k)) {
          outcomes[v.i] = 'duplicate';
          continue;
        }
        if (v.env.type !== 'teacher.upserted') {
          others.push(v);
          continue;
        }
        const id = (v.env.payload as unknown as TeacherUpsertedPayload).teacherId;
        const prev = newest.get(id);
        if (prev && prev.env.sequence > v.env.sequence) {
          outcomes[v.i] = 'duplicate';
          continue;
        }
        if (prev) outcomes[prev.i] = 'duplicate';
        newest.set(id, v);
      }
      if (newest.size) {
        const rows = [...newest.values()].map(({ env }) => {
          const p = env.payload as unknown as TeacherUpsertedPayload;
          return {
            teacher_id: p.teacherId,
            province_code: env.provinceCode,
            unit_code: p.unitCode,
            id_type: p.idType,
            id_number: p.idNumber,
            name: p.name,
            person_status: p.personStatus,
            active: ['01', '02', '03'].includes(p.personStatus),
            record: p.record,
            custom: p.custom ?? {},
            catalogue_version: p.catalogueVersion ?? 'unknown',
            reported_version: p.reportedVersion,
            last_sequence: env.sequence,
          };
        });
        const applied: { id: string }[] = await tx.query(
          `INSERT INTO national_teacher (teacher_id, province_code, unit_code, id_type, id_number, name, person_status, active, record, custom, catalogue_version, reported_version, last_sequence)
           SELECT teacher_id, province_code, unit_code, id_type, id_number, name, person_status, active, record, custom, catalogue_version, reported_version, last_sequence
             FROM jsonb_to_recordset($1::jsonb) AS x(teacher_id uuid, province_code varchar, unit_code varchar, id_type varchar, id_number varchar, name varchar, person_status varchar,
                  active boolean, record jsonb, custom jsonb, catalogue_version varchar, reported_version integer, last_sequence bigint)
           ON CONFLICT (teacher_id) DO UPDATE SET unit_code = EXCLUDED.unit_code, id_type = EXCLUDED.id_type, id_number = EXCLUDED.id_number, name = EXCLUDED.name,
             person_status = EXCLUDED.person_status, active = EXCLUDED.active, record = EXCLUDED.record, custom = EXCLUDED.custom, catalogue_version = EXCLUDED.catalogue_version,
             reported_version = EXCLUDED.reported_version, last_sequence = EXCLUDED.last_sequence, removed = false, updated_at = now()
           WHERE national_teacher.last_sequence < EXCLUDED.last_sequence AND national_teacher.province_code = EXCLUDED.province_code
           RETURNING teacher_id::text AS id`,
          [JSON.stringify(rows)],
        );
        const ok = new Set(applied.map((r) => r.id));
        for (const [id, v] of newest) outcomes[v.i] = ok.has(id) ? 'applied' : 'duplicate';
      }
      for (const v of others) {
        if (v.env.type !== 'org-units.changed') {
          outcomes[v.i] = (await this.applyEvent(tx, v.env)) ? 'applied' : 'duplicate';
          continue;
        }
        // A unit whose parent is unknown here is refused with the reason, in a savepoint, so the rest of the batch still applies.
        await tx.query('SAVEPOINT org_units');
        try {
          await this.applyUnits(tx, v.env.provinceCode, (v.env.payload as unknown as OrgUnitsChangedPayload).units);
          await tx.query('RELEASE SAVEPOINT org_units');
          outcomes[v.i] = 'applied';
        } catch (e) {
          await tx.query('ROLLBACK TO SAVEPOINT org_units');
          if (!(e instanceof UnitRefused)) throw e;
          outcomes[v.i] = await this.deadLetter(v.env, e.message, raws[v.i], tx);
        }
      }
      for (const p of provinces) {
        // sorted: concurrent batches lock progress rows in one order
        const mine = valid.filter((v) => v.env.provinceCode === p);
        const nApplied = mine.filter((v) => outcomes[v.i] === 'applied').length;
        await tx.query(
          `UPDATE sync_progress SET max_sequence = GREATEST(max_sequence, $2), applied = applied + $3, duplicates = duplicates + $4, last_event_at = now(), updated_at = now() WHERE province_code = $1`,
          [p, Math.max(...mine.map((v) => v.env.sequence)), nApplied, mine.length - nApplied],
        );
      }
      return outcomes;
    });
  }

  private async applyEvent(tx: EntityManager, env: SyncEnvelope): Promise<boolean> {
    switch (env.type) {
      case 'teacher.upserted': {
        const p = env.payload as unknown as TeacherUpsertedPayload;
        const res = await tx.query(
          `INSERT INTO national_teacher (teacher_id, province_code, unit_code, id_type, id_number, name, person_status, active, record, custom, catalogue_version, reported_version, last_sequence)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
           ON CONFLICT (teacher_id) DO UPDATE SET unit_code = EXCLUDED.unit_code, id_type = EXCLUDED.id_type, id_number = EXCLUDED.id_number, name = EXCLUDED.name,
             person_status = EXCLUDED.person_status, active = EXCLUDED.active, record = EXCLUDED.record, custom = EXCLUDED.custom, catalogue_version = EXCLUDED.catalogue_version,
             reported_version = EXCLUDED.reported_version, last_sequence = EXCLUDED.last_sequence, removed = false, updated_at = now()
           WHERE national_teacher.last_sequence < EXCLUDED.last_sequence AND national_teacher.province_code = EXCLUDED.province_code
           RETURNING teacher_id`,
          [
            p.teacherId,
            env.provinceCode,
            p.unitCode,
            p.idType,
            p.idNumber,
            p.name,
            p.personStatus,
            ['01', '02', '03'].includes(p.personStatus),
            JSON.stringify(p.record),
            JSON.stringify(p.custom ?? {}),
            p.catalogueVersion ?? 'unknown',
            p.reportedVersion,
            env.sequence,
          ],
        );
        return res.length > 0;
      }
      case 'teacher.removed': {
        const p = env.payload as { teacherId: string };
        const res = await tx.query(
          `UPDATE national_teacher SET removed = true, active = false, last_sequence = $3, updated_at = now() WHERE teacher_id = $1 AND province_code = $2 AND last_sequence < $3 RETURNING teacher_id`,
          [p.teacherId, env.provinceCode, env.sequence],
        );
        return (Array.isArray(res[0]) ? res[0] : res).length > 0;
      }
      case 'custom-fields.changed': {
        const defs = (env.payload as { definitions: { key: string }[] }).definitions;
        const [cur] = await tx.query(
          `SELECT definitions, last_sequence AS "lastSequence" FROM national_custom_fields WHERE province_code = $1`,
          [env.provinceCode],
        );
        if (cur && Number(cur.lastSequence) >= env.sequence) return false;
        const merged: Record<string, unknown> = { ...(cur?.definitions ?? {}) };
        for (const d of defs) merged[d.key] = d;
        await tx.query(
          `INSERT INTO national_custom_fields (province_code, definitions, last_sequence) VALUES ($1,$2,$3)
           ON CONFLICT (province_code) DO UPDATE SET definitions = EXCLUDED.definitions, last_sequence = EXCLUDED.last_sequence, updated_at = now()`,
          [env.provinceCode, JSON.stringify(merged), env.sequence],
        );
        return true;
      }
      case 'org-units.changed': // applied by applyUnits, in a savepoint
      case 'snapshot.marker':
        return true;
    }
  }

  /**
   * Upserts a province's units into the national tree by code, under their parent (same code; the
   * path is the province's path under the ministry's root): new schools appear, renames and attributes follow, a move re-roots the
   * unit's subtree, a merge also moves the merged school's records to the school it merged into (as
   * the province did). Applying the same snapshot twice changes nothing.
   */
  private async applyUnits(tx: EntityManager, province: string, units: SyncedUnit[]): Promise<void> {
    // Set-based, level by level (a county before the schools placed in it); the last snapshot of a unit in the message wins.
    const latest = new Map(units.map((u) => [u.code, u]));
    for (const [kind, level] of [
      ['city', 3],
      ['county', 4],
      ['school', 5],
      ['department', 6],
    ] as const) {
      const batch = [...latest.values()].filter((u) => u.kind === kind);
      if (!batch.length) continue;
      const json = JSON.stringify(
        batch.map((u) => ({
          code: u.code,
          name: u.name,
          parent_code: u.parentCode,
          status: u.status,
          school_type: u.schoolType ?? null,
          urban_rural: u.urbanRural ?? null,
          sponsor: u.sponsor ?? null,
          central: u.central ?? false,
          merged_into_code: u.mergedIntoCode ?? null,
          closed_on: u.closedOn ?? null,
        })),
      );
      const X = `jsonb_to_recordset($1::jsonb) AS x(code varchar, name varchar, parent_code varchar, status varchar, school_type varchar, urban_rural varchar, sponsor varchar, central boolean, merged_into_code varchar, closed_on date)`;
      const problems: { code: string; problem: string; other: string | null }[] = await tx.query(
        `SELECT x.code, CASE WHEN p.id IS NULL THEN 'parent' WHEN c.kind IS NOT NULL AND c.kind <> $2 THEN 'kind' ELSE 'merged' END AS problem,
                CASE WHEN p.id IS NULL THEN x.parent_code WHEN c.kind <> $2 THEN c.kind ELSE x.merged_into_code END AS other
           FROM ${X} LEFT JOIN org_unit p ON p.code = x.parent_code LEFT JOIN org_unit c ON c.code = x.code LEFT JOIN org_unit m ON m.code = x.merged_into_code
          WHERE p.id IS NULL OR (c.kind IS NOT NULL AND c.kind <> $2) OR (x.merged_into_code IS NOT NULL AND m.id IS NULL) LIMIT 1`,
        [json, kind],
      );
      if (problems[0]) {
        const { code, problem, other } = problems[0];
        throw new UnitRefused(
          problem === 'parent'
            ? `unit ${code}: its parent ${other} is not known at the national node`
            : problem === 'kind'
              ? `unit ${code} is a ${other} at the national node, not a ${kind}`
              : `unit ${code}: the unit it merged into, ${other}, is not known at the national node`,
        );
      }
      // Paths before the upsert, to re-root the subtree of a unit that moved.
      const before: { code: string; path: string }[] = await tx.query(
        `SELECT code, path FROM org_unit WHERE code = ANY($1::varchar[])`,
        [batch.map((u) => u.code)],
      );
      const after: { code: string; path: string }[] = await tx.query(
        `INSERT INTO org_unit (kind, level, code, name, parent_id, path, status, school_type, urban_rural, sponsor, central, merged_into_id, closed_on)
         SELECT $2, $3, x.code, x.name, p.id, p.path || x.code || '/', x.status, x.school_type, x.urban_rural, x.sponsor, x.central, m.id, x.closed_on
           FROM ${X} JOIN org_unit p ON p.code = x.parent_code LEFT JOIN org_unit m ON m.code = x.merged_into_code
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id, path = EXCLUDED.path, status = EXCLUDED.status, school_type = EXCLUDED.school_type,
           urban_rural = EXCLUDED.urban_rural, sponsor = EXCLUDED.sponsor, central = EXCLUDED.central, merged_into_id = EXCLUDED.merged_into_id, closed_on = EXCLUDED.closed_on,
           version = org_unit.version + 1, updated_at = now()
         WHERE (org_unit.name, org_unit.parent_id, org_unit.path, org_unit.status, org_unit.school_type, org_unit.urban_rural, org_unit.sponsor, org_unit.central, org_unit.merged_into_id, org_unit.closed_on)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.parent_id, EXCLUDED.path, EXCLUDED.status, EXCLUDED.school_type, EXCLUDED.urban_rural, EXCLUDED.sponsor, EXCLUDED.central, EXCLUDED.merged_into_id, EXCLUDED.closed_on)
         RETURNING code, path`,
        [json, kind, level],
      );
      const oldPath = new Map(before.map((r) => [r.code, r.path]));
      for (const r of after) {
        const was = oldPath.get(r.code);
        if (was && was !== r.path)
          await tx.query(
            `UPDATE org_unit SET path = $2 || substr(path, length($1) + 1) WHERE path LIKE $1 || '%' AND path <> $2`,
            [was, r.path],
          );
      }
      const merges = batch.filter((u) => u.status === 'merged' && u.mergedIntoCode);
      if (merges.length) {
        await tx.query(
          `UPDATE national_teacher n SET unit_code = x.target, updated_at = now() FROM unnest($1::varchar[], $2::varchar[]) AS x(code, target) WHERE n.province_code = $3 AND n.unit_code = x.code`,
          [merges.map((u) => u.code), merges.map((u) => u.mergedIntoCode), province],
        );
      }
    }
  }

  /** Dead-letters a message refused before parsing (e.g. sent with another province's node token). */
  async refuse(raw: string, reason: string): Promise<IngestOutcome> {
    let env: Partial<SyncEnvelope> | undefined;
    try {
      env = JSON.parse(raw) as Partial<SyncEnvelope>;
    } catch {
      env = undefined;
    }
    return this.deadLetter(env, reason, raw);
  }

  private async deadLetter(
    env: Partial<SyncEnvelope> | undefined,
    reason: string,
    raw: Buffer | string | null,
    tx?: EntityManager,
  ): Promise<IngestOutcome> {
    this.log.warn(`dead letter: ${reason}`);
    await (tx ?? this.db.manager).query(
      `INSERT INTO sync_dead_letter (province_code, event_id, reason, raw) VALUES ($1,$2,$3,$4)`,
      [
        typeof env?.provinceCode === 'string' ? env.provinceCode.slice(0, 8) : null,
        typeof env?.eventId === 'string' ? env.eventId.slice(0, 64) : null,
        reason.slice(0, 2000),
        String(raw ?? '').slice(0, 100000),
      ],
    );
    return 'dead-letter';
  }
}

class UnitRefused extends Error {}
