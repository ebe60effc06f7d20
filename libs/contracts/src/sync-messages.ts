import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  isInt,
  isObject,
  isString,
  IsUUID,
  isUUID,
  Matches,
  matches,
  MaxLength,
  Max,
  Min,
  min,
  ValidateNested,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { toInstance } from './instance.js';

/**
 * Province → national sync messages (Kafka value = JSON of `SyncEnvelope`; key = `envelope.key`).
 * Versioned: the national node accepts the current and the previous schema version at once, since
 * 32 provinces upgrade on their own schedules.
 *   v1: teacher payload without `catalogueVersion` and `custom` (custom values only inside the record).
 *   v2: adds `catalogueVersion` and the flattened `custom` values, and the `org-units.changed` type
 *       (a v1 province never sends it; the national node takes it whatever the envelope's version).
 *   v3: adds the `teacher.credits` type (a teacher's confirmed training credits, Art. 25); v1 and v2
 *       messages are unchanged and still accepted (their teacher payloads are upgraded as before).
 *   v4: adds the `teacher.snapshot` type (a resync's records in chunks, ADR 0022); the others are as in v3.
 */
export const CURRENT_SCHEMA_VERSION = 4;
export const SUPPORTED_SCHEMA_VERSIONS = [1, 2, 3, 4] as const;
export const SYNC_TOPIC = 'tmis.sync';

export const SYNC_TYPES = [
  'teacher.upserted',
  'teacher.removed',
  'custom-fields.changed',
  'org-units.changed',
  'snapshot.marker',
  'teacher.credits',
  'teacher.snapshot',
] as const;
export type SyncType = (typeof SYNC_TYPES)[number];

const SCHOOL_CODE = /^[0-9]{10}(-[0-9]{3})?$/;
const ID_TYPE = /^[0-9A-Z]{1,2}$/;
const ID_NUMBER = /^[0-9A-Za-z]{4,32}$/;
const TWO_DIGITS = /^\d{2}$/;

export class TeacherUpsertedPayload {
  @IsUUID() teacherId: string;
  /** The school (or department) code; its digits 3-4 are the province. */
  @Matches(SCHOOL_CODE) unitCode: string;
  @IsString() @Matches(ID_TYPE) idType: string;
  @IsString() @Matches(ID_NUMBER) idNumber: string;
  @IsString() name: string;
  @Matches(TWO_DIGITS) personStatus: string;
  @IsInt() @Min(1) reportedVersion: number;
  @IsObject() record: Record<string, unknown>;
  @IsOptional() @IsString() catalogueVersion?: string;
  @IsOptional() @IsObject() custom?: Record<string, unknown>;
}

/**
 * The record's sub-set 13 entry (国内培训, domestic training) a project credit comes from, as the province
 * shows it on the record: confirmed training is not typed into the record (Art. 25), so the national
 * record view adds these entries as the province's does.
 */
export class SyncedTrainingEntry {
  @IsUUID() id: string;
  @IsString() @MaxLength(200) projectName: string;
  @IsISO8601() startDate: string;
  @IsISO8601() endDate: string;
  @IsNumber() @Min(0) hours: number;
  @IsOptional() @IsString() @MaxLength(200) organiser?: string | null;
  @IsOptional() @Matches(/^\d$/) level?: string | null;
  @IsOptional() @Matches(/^\d$/) mode?: string | null;
}

/** One confirmed training credit as the national node keeps it. */
export class SyncedCredit {
  @IsUUID() id: string;
  @IsString() @MaxLength(24) kind: string;
  @IsNumber() @Min(0) hours: number;
  @IsNumber() @Min(0) credits: number;
  @IsISO8601() confirmedOn: string;
  @IsIn(['project', 'self_study']) source: 'project' | 'self_study';
  @IsString() @MaxLength(200) sourceName: string;
  /** The province whose conversion rules gave the value (a transfer keeps earlier credits' province). */
  @Matches(/^\d{2}$/) province: string;
  @IsOptional() @IsString() @MaxLength(16) ruleVersion: string | null;
  @IsBoolean() countsForRegistration: boolean;
  /** A project's credit: the sub-set 13 entry of the confirmed result (absent from provinces before it was added; optional in v3). */
  @IsOptional() @ValidateNested() @Type(() => SyncedTrainingEntry) training?: SyncedTrainingEntry | null;
}

