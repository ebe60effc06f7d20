import { useEffect, useState } from 'react';
import { Route, Routes, useNavigate, useParams } from 'react-router';
import {
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Spin,
  Table,
  Typography,
} from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { CodeTag, useLabel, useLabelOptions } from '../lib/labels';
import { ProblemAlert, showFieldErrors } from '../lib/problem';
import { atSchool, useSession } from '../lib/session';
import { UnitPicker } from '../lib/unit-picker';
import { useLoad } from '../lib/use-load';

/** A spot check as `GET /spot-checks[/{id}]` answers it. */
interface SpotCheck {
  id: string;
  unitId: string;
  unitPath: string;
  kind: 'schools' | 'teachers';
  sampleSize: number;
  population: number;
  seed: string;
  status: 'open' | 'published';
  summary: Record<string, number> | null;
  createdAt: string;
  publishedAt: string | null;
  items?: Item[];
}
interface Item {
  id: string;
  ordinal: number;
  targetId: string;
  result: 'pending' | 'verified' | 'discrepancy';
  note: string | null;
  verifiedAt: string | null;
}

/** Art. 17 spot checks: a department draws a reproducible sample, records each result, publishes the summary. */
export default function SpotChecks() {
  return (
    <Routes>
      <Route index element={<SpotCheckList />} />
      <Route path=":id" element={<SpotCheckDetail />} />
    </Routes>
  );
}

function SpotCheckList() {
  const i18n = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const options = useLabelOptions();
  const [form] = Form.useForm();
  const { data, error, setError, loading } = useLoad(() => unwrap<SpotCheck[]>(api.GET('/spot-checks')));
  const mayDraw = session.me.role === 'info_admin' && !atSchool(session);
  const draw = async (v: { kind: 'schools' | 'teachers'; size: number; unitId?: string; seed?: string }) => {
    try {
      const c = await unwrap(
        api.POST('/spot-checks', {
          body: {
            kind: v.kind,
            size: v.size,
            ...(v.unitId ? { unitId: v.unitId } : {}),
            ...(v.seed ? { seed: v.seed } : {}),
          },
        }),
      );
      navigate(c.id);
    } catch (e) {
      showFieldErrors(e, form, i18n);
      setError(e);
    }
  };
  return (
    <>
      <Typography.Title level={3}>{i18n.t('spotChecks')}</Typography.Title>
      <ProblemAlert error={error} />
      {mayDraw && (
        <Card size="small" title={i18n.pick('新建抽查', 'New spot check')} style={{ marginBottom: 16 }}>
          <Form
            form={form}
            name="spot-check"
            layout="inline"
            onFinish={draw}
            initialValues={{ kind: 'teachers', size: 10 }}
          >
            <Form.Item name="unitId" label={i18n.pick('抽查范围', 'Within')}>
              <UnitPicker placeholder={session.unit?.name} />
            </Form.Item>
            <Form.Item name="kind" label={i18n.pick('对象', 'Sample of')} rules={[{ required: true }]}>
              <Select style={{ width: 120 }} options={options('spotCheckKind')} />
            </Form.Item>
            <Form.Item name="size" label={i18n.pick('样本量', 'Size')} rules={[{ required: true }]}>
              <InputNumber min={1} max={10000} />
            </Form.Item>
            <Form.Item
              name="seed"
              label={i18n.pick('随机种子（复现用，可选）', 'Seed (to reproduce, optional)')}
              rules={[
                { pattern: /^[A-Za-z0-9]{4,64}$/, message: i18n.pick('4–64 位字母或数字', '4–64 letters or digits') },
              ]}
            >
              <Input style={{ width: 180 }} />
            </Form.Item>
            <Button type="primary" htmlType="submit">
              {i18n.pick('抽取', 'Draw')}
            </Button>
          </Form>
        </Card>
      )}
      <Table<SpotCheck>
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        onRow={(r) => ({ onClick: () => navigate(r.id), style: { cursor: 'pointer' } })}
        columns={[
          {
            title: i18n.pick('时间', 'Time'),
            dataIndex: 'createdAt',
            render: (v: string, r) => <a onClick={() => navigate(r.id)}>{new Date(v).toLocaleString()}</a>,
          },
          {
            title: i18n.pick('对象', 'Sample of'),
            dataIndex: 'kind',
            render: (k) => <CodeTag table="spotCheckKind" code={k} />,
          },
          {
            title: i18n.pick('样本量 / 总体', 'Sample / population'),
            key: 'n',
            render: (_, r) => `${r.sampleSize} / ${r.population}`,
          },
          { title: i18n.pick('随机种子', 'Seed'), dataIndex: 'seed' },
          { title: i18n.t('status'), dataIndex: 'status', render: (s) => <CodeTag table="spotCheckStatus" code={s} /> },
          {
            title: i18n.pick('结果', 'Results'),
            key: 'sum',
            render: (_, r) => <Summary summary={r.summary} />,
          },
        ]}
      />
    </>
  );
}

function Summary({ summary }: { summary: Record<string, number> | null }) {
  const label = useLabel();
  if (!summary) return <>—</>;
  return (
    <>
      {(['verified', 'discrepancy', 'pending'] as const)
        .map((k) => `${label('spotCheckResult', k)} ${summary[k] ?? 0}`)
        .join(' · ')}
    </>
  );
}

/** The sampled teachers or schools by name (the API gives ids; each is read within the caller's scope). */
function useTargetNames(kind: 'schools' | 'teachers' | undefined, items: Item[] | undefined) {
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!kind || !items?.length) return;
    let live = true;
    void Promise.all(
      items.map(async (it) => {
        try {
          const r =
            kind === 'teachers'
              ? await unwrap<{ name: string }>(api.GET('/teachers/{id}', { params: { path: { id: it.targetId } } }))
              : await unwrap<{ name: string; code: string }>(
                  api.GET('/units/{id}', { params: { path: { id: it.targetId } } }),
                );
          return [it.targetId, r.name] as const;
        } catch {
          return [it.targetId, it.targetId] as const;
        }
      }),
    ).then((pairs) => live && setNames(Object.fromEntries(pairs)));
    return () => {
      live = false;
    };
  }, [kind, items]);
  return names;
}

