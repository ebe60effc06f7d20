import { Tag } from 'antd';
import { useI18n } from './i18n';

/**
 * Labels of the workflow states and kinds the API answers as codes (they are states of a case, not
 * national code tables, so the catalogue does not carry them). Codes of national tables (rotation
 * kind, school type, …) are labelled from the catalogue instead (`codeLabel`). A code no table here
 * knows shows as itself, so a state the API adds later is still visible, never blank.
 */
type Entry = readonly [zh: string, en: string, color?: string];
export const LABELS = {
  transferKind: {
    transfer: ['调动', 'Transfer'],
    rotation: ['交流轮岗', 'Exchange rotation'],
    'rotation-transfer': ['交流轮岗（转人事关系）', 'Rotation with transfer of employment'],
    'cross-in': ['跨省调入', 'Cross-province transfer in'],
    'cross-out': ['跨省调出', 'Cross-province transfer out'],
  },
  transferState: {
    awaiting_receiving_department: ['待调入方主管部门审批', 'Awaiting the receiving department', 'blue'],
    awaiting_sending_school: ['待调出学校同意', 'Awaiting the sending school', 'blue'],
    awaiting_sending_department: ['待调出方主管部门审批', 'Awaiting the sending department', 'blue'],
    awaiting_receiving_school: ['待调入学校接收', 'Awaiting the receiving school', 'blue'],
    awaiting_other_province: ['待对方省份办理', 'Awaiting the other province', 'purple'],
    approved: ['已批准', 'Approved', 'cyan'],
    serving: ['轮岗中', 'Serving the rotation', 'cyan'],
    completed: ['已办结', 'Completed', 'green'],
    refused: ['未同意', 'Refused', 'red'],
    withdrawn: ['已撤回', 'Withdrawn', 'default'],
    expired: ['已超期失效', 'Expired', 'orange'],
  },
  /** The national node's state of a cross-province case. */
  crossProvinceState: {
    in_flight: ['办理中', 'In progress', 'blue'],
    completed: ['已办结', 'Completed', 'green'],
    refused: ['未同意', 'Refused', 'red'],
    expired: ['已超期失效', 'Expired', 'orange'],
  },
  hubStep: {
    at_sending_province: ['待调出省份办理', 'At the sending province'],
    at_receiving_province: ['待调入省份办理', 'At the receiving province'],
    done: ['已完成', 'Done'],
  },
  /** GB/T 2260 province codes (the first two digits), for the national screens. */
  province: {
    '11': ['北京市', 'Beijing'],
    '12': ['天津市', 'Tianjin'],
    '13': ['河北省', 'Hebei'],
    '14': ['山西省', 'Shanxi'],
    '15': ['内蒙古自治区', 'Inner Mongolia'],
    '21': ['辽宁省', 'Liaoning'],
    '22': ['吉林省', 'Jilin'],
    '23': ['黑龙江省', 'Heilongjiang'],
    '31': ['上海市', 'Shanghai'],
    '32': ['江苏省', 'Jiangsu'],
    '33': ['浙江省', 'Zhejiang'],
    '34': ['安徽省', 'Anhui'],
    '35': ['福建省', 'Fujian'],
    '36': ['江西省', 'Jiangxi'],
    '37': ['山东省', 'Shandong'],
    '41': ['河南省', 'Henan'],
    '42': ['湖北省', 'Hubei'],
    '43': ['湖南省', 'Hunan'],
    '44': ['广东省', 'Guangdong'],
    '45': ['广西壮族自治区', 'Guangxi'],
    '46': ['海南省', 'Hainan'],
    '50': ['重庆市', 'Chongqing'],
    '51': ['四川省', 'Sichuan'],
    '52': ['贵州省', 'Guizhou'],
    '53': ['云南省', 'Yunnan'],
    '54': ['西藏自治区', 'Tibet'],
    '61': ['陕西省', 'Shaanxi'],
    '62': ['甘肃省', 'Gansu'],
    '63': ['青海省', 'Qinghai'],
    '64': ['宁夏回族自治区', 'Ningxia'],
    '65': ['新疆维吾尔自治区', 'Xinjiang'],
    '66': ['新疆生产建设兵团', 'Xinjiang Production and Construction Corps'],
  },
  side: { sending: ['调出方', 'Sending side'], receiving: ['调入方', 'Receiving side'] },
  level: { school: ['学校', 'school'], department: ['主管部门', 'department'] },
  registrationState: {
    applied: ['已申请', 'Applied', 'blue'],
    school_confirmed: ['学校已确认', 'Confirmed by the school', 'cyan'],
    returned: ['已退回', 'Returned', 'orange'],
    registered: ['注册合格', 'Registered', 'green'],
    deferred: ['暂缓注册', 'Deferred', 'gold'],
    not_passed: ['注册不合格', 'Not passed', 'red'],
  },
  eligibility: {
    eligible: ['符合条件', 'Eligible', 'green'],
    deferred: ['应暂缓注册', 'To be deferred', 'gold'],
    not_passed: ['不符合条件', 'Not eligible', 'red'],
  },
  creditKind: {
    training: ['集中培训', 'Face-to-face training'],
    online: ['网络研修', 'Online training'],
    school_based: ['校本研修', 'School-based training'],
    course: ['自学课程', 'Self-study courses'],
    degree: ['学历提升', 'Degree study'],
    research: ['教育科研', 'Research'],
    publication: ['论文著作', 'Publications'],
  },
  creditPurpose: {
    registration: ['已用于定期注册', 'Used for registration'],
    title: ['已用于职称评审', 'Used for a title'],
  },
  claimState: {
    submitted: ['已提交', 'Submitted', 'blue'],
    school_approved: ['学校已审核', 'School approved', 'cyan'],
    approved: ['已认定', 'Approved', 'green'],
    refused: ['未认定', 'Refused', 'red'],
  },
  apiClientStatus: {
    active: ['有效', 'Active', 'green'],
    expired: ['已过期', 'Expired', 'orange'],
    revoked: ['已吊销', 'Revoked', 'red'],
  },
  apiScope: {
    'teachers:read': ['读取教师信息（证件号、联系方式脱敏）', 'Read teachers (ID numbers, contacts masked)'],
    'teachers:read:sensitive': ['读取敏感信息（不脱敏）', 'Read sensitive data unmasked'],
    'training:write': ['报送培训结果', 'Record training results'],
    'stats:read': ['读取统计数据', 'Read statistics'],
    'changes:read': ['读取变更订阅', 'Read the change feed'],
  },
  accountStatus: { active: ['正常', 'Active', 'green'], disabled: ['已停用', 'Disabled', 'default'] },
  changeRequestState: {
    pending: ['待处理', 'Pending', 'blue'],
    approved: ['已同意', 'Approved', 'green'],
    rejected: ['已驳回', 'Rejected', 'red'],
    stale: ['已失效', 'Stale', 'default'],
  },
  jobState: {
    queued: ['排队中', 'Queued', 'default'],
    validating: ['校验中', 'Validating', 'processing'],
    validated: ['已校验', 'Validated', 'cyan'],
    committing: ['导入中', 'Importing', 'processing'],
    committed: ['已导入', 'Imported', 'green'],
    failed: ['失败', 'Failed', 'red'],
    interrupted: ['已中断', 'Interrupted', 'orange'],
  },
  unitKind: {
    ministry: ['教育部', 'Ministry'],
    province: ['省级', 'Province'],
    city: ['市级', 'City'],
    county: ['县级', 'County'],
    school: ['学校', 'School'],
    department: ['内设部门', 'Department'],
    institution: ['培训机构', 'Training institution'],
  },
  unitStatus: {
    active: ['正常', 'Active', 'green'],
    closed: ['已撤销', 'Closed', 'default'],
    merged: ['已合并', 'Merged', 'default'],
  },
  spotCheckKind: { teachers: ['教师', 'Teachers'], schools: ['学校', 'Schools'] },
  spotCheckStatus: { open: ['进行中', 'Open', 'blue'], published: ['已公布', 'Published', 'green'] },
  spotCheckResult: {
    pending: ['待核查', 'Pending', 'default'],
    verified: ['核查无误', 'Verified', 'green'],
    discrepancy: ['发现问题', 'Discrepancy', 'red'],
  },
  fieldType: {
    string: ['文本', 'Text'],
    text: ['长文本', 'Long text'],
    date: ['日期', 'Date'],
    yearMonth: ['年月', 'Year and month'],
    code: ['代码', 'Code'],
    boolean: ['是/否', 'Yes/no'],
    integer: ['整数', 'Integer'],
    decimal: ['小数', 'Decimal'],
    phone: ['电话', 'Phone'],
    email: ['电子邮箱', 'Email'],
  },
  fieldOwner: { teacher: ['教师本人', 'Teacher'], school: ['学校', 'School'], department: ['主管部门', 'Department'] },
  sensitivity: { normal: ['一般', 'Normal'], personal: ['个人信息', 'Personal'], pay: ['薪酬信息', 'Pay'] },
  customFieldStatus: { active: ['启用', 'Active', 'green'], retired: ['已停用', 'Retired', 'default'] },
} as const satisfies Record<string, Record<string, Entry>>;

export type LabelTable = keyof typeof LABELS;

/** The label of a code in the console's language (the code itself when the table does not know it). */
export function useLabel() {
  const i18n = useI18n();
  return (table: LabelTable, code: string | null | undefined): string => {
    if (code == null || code === '') return '';
    const e = (LABELS[table] as Record<string, Entry>)[code];
    return e ? i18n.pick(e[0], e[1]) : code;
  };
}

/** A tag with a code's label (and its colour), the code kept in `data-code` for tests and support. */
export function CodeTag({ table, code }: { table: LabelTable; code: string | null | undefined }) {
  const label = useLabel();
  if (code == null || code === '') return null;
  const e = (LABELS[table] as Record<string, Entry>)[code];
  return (
    <Tag color={e?.[2]} data-code={code}>
      {label(table, code)}
    </Tag>
  );
}

/** The options of a Select over a label table. */
export function useLabelOptions() {
  const label = useLabel();
  return (table: LabelTable, codes?: readonly string[]) =>
    (codes ?? Object.keys(LABELS[table])).map((c) => ({ value: c, label: label(table, c) }));
}
