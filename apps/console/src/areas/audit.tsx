import { Table, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { ProblemAlert } from '../lib/problem';
import { useLoad } from '../lib/use-load';

interface AuditRow {
  id: string;
  at: string;
  action: string;
  actorAccountId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip?: string | null;
  details?: unknown;
}

/** The audit trail of the unit and the units below it, newest first. */
export default function Audit() {
  const i18n = useI18n();
  const { data, error } = useLoad(() => unwrap<{ items: AuditRow[] } | AuditRow[]>(api.GET('/audit')));
  const rows = Array.isArray(data) ? data : (data?.items ?? []);
  return (
    <>
      <Typography.Title level={3}>{i18n.t('audit')}</Typography.Title>
      <ProblemAlert error={error} />
      <Table<AuditRow>
        size="small"
        rowKey="id"
        dataSource={rows}
        columns={[
          { title: i18n.pick('时间', 'Time'), dataIndex: 'at', render: (v) => new Date(v).toLocaleString() },
          { title: i18n.pick('操作', 'Action'), dataIndex: 'action' },
          {
            title: i18n.pick('对象', 'Target'),
            key: 't',
            render: (_, r) => `${r.targetType ?? ''} ${String(r.targetId ?? '').slice(0, 8)}`,
          },
          { title: i18n.pick('地址', 'Address'), dataIndex: 'ip' },
          {
            title: i18n.pick('详情', 'Details'),
            dataIndex: 'details',
            render: (d) => <code style={{ fontSize: 12 }}>{JSON.stringify(d ?? {}).slice(0, 100)}</code>,
          },
        ]}
      />
    </>
  );
}
