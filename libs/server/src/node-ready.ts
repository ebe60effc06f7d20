import { Injectable } from '@nestjs/common';

/**
 * Work that must wait until the node's reference data is in place: the node start runs it after the
 * reference tree is seeded and before the node listens. Nest's `onApplicationBootstrap` runs before
 * the seeding, so a consumer started there on a first start (an empty national database, a topic
 * already holding a province's messages) would judge messages against a tree not there yet.
 */
@Injectable()
export class NodeReady {
  private readonly tasks: (() => Promise<void>)[] = [];
  private ready = false;

  /** Runs `task` once the node is ready (now, if it already is). */
  async whenReady(task: () => Promise<void>): Promise<void> {
    if (this.ready) await task();
    else this.tasks.push(task);
  }

  /** Called once by the node start, after seeding. */
  async markReady(): Promise<void> {
    this.ready = true;
    for (const t of this.tasks.splice(0)) await t();
  }
}
