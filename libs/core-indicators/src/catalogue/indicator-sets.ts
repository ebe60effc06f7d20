import type { IndicatorSetDef } from './types.js';

/** Every sub-set key in record order. */
const ALL: readonly string[] = [
  'basic',
  'education',
  'workHistory',
  'postAppointment',
  'professionalTitle',
  'payBenefits',
  'annualAssessment',
  'qualification',
  'ethics',
  'teaching',
  'researchAwards',
  'talentProgrammes',
  'domesticTraining',
  'overseasStudy',
  'skillsCertificates',
  'exchangeRotation',
  'contacts',
];
const without = (...keys: string[]): string[] => ALL.filter((k) => !keys.includes(k));

/**
 * The seven indicator sets by school type (SPEC §2). Data, not code: a set is added to a catalogue
 * definition (or loaded from configuration) and the validators follow. The press names six of the
 * seven; `other` stands in for the unpublished seventh and takes school types without a named set.
 * Kindergartens have no teaching sub-set; exchange rotation is for primary/secondary only.
 */
export const INDICATOR_SETS: readonly IndicatorSetDef[] = [
  { key: 'kindergarten', zh: '幼儿园', en: 'Kindergarten', subSets: without('teaching', 'exchangeRotation') },
  { key: 'primary-secondary', zh: '中小学', en: 'Primary and secondary', subSets: ALL },
  { key: 'secondary-vocational', zh: '中等职业学校', en: 'Secondary vocational', subSets: without('exchangeRotation') },
  { key: 'special-education', zh: '特殊教育学校', en: 'Special education', subSets: without('exchangeRotation') },
  { key: 'higher-vocational', zh: '高等职业学校', en: 'Higher vocational', subSets: without('exchangeRotation') },
  { key: 'undergraduate', zh: '普通本科高校', en: 'Undergraduate', subSets: without('exchangeRotation') },
  {
    key: 'other',
    zh: '其他（第七类，未公开）',
    en: 'Other (the unpublished seventh set)',
    subSets: without('exchangeRotation'),
    note: 'Placeholder for the seventh indicator set the press mentions but does not name; also used for school types without a set.',
  },
];
