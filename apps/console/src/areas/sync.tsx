import { Card, Descriptions, Table, Typography } from 'antd';
import { api, nationalApi, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { ProblemAlert } from '../lib/problem';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

interface DeadLetter {
  id: string;
  receivedAt?: string;
  province?: string | null;
  code?: string;
  reason?: string;
  [k: string]: unknown;
}

const flat = (o: unknown): [string, string][] =>
  o && typeof o === 'object'
    ? Object.entries(o as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === 'object' ? JSON.stringify(v) : String(v),
      ])
    : [];

/** Federation: this node's sync status (outbox on a province, ingest on the national node) and dead letters. */
export default function Sync() {
  const i18n = useI18n();
  const session = useSession();
  const national = session.unit?.kind === 'ministry';
  const status = useLoad(() => unwrap<Record<string, unknown>>(api.GET('/sync/status')));
  const dead = useLoad(() =>
    national
      ? unwrap<{ items: DeadLetter[] } | DeadLetter[]>(nationalApi.GET('/sync/dead-letters'))
      : Promise.resolve([] as DeadLetter[]),
  );
  const rows = Array.isArray(dead.data) ? dead.data : (dead.data?.items ?? []);
  return (
    <>
      <Typography.Title level={3}>{i18n.t('sync')}</Typography.Title>
      <ProblemAlert error={status.error ?? dead.error} />
      <Card size="small" title={i18n.pick('同步状态', 'Status')} style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={2} bordered>
          {flat(status.data).map(([k, v]) => (
            <Descriptions.Item key={k} label={k}>
              <code style={{ fontSize: 12 }}>{v.slice(0, 300)}</code>
            </Descriptions.Item>
          ))}
        </Descriptions>
      </Card>
      {national && (
        <Card size="small" title={i18n.t('deadLetters')}>
          <Table<DeadLetter>
            size="small"
            rowKey="id"
            dataSource={rows}
            columns={[
              { title: i18n.pick('时间', 'Time'), dataIndex: 'receivedAt' },
              { title: i18n.pick('省份', 'Province'), dataIndex: 'province' },
              { title: 'code', dataIndex: 'code' },
              { title: i18n.t('reason'), dataIndex: 'reason' },
            ]}
          />
        </Card>
      )}
    </>
  );
}
