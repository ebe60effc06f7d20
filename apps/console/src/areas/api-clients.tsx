import { useState } from 'react';
import { Alert, App, Button, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { CodeTag, useLabel } from '../lib/labels';
import { ProblemAlert, showFieldErrors } from '../lib/problem';
import { useLoad } from '../lib/use-load';

type Scope = 'teachers:read' | 'teachers:read:sensitive' | 'training:write' | 'stats:read' | 'changes:read';
const SCOPES: Scope[] = ['teachers:read', 'teachers:read:sensitive', 'training:write', 'stats:read', 'changes:read'];

/** A client of `GET /api-clients` as the API answers it. */
interface ApiClient {
  id: string;
  name: string;
  ownerUnitPath: string;
  scopes: string[];
  allowedAddresses: string[];
  expiresAt: string | null;
  rateLimitPerMinute: number | null;
  createdAt: string;
  status: 'active' | 'expired' | 'revoked';
  secrets: { id: string; hint: string; status: string }[];
}
interface NewClient {
  name: string;
  scopes: Scope[];
  allowedAddresses?: string;
  rateLimitPerMinute?: number;
}

/** System administrators: the platforms that call the API (OAuth client credentials); the secret is shown once. */
export default function ApiClients() {
  const i18n = useI18n();
  const { message, modal } = App.useApp();
  const { data, error, reload, setError, loading } = useLoad(
    () => unwrap<{ items: ApiClient[] }>(api.GET('/api-clients')),
    [],
  );
  const label = useLabel();
  const [form] = Form.useForm<NewClient>();
  const [registering, setRegistering] = useState(false);
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  const register = async (v: NewClient) => {
    try {
      const addresses = (v.allowedAddresses ?? '')
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean);
      const c = await unwrap<ApiClient & { clientSecret: string }>(
        api.POST('/api-clients', {
          body: {
            name: v.name,
            scopes: v.scopes,
            ...(addresses.length ? { allowedAddresses: addresses } : {}),
            ...(v.rateLimitPerMinute ? { rateLimitPerMinute: v.rateLimitPerMinute } : {}),
          },
        }),
      );
      setRegistering(false);
      form.resetFields();
      setSecret({ id: c.id, secret: c.clientSecret });
      await reload();
    } catch (e) {
      showFieldErrors(e, form, i18n);
      setError(e);
    }
  };
  const revoke = (c: ApiClient) =>
    modal.confirm({
      title: i18n.pick(`吊销 ${c.name}？`, `Revoke ${c.name}?`),
      content: i18n.pick('其所有密钥和令牌立即失效。', 'Every secret and token stops working at once.'),
      okText: i18n.t('confirm'),
      cancelText: i18n.t('cancel'),
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          await unwrap(api.POST('/api-clients/{id}/revoke', { params: { path: { id: c.id } } }));
          message.success(i18n.t('done'));
          await reload();
        } catch (e) {
          setError(e);
        }
      },
    });
  return (
    <>
      <Typography.Title level={3}>{i18n.t('apiClients')}</Typography.Title>
      <ProblemAlert error={error} />
      <Button type="primary" style={{ marginBottom: 12 }} onClick={() => setRegistering(true)}>
        {i18n.pick('注册接入平台', 'Register a client')}
      </Button>
      <Table<ApiClient>
        rowKey="id"
        loading={loading}
        dataSource={data?.items ?? []}
        columns={[
          { title: i18n.t('name'), dataIndex: 'name' },
          {
            title: 'client_id',
            dataIndex: 'id',
            render: (v: string) => <Typography.Text copyable>{v}</Typography.Text>,
          },
          {
            title: i18n.pick('权限范围', 'Scopes'),
            dataIndex: 'scopes',
            render: (s: string[]) =>
              s.map((x) => (
                <Tag key={x} title={x} data-code={x}>
                  {label('apiScope', x)}
                </Tag>
              )),
          },
          {
            title: i18n.pick('允许地址', 'Addresses'),
            dataIndex: 'allowedAddresses',
            render: (a: string[]) => (a.length ? a.join(', ') : i18n.pick('不限', 'any')),
          },
          {
            title: i18n.pick('密钥', 'Secrets'),
            dataIndex: 'secrets',
            render: (s: ApiClient['secrets']) =>
              s.map((x) => (
                <span key={x.id}>
                  <Typography.Text code>{x.hint}</Typography.Text> <CodeTag table="apiClientStatus" code={x.status} />
                </span>
              )),
          },
          {
            title: i18n.t('status'),
            dataIndex: 'status',
            render: (s: string) => <CodeTag table="apiClientStatus" code={s} />,
          },
          {
            title: i18n.t('actions'),
            key: 'a',
            render: (_, c) =>
              c.status !== 'revoked' && (
                <Space>
                  <Button size="small" danger onClick={() => revoke(c)}>
                    {i18n.pick('吊销', 'Revoke')}
                  </Button>
                </Space>
              ),
          },
        ]}
      />
      <Modal
        open={registering}
        title={i18n.pick('注册接入平台', 'Register a client')}
        onCancel={() => setRegistering(false)}
        onOk={() => form.submit()}
        okText={i18n.t('confirm')}
        cancelText={i18n.t('cancel')}
      >
        <Form form={form} layout="vertical" onFinish={register} initialValues={{ scopes: ['teachers:read'] }}>
          <Form.Item name="name" label={i18n.t('name')} rules={[{ required: true, max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="scopes" label={i18n.pick('权限范围', 'Scopes')} rules={[{ required: true }]}>
            <Select
              mode="multiple"
              options={SCOPES.map((s) => ({ value: s, label: label('apiScope', s), title: s }))}
            />
          </Form.Item>
          <Form.Item
            name="allowedAddresses"
            label={i18n.pick(
              '允许的来源地址（IP 或 CIDR，逗号分隔，留空不限）',
              'Allowed addresses (IP or CIDR, comma separated; empty = any)',
            )}
          >
            <Input />
          </Form.Item>
          <Form.Item name="rateLimitPerMinute" label={i18n.pick('每分钟请求上限', 'Requests per minute')}>
            <InputNumber min={1} max={100000} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!secret}
        destroyOnHidden
        title={i18n.pick('客户端密钥（仅显示一次）', 'Client secret (shown once)')}
        onCancel={() => setSecret(null)}
        onOk={() => setSecret(null)}
        okText={i18n.pick('我已保存', 'I have saved it')}
        cancelButtonProps={{ style: { display: 'none' } }}
      >
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={i18n.pick(
            '请立即保存：系统只保存其摘要，无法再次查看。',
            'Keep it now: only its hash is stored; it cannot be shown again.',
          )}
        />
        <p>
          client_id: <Typography.Text copyable>{secret?.id}</Typography.Text>
        </p>
        <p>
          client_secret:{' '}
          <Typography.Text copyable code data-testid="client-secret">
            {secret?.secret}
          </Typography.Text>
        </p>
      </Modal>
    </>
  );
}
