import type { INestApplication } from '@nestjs/common';
import { AccountsService } from '@tmis/accounts';

/** Creates the root unit's first system administrator (idempotent: an existing account is left alone). */
export async function bootstrapRootAdmin(
  app: INestApplication,
  rootUnitCode: string,
  input: { username: string; realName: string; idNumber: string; password: string; mustChangePassword?: boolean },
) {
  return app.get(AccountsService).bootstrapRootAdmin({ ...input, unitCode: rootUnitCode });
}
