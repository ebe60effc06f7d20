import type { INestApplication } from '@nestjs/common';
import { AccountsService } from '@tmis/accounts';
import { OrgSeeder } from '@tmis/org';
import type { NodeRuntime } from '@tmis/server';

/** The root unit's code on this node: the ministry nationally, the province on a provincial node. */
export function rootUnitCode(runtime: Pick<NodeRuntime, 'kind' | 'config'>): string {
  return runtime.kind === 'national' ? '000000' : `${runtime.config.PROVINCE_CODE}0000`;
}

/** Ensures the GB/T 2260 reference tree of this node exists (idempotent, set-based). */
export async function seedReferenceTree(app: INestApplication, runtime: NodeRuntime): Promise<number> {
  const seeder = app.get(OrgSeeder);
  return seeder.ensureReferenceTree(
    runtime.kind === 'national'
      ? { kind: 'national' }
      : { kind: 'provincial', province: runtime.config.PROVINCE_CODE! },
  );
}

export async function bootstrapRootAdmin(
  app: INestApplication,
  runtime: NodeRuntime,
  input: { username: string; realName: string; idNumber: string; password: string; mustChangePassword?: boolean },
) {
  return app.get(AccountsService).bootstrapRootAdmin({ ...input, unitCode: rootUnitCode(runtime) });
}
