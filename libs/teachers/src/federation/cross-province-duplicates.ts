import { Injectable } from '@nestjs/common';
import { OnFederationMessage, type FederationMessage } from '@tmis/federation';
import { TeacherRepository } from '../teacher.repository.js';

/** The national node's notice (libs/sync-ingest `CrossProvinceDuplicateNotice`; a contract kept by shape). */
interface CrossProvinceDuplicateNotice {
  idType: string;
  idNumber: string;
  provinces: string[];
  teacherIds: string[];
}

/**
 * A provincial node's handler of the national node's cross-province duplicate notices: the person
 * goes on (or, once fewer than two provinces hold them active, off) the "to verify" list. Keyed by
 * the person, so a repeated notice changes nothing; the federation inbox drops redeliveries.
 */
@Injectable()
export class CrossProvinceDuplicateNotices {
  constructor(private readonly teachers: TeacherRepository) {}

  @OnFederationMessage('duplicate.cross-province')
  async onNotice(m: FederationMessage<CrossProvinceDuplicateNotice>): Promise<void> {
    const { idType, idNumber, provinces } = m.payload;
    if (typeof idType !== 'string' || typeof idNumber !== 'string' || !Array.isArray(provinces))
      throw new Error('duplicate.cross-province: idType, idNumber and provinces are required');
    const list = provinces.filter((p): p is string => typeof p === 'string' && /^\d{2}$/.test(p));
    await this.teachers.noteCrossProvinceDuplicate(idType.slice(0, 8), idNumber.slice(0, 64), list, m.id);
  }
}
