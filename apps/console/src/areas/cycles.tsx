import { useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { ProblemAlert, showFieldErrors } from '../lib/problem';
import { atSchool, useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

interface Cycle {
  id: string;
  name: string;
  period: string;
  deadline: string;
}
interface Progress {
  deadline: string;
  pastDeadline: boolean;
  schools: number;
  confirmed: number;
  teachers: number;
  children: {
    unitId?: string;
    code?: string;
    name?: string;
    schools: number;
    confirmed: number;
    teachers: number;
    overdue: number;
  }[];
  overdueSchools: { id?: string; code: string; name: string }[];
}

/** Reporting cycles: a school confirms its teachers; a department follows the schools below, overdue ones highlighted. */
export default function Cycles() {
  const i18n = useI18n();
  const session = useSession();
  const { message } = App.useApp();
  const cycles = useLoad(() => unwrap<Cycle[]>(api.GET('/reporting-cycles')));
  const [cycleId, setCycleId] = useState<string | undefined>();
  const current = cycleId ?? cycles.data?.[0]?.id;
  const progress = useLoad(
    () =>
      current
        ? unwrap<Progress>(api.GET('/reporting-cycles/{id}/progress', { params: { path: { id: current }, query: {} } }))
        : Promise.resolve(null),
    [current],
  );
  const confirm = async () => {
    try {
      await unwrap(api.POST('/reporting-cycles/{id}/confirm', { params: { path: { id: current! } }, body: {} }));
      message.success(i18n.t('done'));
      await progress.reload();
    } catch (e) {
      progress.setError(e);
    }
  };
  const mayDefine = session.me.role === 'info_admin' && session.unit?.kind === 'province';
  const [creating, setCreating] = useState<'one' | 'year' | null>(null);
  const [form] = Form.useForm();
  const [formError, setFormError] = useState<unknown>(null);
  const create = async (v: { name: string; period: string; deadline: string; year: number }) => {
    try {
      if (creating === 'year') await unwrap(api.POST('/reporting-cycles/defaults', { body: { year: v.year } }));
      else
        await unwrap(api.POST('/reporting-cycles', { body: { name: v.name, period: v.period, deadline: v.deadline } }));
      message.success(i18n.t('done'));
      setCreating(null);
      setFormError(null);
      form.resetFields();
      await cycles.reload();
    } catch (e) {
      showFieldErrors(e, form, i18n);
      setFormError(e);
    }
  };
  const p = progress.data;
  return (
    <>
      <Typography.Title level={3}>{i18n.t('cycles')}</Typography.Title>
      <ProblemAlert error={cycles.error ?? progress.error} />
      <Space style={{ marginBottom: 16 }}>
        <Select
          aria-label={i18n.t('cycles')}
          style={{ width: 320 }}
          value={current}
          onChange={setCycleId}
          options={(cycles.data ?? []).map((c) => ({ value: c.id, label: `${c.name} (${c.deadline})` }))}
        />
        {mayDefine && (
          <>
            <Button type="primary" onClick={() => (setFormError(null), setCreating('one'))}>
              {i18n.pick('新建报送周期', 'New reporting cycle')}
            </Button>
            <Button onClick={() => (setFormError(null), setCreating('year'))}>
              {i18n.pick('按法定时点生成全年周期', "Create a year's statutory cycles")}
            </Button>
          </>
        )}
        {atSchool(session) && current && (
          <Button type="primary" onClick={confirm}>
            {i18n.pick('确认本校教师信息', "Confirm the school's teachers")}
          </Button>
        )}
      </Space>
      <Modal
        open={!!creating}
        title={
          creating === 'year'
            ? i18n.pick('按法定时点生成全年周期', "Create a year's statutory cycles")
            : i18n.pick('新建报送周期', 'New reporting cycle')
        }
        onCancel={() => setCreating(null)}
        onOk={() => form.submit()}
        okText={i18n.t('save')}
        cancelText={i18n.t('cancel')}
      >
        <ProblemAlert error={formError} />
        <Form
          form={form}
          name="cycle"
          layout="vertical"
          onFinish={create}
          initialValues={{ year: new Date().getFullYear() }}
        >
          {creating === 'year' ? (
            <Form.Item name="year" label={i18n.pick('年份', 'Year')} rules={[{ required: true }]}>
              <InputNumber min={2000} max={2100} />
            </Form.Item>
          ) : (
            <>
              <Form.Item name="name" label={i18n.t('name')} rules={[{ required: true, max: 100 }]}>
                <Input />
              </Form.Item>
              <Form.Item
                name="period"
                label={i18n.pick('期次（如 2026-H2）', 'Period (e.g. 2026-H2)')}
                rules={[{ required: true }]}
              >
                <Input />
              </Form.Item>
              <Form.Item name="deadline" label={i18n.pick('截止日期', 'Deadline')} rules={[{ required: true }]}>
                <Input type="date" />
              </Form.Item>
            </>
          )}
        </Form>
      </Modal>
      {p && (
        <Card size="small">
          <Typography.Paragraph>
            {i18n.pick('截止', 'Deadline')} {p.deadline} {p.pastDeadline && <Tag color="red">{i18n.t('overdue')}</Tag>}{' '}
            · {i18n.pick('已确认学校', 'Schools confirmed')} {p.confirmed}/{p.schools} · {i18n.t('count')} {p.teachers}
          </Typography.Paragraph>
          <Table
            size="small"
            rowKey={(r) => r.code ?? r.unitId ?? r.name ?? ''}
            dataSource={p.children}
            pagination={false}
            rowClassName={(r) => (r.overdue > 0 ? 'overdue-row' : '')}
            onRow={(r) => ({ style: r.overdue > 0 ? { background: '#fff1f0' } : undefined })}
            columns={[
              { title: i18n.t('unit'), dataIndex: 'name' },
              { title: i18n.pick('学校数', 'Schools'), dataIndex: 'schools' },
              { title: i18n.pick('已确认', 'Confirmed'), dataIndex: 'confirmed' },
              { title: i18n.t('count'), dataIndex: 'teachers' },
              {
                title: i18n.t('overdue'),
                dataIndex: 'overdue',
                render: (v: number) => (v > 0 ? <Tag color="red">{v}</Tag> : 0),
              },
            ]}
          />
        </Card>
      )}
    </>
  );
}