function SpotCheckDetail() {
  const { id } = useParams();
  const i18n = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const options = useLabelOptions();
  const { data, error, reload, setError } = useLoad(
    () => unwrap(api.GET('/spot-checks/{id}', { params: { path: { id: id! } } })) as Promise<SpotCheck>,
    [id],
  );
  const names = useTargetNames(data?.kind, data?.items);
  const [recording, setRecording] = useState<Item | null>(null);
  const [form] = Form.useForm<{ result: 'verified' | 'discrepancy'; note?: string }>();
  const [formError, setFormError] = useState<unknown>(null);
  if (!data) return error ? <ProblemAlert error={error} /> : <Spin />;
  const mayRecord = data.status === 'open' && session.me.role === 'info_admin' && !atSchool(session);
  const record = async (v: { result: 'verified' | 'discrepancy'; note?: string }) => {
    try {
      await unwrap(
        api.PUT('/spot-checks/{id}/items/{itemId}', {
          params: { path: { id: data.id, itemId: recording!.id } },
          body: { result: v.result, ...(v.note?.trim() ? { note: v.note.trim() } : {}) },
        }),
      );
      message.success(i18n.t('saved'));
      setRecording(null);
      setFormError(null);
      form.resetFields();
      await reload();
    } catch (e) {
      showFieldErrors(e, form, i18n);
      setFormError(e);
    }
  };
  const publish = async () => {
    try {
      await unwrap(api.POST('/spot-checks/{id}/publish', { params: { path: { id: data.id } } }));
      message.success(i18n.t('done'));
      await reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3}>{i18n.t('spotChecks')}</Typography.Title>
        <Space>
          <Button onClick={() => navigate('..')}>{i18n.pick('返回列表', 'Back to the list')}</Button>
          {mayRecord && (
            <Button type="primary" onClick={publish}>
              {i18n.pick('公布结果', 'Publish the results')}
            </Button>
          )}
        </Space>
      </Space>
      <ProblemAlert error={error} />
      <Descriptions size="small" bordered column={3} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={i18n.pick('对象', 'Sample of')}>
          <CodeTag table="spotCheckKind" code={data.kind} />
        </Descriptions.Item>
        <Descriptions.Item label={i18n.pick('样本量 / 总体', 'Sample / population')}>
          {data.sampleSize} / {data.population}
        </Descriptions.Item>
        <Descriptions.Item label={i18n.t('status')}>
          <CodeTag table="spotCheckStatus" code={data.status} />
        </Descriptions.Item>
        <Descriptions.Item label={i18n.pick('随机种子', 'Seed')}>{data.seed}</Descriptions.Item>
        <Descriptions.Item label={i18n.pick('时间', 'Time')}>
          {new Date(data.createdAt).toLocaleString()}
        </Descriptions.Item>
        <Descriptions.Item label={i18n.pick('结果', 'Results')}>
          <Summary
            summary={
              data.summary ??
              (data.items ?? []).reduce<Record<string, number>>(
                (s, it) => ({ ...s, [it.result]: (s[it.result] ?? 0) + 1 }),
                {},
              )
            }
          />
        </Descriptions.Item>
      </Descriptions>
      <Table<Item>
        rowKey="id"
        size="small"
        dataSource={data.items ?? []}
        pagination={{ pageSize: 50 }}
        columns={[
          { title: '#', dataIndex: 'ordinal', width: 60 },
          {
            title: data.kind === 'teachers' ? i18n.t('name') : i18n.t('school'),
            key: 't',
            render: (_, it) =>
              data.kind === 'teachers' ? (
                <a onClick={() => navigate(`/teachers/${it.targetId}`)}>{names[it.targetId] ?? '…'}</a>
              ) : (
                (names[it.targetId] ?? '…')
              ),
          },
          {
            title: i18n.pick('核查结果', 'Result'),
            dataIndex: 'result',
            render: (r) => <CodeTag table="spotCheckResult" code={r} />,
          },
          { title: i18n.pick('说明', 'Note'), dataIndex: 'note' },
          {
            title: i18n.t('actions'),
            key: 'a',
            render: (_, it) =>
              mayRecord && (
                <Button
                  size="small"
                  onClick={() => {
                    form.setFieldsValue({
                      result: it.result === 'pending' ? 'verified' : it.result,
                      note: it.note ?? '',
                    });
                    setFormError(null);
                    setRecording(it);
                  }}
                >
                  {i18n.pick('登记结果', 'Record the result')}
                </Button>
              ),
          },
        ]}
      />
      <Modal
        open={!!recording}
        title={`${i18n.pick('登记结果', 'Record the result')} · ${recording ? (names[recording.targetId] ?? '') : ''}`}
        onCancel={() => setRecording(null)}
        onOk={() => form.submit()}
        okText={i18n.t('save')}
        cancelText={i18n.t('cancel')}
        destroyOnHidden={false}
      >
        <ProblemAlert error={formError} />
        <Form form={form} name="spot-check-result" layout="vertical" onFinish={record}>
          <Form.Item name="result" label={i18n.pick('核查结果', 'Result')} rules={[{ required: true }]}>
            <Select options={options('spotCheckResult', ['verified', 'discrepancy'])} />
          </Form.Item>
          <Form.Item name="note" label={i18n.pick('说明', 'Note')} rules={[{ max: 1000 }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
