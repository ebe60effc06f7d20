import { Module, type DynamicModule } from '@nestjs/common';
import { CoreNodeModule } from '@tmis/node-kit';
import type { NodeRuntime } from '@tmis/server';

/** A provincial node: its own province's subtree and accounts (later: the outbox that syncs to national). */
@Module({})
export class ProvincialAppModule {
  static register(runtime: NodeRuntime): DynamicModule {
    return { module: ProvincialAppModule, imports: [CoreNodeModule.register(runtime)] };
  }
}
