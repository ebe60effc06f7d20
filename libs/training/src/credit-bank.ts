import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { CreditRepository } from './credit.repository.js';
import { trainingError, TrainingErrorCode } from './training.errors.js';

export interface CreditEntry {
  id: string;
  kind: string;
  credits: number;
  hours: number;
  confirmedOn: string;
  source: string;
  ruleVersion: string | null;
  /** `purpose:reference` once applied, else null. */
  appliedTo: string | null;
}

export interface CreditWindow {
  totalCredits: number;
  totalHours: number;
  byKind: Record<string, { credits: number; hours: number }>;
  entries: CreditEntry[];
}

export type CreditPurpose = 'registration' | 'title';

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * The credit bank as other business modules use it (periodic registration, title evaluation): no
 * actor, no scope — the calling service has checked those. Stable API (issue 15 builds on it).
 */
@Injectable()
export class CreditBank {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: CreditRepository,
  ) {}

  /** Every confirmed credit of a teacher dated `from`..`to` (YYYY-MM-DD, inclusive), optionally of some kinds. */
  async creditsInWindow(teacherId: string, from: string, to: string, kinds?: string[]): Promise<CreditWindow> {
    const rows = await this.repo.credits(teacherId, from, to, kinds);
    const byKind: Record<string, { credits: number; hours: number }> = {};
    let totalCredits = 0;
    let totalHours = 0;
    for (const r of rows) {
      const k = (byKind[r.kind] ??= { credits: 0, hours: 0 });
      k.credits = round2(k.credits + r.credits);
      k.hours = round2(k.hours + r.hours);
      totalCredits += r.credits;
      totalHours += r.hours;
    }
    return {
      totalCredits: round2(totalCredits),
      totalHours: round2(totalHours),
      byKind,
      entries: rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        credits: r.credits,
        hours: r.hours,
        confirmedOn: r.confirmedOn,
        source: r.source === 'project' ? `project:${r.sourceName}` : `self_study:${r.sourceName}`,
        ruleVersion: r.ruleVersion,
        appliedTo: r.appliedPurpose ? `${r.appliedPurpose}:${r.appliedReference}` : null,
      })),
    };
  }

  /**
   * Marks credits used for a purpose, in the caller's open transaction (or its own). All or nothing:
   * a credit that is not the teacher's answers CREDIT_NOT_FOUND, one applied before
   * CREDITS_ALREADY_APPLIED (409), and nothing is marked.
   */
  apply(teacherId: string, creditIds: string[], purpose: CreditPurpose, referenceId: string): Promise<void> {
    return this.txHost.withTransaction(async () => {
      const ids = [...new Set(creditIds)];
      const rows = await this.repo.lockCredits(teacherId, ids);
      if (rows.length !== ids.length) {
        const found = new Set(rows.map((r) => r.id));
        throw trainingError(TrainingErrorCode.CreditNotFound, undefined, {
          creditIds: ids.filter((i) => !found.has(i)),
        });
      }
      const used = rows.filter((r) => r.appliedPurpose !== null).map((r) => r.id);
      if (used.length) throw trainingError(TrainingErrorCode.CreditsAlreadyApplied, undefined, { creditIds: used });
      const n = await this.repo.apply(teacherId, ids, purpose, referenceId);
      if (n !== ids.length) throw trainingError(TrainingErrorCode.CreditsAlreadyApplied);
    });
  }
}
