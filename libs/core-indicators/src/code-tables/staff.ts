import { codeTable } from './code-table.js';

export const STAFF_CATEGORY = codeTable('staff-category', 'JY/T 1001 (教职工类别)', [
  ['11', '专任教师', 'Full-time teacher'], ['12', '教辅人员', 'Teaching support'], ['13', '行政人员', 'Administrative'],
  ['14', '工勤人员', 'Logistics'], ['15', '校办企业职工', 'School enterprise staff'], ['16', '其他附设机构人员', 'Other affiliated staff'],
]);

export const EMPLOYMENT_FORM = codeTable('employment-form', 'TMIS working list (用人形式)', [
  ['1', '合同制', 'Contract'], ['2', '人事代理', 'Personnel agency'], ['3', '劳务派遣', 'Labour dispatch'], ['9', '其他', 'Other'],
]);

export const CONTRACT_STATUS = codeTable('contract-status', 'TMIS working list (签订合同情况)', [
  ['1', '聘用合同', 'Appointment contract'], ['2', '劳动合同', 'Labour contract'], ['3', '其他合同', 'Other contract'], ['4', '未签合同', 'No contract'],
]);

export const STAFF_SOURCE = codeTable('staff-source', 'TMIS working list (人员来源)', [
  ['1', '应届毕业生', 'New graduate'], ['2', '其他学校调入', 'Transferred from another school'], ['3', '社会招聘', 'Open recruitment'],
  ['4', '军转干部', 'Demobilised officer'], ['5', '特岗计划', 'Special-post programme'], ['9', '其他', 'Other'],
]);

/** Person status (人员状态). `active` statuses count in active lists (Art. 22). */
export const PERSON_STATUS = codeTable('person-status', 'TMIS working list (人员状态)', [
  ['01', '在职在岗', 'In post'], ['02', '长期病假', 'Long sick leave'], ['03', '长期不在岗', 'Long absence'], ['04', '离职', 'Resigned'],
  ['05', '退休', 'Retired'], ['06', '离休', 'Retired (veteran cadre)'], ['07', '死亡', 'Deceased'], ['08', '调出', 'Transferred out'],
  ['99', '其他', 'Other'],
]);
export const ACTIVE_PERSON_STATUSES: ReadonlySet<string> = new Set(['01', '02', '03']);

export const IT_ABILITY = codeTable('it-ability', 'TMIS working list (信息技术应用能力)', [
  ['1', '精通', 'Expert'], ['2', '熟练', 'Proficient'], ['3', '良好', 'Good'], ['4', '一般', 'Basic'], ['5', '较弱', 'Weak'],
]);

export const POST_TYPE = codeTable('post-type', 'TMIS working list (岗位类别)', [
  ['1', '专业技术岗位', 'Professional-technical post'], ['2', '管理岗位', 'Management post'], ['3', '工勤技能岗位', 'Skilled-worker post'],
]);

/** Professional titles: primary/secondary series and higher-education series. */
export const PROFESSIONAL_TITLE = codeTable('professional-title', 'TMIS working list (专业技术职务)', [
  ['011', '正高级教师', 'Senior teacher (full)'], ['012', '高级教师', 'Senior teacher'], ['013', '一级教师', 'First-grade teacher'],
  ['014', '二级教师', 'Second-grade teacher'], ['015', '三级教师', 'Third-grade teacher'],
  ['021', '教授', 'Professor'], ['022', '副教授', 'Associate professor'], ['023', '讲师', 'Lecturer'], ['024', '助教', 'Teaching assistant'],
  ['999', '未定职级', 'Not yet graded'],
]);

export const TITLE_LEVEL = codeTable('title-level', 'TMIS working list (职称等级)', [
  ['1', '正高级', 'Full senior'], ['2', '副高级', 'Associate senior'], ['3', '中级', 'Intermediate'], ['4', '初级', 'Junior'],
  ['5', '员级', 'Assistant'], ['9', '未定级', 'Not graded'],
]);

export const QUALIFICATION_TYPE = codeTable('qualification-type', 'Teachers Law / SPEC Appendix A (教师资格种类)', [
  ['1', '幼儿园教师资格', 'Kindergarten'], ['2', '小学教师资格', 'Primary'], ['3', '初级中学教师资格', 'Junior secondary'],
  ['4', '高级中学教师资格', 'Senior secondary'], ['5', '中等职业学校教师资格', 'Secondary vocational'],
  ['6', '中等职业学校实习指导教师资格', 'Vocational practice instructor'], ['7', '高等学校教师资格', 'Higher education'],
]);

export const ASSESSMENT_RESULT = codeTable('assessment-result', 'TMIS working list (年度考核结果)', [
  ['1', '优秀', 'Excellent'], ['2', '合格', 'Qualified'], ['3', '基本合格', 'Basically qualified'], ['4', '不合格', 'Unqualified'], ['5', '不定等次', 'Not graded'],
]);

export const ETHICS_KIND = codeTable('ethics-kind', 'TMIS working list (师德信息类别)', [
  ['1', '师德考核', 'Ethics assessment'], ['2', '荣誉表彰', 'Honour'], ['3', '处理处分', 'Sanction'], ['4', '严重违反师德（一票否决）', 'Serious violation (one-vote veto)'],
]);

export const LEVEL = codeTable('level', 'TMIS working list (级别)', [
  ['1', '国家级', 'National'], ['2', '省级', 'Provincial'], ['3', '地市级', 'City'], ['4', '区县级', 'County'], ['5', '校级', 'School'], ['9', '其他', 'Other'],
]);

export const SUBJECT = codeTable('subject', 'TMIS working list (任教学科)', [
  ['01', '语文', 'Chinese'], ['02', '数学', 'Mathematics'], ['03', '英语', 'English'], ['04', '物理', 'Physics'], ['05', '化学', 'Chemistry'],
  ['06', '生物', 'Biology'], ['07', '历史', 'History'], ['08', '地理', 'Geography'], ['09', '道德与法治/思想政治', 'Ethics and law / Politics'],
  ['10', '音乐', 'Music'], ['11', '美术', 'Art'], ['12', '体育与健康', 'PE and health'], ['13', '信息科技', 'Information technology'],
  ['14', '科学', 'Science'], ['15', '劳动', 'Labour education'], ['16', '心理健康', 'Mental health'], ['17', '学前教育', 'Pre-school'],
  ['18', '特殊教育', 'Special education'], ['19', '专业课', 'Vocational subject'], ['99', '其他', 'Other'],
]);

export const SEMESTER = codeTable('semester', 'TMIS working list (学期)', [['1', '第一学期', 'First semester'], ['2', '第二学期', 'Second semester']]);

export const ROTATION_KIND = codeTable('rotation-kind', 'TMIS working list (交流轮岗类型)', [
  ['1', '城乡交流', 'Urban-rural exchange'], ['2', '校际交流', 'Inter-school exchange'], ['3', '支教', 'Teaching support'], ['9', '其他', 'Other'],
]);

export const TRAINING_MODE = codeTable('training-mode', 'TMIS working list (培训形式)', [
  ['1', '集中面授', 'Face to face'], ['2', '网络研修', 'Online'], ['3', '混合式', 'Blended'], ['4', '校本研修', 'School-based'],
]);
