import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum WebhookErrorCode {
  EndpointNotFound = 'WEBHOOK_ENDPOINT_NOT_FOUND',
  DeliveryNotFound = 'WEBHOOK_DELIVERY_NOT_FOUND',
  InvalidUrl = 'WEBHOOK_INVALID_URL',
  UnknownEventType = 'WEBHOOK_UNKNOWN_EVENT_TYPE',
  TargetNotAllowed = 'WEBHOOK_TARGET_NOT_ALLOWED',
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
  [WebhookErrorCode.TargetNotAllowed]: {
    status: 400,
    en: 'The target URL resolves to a loopback, link-local, private, multicast or metadata address; webhooks go to public addresses only',
    zh: '目标地址解析为环回、链路本地、内网、组播或元数据地址；Webhook 只投递到公网地址',
  },
};

export const webhookError = errorFactory(table);
