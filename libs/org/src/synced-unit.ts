import { SyncedUnit } from '@tmis/contracts';

/** A unit as the federation sees it (contracts: `SyncedUnit`), before the builder drops empty fields. */
export interface SyncedUnitRow {
  code: string;
  kind: SyncedUnit['kind'];
  name: string;
  parentCode: string;
  status: SyncedUnit['status'];
  schoolType: string | null;
  urbanRural: string | null;
  sponsor: string | null;
  central: boolean;
  mergedIntoCode: string | null;
  closedOn: string | null;
}

/**
 * The one builder of a unit's `SyncedUnit` (the `org-units.changed` payload's element), used by the live
 * path (`OrgService` announcing a change) and the resync (`OrgRepository.syncedUnitsPage`) alike. Empty
 * fields are left out. Wrap a list with `buildPayload(OrgUnitsChangedPayload, { units })` to validate it.
 */
export function toSyncedUnit(row: SyncedUnitRow): SyncedUnit {
  const unit: SyncedUnit = {
    code: row.code,
    kind: row.kind,
    name: row.name,
    parentCode: row.parentCode,
    status: row.status,
    central: row.central,
  };
  if (row.schoolType != null) unit.schoolType = row.schoolType;
  if (row.urbanRural != null) unit.urbanRural = row.urbanRural;
  if (row.sponsor != null) unit.sponsor = row.sponsor;
  if (row.mergedIntoCode != null) unit.mergedIntoCode = row.mergedIntoCode;
  if (row.closedOn != null) unit.closedOn = row.closedOn;
  return unit;
}
