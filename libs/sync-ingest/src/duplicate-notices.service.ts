import { Injectable } from '@nestjs/common';
import { FederationMessenger } from '@tmis/federation';
import { DuplicateNoticeRepository } from './duplicate-notice.repository.js';

/** The downward notice type (libs/teachers handles it on the provinces). */
export const CROSS_PROVINCE_DUPLICATE = 'duplicate.cross-province';

/** What a province is told about one person: the provinces holding them active, and its own records of them. */
export interface CrossProvinceDuplicateNotice {
  idType: string;
  idNumber: string;
  /** Every province with an active record of the person; fewer than two: resolved. */
  provinces: string[];
  /** The receiving province's own record ids (national's copies of them). */
  teacherIds: string[];
}

/**
 * Cross-province duplicates as downward notices: after received records are applied, each person
 * they concern whose set of provinces (with an active record) changed is announced to every
 * province concerned, in the ingest's transaction (the notice exists iff the records were applied).
 * A set of fewer than two tells the former provinces that it is resolved.
 */
@Injectable()
export class DuplicateNoticesService {
  constructor(
    private readonly repo: DuplicateNoticeRepository,
    private readonly messenger: FederationMessenger,
  ) {}

  async afterApplied(teacherIds: string[]): Promise<number> {
    const { active, notified } = await this.repo.personsOf(teacherIds);
    const persons = new Map<
      string,
      { idType: string; idNumber: string; byProvince: Map<string, string[]>; was: string[] }
    >();
    const person = (idType: string, idNumber: string) => {
      const k = `${idType}:${idNumber}`;
      let p = persons.get(k);
      if (!p) persons.set(k, (p = { idType, idNumber, byProvince: new Map(), was: [] }));
      return p;
    };
    for (const a of active) {
      const p = person(a.idType, a.idNumber);
      p.byProvince.set(a.province, [...(p.byProvince.get(a.province) ?? []), a.teacherId]);
    }
    for (const n of notified) person(n.idType, n.idNumber).was = [...n.provinces].sort();
    let sent = 0;
    for (const p of persons.values()) {
      const now = p.byProvince.size > 1 ? [...p.byProvince.keys()].sort() : [];
      if (now.join() === p.was.join()) continue;
      for (const province of [...new Set([...now, ...p.was])].sort()) {
        const notice: CrossProvinceDuplicateNotice = {
          idType: p.idType,
          idNumber: p.idNumber,
          provinces: now,
          teacherIds: (p.byProvince.get(province) ?? []).sort(),
        };
        await this.messenger.send(province, CROSS_PROVINCE_DUPLICATE, notice, `person:${p.idType}:${p.idNumber}`);
        sent++;
      }
      await this.repo.setNotified(p.idType, p.idNumber, now);
    }
    return sent;
  }
}
