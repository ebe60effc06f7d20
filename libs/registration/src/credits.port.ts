import type { CreditEntry } from './eligibility.js';

/**
 * What registration needs of the credit bank (issue 14): a teacher's confirmed credits in a window,
 * each at its confirmed value with its source and rule version, and marking the credits a decision
 * used. `CreditBank` of @tmis/training satisfies it; apps bind it (`RegistrationModule.register`).
 */
export abstract class RegistrationCredits {
  abstract creditsInWindow(
    teacherId: string,
    from: string,
    to: string,
    kinds?: string[],
  ): Promise<{ entries: CreditEntry[] }>;
  /** In the caller's transaction; refuses (409) credits already applied. */
  abstract apply(
    teacherId: string,
    creditIds: string[],
    purpose: 'registration' | 'title',
    referenceId: string,
  ): Promise<unknown>;
}

/** A node without a credit bank: no credits (every cycle falls short of its training). */
export class NoCredits extends RegistrationCredits {
  async creditsInWindow(): Promise<{ entries: CreditEntry[] }> {
    return { entries: [] };
  }
  async apply(_teacherId: string, creditIds: string[]): Promise<unknown> {
    if (creditIds.length) throw new Error('No credit bank on this node');
    return undefined;
  }
}
