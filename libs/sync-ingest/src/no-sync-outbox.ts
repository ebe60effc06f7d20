import { Injectable } from '@nestjs/common';
import { SyncOutbox } from '@tmis/contracts';

/** The national node is the hub: what its own units and records (central universities) do is not sent anywhere. */
@Injectable()
export class NoSyncOutbox extends SyncOutbox {
  async teacherReported(): Promise<void> {
    /* nothing to announce */
  }
  async customFieldsChanged(): Promise<void> {
    /* nothing to announce */
  }
  async unitsChanged(): Promise<void> {
    /* nothing to announce */
  }
  async creditsConfirmed(): Promise<void> {
    /* nothing to announce */
  }
}
