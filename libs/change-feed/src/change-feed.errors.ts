import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum ChangeFeedErrorCode {
  InvalidCursor = 'CHANGES_INVALID_CURSOR',
  CursorExpired = 'CHANGES_CURSOR_EXPIRED',
}

const table: Record<ChangeFeedErrorCode, ErrorSpec> = {
  [ChangeFeedErrorCode.InvalidCursor]: {
    status: 400,
    en: 'The cursor is not one this node issued',
    zh: '游标无效（不是本节点签发的游标）',
  },
  [ChangeFeedErrorCode.CursorExpired]: {
    status: 410,
    en: 'The cursor points before the retained changes; read the records again, then follow the feed from its head',
    zh: '游标早于保留期内的变更；请重新读取全部数据，再从当前位置跟随变更',
  },
};

export const changeFeedError = errorFactory(table);
