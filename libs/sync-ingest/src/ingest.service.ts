import { Injectable, Logger, Optional } from '@nestjs/common';
import { CatalogueVersionsService } from '@tmis/catalogue';
import {
  parseSnapshotRecord,
  parseSyncMessage,
  provinceOfUnitCode,
  type CustomFieldsChangedPayload,
  type OrgUnitsChangedPayload,
  type SyncEnvelope,
  type TeacherCreditsPayload,
  type TeacherRemovedPayload,
  type TeacherSnapshotPayload,
  type TeacherUpsertedPayload,
} from '@tmis/contracts';
import {
  validateCustomFieldDefinition,
  type CatalogueDefinition,
  type CustomFieldDefinition,
} from '@tmis/core-indicators';
import { Propagation, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { isActiveStatus, MAX_SEQUENCE, recordProblem, SEQUENCE_WINDOW, unstorable } from './message-checks.js';
import { DuplicateNoticesService } from './duplicate-notices.service.js';
import { NationalCustomFieldsRepository } from './national-custom-fields.repository.js';
import { NationalTeacherRepository, type NationalTeacherRow } from './national-teacher.repository.js';
import { NationalTrainingRepository } from './national-training.repository.js';
import { OrgReplicaService } from './org-replica.service.js';
import { SyncLedgerRepository } from './sync-ledger.repository.js';

export type IngestOutcome = 'applied' | 'duplicate' | 'dead-letter';

interface Accepted {
  i: number;
  env: SyncEnvelope;
  subtree: string;
  /** A `teacher.snapshot`'s records that passed their checks (each refused one was dead-lettered alone). */
  records?: TeacherUpsertedPayload[];
}

/** A `teacher.snapshot`'s records: those the contract class took, and those it refused (with the reason). */
interface SnapshotRecords {
  ok: { k: number; payload: TeacherUpsertedPayload }[];
  bad: { k: number; record: unknown; reason: string }[];
}

/** The record payloads a message carries: one for `teacher.upserted`, a chunk's for `teacher.snapshot`. */
function recordsOf(env: SyncEnvelope, snapshot: SnapshotRecords | undefined): TeacherUpsertedPayload[] {
  if (env.type === 'teacher.upserted') return [env.payload as unknown as TeacherUpsertedPayload];
  return snapshot ? snapshot.ok.map((r) => r.payload) : [];
}

/** SQLSTATE classes a message's content can cause (data exception, integrity, program limit): never transient. */
function isContentError(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } } | null;
  const code = err?.driverError?.code ?? err?.code ?? '';
  return /^(22|23|54)/.test(code);
}

class UnitsRefused extends Error {}

/**
 * National ingest: every message is judged alone, like an HTTP body — its shape (the contract
 * classes), its sequence (bounded: within the province's head plus a window, and bigint-safe), its
 * content (the catalogue's validators, as the province applied them) and its units (inside the
 * province's own subtree of the national tree). A bad message is dead-lettered with the reason and
 * never blocks the others: the good ones of the batch are applied, set-based and idempotently, in
 * one transaction with the provinces' progress. A resync's `teacher.snapshot` message carries a chunk
 * of records under one sequence (ADR 0022): each record is judged alone as a `teacher.upserted`
 * would be, a refused one dead-lettered by itself, the others applied with the chunk.
 */
@Injectable()
export class SyncIngestService {
  private readonly log = new Logger('SyncIngest');

  constructor(
    private readonly ledger: SyncLedgerRepository,
    private readonly teachers: NationalTeacherRepository,
    private readonly customFields: NationalCustomFieldsRepository,
    private readonly replica: OrgReplicaService,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly duplicates: DuplicateNoticesService,
    private readonly training: NationalTrainingRepository,
    @Optional() private readonly catalogue?: CatalogueVersionsService,
  ) {}

  async apply(raw: Buffer | string | null): Promise<IngestOutcome> {
    return (await this.applyBatch([raw]))[0];
  }

