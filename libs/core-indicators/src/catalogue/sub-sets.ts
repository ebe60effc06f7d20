import type { FieldDef, FieldType, Owner, Sensitivity, SubSetDef } from './types.js';

type F = [key: string, zh: string, en: string, type: FieldType, extra?: Partial<Omit<FieldDef, 'key' | 'zh' | 'en' | 'type'>>];

function fields(owner: Owner, sensitivity: Sensitivity, list: F[]): FieldDef[] {
  return list.map(([key, zh, en, type, extra]) => ({ key, zh, en, type, owner, sensitivity, maxLength: type === 'string' ? 100 : type === 'text' ? 2000 : undefined, ...extra }));
}

const VOCATIONAL = ['secondary-vocational', 'higher-vocational'];

const period = (required = true): F[] => [
  ['startDate', '开始日期', 'Start date', 'date', required ? { required: true } : {}],
  ['endDate', '结束日期', 'End date', 'date'],
];

/** The 17 sub-sets of the record, in the order of SPEC Appendix A. */
export const SUB_SETS: readonly SubSetDef[] = [
  {
    key: 'basic', order: 1, zh: '基本信息', en: 'Basic information', cardinality: 'one', teacherVisible: true,
    fields: [
      ...fields('teacher', 'normal', [
        ['name', '姓名', 'Name', 'string', { required: true, maxLength: 50 }],
        ['formerName', '曾用名', 'Former name', 'string', { maxLength: 50 }],
        ['sex', '性别', 'Sex', 'code', { codeTable: 'sex', required: true }],
        ['nationality', '国籍/地区', 'Nationality', 'code', { codeTable: 'nationality', required: true }],
        ['birthDate', '出生日期', 'Birth date', 'date', { required: true }],
        ['birthplace', '出生地', 'Birthplace', 'string'],
        ['nativePlace', '籍贯', 'Native place', 'string'],
        ['ethnicity', '民族', 'Ethnicity', 'code', { codeTable: 'ethnicity' }],
        ['politicalStatus', '政治面貌', 'Political status', 'code', { codeTable: 'political-status', required: true }],
        ['maritalStatus', '婚姻状况', 'Marital status', 'code', { codeTable: 'marital-status' }],
        ['health', '健康状况', 'Health', 'code', { codeTable: 'health' }],
        ['photoRef', '照片', 'Photo reference', 'string', { maxLength: 200 }],
        ['itAbility', '信息技术应用能力', 'IT-application ability', 'code', { codeTable: 'it-ability' }],
      ]),
      ...fields('teacher', 'personal', [
        ['idType', '身份证件类型', 'ID document type', 'code', { codeTable: 'id-document-type', required: true, owner: 'school' }],
        ['idNumber', '身份证件号', 'ID document number', 'idNumber', { required: true, owner: 'school', maxLength: 32 }],
      ]),
      ...fields('school', 'normal', [
        ['staffNumber', '教职工号', 'Staff number', 'string', { maxLength: 32 }],
        ['workStartMonth', '参加工作年月', 'Work start (year-month)', 'yearMonth', { required: true }],
        ['schoolEntryMonth', '进本校年月', 'School entry (year-month)', 'yearMonth', { required: true }],
        ['staffSource', '教职工来源', 'Staff source', 'code', { codeTable: 'staff-source' }],
        ['staffCategory', '教职工类别', 'Staff category', 'code', { codeTable: 'staff-category', required: true }],
        ['onEstablishment', '是否在编', 'On the establishment', 'boolean', { required: true }],
        ['employmentForm', '用人形式', 'Employment form', 'code', { codeTable: 'employment-form' }],
        ['contractStatus', '签订合同情况', 'Contract status', 'code', { codeTable: 'contract-status' }],
        ['personStatus', '人员状态', 'Person status', 'code', { codeTable: 'person-status', required: true }],
        ['statusSince', '人员状态生效日期', 'Status effective date', 'date'],
        ['specialGradeTeacher', '是否特级教师', 'Special-grade teacher', 'boolean'],
        ['fundedNormalStudent', '是否公费师范生', 'Publicly funded normal student', 'boolean'],
        ['countyBackbone', '是否县级及以上骨干教师', 'County-level (or higher) backbone teacher', 'boolean'],
        ['mentalHealthTeacher', '是否心理健康教育教师', 'Mental-health teacher', 'boolean'],
        ['normalMajorGraduate', '是否全日制师范类专业毕业', 'Full-time normal-major graduate', 'boolean'],
        ['dualQualified', '是否双师型教师', 'Dual-qualified teacher', 'boolean', { onlyIn: VOCATIONAL }],
        ['preschoolMajor', '是否学前教育专业毕业', 'Pre-school education major', 'boolean', { onlyIn: ['kindergarten'] }],
      ]),
    ],
  },
  {
    key: 'education', order: 2, zh: '学习经历', en: 'Education', cardinality: 'many', teacherVisible: true,
    fields: fields('teacher', 'normal', [
      ['startMonth', '入学年月', 'Start (year-month)', 'yearMonth', { required: true }],
      ['endMonth', '毕业年月', 'End (year-month)', 'yearMonth'],
      ['schoolName', '毕业学校', 'Institution', 'string', { required: true }],
      ['major', '所学专业', 'Major', 'string'],
      ['educationLevel', '学历', 'Education level', 'code', { codeTable: 'education-level', required: true }],
      ['degree', '学位', 'Degree', 'code', { codeTable: 'degree' }],
      ['studyMode', '学习方式', 'Study mode', 'code', { codeTable: 'study-mode' }],
      ['isHighest', '是否最高学历', 'Highest education', 'boolean'],
    ]),
  },
  {
    key: 'workHistory', order: 3, zh: '工作经历', en: 'Work history', cardinality: 'many', teacherVisible: true,
    fields: fields('teacher', 'normal', [
      ['startMonth', '起始年月', 'Start (year-month)', 'yearMonth', { required: true }],
      ['endMonth', '结束年月', 'End (year-month)', 'yearMonth'],
      ['unit', '任职单位', 'Unit', 'string', { required: true }],
      ['post', '任职岗位', 'Post', 'string'],
    ]),
  },
  {
    key: 'postAppointment', order: 4, zh: '岗位聘任', en: 'Post appointment', cardinality: 'many', teacherVisible: true,
    fields: fields('school', 'normal', [
      ['postType', '岗位类别', 'Post type', 'code', { codeTable: 'post-type', required: true }],
      ['postLevel', '岗位等级', 'Post level', 'string', { maxLength: 50 }],
      ['startMonth', '聘任开始年月', 'Start (year-month)', 'yearMonth', { required: true }],
      ['endMonth', '聘任结束年月', 'End (year-month)', 'yearMonth'],
    ]),
  },
  {
    key: 'professionalTitle', order: 5, zh: '专业技术职务聘任', en: 'Professional title', cardinality: 'many', teacherVisible: true,
    fields: fields('school', 'normal', [
      ['title', '专业技术职务', 'Professional title', 'code', { codeTable: 'professional-title', required: true }],
      ['titleLevel', '职称等级', 'Title level', 'code', { codeTable: 'title-level' }],
      ['startMonth', '聘任开始年月', 'Start (year-month)', 'yearMonth', { required: true }],
      ['endMonth', '聘任结束年月', 'End (year-month)', 'yearMonth'],
      ['appointingUnit', '聘任单位', 'Appointing unit', 'string'],
    ]),
  },
  {
    key: 'payBenefits', order: 6, zh: '基本待遇', en: 'Pay and benefits', cardinality: 'many', teacherVisible: false,
    fields: fields('school', 'pay', [
      ['year', '年度', 'Year', 'integer', { required: true }],
      ['annualPay', '年工资收入（元）', 'Annual pay (CNY)', 'decimal', { required: true }],
      ['basicSalary', '基本工资（元/月）', 'Basic salary (CNY/month)', 'decimal'],
      ['performancePay', '绩效工资（元/月）', 'Performance pay (CNY/month)', 'decimal'],
      ['allowance', '津贴补贴（元/月）', 'Allowances (CNY/month)', 'decimal'],
      ['socialInsurance', '是否参加社会保险', 'Social insurance', 'boolean'],
      ['housingFund', '是否缴纳住房公积金', 'Housing fund', 'boolean'],
    ]),
  },
  {
    key: 'annualAssessment', order: 7, zh: '年度考核', en: 'Annual assessment', cardinality: 'many', teacherVisible: false,
    fields: fields('school', 'normal', [
      ['year', '考核年度', 'Year', 'integer', { required: true }],
      ['result', '考核结果', 'Result', 'code', { codeTable: 'assessment-result', required: true }],
      ['assessingUnit', '考核单位', 'Assessing unit', 'string'],
    ]),
  },
  {
    key: 'qualification', order: 8, zh: '教师资格', en: 'Teacher qualification', cardinality: 'many', teacherVisible: true,
    fields: fields('teacher', 'normal', [
      ['qualificationType', '教师资格种类', 'Qualification type', 'code', { codeTable: 'qualification-type', required: true }],
      ['subject', '任教学科', 'Subject', 'string'],
      ['certificateNumber', '资格证书号码', 'Certificate number', 'string', { maxLength: 32 }],
      ['issuedDate', '颁发日期', 'Issued on', 'date'],
      ['issuingAuthority', '颁发机构', 'Issuing authority', 'string'],
    ]),
  },
  {
    key: 'ethics', order: 9, zh: '师德信息', en: 'Professional ethics', cardinality: 'many', teacherVisible: false,
    fields: fields('school', 'normal', [
      ['kind', '类别', 'Kind', 'code', { codeTable: 'ethics-kind', required: true }],
      ['date', '日期', 'Date', 'date', { required: true }],
      ['description', '内容', 'Description', 'text', { required: true }],
      ['level', '级别', 'Level', 'code', { codeTable: 'level' }],
      ['decidingUnit', '决定单位', 'Deciding unit', 'string'],
    ]),
  },
  {
    key: 'teaching', order: 10, zh: '教育教学', en: 'Teaching', cardinality: 'many', teacherVisible: true,
    fields: fields('teacher', 'normal', [
      ['schoolYear', '学年', 'School year', 'string', { required: true, maxLength: 9 }],
      ['semester', '学期', 'Semester', 'code', { codeTable: 'semester' }],
      ['subject', '任教学科', 'Subject', 'code', { codeTable: 'subject', required: true }],
      ['grade', '任课年级', 'Grade', 'string', { maxLength: 50 }],
      ['weeklyHours', '周课时', 'Weekly hours', 'integer'],
    ]),
  },
  {
    key: 'researchAwards', order: 11, zh: '教学科研成果及获奖', en: 'Research results and awards', cardinality: 'many', teacherVisible: true,
    fields: fields('teacher', 'normal', [
      ['title', '名称', 'Title', 'string', { required: true, maxLength: 200 }],
      ['kind', '类别', 'Kind', 'string', { maxLength: 50 }],
      ['date', '日期', 'Date', 'date', { required: true }],
      ['level', '级别', 'Level', 'code', { codeTable: 'level' }],
      ['rank', '本人排名', 'Own rank', 'integer'],
    ]),
  },
  {
    key: 'talentProgrammes', order: 12, zh: '入选人才项目', en: 'Talent programmes', cardinality: 'many', teacherVisible: true,
    fields: fields('teacher', 'normal', [
      ['name', '项目名称', 'Programme', 'string', { required: true }],
      ['year', '入选年份', 'Year', 'integer', { required: true }],
      ['level', '级别', 'Level', 'code', { codeTable: 'level' }],
    ]),
  },
  {
    key: 'domesticTraining', order: 13, zh: '国内培训', en: 'Domestic training', cardinality: 'many', teacherVisible: true,
    fields: fields('teacher', 'normal', [
      ['projectName', '培训项目名称', 'Project', 'string', { required: true, maxLength: 200 }],
      ...period(),
      ['hours', '培训学时', 'Hours', 'decimal', { required: true }],
      ['organiser', '培训机构', 'Organiser', 'string'],
      ['level', '级别', 'Level', 'code', { codeTable: 'level' }],
      ['mode', '培训形式', 'Mode', 'code', { codeTable: 'training-mode' }],
    ]),
  },
  {
    key: 'overseasStudy', order: 14, zh: '海外研修（访学）', en: 'Overseas study', cardinality: 'many', teacherVisible: true,
    fields: fields('teacher', 'normal', [
      ['country', '国家/地区', 'Country', 'code', { codeTable: 'nationality', required: true }],
      ['institution', '研修机构', 'Institution', 'string', { required: true }],
      ...period(),
      ['programme', '项目名称', 'Programme', 'string'],
    ]),
  },
  {
    key: 'skillsCertificates', order: 15, zh: '技能及证书', en: 'Skills and certificates', cardinality: 'many', teacherVisible: true,
    fields: fields('teacher', 'normal', [
      ['name', '证书名称', 'Certificate', 'string', { required: true }],
      ['level', '等级', 'Level', 'string', { maxLength: 50 }],
      ['issuedDate', '发证日期', 'Issued on', 'date'],
      ['issuer', '发证单位', 'Issuer', 'string'],
    ]),
  },
  {
    key: 'exchangeRotation', order: 16, zh: '交流轮岗', en: 'Exchange rotation', cardinality: 'many', teacherVisible: true,
    fields: fields('school', 'normal', [
      ['kind', '交流轮岗类型', 'Kind', 'code', { codeTable: 'rotation-kind', required: true }],
      ...period(),
      ['fromUnit', '原单位', 'From', 'string'],
      ['toUnit', '交流单位', 'To', 'string', { required: true }],
      ['relationChanged', '是否变更人事关系', 'Personnel relation changed', 'boolean'],
    ]),
  },
  {
    key: 'contacts', order: 17, zh: '联系方式', en: 'Contacts', cardinality: 'one', teacherVisible: true,
    fields: fields('teacher', 'personal', [
      ['mobile', '手机号码', 'Mobile', 'phone'],
      ['officePhone', '办公电话', 'Office phone', 'phone'],
      ['email', '电子邮箱', 'Email', 'email', { maxLength: 100 }],
      ['address', '通信地址', 'Address', 'string', { maxLength: 200 }],
    ]),
  },
];
