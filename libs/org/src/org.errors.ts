import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum OrgErrorCode {
  UnitNotFound = 'ORG_UNIT_NOT_FOUND',
  InvalidCode = 'ORG_INVALID_CODE',
  CodeTaken = 'ORG_CODE_TAKEN',
  InvalidParent = 'ORG_INVALID_PARENT',
  HasActiveChildren = 'ORG_HAS_ACTIVE_CHILDREN',
  HasActiveTeachers = 'ORG_HAS_ACTIVE_TEACHERS',
  NotActive = 'ORG_UNIT_NOT_ACTIVE',
  MoveIntoOwnSubtree = 'ORG_MOVE_INTO_OWN_SUBTREE',
  MergeMismatch = 'ORG_MERGE_MISMATCH',
  NotManageable = 'ORG_UNIT_NOT_MANAGEABLE',
}

const table: Record<OrgErrorCode, ErrorSpec> = {
  [OrgErrorCode.UnitNotFound]: { status: 404, en: 'Unit not found', zh: '单位不存在' },
  [OrgErrorCode.InvalidCode]: { status: 400, en: 'The unit code is not valid', zh: '单位代码无效' },
  [OrgErrorCode.CodeTaken]: {
    status: 409,
    en: 'This code is already used by another unit (codes are never reused)',
    zh: '该代码已被其他单位使用（代码不可重复使用）',
  },
  [OrgErrorCode.InvalidParent]: {
    status: 400,
    en: 'A unit of this kind cannot be placed under that parent',
    zh: '该类型单位不能隶属于所选上级单位',
  },
  [OrgErrorCode.HasActiveChildren]: {
    status: 409,
    en: 'The unit still has active units below it',
    zh: '该单位仍有在用的下级单位',
  },
  [OrgErrorCode.HasActiveTeachers]: {
    status: 409,
    en: 'The unit still has teachers in post; transfer them or record their leaving first',
    zh: '该单位仍有在岗教师，请先调出或办理离岗',
  },
  [OrgErrorCode.NotActive]: { status: 409, en: 'The unit is closed or merged', zh: '该单位已撤销或已合并' },
  [OrgErrorCode.MoveIntoOwnSubtree]: {
    status: 400,
    en: 'A unit cannot be moved below itself',
    zh: '不能将单位移动到其自身的下级',
  },
  [OrgErrorCode.MergeMismatch]: {
    status: 400,
    en: 'Only units of the same kind can be merged, into a different active unit',
    zh: '只能将同类单位合并到另一个在用单位',
  },
  [OrgErrorCode.NotManageable]: {
    status: 403,
    en: 'Ministry and provincial units are maintained from the national division codes',
    zh: '部级和省级单位由国家区划代码维护，不可修改',
  },
};

export const orgError = errorFactory(table);
