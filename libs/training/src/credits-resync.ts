import { Injectable } from '@nestjs/common';
import { ResyncParticipant } from '@tmis/contracts';
import { CreditGranting } from './credit-granting.js';
import { CreditRepository } from './credit.repository.js';

/**
 * A resync's credits phase: every teacher's confirmed credits announced again (`teacher.credits`, one
 * message per teacher, as a confirmation sends them), so that a national node rebuilt from a resync holds
 * the credits and the confirmed training of sub-set 13 too, not only the records.
 */
@Injectable()
export class CreditsResync extends ResyncParticipant {
  readonly name = 'training credits';

  constructor(
    private readonly credits: CreditRepository,
    private readonly granting: CreditGranting,
  ) {
    super();
  }

  async queuePage(afterTeacherId: string | null, limit: number) {
    const page = await this.credits.teachersWithCredits(afterTeacherId, limit);
    if (!page.length) return { queued: 0, lastTeacherId: null };
    await this.granting.announceTeachers(new Map(page.map((t) => [t.id, t.unitCode])));
    return { queued: page.length, lastTeacherId: page[page.length - 1].id };
  }
}
