import type { Role } from '@tmis/access';

export enum AccountStatus {
  Active = 'active',
  Disabled = 'disabled',
}

/** An account row as the repository returns it (never leaves the service layer). */
export interface AccountRow {
  id: string;
  unitId: string;
  role: Role;
  username: string;
  realName: string;
  idType: string;
  idNumber: string;
  passwordHash: string;
  mustChangePassword: boolean;
  failedAttempts: number;
  lockedUntil: Date | null;
  status: AccountStatus;
  certFingerprint: string | null;
  createdBy: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  unitPath: string;
  unitParentId: string | null;
  unitKind: string;
  unitStatus: string;
}
