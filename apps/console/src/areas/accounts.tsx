import { useState } from 'react';
import { App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { ProblemAlert, showFieldErrors } from '../lib/problem';
import { CodeTag } from '../lib/labels';
import { atSchool, useSession } from '../lib/session';
import { UnitPicker } from '../lib/unit-picker';
import { useLoad } from '../lib/use-load';
import type { Unit } from '../lib/api';

interface Account {
  id: string;
  unitId: string;
  role: string;
  username: string;
  realName: string;
  idNumber: string | null;
  status: string;
  mustChangePassword: boolean;
  lockedUntil: string | null;
  version: number;
}
const ROLES = [
  ['sysadmin', '系统管理员', 'System administrator'],
  ['info_admin', '信息管理员', 'Information administrator'],
  ['query', '查询用户', 'Query user'],
  ['teacher', '教师', 'Teacher'],
] as const;

/** Accounts of the unit and the units below: create (handed out level by level), lock, unlock, reset. */
export default function Accounts() {
  const i18n = useI18n();
  const session = useSession();
  const { message, modal } = App.useApp();
  const [unitFilter, setUnitFilter] = useState<string | undefined>();
  const { data, error, reload, setError } = useLoad(
    () =>
      unwrap<{ items: Account[] } | Account[]>(
        api.GET('/accounts', { params: { query: { limit: 200, ...(unitFilter ? { unitId: unitFilter } : {}) } } }),
      ),
    [unitFilter],
  );
  // Accounts are handed out level by level: a system administrator for each unit directly below,
  // information administrators and query users at the own unit, teachers at the own school.
  const children = useLoad(
    () => unwrap<Unit[]>(api.GET('/units/{id}/children', { params: { path: { id: session.me.unitId }, query: {} } })),
    [session.me.unitId],
  );
  const roleOptions = ROLES.filter(([r]) => r !== 'teacher' || atSchool(session)).map(([v, zh, en]) => ({
    value: v,
    label: i18n.pick(zh, en),
  }));
  const rows = Array.isArray(data) ? data : (data?.items ?? []);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const role = Form.useWatch('role', form) as string | undefined;
  const run = async (p: Promise<unknown>) => {
    try {
      await p;
      message.success(i18n.t('done'));
      await reload();
    } catch (e) {
      setError(e);
    }
  };
  const create = async (v: Record<string, string>) => {
    try {
      await unwrap(
        api.POST('/accounts', {
          body: {
            unitId: v.role === 'sysadmin' ? v.unitId : session.me.unitId,
            role: v.role as 'query',
            idType: '1',
            username: v.username,
            realName: v.realName,
            idNumber: v.idNumber,
            initialPassword: v.initialPassword,
          },
        }),
      );
      setCreating(false);
      form.resetFields();
      await reload();
    } catch (e) {
      showFieldErrors(e, form, i18n);
      setError(e);
    }
  };
  const reset = (a: Account) =>
    modal.confirm({
      title: `${i18n.t('resetPassword')} · ${a.username}`,
      content: i18n.pick(
        '将生成临时密码，持有人下次登录须修改。',
        'A temporary password is set; the holder changes it at the next login.',
      ),
      onOk: async () => {
        const temp = `Tmp#${Math.random().toString(36).slice(2, 8)}${Date.now() % 1000}A`;
        await run(
          unwrap(
            api.POST('/accounts/{id}/reset-password', {
              params: { path: { id: a.id } },
              body: { version: a.version, temporaryPassword: temp },
            }),
          ),
        );
        modal.info({ title: i18n.pick('临时密码', 'Temporary password'), content: <code>{temp}</code> });
      },
    });
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3}>{i18n.t('accounts')}</Typography.Title>
        <Space>
          <UnitPicker
            aria-label={i18n.t('unit')}
            value={unitFilter}
            onChange={(v) => setUnitFilter(v)}
            placeholder={i18n.pick('全部下级单位', 'Every unit below')}
          />
          <Button type="primary" onClick={() => setCreating(true)}>
            {i18n.t('create')}
          </Button>
        </Space>
      </Space>
      <ProblemAlert error={error} />
      <Table<Account>
        rowKey="id"
        dataSource={rows}
        columns={[
          { title: i18n.t('username'), dataIndex: 'username' },
          { title: i18n.t('name'), dataIndex: 'realName' },
          {
            title: i18n.t('role'),
            dataIndex: 'role',
            render: (r) => i18n.pick(...((ROLES.find((x) => x[0] === r) ?? [r, r, r]).slice(1) as [string, string])),
          },
          { title: i18n.t('idNumber'), dataIndex: 'idNumber' },
          {
            title: i18n.t('status'),
            key: 's',
            render: (_, a) => (
              <Space>
                <CodeTag table="accountStatus" code={a.status} />
                {a.lockedUntil && <Tag color="red">{i18n.t('lock')}</Tag>}
              </Space>
            ),
          },
          {
            title: i18n.t('actions'),
            key: 'a',
            render: (_, a) => (
              <Space>
                {a.status === 'active' ? (
                  <Button
                    size="small"
                    onClick={() =>
                      run(
                        unwrap(
                          api.PATCH('/accounts/{id}', {
                            params: { path: { id: a.id } },
                            body: { status: 'disabled', version: a.version },
                          }),
                        ),
                      )
                    }
                  >
                    {i18n.t('lock')}
                  </Button>
                ) : (
                  <Button
                    size="small"
                    onClick={() =>
                      run(
                        unwrap(
                          api.PATCH('/accounts/{id}', {
                            params: { path: { id: a.id } },
                            body: { status: 'active', version: a.version },
                          }),
                        ),
                      )
                    }
                  >
                    {i18n.t('unlock')}
                  </Button>
                )}
                {a.lockedUntil && (
                  <Button
                    size="small"
                    onClick={() =>
                      run(
                        unwrap(
                          api.POST('/accounts/{id}/unlock', {
                            params: { path: { id: a.id } },
                            body: { version: a.version },
                          }),
                        ),
                      )
                    }
                  >
                    {i18n.t('unlock')}
                  </Button>
                )}
                <Button size="small" onClick={() => reset(a)}>
                  {i18n.t('resetPassword')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={i18n.t('create')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        forceRender
      >
        <Form form={form} name="account" layout="vertical" onFinish={create} initialValues={{ role: 'info_admin' }}>
          <Form.Item name="role" label={i18n.t('role')} rules={[{ required: true }]}>
            <Select options={roleOptions} />
          </Form.Item>
          {role === 'sysadmin' ? (
            <Form.Item
              name="unitId"
              label={i18n.pick(
                '下一级单位（逐级分配系统管理员）',
                'Unit directly below (administrators are handed out level by level)',
              )}
              rules={[{ required: true }]}
            >
              <Select
                showSearch
                optionFilterProp="label"
                options={(children.data ?? [])
                  .filter((u) => u.status === 'active')
                  .map((u) => ({ value: u.id, label: `${u.name} · ${u.code}` }))}
              />
            </Form.Item>
          ) : (
            <Form.Item label={i18n.t('unit')}>
              <Input value={session.unit?.name ?? session.me.unitId} disabled />
            </Form.Item>
          )}
          <Form.Item name="username" label={i18n.t('username')}>
            <Input />
          </Form.Item>
          <Form.Item name="realName" label={i18n.t('name')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="idNumber" label={i18n.t('idNumber')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="initialPassword" label={i18n.t('password')} rules={[{ required: true }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
