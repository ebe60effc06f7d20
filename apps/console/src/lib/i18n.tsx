import { createContext, useContext } from 'react';

export type Lang = 'zh' | 'en';

/** Console texts: [Chinese, English]. Field labels and code names come from the API's catalogue. */
const TEXTS = {
  appName: ['全国教师管理信息系统', 'Teacher Management Information System'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出', 'Sign out'],
  username: ['用户名（教师为身份证件号）', 'User name (teachers: ID number)'],
  password: ['密码', 'Password'],
  caNote: [
    '系统管理员和信息管理员账号如已绑定 CA 数字证书，须使用证书登录（浏览器会提示选择证书）。',
    'Administrator accounts bound to a CA certificate sign in with that certificate (your browser asks you to choose it).',
  ],
  locked: [
    '账号已锁定，请 {m} 分钟后再试或联系上级管理员。',
    'The account is locked: try again in {m} minutes or ask your administrator.',
  ],
  mustChange: ['首次登录须修改密码', 'Change your password before you continue'],
  currentPassword: ['当前密码', 'Current password'],
  newPassword: ['新密码', 'New password'],
  confirmPassword: ['确认新密码', 'Confirm the new password'],
  passwordRule: [
    '至少 8 位，包含大写字母、小写字母、数字、符号中的三类，不得包含用户名。',
    'At least 8 characters of three kinds (upper case, lower case, digits, symbols), not containing the user name.',
  ],
  passwordsDiffer: ['两次输入的密码不一致', 'The passwords differ'],
  save: ['保存', 'Save'],
  cancel: ['取消', 'Cancel'],
  submit: ['提交审核', 'Submit for review'],
  search: ['查询', 'Search'],
  reset: ['重置', 'Reset'],
  more: ['加载更多', 'Load more'],
  name: ['姓名', 'Name'],
  sex: ['性别', 'Sex'],
  birthDate: ['出生日期', 'Birth date'],
  idNumber: ['身份证件号', 'ID number'],
  unit: ['单位', 'Unit'],
  status: ['状态', 'Status'],
  reviewState: ['审核状态', 'Review state'],
  actions: ['操作', 'Actions'],
  open: ['查看', 'Open'],
  edit: ['编辑', 'Edit'],
  add: ['新增', 'Add'],
  remove: ['删除', 'Remove'],
  version: ['版本', 'Version'],
  home: ['首页', 'Home'],
  todo: ['待办事项', 'To do'],
  teachers: ['教师信息', 'Teachers'],
  myRecord: ['我的档案', 'My record'],
  review: ['审核', 'Review'],
  changeRequests: ['变更申请', 'Change requests'],
  bulk: ['批量导入导出', 'Bulk import & export'],
  cycles: ['报送周期', 'Reporting cycles'],
  spotChecks: ['抽查', 'Spot checks'],
  stats: ['统计分析', 'Statistics'],
  accounts: ['账号管理', 'Accounts'],
  orgUnits: ['机构管理', 'Org units'],
  audit: ['审计日志', 'Audit log'],
  customFields: ['自定义指标', 'Custom indicators'],
  sync: ['数据同步', 'Sync'],
  myCredits: ['我的培训学分', 'My training credits'],
  myRegistration: ['我的定期注册', 'My registration'],
  transfers: ['调动与交流轮岗', 'Transfers & rotations'],
  registrations: ['注册申请', 'Registration applications'],
  apiClients: ['接入平台', 'API clients'],
  crossProvince: ['跨省调动', 'Cross-province transfers'],
  registerTeacher: ['新增教师', 'Register a teacher'],
  school: ['学校', 'School'],
  approve: ['通过', 'Approve'],
  returnIt: ['退回', 'Return'],
  reason: ['原因', 'Reason'],
  fieldReasons: ['退回字段及原因', 'Fields returned and why'],
  participants: ['集体审核参与人（逗号分隔）', 'Collective review participants (comma separated)'],
  principal: ['负责校长', 'Accountable principal'],
  batchApprove: ['批量通过', 'Approve selected'],
  trail: ['审核记录', 'Review trail'],
  saved: ['已保存', 'Saved'],
  done: ['已完成', 'Done'],
  noAccess: ['无权访问', 'No access'],
  notFound: ['页面不存在', 'Page not found'],
  asOf: ['数据截至', 'As of'],
  exportCsv: ['导出 CSV', 'Export CSV'],
  exportXlsx: ['导出 Excel', 'Export xlsx'],
  total: ['合计', 'Total'],
  loading: ['加载中…', 'Loading…'],
  language: ['English', '中文'],
  teacherOwnedNote: [
    '灰色字段由学校或主管部门维护，教师本人不能修改。',
    'Grey fields are kept by the school or department; you cannot change them.',
  ],
  submitted: ['已提交，等待学校审核', 'Submitted; waiting for the school review'],
  returned: ['已退回，请按原因修改后重新提交', 'Returned: correct what the reasons say and submit again'],
  upload: ['选择文件并上传', 'Choose a file and upload'],
  template: ['下载模板', 'Download the template'],
  errorReport: ['下载错误报告', 'Download the error report'],
  commit: ['确认导入', 'Commit the import'],
  dryRun: ['仅校验（不写入）', 'Dry run (writes nothing)'],
  progress: ['进度', 'Progress'],
  confirm: ['确认', 'Confirm'],
  overdue: ['逾期', 'Overdue'],
  lock: ['锁定', 'Lock'],
  unlock: ['解锁', 'Unlock'],
  resetPassword: ['重置密码', 'Reset password'],
  create: ['新建', 'Create'],
  role: ['角色', 'Role'],
  deadLetters: ['死信', 'Dead letters'],
  drillUp: ['返回上级', 'Up one level'],
  region: ['地区', 'Region'],
  count: ['人数', 'Teachers'],
} as const satisfies Record<string, readonly [string, string]>;

export type TextKey = keyof typeof TEXTS;

export interface I18n {
  lang: Lang;
  t(key: TextKey, vars?: Record<string, string | number>): string;
  /** Picks the label in the current language from an API object with `zh`/`en` (or `titleZh`/`title`). */
  pick(zh: string | undefined | null, en: string | undefined | null): string;
  setLang(l: Lang): void;
}

export function makeI18n(lang: Lang, setLang: (l: Lang) => void): I18n {
  return {
    lang,
    setLang,
    t(key, vars) {
      let s: string = TEXTS[key][lang === 'zh' ? 0 : 1];
      for (const [k, v] of Object.entries(vars ?? {})) s = s.replace(`{${k}}`, String(v));
      return s;
    },
    pick: (zh, en) => (lang === 'zh' ? (zh ?? en ?? '') : (en ?? zh ?? '')),
  };
}

export const I18nContext = createContext<I18n>(makeI18n('zh', () => undefined));
export const useI18n = () => useContext(I18nContext);