  /**
   * Messages pushed by one province's node (HTTP, authenticated by its node token): a message
   * claiming another province is refused; the rest are applied as one batch, as from Kafka.
   */
  async ingestFrom(province: string, raws: string[]): Promise<IngestOutcome[]> {
    return this.txHost.withTransaction(async () => {
      const outcomes: IngestOutcome[] = new Array(raws.length);
      const mine: { i: number; raw: string }[] = [];
      for (let i = 0; i < raws.length; i++) {
        const claimed = claimedProvince(raws[i]);
        if (claimed !== undefined && claimed !== province)
          outcomes[i] = await this.deadLetter(
            envelopeOf(raws[i]),
            `node of province ${province} sent a message for province ${String(claimed)}`,
            raws[i],
          );
        else mine.push({ i, raw: raws[i] });
      }
      const applied = mine.length ? await this.applyBatch(mine.map((m) => m.raw)) : [];
      mine.forEach((m, k) => {
        outcomes[m.i] = applied[k];
      });
      return outcomes;
    });
  }

  /**
   * Applies a batch in one transaction (one commit per Kafka batch). The good messages are applied
   * set-based; if the set still fails on its content, each is applied alone in a savepoint and the
   * one that fails is dead-lettered. A transient failure (connection, deadlock) rolls the batch back
   * for redelivery; applying is idempotent.
   */
  async applyBatch(raws: (Buffer | string | null)[], from?: string): Promise<IngestOutcome[]> {
    return this.txHost.withTransaction(async () => {
      const outcomes: IngestOutcome[] = new Array(raws.length);
      const accepted = await this.judge(raws, outcomes, from);
      if (!accepted.length) return outcomes;
      try {
        await this.txHost.withTransaction(Propagation.Nested, () => this.applySet(accepted, raws, outcomes));
      } catch (e) {
        if (!isContentError(e)) throw e;
        for (const a of accepted) {
          try {
            await this.txHost.withTransaction(Propagation.Nested, () => this.applySet([a], raws, outcomes));
          } catch (e2) {
            if (!isContentError(e2)) throw e2;
            if (a.records && a.records.length > 1) {
              outcomes[a.i] = await this.applyRecordsAlone(a, raws, outcomes);
              continue;
            }
            outcomes[a.i] = await this.deadLetter(
              a.env,
              `could not be applied: ${e2 instanceof Error ? e2.message : String(e2)}`,
              raws[a.i],
            );
          }
        }
      }
      return outcomes;
    });
  }

  /**
   * A snapshot chunk the database refused as a whole: its records one by one, each in a savepoint (the
   * first under the chunk's sequence, which marks it received), the one that fails dead-lettered alone.
   */
  private async applyRecordsAlone(
    a: Accepted,
    raws: (Buffer | string | null)[],
    outcomes: IngestOutcome[],
  ): Promise<IngestOutcome> {
    let outcome: IngestOutcome = 'dead-letter';
    for (const [k, record] of (a.records ?? []).entries()) {
      const single: Accepted = { ...a, records: [record] };
      try {
        await this.txHost.withTransaction(Propagation.Nested, async () => {
          if (outcome === 'dead-letter') await this.applySet([single], raws, outcomes);
          else if ((await this.teachers.upsertMany([nationalRow(a.env, record)])).size)
            await this.duplicates.afterApplied([record.teacherId]);
        });
        if (outcome === 'dead-letter') outcome = outcomes[a.i];
      } catch (e) {
        if (!isContentError(e)) throw e;
        const env = {
          ...a.env,
          type: 'teacher.upserted' as const,
          payload: record as unknown as Record<string, unknown>,
        };
        await this.deadLetter(
          env,
          `teacher.snapshot record ${k}: could not be applied: ${e instanceof Error ? e.message : String(e)}`,
          JSON.stringify(env),
        );
      }
    }
    return outcome;
  }

