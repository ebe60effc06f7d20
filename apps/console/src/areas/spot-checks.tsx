import { App, Button, Card, Form, InputNumber, Select, Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { ProblemAlert } from '../lib/problem';
import { useLoad } from '../lib/use-load';

interface SpotCheck {
  id: string;
  kind: string;
  sampleSize: number;
  seed: string;
  publishedAt: string | null;
  createdAt: string;
}

/** Reproducible spot checks of schools or teachers in the department's subtree. */
export default function SpotChecks() {
  const i18n = useI18n();
  const { message } = App.useApp();
  const { data, error, reload, setError } = useLoad(() =>
    unwrap<SpotCheck[] | { items: SpotCheck[] }>(api.GET('/spot-checks')),
  );
  const rows = Array.isArray(data) ? data : (data?.items ?? []);
  const draw = async (v: { kind: 'schools' | 'teachers'; size: number }) => {
    try {
      await unwrap(api.POST('/spot-checks', { body: v }));
      message.success(i18n.t('done'));
      await reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <Typography.Title level={3}>{i18n.t('spotChecks')}</Typography.Title>
      <ProblemAlert error={error} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form name="spot-check" layout="inline" onFinish={draw} initialValues={{ kind: 'teachers', size: 10 }}>
          <Form.Item name="kind" label={i18n.pick('对象', 'Sample of')}>
            <Select
              style={{ width: 140 }}
              options={[
                { value: 'teachers', label: i18n.pick('教师', 'Teachers') },
                { value: 'schools', label: i18n.pick('学校', 'Schools') },
              ]}
            />
          </Form.Item>
          <Form.Item name="size" label={i18n.pick('样本量', 'Size')}>
            <InputNumber min={1} max={10000} />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            {i18n.pick('抽取', 'Draw')}
          </Button>
        </Form>
      </Card>
      <Table<SpotCheck>
        rowKey="id"
        dataSource={rows}
        columns={[
          { title: i18n.pick('对象', 'Sample of'), dataIndex: 'kind' },
          { title: i18n.pick('样本量', 'Size'), dataIndex: 'size' },
          { title: i18n.pick('随机种子', 'Seed'), dataIndex: 'seed' },
          {
            title: i18n.t('status'),
            key: 's',
            render: (_, r) => <Tag>{r.publishedAt ? 'published' : 'open'}</Tag>,
          },
          { title: i18n.pick('时间', 'Time'), dataIndex: 'createdAt', render: (v) => new Date(v).toLocaleString() },
        ]}
      />
    </>
  );
}
