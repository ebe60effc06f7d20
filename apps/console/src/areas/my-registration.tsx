import { Alert, Descriptions, Spin, Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { CodeTag } from '../lib/labels';
import { ProblemAlert } from '../lib/problem';
import { useLoad } from '../lib/use-load';

/** `GET /registration/teachers/{id}` as the API answers it. */
interface Registration {
  name: string;
  qualification: {
    qualificationType: string | null;
    certificateNumber: string | null;
    issuedDate: string | null;
    registrationResult: string | null;
    registrationDate: string | null;
  } | null;
  status: string | null;
  statusLabel: { en: string; zh: string } | string | null;
  cycle: { start: string; end: string } | null;
  reason: string | null;
  rulesVersion: string;
  mayApply: boolean;
  eligibility: { outcome: string; conditions: { key: string; met: boolean; en: string; zh: string }[] } | null;
  missing: { key: string; en: string; zh: string }[];
  applications: { id: string; state: string; cycle: { start: string; end: string }; decisionReason: string | null }[];
}

/** Teacher self-service: where my periodic registration stands, its conditions and my applications. */
export default function MyRegistration() {
  const i18n = useI18n();
  const { data, error } = useLoad(async () => {
    const me = await unwrap<{ id: string }>(api.GET('/teachers/me'));
    return unwrap<Registration>(api.GET('/registration/teachers/{id}', { params: { path: { id: me.id } } }));
  }, []);
  if (error) return <ProblemAlert error={error} />;
  if (!data) return <Spin />;
  const label = data.statusLabel;
  const statusText = label == null ? '—' : typeof label === 'string' ? label : i18n.pick(label.zh, label.en);
  return (
    <>
      <Typography.Title level={3}>
        {i18n.t('myRegistration')} · {data.name}
      </Typography.Title>
      <Descriptions bordered size="small" column={1} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={i18n.t('status')}>
          <Tag color="blue">{statusText}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={i18n.pick('注册周期', 'Cycle')}>
          {data.cycle ? `${data.cycle.start} – ${data.cycle.end}` : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={i18n.pick('资格证书', 'Certificate')}>
          {data.qualification
            ? `${data.qualification.certificateNumber ?? ''} (${data.qualification.issuedDate ?? ''})`
            : i18n.pick('无资格证书记录', 'No qualification on record')}
        </Descriptions.Item>
        {data.reason && <Descriptions.Item label={i18n.t('reason')}>{data.reason}</Descriptions.Item>}
      </Descriptions>
      {data.missing.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={i18n.pick('尚缺条件', 'Missing')}
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {data.missing.map((m) => (
                <li key={m.key}>{i18n.pick(m.zh, m.en)}</li>
              ))}
            </ul>
          }
        />
      )}
      {data.eligibility && (
        <Table
          rowKey="key"
          size="small"
          pagination={false}
          style={{ marginBottom: 16 }}
          dataSource={data.eligibility.conditions}
          columns={[
            { title: i18n.pick('条件', 'Condition'), key: 'c', render: (_, c) => i18n.pick(c.zh, c.en) },
            {
              title: i18n.t('status'),
              dataIndex: 'met',
              render: (met: boolean) =>
                met ? (
                  <Tag color="green">{i18n.pick('满足', 'met')}</Tag>
                ) : (
                  <Tag color="red">{i18n.pick('未满足', 'not met')}</Tag>
                ),
            },
          ]}
        />
      )}
      <Typography.Title level={5}>{i18n.pick('注册申请', 'Applications')}</Typography.Title>
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={data.applications}
        columns={[
          { title: i18n.pick('周期', 'Cycle'), key: 'cy', render: (_, a) => `${a.cycle.start} – ${a.cycle.end}` },
          {
            title: i18n.t('status'),
            dataIndex: 'state',
            render: (s: string) => <CodeTag table="registrationState" code={s} />,
          },
          { title: i18n.t('reason'), dataIndex: 'decisionReason' },
        ]}
      />
    </>
  );
}