/** Schema v3: every confirmed credit of one teacher, as it now stands (replaces what national held). */
export class TeacherCreditsPayload {
  @IsUUID() teacherId: string;
  @Matches(/^[0-9]{10}(-[0-9]{3})?$/) unitCode: string;
  @IsArray()
  @ArrayMaxSize(10000)
  @ValidateNested({ each: true })
  @Type(() => SyncedCredit)
  credits: SyncedCredit[];
}

/** The most records one `teacher.snapshot` message carries (~2 kB each: well under the broker's 1 MiB). */
export const SNAPSHOT_MAX_RECORDS = 400;

/**
 * Schema v4: a chunk of a resync's records (ADR 0022), each a `TeacherUpsertedPayload`, all published
 * under the message's one sequence. Only the list's shape is checked here; every record is then judged
 * alone (`parseSnapshotRecord`, then the national node's checks), so one bad record is refused by itself.
 */
export class TeacherSnapshotPayload {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SNAPSHOT_MAX_RECORDS)
  @IsObject({ each: true })
  records: Record<string, unknown>[];
}

export class TeacherRemovedPayload {
  @IsUUID() teacherId: string;
  @Matches(/^[0-9]{10}(-[0-9]{3})?$/) unitCode: string;
  @IsString() reason: string;
}

export class CustomFieldsChangedPayload {
  @IsObject({ each: true }) definitions: Record<string, unknown>[];
}

export const SYNCED_UNIT_KINDS = ['city', 'county', 'school', 'department'] as const;

/** A province's unit (city, county, school or department) as it now stands. */
export class SyncedUnit {
  @Matches(/^[0-9]{6}$|^[0-9]{10}(-[0-9]{3})?$/) code: string;
  @IsIn(SYNCED_UNIT_KINDS) kind: (typeof SYNCED_UNIT_KINDS)[number];
  @IsString() @MaxLength(200) name: string;
  @Matches(/^[0-9]{6}$|^[0-9]{10}$/) parentCode: string;
  @IsIn(['active', 'closed', 'merged']) status: 'active' | 'closed' | 'merged';
  @IsOptional() @IsString() @MaxLength(4) schoolType?: string | null;
  @IsOptional() @IsString() @MaxLength(4) urbanRural?: string | null;
  @IsOptional() @IsString() @MaxLength(2) sponsor?: string | null;
  @IsOptional() @Matches(/^[0-9]{6}$|^[0-9]{10}(-[0-9]{3})?$/) mergedIntoCode?: string | null;
  @IsOptional() @IsISO8601() closedOn?: string | null;
  @IsOptional() @IsBoolean() central?: boolean;
}

/** Units created, renamed, moved, merged or closed (in the order they changed; one key per province keeps them in order). */
export class OrgUnitsChangedPayload {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @ValidateNested({ each: true })
  @Type(() => SyncedUnit)
  units: SyncedUnit[];
}

/** The province a unit code belongs to: cities and counties by their first two digits, schools and departments by digits 3-4. */
export function provinceOfUnitCode(code: string): string {
  return code.length === 6 ? code.slice(0, 2) : code.slice(2, 4);
}

export class SnapshotMarkerPayload {
  @IsIn(['begin', 'end']) phase: 'begin' | 'end';
  @IsInt() @Min(0) headSequence: number;
}

export class SyncEnvelope {
  @IsInt() @Min(1) @Max(CURRENT_SCHEMA_VERSION) schemaVersion: number;
  @IsUUID() eventId: string;
  @Matches(/^\d{2}$/) provinceCode: string;
  @IsInt() @Min(1) sequence: number;
  @IsIn(SYNC_TYPES) type: SyncType;
  @IsString() key: string;
  @IsISO8601() occurredAt: string;
  @IsObject() payload: Record<string, unknown>;
}

const PAYLOADS: Record<SyncType, new () => object> = {
  'teacher.upserted': TeacherUpsertedPayload,
  'teacher.removed': TeacherRemovedPayload,
  'custom-fields.changed': CustomFieldsChangedPayload,
  'org-units.changed': OrgUnitsChangedPayload,
  'snapshot.marker': SnapshotMarkerPayload,
  'teacher.credits': TeacherCreditsPayload,
  'teacher.snapshot': TeacherSnapshotPayload,
};

/** The schema version that introduced each type: an older envelope cannot carry a newer type. */
const SINCE: Partial<Record<SyncType, number>> = { 'teacher.credits': 3, 'teacher.snapshot': 4 };

