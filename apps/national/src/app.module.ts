import { Module, type DynamicModule } from '@nestjs/common';
import { CoreNodeModule } from '@tmis/node-kit';
import type { NodeRuntime } from '@tmis/server';

/** The national node: the whole org tree, ministry accounts (later: the national roll-up and sync ingest). */
@Module({})
export class NationalAppModule {
  static register(runtime: NodeRuntime): DynamicModule {
    return { module: NationalAppModule, imports: [CoreNodeModule.register(runtime)] };
  }
}
