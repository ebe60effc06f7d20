import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum StatsErrorCode {
  UnknownDimension = 'STATS_UNKNOWN_DIMENSION',
  TooManyDimensions = 'STATS_TOO_MANY_DIMENSIONS',
  BadFilter = 'STATS_BAD_FILTER',
  LevelAboveScope = 'STATS_LEVEL_ABOVE_SCOPE',
  PayNotAllowed = 'STATS_PAY_NOT_ALLOWED',
  NotRefreshed = 'STATS_NOT_REFRESHED',
  RefreshNotAllowed = 'STATS_REFRESH_NOT_ALLOWED',
  TableTooLarge = 'STATS_TABLE_TOO_LARGE',
}

const table: Record<StatsErrorCode, ErrorSpec> = {
  [StatsErrorCode.UnknownDimension]: {
    status: 400,
    en: 'Unknown statistics dimension (GET /stats/dimensions lists them)',
    zh: '未知的统计维度（见 GET /stats/dimensions）',
  },
  [StatsErrorCode.TooManyDimensions]: {
    status: 400,
    en: 'At most 4 dimensions per breakdown, each named once',
    zh: '每个统计表最多4个维度，且不得重复',
  },
  [StatsErrorCode.BadFilter]: {
    status: 400,
    en: 'The filter is not valid: dimension:value[|value…][,dimension:value…]',
    zh: '筛选条件格式无效：维度:值[|值…][,维度:值…]',
  },
  [StatsErrorCode.LevelAboveScope]: {
    status: 403,
    en: 'The breakdown level is above your unit: you read statistics for your unit and the units below it',
    zh: '统计层级高于本单位：只能查询本单位及下级单位的统计',
  },
  [StatsErrorCode.PayNotAllowed]: {
    status: 403,
    en: 'Pay statistics are for information administrators (query users never see pay)',
    zh: '工资待遇统计仅限信息管理员（查询用户不可查看待遇信息）',
  },
  [StatsErrorCode.NotRefreshed]: {
    status: 503,
    en: 'The statistics have not been computed yet; try again shortly',
    zh: '统计数据尚未生成，请稍后再试',
  },
  [StatsErrorCode.RefreshNotAllowed]: {
    status: 403,
    en: "A refresh is started by the system or information administrator of the node's top unit",
    zh: '须由本节点顶层单位的系统管理员或信息管理员发起刷新',
  },
  [StatsErrorCode.TableTooLarge]: {
    status: 422,
    en: 'The table would have more rows than one answer carries: break down by fewer dimensions, a higher level or a smaller unit, or filter',
    zh: '统计表行数超过单次查询上限：请减少维度、提高统计层级、缩小单位范围或增加筛选条件',
  },
};

export const statsError = errorFactory(table);
