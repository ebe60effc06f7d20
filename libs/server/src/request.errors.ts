import { errorFactory, type ErrorSpec } from '@tmis/common';

/** Input refused before it reaches a controller (or, as a last line, refused by PostgreSQL). */
export enum RequestErrorCode {
  NulCharacter = 'REQUEST_NUL_CHARACTER',
  InvalidUnicode = 'REQUEST_INVALID_UNICODE',
  TooDeep = 'REQUEST_TOO_DEEP',
  BadEncoding = 'REQUEST_BAD_ENCODING',
  DataRejected = 'REQUEST_DATA_REJECTED',
}

const table: Record<RequestErrorCode, ErrorSpec> = {
  [RequestErrorCode.NulCharacter]: {
    status: 400,
    en: 'Text must not contain the NUL character (U+0000)',
    zh: '文本不能包含空字符（U+0000）',
  },
  [RequestErrorCode.InvalidUnicode]: {
    status: 400,
    en: 'Text must be well-formed Unicode (no lone surrogates)',
    zh: '文本须为合法的Unicode（不能含孤立的代理项）',
  },
  [RequestErrorCode.TooDeep]: {
    status: 400,
    en: 'The JSON body is nested too deeply',
    zh: 'JSON请求体嵌套层级过深',
  },
  [RequestErrorCode.BadEncoding]: {
    status: 400,
    en: 'The address is not validly percent-encoded UTF-8',
    zh: '请求地址不是合法的百分号编码UTF-8',
  },
  [RequestErrorCode.DataRejected]: {
    status: 400,
    en: 'A value is out of range or not valid for its field',
    zh: '字段取值超出范围或格式无效',
  },
};

export const requestError = errorFactory(table);
