import { codeTable } from './code-table.js';

export const POST_TYPE = codeTable('post-type', 'TMIS working list (岗位类别)', [
  ['1', '专业技术岗位', 'Professional-technical post'],
  ['2', '管理岗位', 'Management post'],
  ['3', '工勤技能岗位', 'Skilled-worker post'],
]);

/**
 * Professional titles (专业技术职务): 01x primary/secondary (and kindergarten) teachers, 02x higher
 * education, 03x secondary vocational teachers, 04x vocational practice instructors. TMIS working codes:
 * the real system's codes are not public, and these are NOT the GB/T 8561 codes.
 */
export const PROFESSIONAL_TITLE = codeTable('professional-title', 'TMIS working list (专业技术职务; not GB/T 8561)', [
  ['011', '正高级教师', 'Senior teacher (full)'],
  ['012', '高级教师', 'Senior teacher'],
  ['013', '一级教师', 'First-grade teacher'],
  ['014', '二级教师', 'Second-grade teacher'],
  ['015', '三级教师', 'Third-grade teacher'],
  ['021', '教授', 'Professor'],
  ['022', '副教授', 'Associate professor'],
  ['023', '讲师', 'Lecturer'],
  ['024', '助教', 'Teaching assistant'],
  ['031', '正高级讲师', 'Senior lecturer (full)'],
  ['032', '高级讲师', 'Senior lecturer'],
  ['033', '讲师（中职）', 'Lecturer (vocational)'],
  ['034', '助理讲师', 'Assistant lecturer'],
  ['035', '教员', 'Instructor'],
  ['041', '高级实习指导教师', 'Senior practice instructor'],
  ['042', '一级实习指导教师', 'First-grade practice instructor'],
  ['043', '二级实习指导教师', 'Second-grade practice instructor'],
  ['044', '三级实习指导教师', 'Third-grade practice instructor'],
  ['999', '未定职级', 'Not yet graded'],
]);

export const TITLE_LEVEL = codeTable('title-level', 'TMIS working list (职称等级)', [
  ['1', '正高级', 'Full senior'],
  ['2', '副高级', 'Associate senior'],
  ['3', '中级', 'Intermediate'],
  ['4', '初级', 'Junior'],
  ['5', '员级', 'Assistant'],
  ['9', '未定级', 'Not graded'],
]);

/** The title level (`title-level`) each professional title (`professional-title`) belongs to. */
export const TITLE_LEVEL_OF_TITLE: Readonly<Record<string, string>> = {
  '011': '1',
  '012': '2',
  '013': '3',
  '014': '4',
  '015': '5',
  '021': '1',
  '022': '2',
  '023': '3',
  '024': '4',
  '031': '1',
  '032': '2',
  '033': '3',
  '034': '4',
  '035': '5',
  '041': '2',
  '042': '3',
  '043': '4',
  '044': '5',
  '999': '9',
};

export const QUALIFICATION_TYPE = codeTable(
  'qualification-type',
  'Teachers Law, Art. 11 / SPEC Appendix A (教师资格种类)',
  [
    ['1', '幼儿园教师资格', 'Kindergarten'],
    ['2', '小学教师资格', 'Primary'],
    ['3', '初级中学教师资格', 'Junior secondary'],
    ['4', '高级中学教师资格', 'Senior secondary'],
    ['5', '中等职业学校教师资格', 'Secondary vocational'],
    ['6', '中等职业学校实习指导教师资格', 'Vocational practice instructor'],
    ['7', '高等学校教师资格', 'Higher education'],
  ],
);

export const ASSESSMENT_RESULT = codeTable('assessment-result', 'TMIS working list (年度考核结果)', [
  ['1', '优秀', 'Excellent'],
  ['2', '合格', 'Qualified'],
  ['3', '基本合格', 'Basically qualified'],
  ['4', '不合格', 'Unqualified'],
  ['5', '不定等次', 'Not graded'],
]);

export const REGISTRATION_RESULT = codeTable('registration-result', 'TMIS working list (教师资格定期注册结论)', [
  ['1', '注册合格', 'Registered'],
  ['2', '暂缓注册', 'Deferred'],
  ['3', '注册不合格', 'Not passed'],
]);

export const ETHICS_KIND = codeTable('ethics-kind', 'TMIS working list (师德信息类别)', [
  ['1', '师德考核', 'Ethics assessment'],
  ['2', '荣誉表彰', 'Honour'],
  ['3', '处理处分', 'Sanction'],
  ['4', '严重违反师德（一票否决）', 'Serious violation (one-vote veto)'],
]);
