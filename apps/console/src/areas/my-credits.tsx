import { Alert, Card, Col, Row, Spin, Statistic, Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { CodeTag, useLabel } from '../lib/labels';
import { ProblemAlert } from '../lib/problem';
import { useLoad } from '../lib/use-load';

/** `GET /training/bank/me` as the API answers it. */
interface Bank {
  window: { from: string; to: string };
  rule: { version: string; effectiveFrom: string; registrationCredits: number } | null;
  totals: {
    credits: number;
    hours: number;
    registrationCredits: number;
    unappliedCredits: number;
    byKind: Record<string, { credits: number; hours: number }>;
  };
  belowThreshold: boolean | null;
  entries: {
    id: string;
    kind: string;
    hours: number;
    credits: number;
    confirmedOn: string;
    sourceName: string;
    countsForRegistration: boolean;
    applied: { purpose: string; reference: string; at: string } | null;
  }[];
}

/** Teacher self-service: my confirmed training credits in the current cycle, totals per kind. */
export default function MyCredits() {
  const i18n = useI18n();
  const label = useLabel();
  const { data, error } = useLoad(() => unwrap<Bank>(api.GET('/training/bank/me')), []);
  if (error) return <ProblemAlert error={error} />;
  if (!data) return <Spin />;
  const byKind = Object.entries(data.totals.byKind).map(([kind, v]) => ({ kind, ...v }));
  return (
    <>
      <Typography.Title level={3}>{i18n.t('myCredits')}</Typography.Title>
      <Typography.Paragraph type="secondary">
        {i18n.pick('周期', 'Cycle')}: {data.window.from} – {data.window.to}
        {data.rule && ` · ${i18n.pick('学分规则', 'credit rules')} ${data.rule.version}`}
      </Typography.Paragraph>
      {data.belowThreshold && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={i18n.pick(
            `本周期计入注册的学分不足 ${data.rule?.registrationCredits ?? ''} 学分`,
            `Below the ${data.rule?.registrationCredits ?? ''} credits registration requires in this cycle`,
          )}
        />
      )}
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={i18n.pick('学分合计', 'Credits')} value={data.totals.credits} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={i18n.pick('学时合计', 'Hours')} value={data.totals.hours} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic
              title={i18n.pick('计入注册的学分', 'Credits for registration')}
              value={data.totals.registrationCredits}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={i18n.pick('未使用学分', 'Unapplied credits')} value={data.totals.unappliedCredits} />
          </Card>
        </Col>
      </Row>
      <Typography.Title level={5}>{i18n.pick('按培训类别', 'By kind')}</Typography.Title>
      <Table
        rowKey="kind"
        size="small"
        pagination={false}
        dataSource={byKind}
        style={{ marginBottom: 16 }}
        columns={[
          { title: i18n.pick('类别', 'Kind'), dataIndex: 'kind', render: (k: string) => label('creditKind', k) },
          { title: i18n.pick('学分', 'Credits'), dataIndex: 'credits' },
          { title: i18n.pick('学时', 'Hours'), dataIndex: 'hours' },
        ]}
      />
      <Typography.Title level={5}>{i18n.pick('学分明细', 'Entries')}</Typography.Title>
      <Table
        rowKey="id"
        dataSource={data.entries}
        columns={[
          { title: i18n.pick('确认日期', 'Confirmed on'), dataIndex: 'confirmedOn' },
          { title: i18n.pick('来源', 'Source'), dataIndex: 'sourceName' },
          { title: i18n.pick('类别', 'Kind'), dataIndex: 'kind', render: (k: string) => label('creditKind', k) },
          { title: i18n.pick('学时', 'Hours'), dataIndex: 'hours' },
          { title: i18n.pick('学分', 'Credits'), dataIndex: 'credits' },
          {
            title: i18n.pick('用途', 'Applied to'),
            key: 'applied',
            render: (_, e) =>
              e.applied ? (
                <CodeTag table="creditPurpose" code={e.applied.purpose} />
              ) : e.countsForRegistration ? (
                <Tag color="green">{i18n.pick('可用于注册', 'counts for registration')}</Tag>
              ) : (
                <Tag>{i18n.pick('不计入注册', 'not for registration')}</Tag>
              ),
          },
        ]}
      />
    </>
  );
}
