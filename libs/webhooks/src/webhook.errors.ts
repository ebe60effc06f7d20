import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum WebhookErrorCode {
  EndpointNotFound = 'WEBHOOK_ENDPOINT_NOT_FOUND',
  DeliveryNotFound = 'WEBHOOK_DELIVERY_NOT_FOUND',
  InvalidUrl = 'WEBHOOK_INVALID_URL',
  UnknownEventType = 'WEBHOOK_UNKNOWN_EVENT_TYPE',
}

const table: Record<WebhookErrorCode, ErrorSpec> = {
  [WebhookErrorCode.EndpointNotFound]: { status: 404, en: 'Webhook endpoint not found', zh: 'Webhook 端点不存在' },
  [WebhookErrorCode.DeliveryNotFound]: { status: 404, en: 'Webhook delivery not found', zh: 'Webhook 投递记录不存在' },
  [WebhookErrorCode.InvalidUrl]: {
    status: 400,
    en: 'The target URL must be an absolute http or https URL without credentials',
    zh: '目标地址须为不含用户名密码的 http 或 https 绝对地址',
  },
  [WebhookErrorCode.UnknownEventType]: { status: 400, en: 'Unknown event type', zh: '未知的事件类型' },
};

export const webhookError = errorFactory(table);