  /** Judges each message alone; dead-letters the refused ones (with the reason) and returns the rest. */
  private async judge(
    raws: (Buffer | string | null)[],
    outcomes: IngestOutcome[],
    from: string | undefined,
  ): Promise<Accepted[]> {
    const parsed = raws.map((raw) => parseSyncMessage(raw));
    // Over Kafka the sender is the topic's province (its broker credentials may write only that topic):
    // a message claiming another province is refused before anything is read for it.
    if (from !== undefined)
      for (let i = 0; i < parsed.length; i++) {
        const p = parsed[i];
        if (p.ok && p.envelope.provinceCode !== from) {
          outcomes[i] = await this.deadLetter(
            p.envelope,
            `a message on province ${from}'s topic claims province ${p.envelope.provinceCode}`,
            raws[i],
          );
        }
      }
    const envs = parsed.flatMap((p, i) => (p.ok && outcomes[i] === undefined ? [p.envelope] : []));
    // A snapshot's records, each through the contract class of `teacher.upserted` (refused ones below, one by one).
    const snapshots = new Map<SyncEnvelope, SnapshotRecords>();
    for (const e of envs)
      if (e.type === 'teacher.snapshot') {
        const s: SnapshotRecords = { ok: [], bad: [] };
        (e.payload as unknown as TeacherSnapshotPayload).records.forEach((record, k) => {
          const r = parseSnapshotRecord(record);
          if (r.ok) s.ok.push({ k, payload: r.payload });
          else s.bad.push({ k, record, reason: r.reason });
        });
        snapshots.set(e, s);
      }
    const provinces = [...new Set(envs.map((e) => e.provinceCode))];
    const heads = await this.ledger.heads(provinces);
    const subtrees = new Map<string, string | null>();
    for (const p of provinces) subtrees.set(p, await this.replica.subtreeOf(p));
    const recordProvinces = [
      ...new Set(
        envs.filter((e) => e.type === 'teacher.upserted' || e.type === 'teacher.snapshot').map((e) => e.provinceCode),
      ),
    ];
    const definitions = recordProvinces.length ? await this.customFields.definitionsOf(recordProvinces) : new Map();
    // Catalogue versions (ADR 0018): a record of the current or the previous version is checked against
    // that version's catalogue; any other version is refused. A v1 message names none (checked as before).
    const catalogues = new Map<string, CatalogueDefinition | null>();
    if (this.catalogue)
      for (const e of envs)
        for (const r of recordsOf(e, snapshots.get(e))) {
          const v = r.catalogueVersion;
          if (v && !v.startsWith('unknown') && !catalogues.has(v)) catalogues.set(v, await this.catalogue.accepting(v));
        }
    const outside = new Set<string>();
    for (const p of provinces) {
      const subtree = subtrees.get(p);
      const codes = envs
        .filter((e) => e.provinceCode === p)
        .flatMap((e) =>
          e.type === 'teacher.removed' || e.type === 'teacher.credits'
            ? [String((e.payload as { unitCode: string }).unitCode)]
            : recordsOf(e, snapshots.get(e)).map((r) => String(r.unitCode)),
        );
      if (subtree && codes.length)
        for (const c of await this.replica.unitsOutside(subtree, [...new Set(codes)])) outside.add(`${p}:${c}`);
    }

    const accepted: Accepted[] = [];
    for (let i = 0; i < raws.length; i++) {
      const p = parsed[i];
      if (outcomes[i] !== undefined) continue;
      if (!p.ok) {
        outcomes[i] = await this.deadLetter(p.envelope, p.reason, raws[i]);
        continue;
      }
      const env = p.envelope;
      const subtree = subtrees.get(env.provinceCode) ?? null;
      let reason: string | null;
      try {
        reason = this.refusal(env, subtree, heads.get(env.provinceCode) ?? 0, outside, definitions, catalogues);
      } catch (e) {
        // A message the checks cannot even judge is refused alone; it never stops the partition.
        reason = `could not be checked: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (reason) {
        outcomes[i] = await this.deadLetter(env, reason, raws[i]);
        continue;
      }
      if (env.type === 'teacher.snapshot') {
        const records = await this.judgeSnapshot(env, snapshots.get(env)!, outside, definitions, catalogues);
        if (!records.length) {
          outcomes[i] = 'dead-letter'; // every record was refused, each with its own dead letter
          continue;
        }
        accepted.push({ i, env, subtree: subtree!, records });
        continue;
      }
      accepted.push({ i, env, subtree: subtree! });
    }
    return accepted;
  }

  /**
   * A snapshot's records judged one by one, as `teacher.upserted` messages would be (the contract
   * class, the unit inside the province's subtree, the catalogue's validators): each refused record is
   * dead-lettered alone, as the `teacher.upserted` message it stands for; returns the others.
   */
  private async judgeSnapshot(
    env: SyncEnvelope,
    records: SnapshotRecords,
    outside: Set<string>,
    definitions: Map<string, Record<string, Record<string, unknown>>>,
    catalogues: Map<string, CatalogueDefinition | null>,
  ): Promise<TeacherUpsertedPayload[]> {
    const good: TeacherUpsertedPayload[] = [];
    const refused = [...records.bad];
    const defs = usableDefinitions(definitions.get(env.provinceCode));
    for (const { k, payload } of records.ok) {
      let reason: string | null;
      try {
        reason = recordRefusal(env.provinceCode, payload, outside, defs, catalogues);
      } catch (e) {
        reason = `could not be checked: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (reason) refused.push({ k, record: payload, reason });
      else good.push(payload);
    }
    for (const { k, record, reason } of refused.sort((a, b) => a.k - b.k)) {
      const single = { ...env, type: 'teacher.upserted' as const, payload: record as Record<string, unknown> };
      await this.deadLetter(single, `teacher.snapshot record ${k}: ${reason}`, JSON.stringify(single));
    }
    return good;
  }

  private refusal(
    env: SyncEnvelope,
    subtree: string | null,
    head: number,
    outside: Set<string>,
    definitions: Map<string, Record<string, Record<string, unknown>>>,
    catalogues: Map<string, CatalogueDefinition | null>,
  ): string | null {
    if (env.sequence > MAX_SEQUENCE) return `sequence ${env.sequence} is beyond ${MAX_SEQUENCE}`;
    if (head > 0 && env.sequence > head + SEQUENCE_WINDOW)
      return `sequence ${env.sequence} is more than ${SEQUENCE_WINDOW} beyond the province's head ${head}`;
    if (!subtree) return `province ${env.provinceCode} is not known at the national node`;
    switch (env.type) {
      case 'teacher.upserted':
        return recordRefusal(
          env.provinceCode,
          env.payload as unknown as TeacherUpsertedPayload,
          outside,
          usableDefinitions(definitions.get(env.provinceCode)),
          catalogues,
        );
      case 'teacher.credits':
      case 'teacher.removed': {
        const unitCode = String((env.payload as { unitCode: string }).unitCode);
        if (provinceOfUnitCode(unitCode) !== env.provinceCode || outside.has(`${env.provinceCode}:${unitCode}`))
          return `province ${env.provinceCode} may not write unit ${unitCode}: it is not in the province's subtree`;
        return unstorable(env.payload);
      }
      case 'teacher.snapshot':
        return null; // its records are judged one by one (judgeSnapshot)
      case 'custom-fields.changed': {
        const bad = unstorable(env.payload);
        if (bad) return `definitions: ${bad}`;
        const defs = (env.payload as unknown as CustomFieldsChangedPayload).definitions;
        return defs.every((d) => typeof d.key === 'string' && /^x_[A-Za-z][A-Za-z0-9]{0,62}$/.test(d.key))
          ? null
          : 'definitions: every definition needs a key x_<name>';
      }
      case 'org-units.changed':
        return unstorable(env.payload);
      case 'snapshot.marker':
        return null;
    }
  }

  private async applySet(accepted: Accepted[], raws: (Buffer | string | null)[], outcomes: IngestOutcome[]) {
    const provinces = [...new Set(accepted.map((v) => v.env.provinceCode))].sort();
    // Batches of different partitions are applied concurrently: the received set (unique per province and
    // sequence) settles duplicates, a teacher's events share a partition, and the progress row is locked
    // only at the end (commutative GREATEST / += updates), so batches do not queue behind each other.
    await this.ledger.ensureProgress(provinces);
    const unseen = await this.ledger.receive(
      accepted.map((v) => ({ province: v.env.provinceCode, sequence: v.env.sequence })),
    );
    // The newest record per teacher in the batch (a live change and a snapshot's chunk alike: the higher
    // sequence wins, as it does against what national holds).
    const newest = new Map<string, { v: Accepted; row: NationalTeacherRow }>();
    const others: Accepted[] = [];
    for (const v of accepted) {
      if (!unseen.delete(`${v.env.provinceCode}:${v.env.sequence}`)) {
        outcomes[v.i] = 'duplicate';
        continue;
      }
      if (v.env.type !== 'teacher.upserted' && v.env.type !== 'teacher.snapshot') {
        others.push(v);
        continue;
      }
      outcomes[v.i] = 'duplicate'; // until one of its records is applied
      for (const p of v.records ?? [v.env.payload as unknown as TeacherUpsertedPayload]) {
        const prev = newest.get(p.teacherId);
        if (prev && prev.v.env.sequence >= v.env.sequence) continue;
        newest.set(p.teacherId, { v, row: nationalRow(v.env, p) });
      }
    }
    const upserted = newest.size
      ? await this.teachers.upsertMany([...newest.values()].map((n) => n.row))
      : new Set<string>();
    for (const id of upserted) outcomes[newest.get(id)!.v.i] = 'applied';
    for (const v of others) outcomes[v.i] = await this.applyOne(v, raws[v.i]);
    // Cross-province duplicates these records start or end: notices to the provinces concerned (same transaction).
    const touched = [
      ...upserted,
      ...others
        .filter((v) => v.env.type === 'teacher.removed' && outcomes[v.i] === 'applied')
        .map((v) => (v.env.payload as unknown as TeacherRemovedPayload).teacherId),
    ];
    if (touched.length) await this.duplicates.afterApplied(touched);
    for (const p of provinces) {
      // sorted: concurrent batches lock progress rows in one order
      const mine = accepted.filter((v) => v.env.provinceCode === p);
      const nApplied = mine.filter((v) => outcomes[v.i] === 'applied').length;
      await this.ledger.advance(p, Math.max(...mine.map((v) => v.env.sequence)), nApplied, mine.length - nApplied);
    }
  }

  private async applyOne({ env, subtree }: Accepted, raw: Buffer | string | null): Promise<IngestOutcome> {
    switch (env.type) {
      case 'teacher.removed': {
        const p = env.payload as unknown as TeacherRemovedPayload;
        return (await this.teachers.markRemoved(p.teacherId, env.provinceCode, env.sequence)) ? 'applied' : 'duplicate';
      }
      case 'custom-fields.changed': {
        const cur = await this.customFields.get(env.provinceCode);
        if (cur && cur.lastSequence >= env.sequence) return 'duplicate';
        const merged: Record<string, unknown> = { ...(cur?.definitions ?? {}) };
        for (const d of (env.payload as unknown as CustomFieldsChangedPayload).definitions) merged[String(d.key)] = d;
        await this.customFields.put(env.provinceCode, merged, env.sequence);
        return 'applied';
      }
      case 'org-units.changed': {
        // A refused unit rolls back the whole message (a savepoint), never the rest of the batch.
        const units = (env.payload as unknown as OrgUnitsChangedPayload).units;
        try {
          await this.txHost.withTransaction(Propagation.Nested, async () => {
            const problem = await this.replica.apply(env.provinceCode, subtree, units);
            if (problem) throw new UnitsRefused(problem);
          });
          return 'applied';
        } catch (e) {
          if (!(e instanceof UnitsRefused)) throw e;
          return this.deadLetter(env, e.message, raw);
        }
      }
      case 'teacher.credits': {
        const p = env.payload as unknown as TeacherCreditsPayload;
        return (await this.training.replace(env.provinceCode, p, env.sequence)) ? 'applied' : 'duplicate';
      }
      case 'teacher.upserted': // applied set-based
      case 'teacher.snapshot':
      case 'snapshot.marker':
        return 'applied';
    }
  }

  private async deadLetter(
    env: Partial<SyncEnvelope> | undefined,
    reason: string,
    raw: Buffer | string | null,
  ): Promise<IngestOutcome> {
    this.log.warn(`dead letter: ${reason}`);
    await this.ledger.deadLetter(
      typeof env?.provinceCode === 'string' ? storable(env.provinceCode).slice(0, 8) : null,
      typeof env?.eventId === 'string' ? storable(env.eventId).slice(0, 64) : null,
      storable(reason),
      storable(String(raw ?? '')),
    );
    return 'dead-letter';
  }
}

/**
 * A province's custom field definitions as received, those the catalogue's definition validator
 * accepts (a malformed one cannot break the validation of the province's records; a value of a field
 * not usable here is treated as one whose definition has not arrived yet).
 */
function usableDefinitions(defs: Record<string, Record<string, unknown>> | undefined): CustomFieldDefinition[] {
  return Object.values(defs ?? {}).filter((d) => {
    try {
      return validateCustomFieldDefinition(d as unknown as CustomFieldDefinition).length === 0;
    } catch {
      return false;
    }
  }) as unknown as CustomFieldDefinition[];
}

/** Text PostgreSQL takes: NUL characters and lone surrogates replaced. */
function storable(s: string): string {
  return s
    .replaceAll('\u0000', '\uFFFD')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function envelopeOf(raw: string): Partial<SyncEnvelope> | undefined {
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === 'object' && v !== null ? (v as Partial<SyncEnvelope>) : undefined;
  } catch {
    return undefined;
  }
}

function claimedProvince(raw: string): unknown {
  return envelopeOf(raw)?.provinceCode;
}

/**
 * Why a province may not store this record: a unit outside its subtree (from the national tree, not
 * from the code's digits alone), a catalogue version national does not accept, or content the
 * catalogue's validators refuse. Null when it may.
 */
function recordRefusal(
  province: string,
  p: TeacherUpsertedPayload,
  outside: Set<string>,
  defs: CustomFieldDefinition[],
  catalogues: Map<string, CatalogueDefinition | null>,
): string | null {
  const unitCode = String(p.unitCode);
  if (provinceOfUnitCode(unitCode) !== province || outside.has(`${province}:${unitCode}`))
    return `province ${province} may not write unit ${unitCode}: it is not in the province's subtree`;
  const version = p.catalogueVersion ?? '';
  const catalogue = catalogues.get(version);
  if (catalogue === null)
    return `catalogueVersion: ${version} is neither the current nor the previous catalogue version`;
  return recordProblem(p, defs, catalogue);
}

function nationalRow(env: SyncEnvelope, p: TeacherUpsertedPayload): NationalTeacherRow {
  return {
    teacher_id: p.teacherId,
    province_code: env.provinceCode,
    unit_code: p.unitCode,
    id_type: p.idType,
    id_number: p.idNumber,
    name: p.name,
    person_status: p.personStatus,
    active: isActiveStatus(p.personStatus),
    record: p.record,
    custom: p.custom ?? {},
    catalogue_version: p.catalogueVersion ?? 'unknown',
    reported_version: p.reportedVersion,
    last_sequence: env.sequence,
  };
}
