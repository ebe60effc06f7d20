import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum BulkErrorCode {
  NoFile = 'BULK_NO_FILE',
  NotASpreadsheet = 'BULK_NOT_A_SPREADSHEET',
  FileTooLarge = 'BULK_FILE_TOO_LARGE',
  Macros = 'BULK_MACROS_NOT_ALLOWED',
  Formulas = 'BULK_FORMULAS_NOT_ALLOWED',
  MergedCells = 'BULK_MERGED_CELLS_NOT_ALLOWED',
  NotATemplate = 'BULK_NOT_A_TEMPLATE',
  WrongTemplateVersion = 'BULK_WRONG_TEMPLATE_VERSION',
  MaskedExport = 'BULK_MASKED_EXPORT',
  UnknownSheet = 'BULK_UNKNOWN_SHEET',
  JobNotFound = 'BULK_JOB_NOT_FOUND',
  JobNotCommittable = 'BULK_JOB_NOT_COMMITTABLE',
  Busy = 'BULK_BUSY',
  FileGone = 'BULK_FILE_GONE',
}

const table: Record<BulkErrorCode, ErrorSpec> = {
  [BulkErrorCode.NoFile]: {
    status: 400,
    en: 'Send the file as multipart/form-data in the field "file"',
    zh: '请以 multipart/form-data 的 file 字段上传文件',
  },
  [BulkErrorCode.NotASpreadsheet]: {
    status: 415,
    en: 'The file is not an xlsx workbook nor a CSV text file',
    zh: '文件不是 xlsx 工作簿或 CSV 文本文件',
  },
  [BulkErrorCode.FileTooLarge]: {
    status: 413,
    en: 'The file is larger than the upload limit',
    zh: '文件超过上传大小限制',
  },
  [BulkErrorCode.Macros]: {
    status: 422,
    en: 'Workbooks with macros (xlsm, vbaProject) are refused: save the template as a plain .xlsx',
    zh: '不接受含宏的工作簿（xlsm、vbaProject），请另存为普通 .xlsx',
  },
  [BulkErrorCode.Formulas]: {
    status: 422,
    en: 'Cells with formulas are refused: paste the values only',
    zh: '不接受含公式的单元格，请粘贴为数值',
  },
  [BulkErrorCode.MergedCells]: {
    status: 422,
    en: 'Merged cells are refused: one value per cell',
    zh: '不接受合并单元格，每个单元格填写一个值',
  },
  [BulkErrorCode.NotATemplate]: {
    status: 422,
    en: 'The file is not in the TMIS import layout: download a template (or an export) and fill it in',
    zh: '文件不是系统导入模板格式，请下载模板（或导出文件）后填写',
  },
  [BulkErrorCode.WrongTemplateVersion]: {
    status: 422,
    en: 'The template was built from another catalogue version: download a current template',
    zh: '模板对应的指标目录版本与当前不一致，请重新下载模板',
  },
  [BulkErrorCode.MaskedExport]: {
    status: 422,
    en: 'A masked export (query user) cannot be imported: its ID numbers and contacts are hidden',
    zh: '脱敏导出文件（查询用户）不能导入：证件号和联系方式已隐藏',
  },
  [BulkErrorCode.UnknownSheet]: {
    status: 422,
    en: 'The workbook has a sheet that is not part of the layout',
    zh: '工作簿中有不属于模板的工作表',
  },
  [BulkErrorCode.JobNotFound]: { status: 404, en: 'Import job not found', zh: '导入任务不存在' },
  [BulkErrorCode.JobNotCommittable]: {
    status: 409,
    en: 'Only a finished dry run can be committed',
    zh: '只有已完成的试导入可以提交',
  },
  [BulkErrorCode.Busy]: {
    status: 503,
    en: 'The node is running as many imports as it may; retry in a few minutes',
    zh: '本节点导入任务已满，请稍后重试',
  },
  [BulkErrorCode.FileGone]: {
    status: 410,
    en: 'The uploaded file of this job is no longer kept: upload it again',
    zh: '该任务的上传文件已清理，请重新上传',
  },
};

export const bulkError = errorFactory(table);
