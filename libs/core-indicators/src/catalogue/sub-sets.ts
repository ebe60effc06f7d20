import { BASIC_FIELDS } from './fields-basic.js';
import {
  ANNUAL_ASSESSMENT_FIELDS, EDUCATION_FIELDS, ETHICS_FIELDS, PAY_BENEFITS_FIELDS, POST_APPOINTMENT_FIELDS, PROFESSIONAL_TITLE_FIELDS,
  QUALIFICATION_FIELDS, WORK_HISTORY_FIELDS,
} from './fields-career.js';
import {
  CONTACTS_FIELDS, DOMESTIC_TRAINING_FIELDS, EXCHANGE_ROTATION_FIELDS, OVERSEAS_STUDY_FIELDS, RESEARCH_AWARDS_FIELDS, SKILLS_CERTIFICATES_FIELDS,
  TALENT_PROGRAMMES_FIELDS, TEACHING_FIELDS,
} from './fields-growth.js';
import type { SubSetDef } from './types.js';

/**
 * The 17 sub-sets of a teacher record, in the order of SPEC Appendix A. Basic and contacts are one per
 * teacher, the rest lists. Teachers see 14 of them: pay, assessment and ethics are kept by the school.
 * Which indicator sets include a sub-set is said by the sets (`indicator-sets.ts`).
 */
export const SUB_SETS: readonly SubSetDef[] = [
  { key: 'basic', order: 1, zh: '基本信息', en: 'Basic information', cardinality: 'one', teacherVisible: true, fields: BASIC_FIELDS },
  { key: 'education', order: 2, zh: '学习经历', en: 'Education', cardinality: 'many', teacherVisible: true, fields: EDUCATION_FIELDS },
  { key: 'workHistory', order: 3, zh: '工作经历', en: 'Work history', cardinality: 'many', teacherVisible: true, fields: WORK_HISTORY_FIELDS },
  { key: 'postAppointment', order: 4, zh: '岗位聘任', en: 'Post appointment', cardinality: 'many', teacherVisible: true, fields: POST_APPOINTMENT_FIELDS },
  { key: 'professionalTitle', order: 5, zh: '专业技术职务聘任', en: 'Professional title', cardinality: 'many', teacherVisible: true, fields: PROFESSIONAL_TITLE_FIELDS },
  { key: 'payBenefits', order: 6, zh: '基本待遇', en: 'Pay and benefits', cardinality: 'many', teacherVisible: false, uniqueBy: ['year'], fields: PAY_BENEFITS_FIELDS },
  { key: 'annualAssessment', order: 7, zh: '年度考核', en: 'Annual assessment', cardinality: 'many', teacherVisible: false, uniqueBy: ['year'], fields: ANNUAL_ASSESSMENT_FIELDS },
  { key: 'qualification', order: 8, zh: '教师资格', en: 'Teacher qualification', cardinality: 'many', teacherVisible: true, fields: QUALIFICATION_FIELDS },
  { key: 'ethics', order: 9, zh: '师德信息', en: 'Professional ethics', cardinality: 'many', teacherVisible: false, fields: ETHICS_FIELDS },
  { key: 'teaching', order: 10, zh: '教育教学', en: 'Teaching', cardinality: 'many', teacherVisible: true, fields: TEACHING_FIELDS },
  { key: 'researchAwards', order: 11, zh: '教学科研成果及获奖', en: 'Research results and awards', cardinality: 'many', teacherVisible: true, fields: RESEARCH_AWARDS_FIELDS },
  { key: 'talentProgrammes', order: 12, zh: '入选人才项目', en: 'Talent programmes', cardinality: 'many', teacherVisible: true, fields: TALENT_PROGRAMMES_FIELDS },
  { key: 'domesticTraining', order: 13, zh: '国内培训', en: 'Domestic training', cardinality: 'many', teacherVisible: true, fields: DOMESTIC_TRAINING_FIELDS },
  { key: 'overseasStudy', order: 14, zh: '海外研修（访学）', en: 'Overseas study (visiting)', cardinality: 'many', teacherVisible: true, fields: OVERSEAS_STUDY_FIELDS },
  { key: 'skillsCertificates', order: 15, zh: '技能及证书', en: 'Skills and certificates', cardinality: 'many', teacherVisible: true, fields: SKILLS_CERTIFICATES_FIELDS },
  { key: 'exchangeRotation', order: 16, zh: '交流轮岗', en: 'Exchange rotation', cardinality: 'many', teacherVisible: true, fields: EXCHANGE_ROTATION_FIELDS },
  { key: 'contacts', order: 17, zh: '联系方式', en: 'Contacts', cardinality: 'one', teacherVisible: true, fields: CONTACTS_FIELDS },
];