function paths(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const p = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.keys(e.constraints ?? {}).map((c) => `${p}: ${c}`), ...paths(e.children ?? [], p)];
  });
}

export type ParsedSyncMessage =
  | { ok: true; envelope: SyncEnvelope & { schemaVersion: typeof CURRENT_SCHEMA_VERSION } }
  | { ok: false; reason: string; envelope?: Partial<SyncEnvelope> };

/** Parses and validates one raw message like an HTTP body; v1 to v3 messages are upgraded to v4. */
export function parseSyncMessage(raw: string | Buffer | null): ParsedSyncMessage {
  let json: unknown;
  try {
    json = JSON.parse(String(raw ?? ''));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof json !== 'object' || json === null) return { ok: false, reason: 'not an object' };
  const env = toInstance(SyncEnvelope, json);
  const errs = validateSync(env, { forbidUnknownValues: false });
  if (errs.length)
    return { ok: false, reason: `envelope: ${paths(errs).join('; ')}`, envelope: json as Partial<SyncEnvelope> };
  if ((SINCE[env.type] ?? 1) > env.schemaVersion)
    return { ok: false, reason: `envelope: type ${env.type} needs schema version ${SINCE[env.type]}`, envelope: env };
  const payload = toInstance(PAYLOADS[env.type], env.payload);
  const perrs = validateSync(payload, { forbidUnknownValues: false, whitelist: false });
  if (perrs.length) return { ok: false, reason: `payload: ${paths(perrs).join('; ')}`, envelope: env };
  if (env.type === 'teacher.upserted' && env.schemaVersion === 1) {
    const p = env.payload as Record<string, unknown>;
    p.catalogueVersion ??= 'unknown(v1)';
    p.custom ??= {};
  }
  return {
    ok: true,
    envelope: Object.assign(env, { schemaVersion: CURRENT_SCHEMA_VERSION as typeof CURRENT_SCHEMA_VERSION }),
  };
}

/**
 * One record of a `teacher.snapshot` chunk, checked with the rules of `TeacherUpsertedPayload`'s
 * decorators, called directly (class-validator's own functions, the same patterns) rather than through
 * `validateSync`, which looks up every registered class's metadata on each call — a resync checks
 * millions of records. contracts.spec.ts holds the two to the same verdict, field by field, so a rule
 * added to the class must be added here. The reason names the failing members and rules as
 * `parseSyncMessage` does.
 */
export function parseSnapshotRecord(
  plain: Record<string, unknown>,
): { ok: true; payload: TeacherUpsertedPayload } | { ok: false; reason: string } {
  const p = plain as Partial<Record<keyof TeacherUpsertedPayload, unknown>>;
  const failed: string[] = [];
  const check = (member: string, ok: boolean, rule: string) => {
    if (!ok) failed.push(`${member}: ${rule}`);
  };
  check('teacherId', isUUID(p.teacherId), 'isUuid');
  check('unitCode', matches(p.unitCode as string, SCHOOL_CODE), 'matches');
  check('idType', matches(p.idType as string, ID_TYPE), 'matches');
  check('idType', isString(p.idType), 'isString');
  check('idNumber', matches(p.idNumber as string, ID_NUMBER), 'matches');
  check('idNumber', isString(p.idNumber), 'isString');
  check('name', isString(p.name), 'isString');
  check('personStatus', matches(p.personStatus as string, TWO_DIGITS), 'matches');
  check('reportedVersion', min(p.reportedVersion, 1), 'min');
  check('reportedVersion', isInt(p.reportedVersion), 'isInt');
  check('record', isObject(p.record), 'isObject');
  if (p.catalogueVersion !== undefined && p.catalogueVersion !== null)
    check('catalogueVersion', isString(p.catalogueVersion), 'isString');
  if (p.custom !== undefined && p.custom !== null) check('custom', isObject(p.custom), 'isObject');
  if (failed.length) return { ok: false, reason: `payload: ${failed.join('; ')}` };
  return { ok: true, payload: plain as unknown as TeacherUpsertedPayload };
}

/** The same verdict through the contract class (`validateSync`): what `parseSnapshotRecord` must agree with. */
export function snapshotRecordByClass(plain: Record<string, unknown>): string[] {
  const errs = validateSync(toInstance(TeacherUpsertedPayload, plain), {
    forbidUnknownValues: false,
    whitelist: false,
  });
  return paths(errs);
}
