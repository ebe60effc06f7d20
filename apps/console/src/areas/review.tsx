import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { App, Button, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { ProblemAlert } from '../lib/problem';

interface Pending {
  stage: string;
  items: { id: string; name: string; unitId: string; version: number; updatedAt: string }[];
  nextCursor: string | null;
}

/**
 * The review queue: a school reviews submissions collectively (participants and the accountable
 * principal recorded with every approval); a department approves school-approved records in batches.
 */
export default function Review() {
  const i18n = useI18n();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [data, setData] = useState<Pending | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [results, setResults] = useState<{ teacherId: string; status: number; code?: string }[] | null>(null);
  const [collective, setCollective] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const load = useCallback(
    () => unwrap<Pending>(api.GET('/reviews/pending', { params: { query: {} } })).then(setData, setError),
    [],
  );
  useEffect(() => void load(), [load]);
  const chosen = (data?.items ?? []).filter((x) => selected.includes(x.id));

  const departmentApprove = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await unwrap<{ teacherId: string; status: number; code?: string }[]>(
        api.POST('/reviews/department-approve', {
          body: { items: chosen.map((x) => ({ teacherId: x.id, version: x.version })) },
        }),
      );
      setResults(r);
      message.success(`${r.filter((x) => x.status === 200).length} / ${r.length} ${i18n.t('done')}`);
      setSelected([]);
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const schoolApprove = async (v: { participants: string; principal: string }) => {
    setBusy(true);
    setError(null);
    const participants = v.participants
      .split(/[,，、]/)
      .map((s) => s.trim())
      .filter(Boolean);
    const out: { teacherId: string; status: number; code?: string }[] = [];
    for (const x of chosen) {
      const r = await api.POST('/teachers/{id}/review/{action}', {
        params: { path: { id: x.id, action: 'school-approve' } },
        body: { version: x.version, participants, principal: v.principal },
      });
      out.push({ teacherId: x.id, status: r.response.status, code: (r.error as { code?: string } | undefined)?.code });
    }
    setResults(out);
    message.success(`${out.filter((x) => x.status < 300).length} / ${out.length} ${i18n.t('done')}`);
    setCollective(false);
    setSelected([]);
    setBusy(false);
    await load();
  };

  return (
    <>
      <Typography.Title level={3}>
        {i18n.t('review')}{' '}
        {data && (
          <Tag>
            {data.stage === 'school-review'
              ? i18n.pick('学校集体审核', 'School review')
              : i18n.pick('主管部门审核', 'Department review')}
          </Tag>
        )}
      </Typography.Title>
      <ProblemAlert error={error} />
      <Space style={{ marginBottom: 12 }}>
        {data?.stage === 'department-review' ? (
          <Button type="primary" disabled={!chosen.length} loading={busy} onClick={departmentApprove}>
            {i18n.t('batchApprove')} ({chosen.length})
          </Button>
        ) : (
          <Button type="primary" disabled={!chosen.length} onClick={() => setCollective(true)}>
            {i18n.pick('集体审核通过', 'Collective approval')} ({chosen.length})
          </Button>
        )}
      </Space>
      {results && results.some((r) => r.status >= 300) && (
        <ProblemAlert
          error={
            new Error(
              results
                .filter((r) => r.status >= 300)
                .map(
                  (r) => `${data?.items.find((x) => x.id === r.teacherId)?.name ?? r.teacherId}: ${r.code ?? r.status}`,
                )
                .join('; '),
            )
          }
        />
      )}
      <Table
        rowKey="id"
        dataSource={data?.items ?? []}
        pagination={false}
        rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected(k as string[]) }}
        columns={[
          { title: i18n.t('name'), dataIndex: 'name' },
          { title: i18n.t('version'), dataIndex: 'version' },
          {
            title: i18n.pick('更新时间', 'Updated'),
            dataIndex: 'updatedAt',
            render: (v: string) => new Date(v).toLocaleString(),
          },
          {
            title: i18n.t('actions'),
            key: 'a',
            render: (_: unknown, r: { id: string }) => (
              <Button size="small" onClick={() => navigate(`/teachers/${r.id}`)}>
                {i18n.t('open')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={collective}
        title={i18n.pick('集体审核', 'Collective review')}
        onCancel={() => setCollective(false)}
        onOk={() => form.submit()}
        confirmLoading={busy}
        okText={i18n.t('approve')}
        cancelText={i18n.t('cancel')}
        forceRender
      >
        <Form form={form} name="collective-review" layout="vertical" onFinish={schoolApprove}>
          <Form.Item name="participants" label={i18n.t('participants')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="principal" label={i18n.t('principal')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
