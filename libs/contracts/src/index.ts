// The public surface of libs/contracts: only what other libs, apps, tests, bench and tools import.
export {
  CURRENT_SCHEMA_VERSION,
  CustomFieldsChangedPayload,
  OrgUnitsChangedPayload,
  parseSnapshotRecord,
  parseSyncMessage,
  provinceOfUnitCode,
  SNAPSHOT_MAX_RECORDS,
  SnapshotMarkerPayload,
  SyncedUnit,
  SyncEnvelope,
  SyncedCredit,
  SyncedTrainingEntry,
  TeacherCreditsPayload,
  TeacherRemovedPayload,
  TeacherSnapshotPayload,
  TeacherUpsertedPayload,
} from './sync-messages.js';
export { buildPayload, ResyncParticipant, SyncOutbox } from './sync-outbox.js';
